/**
 * Activation functions as modules (the functions themselves are in `functional`).
 */
import { ValueError, type Tensor } from '@tessera/core';
import { Module } from './module';
import { Identity } from './layers/linear';
import * as activation from './functional/activations';

/**
 * Heaviside step, the perceptron's activation: 1 where x ≥ 0, else 0.
 * @example
 * new Step().forward(tensor([-0.5, 0, 2])); // [0, 1, 1]
 */
export class Step extends Module {
  forward(input: Tensor): Tensor {
    return activation.step(input);
  }
}

/**
 * σ(x) = 1/(1 + e⁻ˣ).
 * @example
 * new Sigmoid().forward(tensor([0])); // [0.5]
 */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return activation.sigmoid(input);
  }
}

/**
 * tanh(x).
 * @example
 * new Tanh().forward(tensor([0])); // [0]
 */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return activation.tanh(input);
  }
}

/**
 * max(x, 0).
 * @example
 * new ReLU().forward(tensor([-1, 1])); // [0, 1]
 */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return activation.relu(input);
  }
}

/**
 * x where x > 0, else negativeSlope·x (default 0.01).
 * @example
 * new LeakyReLU(0.2).forward(tensor([-1])); // [-0.2]
 */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(input: Tensor): Tensor {
    return activation.leakyRelu(input, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/**
 * x where x > 0, else α(eˣ − 1) (default α = 1).
 * @example
 * new ELU().forward(tensor([-1])); // [-0.6321]
 */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }
  forward(input: Tensor): Tensor {
    return activation.elu(input, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/**
 * Self-normalising ELU: scale·ELU(x, α) with α ≈ 1.6733, scale ≈ 1.0507.
 * @example
 * new SELU().forward(tensor([1])); // [1.0507]
 */
export class SELU extends Module {
  forward(input: Tensor): Tensor {
    return activation.selu(input);
  }
}

/**
 * GELU, exact (erf) by default or `new GELU('tanh')` for the tanh approximation.
 * @example
 * new GELU().forward(tensor([1])); // [0.8413]
 */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  forward(input: Tensor): Tensor {
    return activation.gelu(input, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/**
 * (1/β)·log(1 + e^(βx)), linear above βx > threshold (defaults β = 1, threshold = 20).
 * @example
 * new Softplus().forward(tensor([0])); // [0.6931]
 */
export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return activation.softplus(input, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/**
 * Softmax along `dim` (default −1; PyTorch has no default and infers one with a warning).
 * @example
 * new Softmax(1).forward(logits); // rows sum to 1
 */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  forward(input: Tensor): Tensor {
    return activation.softmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * log(softmax(x)) along `dim` (default −1), stable; pair with NLLLoss.
 * @example
 * new LogSoftmax(1).forward(logits);
 */
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  forward(input: Tensor): Tensor {
    return activation.logSoftmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Activation names accepted by {@link activationModule} (and by MLP's options). */
export type ActivationName =
  | 'step'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'elu'
  | 'selu'
  | 'gelu'
  | 'softplus'
  | 'softmax'
  | 'logSoftmax'
  | 'identity';

/**
 * A fresh activation module by name (PyTorch's defaults; softmax and logSoftmax along the last dim).
 * @example
 * activationModule('relu'); // ReLU
 */
export function activationModule(name: ActivationName): Module {
  switch (name) {
    case 'step':
      return new Step();
    case 'sigmoid':
      return new Sigmoid();
    case 'tanh':
      return new Tanh();
    case 'relu':
      return new ReLU();
    case 'leakyRelu':
      return new LeakyReLU();
    case 'elu':
      return new ELU();
    case 'selu':
      return new SELU();
    case 'gelu':
      return new GELU();
    case 'softplus':
      return new Softplus();
    case 'softmax':
      return new Softmax(-1);
    case 'logSoftmax':
      return new LogSoftmax(-1);
    case 'identity':
      return new Identity();
    default:
      throw new ValueError(
        `activationModule: unknown activation '${String(name)}'; expected one of step, sigmoid, tanh, relu, leakyRelu, elu, selu, gelu, softplus, softmax, logSoftmax, identity`,
      );
  }
}
