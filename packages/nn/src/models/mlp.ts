/**
 * The multilayer perceptron: Linear layers with an activation (and optional dropout) between them.
 */
import { ValueError, type Tensor } from '@tessera/core';
import { Module } from '../module';
import { Linear } from '../layers/linear';
import { Dropout } from '../layers/dropout';
import { Sequential } from '../layers/container';
import { activationModule, type ActivationName } from '../activations';
import type { FactoryOptions } from '../layers/options';

/** An activation given by name or as a factory of fresh modules. */
export type ActivationSpec = ActivationName | (() => Module);

/** Options of {@link MLP}. */
export interface MLPOptions extends FactoryOptions {
  /** Layer widths from input to output, e.g. `[784, 256, 10]` (at least two). */
  sizes: readonly number[];
  /** Between hidden layers (default `'relu'`). */
  activation?: ActivationSpec;
  /** Drop probability after each hidden activation (default 0: no Dropout layers). */
  dropout?: number;
  /** After the last layer (default none: the model outputs logits, ready for CrossEntropyLoss). */
  outputActivation?: ActivationSpec | null;
  /** Linear layers learn biases (default true). */
  bias?: boolean;
}

function makeActivation(spec: ActivationSpec): Module {
  return typeof spec === 'function' ? spec() : activationModule(spec);
}

/**
 * Linear → activation (→ Dropout) → … → Linear (→ output activation), held in `layers` (a Sequential),
 * so parameters are named `layers.0.weight`, `layers.0.bias`, `layers.2.weight`, …
 * @example
 * const model = new MLP({ sizes: [784, 256, 10], activation: 'relu', dropout: 0.2 });
 * model.forward(x); // [N, 10] logits
 */
export class MLP extends Module {
  readonly layers: Sequential;
  readonly sizes: readonly number[];

  constructor(options: MLPOptions) {
    super();
    const { sizes } = options;
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((size) => !Number.isInteger(size) || size < 1)) {
      throw new ValueError(`MLP: sizes must list at least two positive integer widths (input, …, output), got ${JSON.stringify(sizes)}`);
    }
    const dropout = options.dropout ?? 0;
    if (!(dropout >= 0 && dropout < 1)) throw new ValueError(`MLP: dropout must be in [0, 1), got ${dropout}`);
    this.sizes = [...sizes];
    this.layers = new Sequential();
    const factory = { dtype: options.dtype, device: options.device, bias: options.bias };
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.layers.append(new Linear(sizes[i], sizes[i + 1], factory));
      const hidden = i + 2 < sizes.length;
      if (hidden) {
        this.layers.append(makeActivation(options.activation ?? 'relu'));
        if (dropout > 0) this.layers.append(new Dropout(dropout));
      }
    }
    if (options.outputActivation) this.layers.append(makeActivation(options.outputActivation));
  }

  /**
   * Runs `layers` (a `Sequential`, which fuses each Linear with the ReLU, Sigmoid or Tanh after it
   * into one `fusedMatmul`).
   */
  forward(input: Tensor): Tensor {
    return this.layers.forward(input);
  }

  override extraRepr(): string {
    return `sizes=[${this.sizes.join(', ')}]`;
  }
}
