/**
 * T5's layer norm (Hugging Face's `T5LayerNorm`): scale-only RMS normalisation — no mean subtraction
 * and no bias, x · weight / √(mean(x²) + ε) over the last dim.
 */
import { ones, tidy, type Tensor } from '@tessera/core';
import { Module, parameter } from '@tessera/nn';
import type { T5FactoryOptions } from './config';

/**
 * Root-mean-square layer norm with a learned scale `weight` (initialised to 1).
 * @example
 * const norm = new T5LayerNorm(512, 1e-6);
 * norm.forward(hidden); // same shape, each row scaled to unit RMS, then by weight
 */
export class T5LayerNorm extends Module {
  readonly weight: Tensor;

  constructor(
    readonly size: number,
    readonly eps: number,
    factory: T5FactoryOptions = {},
  ) {
    super();
    this.weight = parameter(ones([size], { dtype: factory.dtype ?? 'float32', device: factory.device }));
  }

  forward(hidden: Tensor): Tensor {
    return tidy(() => hidden.mul(hidden.mul(hidden).mean(-1, true).add(this.eps).rsqrt()).mul(this.weight));
  }

  override extraRepr(): string {
    return `${this.size}, eps=${this.eps}`;
  }
}
