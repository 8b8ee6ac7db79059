/**
 * The encoder–decoder transformer of "Attention Is All You Need" — PyTorch's `nn.Transformer`.
 */
import { formatShape, tidy, ShapeError, type Tensor } from '@tessera/core';
import { LayerNorm, Module, init, type FactoryOptions } from '@tessera/nn';
import { generateSquareSubsequentMask } from '../masks';
import { expectTensor } from '../validation';
import { TransformerDecoder } from './decoder';
import { TransformerDecoderLayer } from './decoder-layer';
import { TransformerEncoder } from './encoder';
import { TransformerEncoderLayer } from './encoder-layer';
import type { TransformerLayerOptions } from './layer-options';

/** Options of {@link Transformer} (PyTorch's keyword arguments in camelCase, with its defaults). */
export interface TransformerOptions extends TransformerLayerOptions {
  /** Features of every token (default 512). */
  dModel?: number;
  /** Attention heads (default 8). */
  nhead?: number;
  /** Encoder layers (default 6). */
  numEncoderLayers?: number;
  /** Decoder layers (default 6). */
  numDecoderLayers?: number;
  /** Use this encoder instead of building one (PyTorch's `custom_encoder`). */
  customEncoder?: Module & { forward(src: Tensor, options?: object): Tensor };
  /** Use this decoder instead of building one (PyTorch's `custom_decoder`). */
  customDecoder?: Module & { forward(tgt: Tensor, memory: Tensor, options?: object): Tensor };
}

/** Options of {@link Transformer.forward}: PyTorch's mask arguments in camelCase. */
export interface TransformerForwardOptions {
  /** `[S, S]` or `[B·nhead, S, S]`: the encoder's self-attention mask (bool true = hidden, or additive float). */
  srcMask?: Tensor | null;
  /** `[T, T]` or `[B·nhead, T, T]`: the decoder's self-attention mask, usually `generateSquareSubsequentMask(T)`. */
  tgtMask?: Tensor | null;
  /** `[T, S]` or `[B·nhead, T, S]`: the mask of the decoder's attention over the encoder output. */
  memoryMask?: Tensor | null;
  /** `[B, S]` (unbatched `[S]`): true = source padding. */
  srcKeyPaddingMask?: Tensor | null;
  /** `[B, T]` (unbatched `[T]`): true = target padding. */
  tgtKeyPaddingMask?: Tensor | null;
  /** `[B, S]` (unbatched `[S]`): true = memory padding (usually the same as `srcKeyPaddingMask`). */
  memoryKeyPaddingMask?: Tensor | null;
  /** Causal self-attention in the encoder. */
  srcIsCausal?: boolean;
  /** Causal self-attention in the decoder (instead of, or with, `tgtMask`). */
  tgtIsCausal?: boolean;
  /** Causal attention over memory. */
  memoryIsCausal?: boolean;
}

/**
 * Encoder (`numEncoderLayers` layers and a final LayerNorm) and decoder (`numDecoderLayers` layers and
 * a final LayerNorm), with PyTorch's parameter names (`encoder.layers.0.self_attn.in_proj_weight`, …,
 * `encoder.norm.weight`, `decoder.layers.0.multihead_attn.…`, `decoder.norm.bias`) and PyTorch's
 * initialisation (every parameter with more than one dim re-drawn Xavier-uniform), so a PyTorch
 * `nn.Transformer` state dict loads unchanged and gives the same outputs.
 * @example
 * const model = new Transformer({ dModel: 64, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, batchFirst: true });
 * const out = model.forward(randn([2, 7, 64]), randn([2, 5, 64]), {
 *   tgtMask: Transformer.generateSquareSubsequentMask(5),
 * }); // [2, 5, 64]
 */
export class Transformer extends Module {
  readonly encoder: Module & { forward(src: Tensor, options?: object): Tensor };
  readonly decoder: Module & { forward(tgt: Tensor, memory: Tensor, options?: object): Tensor };

  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(options: TransformerOptions = {}) {
    super();
    this.dModel = options.dModel ?? 512;
    this.nhead = options.nhead ?? 8;
    this.batchFirst = options.batchFirst ?? false;
    const { numEncoderLayers, numDecoderLayers, customEncoder, customDecoder, ...layerOptions } = options;
    const norm = () => new LayerNorm(this.dModel, { dtype: options.dtype, device: options.device, eps: options.layerNormEps ?? 1e-5, bias: options.bias ?? true });
    // The stacks hold copies of a template layer (PyTorch's _get_clones); the template is then freed.
    const stack = <L extends Module, S>(template: () => L, build: (layer: L) => S): S => {
      const layer = template();
      try {
        return build(layer);
      } finally {
        layer.dispose();
      }
    };
    this.encoder =
      customEncoder ??
      stack(
        () => new TransformerEncoderLayer(this.dModel, this.nhead, layerOptions),
        (layer) => new TransformerEncoder(layer, numEncoderLayers ?? 6, { norm: norm() }),
      );
    this.decoder =
      customDecoder ??
      stack(
        () => new TransformerDecoderLayer(this.dModel, this.nhead, layerOptions),
        (layer) => new TransformerDecoder(layer, numDecoderLayers ?? 6, { norm: norm() }),
      );
    this.resetParameters();
  }

  /**
   * PyTorch's `_reset_parameters`: Xavier-uniform for every parameter with more than one dim.
   * @example
   * model.resetParameters();
   */
  resetParameters(): void {
    for (const parameter of this.parameters()) if (parameter.ndim > 1) init.xavierUniform(parameter);
  }

  /**
   * PyTorch's `Transformer.generate_square_subsequent_mask`: 0 on and below the diagonal, −∞ above.
   * @example
   * Transformer.generateSquareSubsequentMask(4, { dtype: 'float64' });
   */
  static generateSquareSubsequentMask(size: number, options: FactoryOptions = {}): Tensor {
    return generateSquareSubsequentMask(size, options);
  }

  /**
   * Encode `src` and decode `tgt` against it. `src` `[S, B, dModel]`, `tgt` `[T, B, dModel]`
   * (`[B, S, dModel]`, `[B, T, dModel]` with `batchFirst`; unbatched `[S, dModel]`, `[T, dModel]`)
   * → tgt's shape.
   * @example
   * model.forward(src, tgt, { tgtMask: Transformer.generateSquareSubsequentMask(T), srcKeyPaddingMask, memoryKeyPaddingMask: srcKeyPaddingMask });
   */
  forward(src: Tensor, tgt: Tensor, options: TransformerForwardOptions = {}): Tensor {
    const where = 'Transformer.forward';
    expectTensor(where, 'src', src);
    expectTensor(where, 'tgt', tgt);
    if (src.ndim !== tgt.ndim) {
      throw new ShapeError(`${where}: src and tgt must both be batched (3-D) or both unbatched (2-D), got shapes ${formatShape(src.shape)} and ${formatShape(tgt.shape)}`);
    }
    const batchDim = this.batchFirst ? 0 : 1;
    if (src.ndim === 3 && src.shape[batchDim] !== tgt.shape[batchDim]) {
      throw new ShapeError(
        `${where}: src and tgt must have the same batch size (dim ${batchDim}${this.batchFirst ? ', batchFirst' : ''}), got shapes ${formatShape(src.shape)} and ${formatShape(tgt.shape)}`,
      );
    }
    for (const [what, x] of [['src', src], ['tgt', tgt]] as const) {
      if (x.shape[x.ndim - 1] !== this.dModel) {
        throw new ShapeError(`${where}: the features of ${what} (last dim of ${formatShape(x.shape)}) must equal dModel = ${this.dModel}`);
      }
    }
    return tidy(() => {
      const memory = this.encoder.forward(src, { mask: options.srcMask, srcKeyPaddingMask: options.srcKeyPaddingMask, isCausal: options.srcIsCausal });
      return this.decoder.forward(tgt, memory, {
        tgtMask: options.tgtMask,
        memoryMask: options.memoryMask,
        tgtKeyPaddingMask: options.tgtKeyPaddingMask,
        memoryKeyPaddingMask: options.memoryKeyPaddingMask,
        tgtIsCausal: options.tgtIsCausal,
        memoryIsCausal: options.memoryIsCausal,
      });
    });
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}${this.batchFirst ? ', batchFirst=true' : ''}`;
  }
}
