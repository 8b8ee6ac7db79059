/**
 * One encoder layer: self-attention and a feed-forward block, each with a residual connection and a
 * LayerNorm — PyTorch's `nn.TransformerEncoderLayer`.
 */
import { tidy, type Tensor } from '@tessera/core';
import { Dropout, Module, type LayerNorm, type Linear } from '@tessera/nn';
import type { MultiHeadAttention } from '../attention/multi-head-attention';
import { resolveActivation } from './activation';
import { copyModuleState } from './copy-state';
import {
  expectSequence, feedForwardModules, layerAttention, layerNorm, layerRepr, resolveLayerOptions, type ResolvedLayerOptions, type TransformerLayerOptions,
} from './layer-options';

/** Options of {@link TransformerEncoderLayer.forward} (PyTorch's arguments in camelCase). */
export interface TransformerEncoderLayerForwardOptions {
  /** `[T, T]` or `[B·nhead, T, T]`, bool (true = hidden) or additive float: the self-attention mask. */
  srcMask?: Tensor | null;
  /** `[B, T]` (unbatched `[T]`), true = padding to ignore, or additive float. */
  srcKeyPaddingMask?: Tensor | null;
  /** Apply a causal mask in self-attention (combined with srcMask if both are given). */
  isCausal?: boolean;
}

/**
 * An encoder layer with PyTorch's structure and parameter names (`self_attn.in_proj_weight`,
 * `linear1`, `linear2`, `norm1`, `norm2`):
 * ```text
 * post-norm (default):  x = norm1(x + dropout1(selfAttn(x)));   x = norm2(x + dropout2(ff(x)))
 * normFirst:            x = x + dropout1(selfAttn(norm1(x)));   x = x + dropout2(ff(norm2(x)))
 * ff(x) = linear2(dropout(activation(linear1(x))))
 * ```
 * @example
 * const layer = new TransformerEncoderLayer(64, 4, { dimFeedforward: 256, batchFirst: true });
 * layer.forward(randn([2, 10, 64]), { srcKeyPaddingMask: padding }); // [2, 10, 64]
 */
export class TransformerEncoderLayer extends Module {
  // Declared in PyTorch's registration order (the order of stateDict keys).
  readonly self_attn: MultiHeadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;

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
    const name = 'TransformerEncoderLayer';
    this.resolved = resolveLayerOptions(name, dModel, nhead, options);
    this.activationFunction = resolveActivation(name, options.activation);
    const factory = { dtype: options.dtype, device: options.device };
    this.self_attn = layerAttention(dModel, nhead, this.resolved, factory);
    [this.linear1, this.dropout, this.linear2] = feedForwardModules(dModel, this.resolved, factory);
    this.norm1 = layerNorm(dModel, this.resolved, factory);
    this.norm2 = layerNorm(dModel, this.resolved, factory);
    this.dropout1 = new Dropout(this.resolved.dropout);
    this.dropout2 = new Dropout(this.resolved.dropout);
    this.normFirst = this.resolved.normFirst;
    this.batchFirst = this.resolved.batchFirst;
  }

  /**
   * `src` `[T, B, dModel]` (`[B, T, dModel]` with `batchFirst`, or unbatched `[T, dModel]`) → the same shape.
   * @example
   * layer.forward(src, { srcMask: generateSquareSubsequentMask(T) });
   */
  forward(src: Tensor, options: TransformerEncoderLayerForwardOptions = {}): Tensor {
    expectSequence('TransformerEncoderLayer.forward', 'src', src, this.dModel, this.batchFirst);
    const attend = (x: Tensor) =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, {
          attnMask: options.srcMask,
          keyPaddingMask: options.srcKeyPaddingMask,
          isCausal: options.isCausal,
          needWeights: false,
        })[0],
      );
    return tidy(() => {
      let x = src;
      if (this.normFirst) {
        x = x.add(attend(this.norm1.forward(x)));
        return x.add(this.feedForward(this.norm2.forward(x)));
      }
      x = this.norm1.forward(x.add(attend(x)));
      return this.norm2.forward(x.add(this.feedForward(x)));
    });
  }

  private feedForward(x: Tensor): Tensor {
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.activationFunction(this.linear1.forward(x)))));
  }

  /**
   * A deep copy: a new layer with the same configuration, parameter values, `requiresGrad` flags and
   * training mode, on the same device and dtype (what `TransformerEncoder` stacks, like PyTorch's
   * `copy.deepcopy`).
   * @example
   * const twin = layer.clone();
   */
  clone(): TransformerEncoderLayer {
    const weight = this.linear1.weight;
    const dtype = weight.dtype as 'float32' | 'float64';
    return copyModuleState(this, new TransformerEncoderLayer(this.dModel, this.nhead, { ...this.options, dtype, device: weight.device }));
  }

  override extraRepr(): string {
    return layerRepr(this.dModel, this.nhead, this.resolved);
  }
}
