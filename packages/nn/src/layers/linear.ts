/**
 * Linear (fully connected) layer and Identity.
 */
import { zeros, type Tensor } from '@tessera/core';
import { Module, parameter } from '../module';
import { linear } from '../functional/linear';
import { calculateFanInAndFanOut, kaimingUniform, uniform } from '../init';
import type { FactoryOptions } from './options';

/** Options of {@link Linear}. */
export interface LinearOptions extends FactoryOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * PyTorch's default initialisation of a weight `[out, in, …]` and its bias: kaiming_uniform_(a = √5),
 * i.e. U(−1/√fanIn, 1/√fanIn), for the weight, and U(−1/√fanIn, 1/√fanIn) for the bias.
 */
export function resetAffineParameters(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform(weight, { a: Math.sqrt(5) });
  if (bias) {
    const [fanIn] = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform(bias, -bound, bound);
  }
}

/**
 * y = x·Wᵀ + b, with `weight` `[outFeatures, inFeatures]` and `bias` `[outFeatures]`, initialised as
 * PyTorch does (both U(−1/√inFeatures, 1/√inFeatures)).
 * @example
 * const layer = new Linear(784, 256);
 * layer.forward(randn([32, 784])).shape; // [32, 256]
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    const factory = { dtype: options.dtype ?? 'float32', device: options.device };
    this.weight = parameter(zeros([outFeatures, inFeatures], factory));
    this.bias = options.bias === false ? null : parameter(zeros([outFeatures], factory));
    this.resetParameters();
  }

  /** Re-draw the weights with PyTorch's default distribution. @example layer.resetParameters() */
  resetParameters(): void {
    resetAffineParameters(this.weight, this.bias);
  }

  forward(input: Tensor): Tensor {
    this.checkInputDevice(input, this.weight);
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/**
 * Returns its input unchanged (a placeholder, e.g. to remove a layer of a pre-trained model).
 * @example
 * new Identity().forward(x) === x; // true
 */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}
