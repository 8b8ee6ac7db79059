/**
 * A stack of encoder layers with an optional final norm — PyTorch's `nn.TransformerEncoder`.
 */
import { tidy, type Tensor } from '@tessera/core';
import { Module, type ModuleList } from '@tessera/nn';
import type { TransformerEncoderLayer, TransformerEncoderLayerForwardOptions } from './encoder-layer';
import { stackLayers, type LayerSource } from './layer-stack';

/** What a layer of the stack must do: map `src` to the same shape, taking the encoder layer's masks. */
export type EncoderLayerLike = Module & { forward(src: Tensor, options?: TransformerEncoderLayerForwardOptions): Tensor };

/** Options of {@link TransformerEncoder}. */
export interface TransformerEncoderOptions {
  /** Applied to the output of the last layer (e.g. `new LayerNorm(dModel)`; default none). */
  norm?: (Module & { forward(x: Tensor): Tensor }) | null;
}

/** Options of {@link TransformerEncoder.forward}: PyTorch's `mask` and `src_key_padding_mask`. */
export interface TransformerEncoderForwardOptions {
  /** `[T, T]` or `[B·nhead, T, T]` self-attention mask (bool true = hidden, or additive float). */
  mask?: Tensor | null;
  /** The same as `mask` (the name the layers and `Transformer` use); give one of the two. */
  srcMask?: Tensor | null;
  /** `[B, T]` (unbatched `[T]`): true = padding to ignore. */
  srcKeyPaddingMask?: Tensor | null;
  /** Apply a causal mask in every layer's self-attention. */
  isCausal?: boolean;
}

/**
 * `numLayers` encoder layers applied in turn, then `norm` if given. Given a layer, the stack holds
 * `numLayers` independent deep copies of it (PyTorch's `_get_clones`: they start equal, the layer
 * passed in is not used itself); given a factory `(index) => layer`, it holds what the factory makes.
 * Keys are PyTorch's: `layers.0.self_attn.in_proj_weight`, …, `norm.weight`.
 * @example
 * const layer = new TransformerEncoderLayer(64, 4, { batchFirst: true });
 * const encoder = new TransformerEncoder(layer, 6, { norm: new LayerNorm(64) });
 * encoder.forward(randn([2, 10, 64]), { srcKeyPaddingMask: padding }); // [2, 10, 64]
 */
export class TransformerEncoder extends Module {
  readonly layers: ModuleList;
  readonly norm: (Module & { forward(x: Tensor): Tensor }) | null;

  constructor(
    encoderLayer: LayerSource<TransformerEncoderLayer | EncoderLayerLike>,
    readonly numLayers: number,
    options: TransformerEncoderOptions = {},
  ) {
    super();
    this.layers = stackLayers('TransformerEncoder', encoderLayer, numLayers);
    this.norm = options.norm ?? null;
  }

  /**
   * `src` through every layer (same layouts as the layers) → src's shape.
   * @example
   * encoder.forward(src, { mask: generateSquareSubsequentMask(T), srcKeyPaddingMask: padding });
   */
  forward(src: Tensor, options: TransformerEncoderForwardOptions = {}): Tensor {
    const layerOptions = { srcMask: options.mask ?? options.srcMask, srcKeyPaddingMask: options.srcKeyPaddingMask, isCausal: options.isCausal };
    return tidy(() => {
      let output = src;
      for (const layer of this.layers) output = (layer as EncoderLayerLike).forward(output, layerOptions);
      return this.norm ? this.norm.forward(output) : output;
    });
  }

  override extraRepr(): string {
    return `numLayers=${this.numLayers}`;
  }
}
