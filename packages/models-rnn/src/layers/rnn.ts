/**
 * `RNN`, `LSTM` and `GRU`: PyTorch's sequence layers, with its parameter names, shapes, gate orders and
 * return values, so a PyTorch `state_dict` loads unchanged and gives PyTorch's outputs.
 */
import type { Tensor } from '@tessera/core';
import { gruStep, lstmStep, rnnStep, type RNNNonlinearity } from '../cells/steps';
import { expectNonlinearity } from '../validation';
import { RecurrentLayer, type RecurrentForwardOptions, type RecurrentLayerOptions } from './recurrent-layer';

/** Options of {@link RNN}. */
export interface RNNOptions extends RecurrentLayerOptions {
  /** `'tanh'` (default) or `'relu'`. */
  nonlinearity?: RNNNonlinearity;
}

/**
 * A multi-layer Elman RNN: h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh) (or ReLU).
 * Returns `[output, hN]`: `output` `[T, B, D·H]` (`[B, T, D·H]` with `batchFirst`), `hN` `[D·numLayers, B, H]`.
 * @example
 * const rnn = new RNN(10, 20, { numLayers: 2, batchFirst: true });
 * const [output, hN] = rnn.forward(randn([3, 5, 10])); // [3, 5, 20], [2, 3, 20]
 */
export class RNN extends RecurrentLayer {
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nonlinearity = expectNonlinearity('RNN', options.nonlinearity);
    super(inputSize, hiddenSize, { gates: 1, stateParts: 1, step: rnnStep(nonlinearity) }, options);
    this.nonlinearity = nonlinearity;
  }

  /** Run the sequence; `h0` defaults to zeros. */
  forward(input: Tensor, h0?: Tensor, options: RecurrentForwardOptions = {}): [Tensor, Tensor] {
    const [output, [hN]] = this.run(input, h0 ? [h0] : undefined, options);
    return [output, hN];
  }

  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity === 'relu' ? ", nonlinearity='relu'" : '');
  }
}

/**
 * A multi-layer LSTM with PyTorch's gate order i, f, g, o. Returns `[output, [hN, cN]]`.
 * @example
 * const lstm = new LSTM(10, 20, { numLayers: 2, bidirectional: true });
 * const [output, [hN, cN]] = lstm.forward(randn([5, 3, 10])); // [5, 3, 40], [4, 3, 20], [4, 3, 20]
 */
export class LSTM extends RecurrentLayer {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentLayerOptions = {}) {
    super(inputSize, hiddenSize, { gates: 4, stateParts: 2, step: lstmStep }, options);
  }

  /** Run the sequence; the initial `[h0, c0]` defaults to zeros. */
  forward(input: Tensor, state?: readonly [Tensor, Tensor], options: RecurrentForwardOptions = {}): [Tensor, [Tensor, Tensor]] {
    const [output, [hN, cN]] = this.run(input, state, options);
    return [output, [hN, cN]];
  }
}

/**
 * A multi-layer GRU with PyTorch's gate order r, z, n. Returns `[output, hN]`. It has three quarters of
 * an LSTM's parameters.
 * @example
 * const gru = new GRU(10, 20);
 * const [output, hN] = gru.forward(randn([5, 3, 10])); // [5, 3, 20], [1, 3, 20]
 */
export class GRU extends RecurrentLayer {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentLayerOptions = {}) {
    super(inputSize, hiddenSize, { gates: 3, stateParts: 1, step: gruStep }, options);
  }

  /** Run the sequence; `h0` defaults to zeros. */
  forward(input: Tensor, h0?: Tensor, options: RecurrentForwardOptions = {}): [Tensor, Tensor] {
    const [output, [hN]] = this.run(input, h0 ? [h0] : undefined, options);
    return [output, hN];
  }
}
