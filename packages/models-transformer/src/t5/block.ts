/**
 * T5's blocks, with Hugging Face's names: pre-norm residual sublayers `layer.0` (self-attention),
 * in the decoder `layer.1` (cross-attention, `EncDecAttention`), then the feed-forward
 * (`DenseReluDense`: `wi` → activation → dropout → `wo`, or the gated `wi_0`/`wi_1` of T5 1.1), each
 * `x + dropout(sublayer(layer_norm(x)))`.
 */
import { tidy, type Tensor } from '@tessera/core';
import { Dropout, Linear, Module, ModuleList } from '@tessera/nn';
import { hfActivation } from '../layers/hf-activation';
import { T5Attention, type T5KeyValue } from './attention';
import type { ResolvedT5Config, T5FactoryOptions } from './config';
import { T5LayerNorm } from './layer-norm';

/**
 * The feed-forward network: `wo(dropout(act(wi(x))))`, or with a gated projection
 * `wo(dropout(act(wi_0(x)) · wi_1(x)))`. No biases.
 * @example
 * new T5DenseActDense(config).forward(hidden).shape; // [B, L, d_model]
 */
export class T5DenseActDense extends Module {
  readonly wi: Linear | null;
  readonly wi_0: Linear | null;
  readonly wi_1: Linear | null;
  readonly wo: Linear;
  readonly dropout: Dropout;
  private readonly activation: (x: Tensor) => Tensor;

  constructor(config: ResolvedT5Config, factory: T5FactoryOptions = {}) {
    super();
    const linear = { ...factory, bias: false };
    this.wi = config.isGatedAct ? null : new Linear(config.dModel, config.dFf, linear);
    this.wi_0 = config.isGatedAct ? new Linear(config.dModel, config.dFf, linear) : null;
    this.wi_1 = config.isGatedAct ? new Linear(config.dModel, config.dFf, linear) : null;
    this.wo = new Linear(config.dFf, config.dModel, linear);
    this.dropout = new Dropout(config.dropoutRate);
    this.activation = hfActivation('T5', 'feed_forward_proj', config.denseActFn);
  }

  forward(hidden: Tensor): Tensor {
    return tidy(() => {
      const inner = this.wi ? this.activation(this.wi.forward(hidden)) : this.activation(this.wi_0!.forward(hidden)).mul(this.wi_1!.forward(hidden));
      return this.wo.forward(this.dropout.forward(inner));
    });
  }
}

/**
 * `x + dropout(DenseReluDense(layer_norm(x)))`.
 * @example
 * new T5LayerFF(config).forward(hidden);
 */
export class T5LayerFF extends Module {
  readonly DenseReluDense: T5DenseActDense;
  readonly layer_norm: T5LayerNorm;
  readonly dropout: Dropout;

  constructor(config: ResolvedT5Config, factory: T5FactoryOptions = {}) {
    super();
    this.DenseReluDense = new T5DenseActDense(config, factory);
    this.layer_norm = new T5LayerNorm(config.dModel, config.layerNormEpsilon, factory);
    this.dropout = new Dropout(config.dropoutRate);
  }

  forward(hidden: Tensor): Tensor {
    return tidy(() => hidden.add(this.dropout.forward(this.DenseReluDense.forward(this.layer_norm.forward(hidden)))));
  }
}

/**
 * `x + dropout(SelfAttention(layer_norm(x)))` (`kind` 'self') or `x + dropout(EncDecAttention(layer_norm(x), encoder))` ('cross').
 * @example
 * const { output, keyValue } = new T5LayerAttention(config, 'self').forward(hidden, { bias });
 */
export class T5LayerAttention extends Module {
  readonly layer_norm: T5LayerNorm;
  readonly dropout: Dropout;

  constructor(
    config: ResolvedT5Config,
    readonly kind: 'self' | 'cross',
    options: T5FactoryOptions & { relativeAttentionBias?: boolean } = {},
  ) {
    super();
    const factory = { dtype: options.dtype, device: options.device };
    // Hugging Face's names: SelfAttention in layer.0, EncDecAttention in the decoder's layer.1.
    this.registerModule(kind === 'self' ? 'SelfAttention' : 'EncDecAttention', new T5Attention(config, kind, options));
    this.layer_norm = new T5LayerNorm(config.dModel, config.layerNormEpsilon, factory);
    this.dropout = new Dropout(config.dropoutRate);
  }

  /** The attention (`SelfAttention` or `EncDecAttention`). */
  get attention(): T5Attention {
    return this.namedChildren().find(([name]) => name === 'SelfAttention' || name === 'EncDecAttention')![1] as T5Attention;
  }

  forward(hidden: Tensor, options: { bias: Tensor | null; source?: Tensor; past?: T5KeyValue | null }): { output: Tensor; keyValue: T5KeyValue } {
    return tidy(() => {
      const { output, keyValue } = this.attention.forward(this.layer_norm.forward(hidden), options);
      return { output: hidden.add(this.dropout.forward(output)), keyValue };
    });
  }
}

/** What one decoder block's attentions keep between decoding steps. */
export interface T5BlockCache {
  readonly self: T5KeyValue;
  readonly cross: T5KeyValue | null;
}

/**
 * One T5 block: `layer` = [self-attention, (cross-attention,) feed-forward].
 * @example
 * const block = new T5Block(config, { isDecoder: true, relativeAttentionBias: true });
 */
export class T5Block extends Module {
  readonly layer: ModuleList;
  readonly isDecoder: boolean;

  constructor(config: ResolvedT5Config, options: T5FactoryOptions & { isDecoder: boolean; relativeAttentionBias: boolean }) {
    super();
    const factory = { dtype: options.dtype, device: options.device };
    this.isDecoder = options.isDecoder;
    const sublayers: Module[] = [new T5LayerAttention(config, 'self', { ...factory, relativeAttentionBias: options.relativeAttentionBias })];
    if (options.isDecoder) sublayers.push(new T5LayerAttention(config, 'cross', factory));
    sublayers.push(new T5LayerFF(config, factory));
    this.layer = new ModuleList(sublayers);
  }

  /** The self-attention sublayer. */
  get selfAttention(): T5LayerAttention {
    return this.layer.children()[0] as T5LayerAttention;
  }

  /**
   * Run the block. `selfBias` / `crossBias` are the additive biases of the two attentions; `past`
   * holds the cached keys and values (decoder); returns the output and the new cache entries.
   */
  forward(
    hidden: Tensor,
    options: { selfBias: Tensor | null; encoderHiddenStates?: Tensor; crossBias?: Tensor | null; past?: T5BlockCache | null },
  ): { output: Tensor; cache: T5BlockCache } {
    return tidy(() => {
      const sublayers = this.layer.children();
      const attended = (sublayers[0] as T5LayerAttention).forward(hidden, { bias: options.selfBias, past: options.past?.self ?? null });
      let current = attended.output;
      let cross: T5KeyValue | null = null;
      if (this.isDecoder) {
        const crossed = (sublayers[1] as T5LayerAttention).forward(current, { bias: options.crossBias ?? null, source: options.encoderHiddenStates, past: options.past?.cross ?? null });
        current = crossed.output;
        cross = crossed.keyValue;
      }
      const output = (sublayers.at(-1) as T5LayerFF).forward(current);
      return { output, cache: { self: attended.keyValue, cross } };
    });
  }
}
