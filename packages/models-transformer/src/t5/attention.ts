/**
 * T5's attention (Hugging Face's `T5Attention`): bias-free `q`, `k`, `v`, `o` projections over
 * `num_heads` heads of `d_kv` features, scores q·kᵀ *without* the 1/√d_kv scaling (T5 folds it into
 * the initialisation of `q`), plus an additive bias that carries the relative positions and the
 * masks. Only the first block's self-attention owns `relative_attention_bias`; the stack computes
 * the bias once from it and every block reuses it.
 *
 * For decoding, a self-attention appends the new positions' keys and values to a cache of the earlier
 * ones, and a cross-attention computes the encoder's keys and values once and reuses them.
 */
import { cat, scaledDotProductAttention, tidy, type Tensor } from '@tessera/core';
import { Embedding, Linear, Module } from '@tessera/nn';
import type { ResolvedT5Config, T5FactoryOptions } from './config';

/** Keys and values `[batch, heads, positions, d_kv]` of one attention. */
export type T5KeyValue = readonly [key: Tensor, value: Tensor];

/** Options of {@link T5Attention.forward}. */
export interface T5AttentionForwardOptions {
  /** Added to the scores, broadcastable to `[B, heads, queries, keys]` (position bias + masks), or null. */
  bias: Tensor | null;
  /** Cross-attention: the encoder's hidden states `[B, S, d_model]` the keys and values come from. */
  source?: Tensor;
  /** Self-attention: the cached keys and values of the earlier positions. Cross-attention: the encoder's keys and values, computed before. */
  past?: T5KeyValue | null;
}

/**
 * One T5 attention; `kind` says whether keys come from the input (`'self'`) or the encoder (`'cross'`).
 * @example
 * const attention = new T5Attention(config, 'self', { relativeAttentionBias: true });
 * const { output, keyValue } = attention.forward(hidden, { bias });
 */
export class T5Attention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly o: Linear;
  readonly relative_attention_bias: Embedding | null;
  private readonly numHeads: number;
  private readonly dKv: number;
  private readonly dropoutP: number;

  constructor(
    config: ResolvedT5Config,
    readonly kind: 'self' | 'cross',
    options: T5FactoryOptions & { relativeAttentionBias?: boolean } = {},
  ) {
    super();
    const factory = { dtype: options.dtype, device: options.device, bias: false };
    const inner = config.numHeads * config.dKv;
    this.q = new Linear(config.dModel, inner, factory);
    this.k = new Linear(config.dModel, inner, factory);
    this.v = new Linear(config.dModel, inner, factory);
    this.o = new Linear(inner, config.dModel, factory);
    this.relative_attention_bias = options.relativeAttentionBias ? new Embedding(config.relativeAttentionNumBuckets, config.numHeads, { dtype: options.dtype, device: options.device }) : null;
    this.numHeads = config.numHeads;
    this.dKv = config.dKv;
    this.dropoutP = config.dropoutRate;
  }

  /** `[B, L, heads·d_kv]` → `[B, heads, L, d_kv]`. */
  private heads(x: Tensor): Tensor {
    const [batch, length] = x.shape;
    return x.reshape([batch, length, this.numHeads, this.dKv]).transpose(1, 2);
  }

  /**
   * Attend from `hidden` `[B, L, d_model]`; returns the output `[B, L, d_model]` and the keys and
   * values used (the cache to pass as `past` at the next step).
   */
  forward(hidden: Tensor, options: T5AttentionForwardOptions): { output: Tensor; keyValue: T5KeyValue } {
    return tidy(() => {
      let key: Tensor;
      let value: Tensor;
      if (this.kind === 'cross') {
        if (options.past) [key, value] = options.past;
        else {
          const source = options.source!;
          key = this.heads(this.k.forward(source));
          value = this.heads(this.v.forward(source));
        }
      } else {
        key = this.heads(this.k.forward(hidden));
        value = this.heads(this.v.forward(hidden));
        if (options.past) {
          key = cat([options.past[0], key], 2);
          value = cat([options.past[1], value], 2);
        }
      }
      const attended = scaledDotProductAttention(this.heads(this.q.forward(hidden)), key, value, {
        attnMask: options.bias ?? undefined,
        scale: 1,
        dropoutP: this.training ? this.dropoutP : 0,
      });
      const [batch, , length] = attended.shape;
      const output = this.o.forward(attended.transpose(1, 2).reshape([batch, length, this.numHeads * this.dKv]));
      return { output, keyValue: [key, value] as T5KeyValue };
    });
  }
}
