/**
 * The language-model head of GPT: a bias-free projection onto the vocabulary whose weight *is* the
 * token embedding (weight tying, as GPT-2 and nanoGPT), so it adds no parameters.
 */
import type { Tensor } from '@tessera/core';
import { F, Module } from '@tessera/nn';

/**
 * `x · weightᵀ` with a shared `[vocab, nEmbd]` weight; `stateDict` lists it as `lm_head.weight`
 * (as PyTorch does for tied weights) while `parameters()` counts it once.
 * @example
 * const head = new TiedLMHead(wte.weight);
 * head.forward(hidden).shape; // [B, T, vocab]
 */
export class TiedLMHead extends Module {
  constructor(readonly weight: Tensor) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight);
  }

  override extraRepr(): string {
    return `inFeatures=${this.weight.shape[1]}, outFeatures=${this.weight.shape[0]}, bias=false, tied`;
  }
}
