/**
 * One decoder layer: masked self-attention, attention over the encoder's output (memory) and a
 * feed-forward block, each with a residual connection and a LayerNorm — PyTorch's
 * `nn.TransformerDecoderLayer`.
 */
import { tidy, type Tensor } from '@tessera/core';
import { Dropout, Module, type LayerNorm, type Linear } from '@tessera/nn';
import type { MultiHeadAttention } from '../attention/multi-head-attention';
import { resolveActivation } from './activation';
import { copyModuleState } from './copy-state';
import {
  expectSequence, feedForwardModules, layerAttention, layerNorm, layerRepr, resolveLayerOptions, type ResolvedLayerOptions, type TransformerLayerOptions,
} from './layer-options';

/** Options of {@link TransformerDecoderLayer.forward} (PyTorch's arguments in camelCase). */
export interface TransformerDecoderLayerForwardOptions {
  /** `[T, T]` or `[B·nhead, T, T]`: the self-attention mask (bool true = hidden, or additive float). */
  tgtMask?: Tensor | null;
  /** `[T, S]` or `[B·nhead, T, S]`: the mask of attention over memory. */
  memoryMask?: Tensor | null;
  /** `[B, T]` (unbatched `[T]`): true = target padding to ignore. */
  tgtKeyPaddingMask?: Tensor | null;
  /** `[B, S]` (unbatched `[S]`): true = memory padding to ignore. */
  memoryKeyPaddingMask?: Tensor | null;
  /** Apply a causal mask in self-attention (combined with tgtMask if both are given). */
  tgtIsCausal?: boolean;
  /** Apply a causal mask in the attention over memory. */
  memoryIsCausal?: boolean;
}

/**
 * A decoder layer with PyTorch's structure and parameter names (`self_attn`, `multihead_attn`,
 * `linear1`, `linear2`, `norm1`, `norm2`, `norm3`):
 * ```text
 * post-norm (default):  x = norm1(x + selfAttn(x));  x = norm2(x + crossAttn(x, memory));  x = norm3(x + ff(x))
 * normFirst:            x = x + selfAttn(norm1(x));  x = x + crossAttn(norm2(x), memory);  x = x + ff(norm3(x))
 * ```
 * (each block followed by its dropout). Same options as {@link TransformerEncoderLayer}.
 * @example
 * const layer = new TransformerDecoderLayer(64, 4, { batchFirst: true });
 * layer.forward(tgt, memory, { tgtMask: generateSquareSubsequentMask(tgt.shape[1]) }); // tgt's shape
 */
export class TransformerDecoderLayer extends Module {
  // Declared in PyTorch's registration order (the order of stateDict keys).
  readonly self_attn: MultiHeadAttention;
  readonly multihead_attn: MultiHeadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly norm3: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  readonly dropout3: Dropout;

  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  private readonly activationFunction: (x: Tensor) => Tensor;
  private readonly resolved: ResolvedLayerOptions;

  constructor(
    readonly dModel: number,
    readonly nhead: number,
    private readonly options: TransformerLayerOptions = {},
  ) {
    super();
    const name = 'TransformerDecoderLayer';
    this.resolved = resolveLayerOptions(name, dModel, nhead, options);
    this.activationFunction = resolveActivation(name, options.activation);
    const factory = { dtype: options.dtype, device: options.device };
    this.self_attn = layerAttention(dModel, nhead, this.resolved, factory);
    this.multihead_attn = layerAttention(dModel, nhead, this.resolved, factory);
    [this.linear1, this.dropout, this.linear2] = feedForwardModules(dModel, this.resolved, factory);
    this.norm1 = layerNorm(dModel, this.resolved, factory);
    this.norm2 = layerNorm(dModel, this.resolved, factory);
    this.norm3 = layerNorm(dModel, this.resolved, factory);
    this.dropout1 = new Dropout(this.resolved.dropout);
    this.dropout2 = new Dropout(this.resolved.dropout);
    this.dropout3 = new Dropout(this.resolved.dropout);
    this.normFirst = this.resolved.normFirst;
    this.batchFirst = this.resolved.batchFirst;
  }

  /**
   * `tgt` `[T, B, dModel]` and `memory` `[S, B, dModel]` (batch first with `batchFirst`; unbatched
   * `[T, dModel]`, `[S, dModel]`) → tgt's shape.
   * @example
   * layer.forward(tgt, memory, { tgtIsCausal: true, memoryKeyPaddingMask: srcPadding });
   */
  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderLayerForwardOptions = {}): Tensor {
    const where = 'TransformerDecoderLayer.forward';
    expectSequence(where, 'tgt', tgt, this.dModel, this.batchFirst);
    expectSequence(where, 'memory', memory, this.dModel, this.batchFirst);
    const selfAttend = (x: Tensor) =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, {
          attnMask: options.tgtMask,
          keyPaddingMask: options.tgtKeyPaddingMask,
          isCausal: options.tgtIsCausal,
          needWeights: false,
        })[0],
      );
    const crossAttend = (x: Tensor) =>
      this.dropout2.forward(
        this.multihead_attn.forward(x, memory, memory, {
          attnMask: options.memoryMask,
          keyPaddingMask: options.memoryKeyPaddingMask,
          isCausal: options.memoryIsCausal,
          needWeights: false,
        })[0],
      );
    return tidy(() => {
      let x = tgt;
      if (this.normFirst) {
        x = x.add(selfAttend(this.norm1.forward(x)));
        x = x.add(crossAttend(this.norm2.forward(x)));
        return x.add(this.feedForward(this.norm3.forward(x)));
      }
      x = this.norm1.forward(x.add(selfAttend(x)));
      x = this.norm2.forward(x.add(crossAttend(x)));
      return this.norm3.forward(x.add(this.feedForward(x)));
    });
  }

  private feedForward(x: Tensor): Tensor {
    return this.dropout3.forward(this.linear2.forward(this.dropout.forward(this.activationFunction(this.linear1.forward(x)))));
  }

  /**
   * A deep copy (configuration, parameter values, `requiresGrad` flags, training mode, device, dtype).
   * @example
   * const twin = layer.clone();
   */
  clone(): TransformerDecoderLayer {
    const weight = this.linear1.weight;
    const dtype = weight.dtype as 'float32' | 'float64';
    return copyModuleState(this, new TransformerDecoderLayer(this.dModel, this.nhead, { ...this.options, dtype, device: weight.device }));
  }

  override extraRepr(): string {
    return layerRepr(this.dModel, this.nhead, this.resolved);
  }
}
