/**
 * nanoGPT's `CausalSelfAttention`: one fused `c_attn` projection to queries, keys and values, causal
 * scaled dot-product attention over `nHead` heads (core's `scaledDotProductAttention`), the `c_proj`
 * output projection and residual dropout — with an optional key/value cache for decoding.
 */
import { arange, cat, scaledDotProductAttention, tidy, type Tensor } from '@tessera/core';
import { Dropout, Linear, Module } from '@tessera/nn';
import type { GPTConfig } from './config';
import type { LayerKeyValue } from './kv-cache';

/**
 * Multi-head causal self-attention with GPT-2's parameter names (`c_attn` `[3·nEmbd, nEmbd]`, `c_proj`).
 * @example
 * const attn = new CausalSelfAttention(resolveGPTConfig({ vocabSize: 10, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 }));
 * attn.forward(randn([1, 5, 8])).shape; // [1, 5, 8]
 */
export class CausalSelfAttention extends Module {
  readonly c_attn: Linear;
  readonly c_proj: Linear;
  readonly resid_dropout: Dropout;
  readonly nHead: number;
  readonly nEmbd: number;
  readonly dropout: number;

  constructor(config: GPTConfig, factory: { dtype?: 'float32' | 'float64'; device?: string } = {}) {
    super();
    this.nHead = config.nHead;
    this.nEmbd = config.nEmbd;
    this.dropout = config.dropout;
    this.c_attn = new Linear(config.nEmbd, 3 * config.nEmbd, { bias: config.bias, ...factory });
    this.c_proj = new Linear(config.nEmbd, config.nEmbd, { bias: config.bias, ...factory });
    this.resid_dropout = new Dropout(config.dropout);
  }

  /** `x` `[B, T, nEmbd]` → `[B, T, nEmbd]`, each position attending to itself and the positions before it. */
  forward(x: Tensor): Tensor {
    // tidy frees the keys and values forwardCached also returns.
    return tidy(() => this.forwardCached(x, null)[0]);
  }

  /**
   * Attend from the `T` new positions of `x` to the cached ones (`past`, or none) and to themselves;
   * returns the output and the cache extended by the new keys and values.
   * @example
   * const [y, present] = attn.forwardCached(x, null);     // the prompt
   * const [y2, next] = attn.forwardCached(x1, present);   // one more position
   */
  forwardCached(x: Tensor, past: LayerKeyValue | null): [Tensor, LayerKeyValue] {
    return tidy(() => {
      const [batch, time, channels] = x.shape;
      const headSize = channels / this.nHead;
      // [B, T, 3C] → [3, B, nHead, T, headSize]: queries, keys, values as views.
      const qkv = this.c_attn.forward(x).reshape([batch, time, 3, this.nHead, headSize]).permute([2, 0, 3, 1, 4]);
      const query = qkv.select(0, 0);
      const key = past ? cat([past[0], qkv.select(0, 1)], 2) : qkv.select(0, 1);
      const value = past ? cat([past[1], qkv.select(0, 2)], 2) : qkv.select(0, 2);
      const pastLength = past ? past[0].shape[2] : 0;
      const dropoutP = this.training ? this.dropout : 0;
      let attended: Tensor;
      if (pastLength === 0 || time === 1) {
        // No cache: core's top-left causal mask is the right one. One new position sees every key: no mask.
        attended = scaledDotProductAttention(query, key, value, { isCausal: pastLength === 0 && time > 1, dropoutP });
      } else {
        // New positions after a cache: query i sits at pastLength + i, so the causal mask is bottom-right aligned.
        const keyPosition = arange(pastLength + time, undefined, 1, { device: x.device }).unsqueeze(0);
        const queryPosition = arange(pastLength, pastLength + time, 1, { device: x.device }).unsqueeze(1);
        attended = scaledDotProductAttention(query, key, value, { attnMask: keyPosition.le(queryPosition), dropoutP });
      }
      const merged = attended.transpose(1, 2).reshape([batch, time, channels]);
      return [this.resid_dropout.forward(this.c_proj.forward(merged)), [key, value]] as [Tensor, LayerKeyValue];
    });
  }

  override extraRepr(): string {
    return `nHead=${this.nHead}, nEmbd=${this.nEmbd}`;
  }
}
