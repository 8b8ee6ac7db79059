/**
 * A stack of decoder layers with an optional final norm — PyTorch's `nn.TransformerDecoder`.
 */
import { tidy, type Tensor } from '@tessera/core';
import { Module, type ModuleList } from '@tessera/nn';
import type { TransformerDecoderLayer, TransformerDecoderLayerForwardOptions } from './decoder-layer';
import { stackLayers, type LayerSource } from './layer-stack';

/** What a layer of the stack must do: map `tgt` (attending to `memory`) to the same shape. */
export type DecoderLayerLike = Module & { forward(tgt: Tensor, memory: Tensor, options?: TransformerDecoderLayerForwardOptions): Tensor };

/** Options of {@link TransformerDecoder}. */
export interface TransformerDecoderOptions {
  /** Applied to the output of the last layer (e.g. `new LayerNorm(dModel)`; default none). */
  norm?: (Module & { forward(x: Tensor): Tensor }) | null;
}

/**
 * `numLayers` decoder layers applied in turn, each attending to the same `memory`, then `norm` if
 * given. Layers are deep copies of the one passed (PyTorch's `_get_clones`) or made by a factory.
 * Keys are PyTorch's: `layers.0.multihead_attn.in_proj_weight`, …, `norm.weight`.
 * @example
 * const decoder = new TransformerDecoder(new TransformerDecoderLayer(64, 4), 6, { norm: new LayerNorm(64) });
 * decoder.forward(tgt, memory, { tgtMask: generateSquareSubsequentMask(tgt.shape[0]) });
 */
export class TransformerDecoder extends Module {
  readonly layers: ModuleList;
  readonly norm: (Module & { forward(x: Tensor): Tensor }) | null;

  constructor(
    decoderLayer: LayerSource<TransformerDecoderLayer | DecoderLayerLike>,
    readonly numLayers: number,
    options: TransformerDecoderOptions = {},
  ) {
    super();
    this.layers = stackLayers('TransformerDecoder', decoderLayer, numLayers);
    this.norm = options.norm ?? null;
  }

  /**
   * `tgt` through every layer, attending to `memory` (PyTorch's `tgt_mask`, `memory_mask`,
   * `tgt_key_padding_mask`, `memory_key_padding_mask` as options) → tgt's shape.
   * @example
   * decoder.forward(tgt, memory, { tgtIsCausal: true, memoryKeyPaddingMask: srcPadding });
   */
  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderLayerForwardOptions = {}): Tensor {
    return tidy(() => {
      let output = tgt;
      for (const layer of this.layers) output = (layer as DecoderLayerLike).forward(output, memory, options);
      return this.norm ? this.norm.forward(output) : output;
    });
  }

  override extraRepr(): string {
    return `numLayers=${this.numLayers}`;
  }
}
