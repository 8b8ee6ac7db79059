/**
 * One pre-norm GPT block: `x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`.
 */
import { tidy, type Tensor } from '@tessera/core';
import { LayerNorm, Module } from '@tessera/nn';
import { CausalSelfAttention } from './causal-self-attention';
import type { GPTConfig } from './config';
import type { LayerKeyValue } from './kv-cache';
import { GPTMLP } from './mlp';

/**
 * A transformer block with GPT-2's names (`ln_1`, `attn`, `ln_2`, `mlp`).
 * @example
 * new GPTBlock(config).forward(x); // [B, T, nEmbd] → [B, T, nEmbd]
 */
export class GPTBlock extends Module {
  readonly ln_1: LayerNorm;
  readonly attn: CausalSelfAttention;
  readonly ln_2: LayerNorm;
  readonly mlp: GPTMLP;

  constructor(config: GPTConfig, factory: { dtype?: 'float32' | 'float64'; device?: string } = {}) {
    super();
    const norm = { eps: config.layerNormEpsilon, bias: config.bias, ...factory };
    this.ln_1 = new LayerNorm(config.nEmbd, norm);
    this.attn = new CausalSelfAttention(config, factory);
    this.ln_2 = new LayerNorm(config.nEmbd, norm);
    this.mlp = new GPTMLP(config, factory);
  }

  forward(x: Tensor): Tensor {
    // tidy frees the keys and values forwardCached also returns.
    return tidy(() => this.forwardCached(x, null)[0]);
  }

  /** The block over the new positions `x`, attending to the cached ones too; returns the output and the extended cache. @example block.forwardCached(x, past) */
  forwardCached(x: Tensor, past: LayerKeyValue | null): [Tensor, LayerKeyValue] {
    return tidy(() => {
      const [attended, present] = this.attn.forwardCached(this.ln_1.forward(x), past);
      const mid = x.add(attended);
      return [mid.add(this.mlp.forward(this.ln_2.forward(mid))), present] as [Tensor, LayerKeyValue];
    });
  }
}
