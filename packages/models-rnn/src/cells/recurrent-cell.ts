/**
 * The three single-step cells — `RNNCell`, `LSTMCell`, `GRUCell` — as PyTorch's `nn.RNNCell` & co:
 * same constructor arguments, parameter names (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`), gate
 * orders and initialisation. A cell runs one time step; loop over time yourself, or use the sequence
 * layers (`RNN`, `LSTM`, `GRU`), which share the step math with these cells.
 */
import { tidy, zeros, ValueError, type Tensor } from '@tessera/core';
import { F, Module, type FactoryOptions } from '@tessera/nn';
import { createRecurrentWeights, readRecurrentWeights, resetRecurrentParameters } from './parameters';
import { gruStep, lstmStep, rnnStep, type RecurrentStep, type RNNNonlinearity } from './steps';
import { expectDType, expectInput, expectNonlinearity, expectShape } from '../validation';

/** Options of the cells. */
export interface RecurrentCellOptions extends FactoryOptions {
  /** Learn the biases `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
}

/** Options of {@link RNNCell}. */
export interface RNNCellOptions extends RecurrentCellOptions {
  /** `'tanh'` (default) or `'relu'`. */
  nonlinearity?: RNNNonlinearity;
}

/** What the three cells share: parameters, validation of input and state, and one step. */
abstract class RecurrentCell extends Module {
  readonly bias: boolean;

  protected constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    private readonly gates: number,
    private readonly stateParts: number,
    private readonly step: RecurrentStep,
    options: RecurrentCellOptions,
  ) {
    super();
    this.bias = options.bias ?? true;
    createRecurrentWeights(this, '', { input: inputSize, hidden: hiddenSize, gates }, this.bias, options);
    this.resetParameters();
  }

  /** Re-draw every parameter from U(−1/√H, 1/√H), as PyTorch does. @example cell.resetParameters() */
  resetParameters(): void {
    resetRecurrentParameters(this, this.hiddenSize);
  }

  /** Run one step on `[B, input]` (or unbatched `[input]`) with state parts of `[B, H]` (or `[H]`). */
  protected runStep(input: Tensor, state: readonly Tensor[] | undefined): Tensor[] {
    const where = `${this.constructor.name}.forward`;
    expectInput(where, input, [1, 2], this.inputSize, '[batch, inputSize] or unbatched [inputSize]');
    const weights = readRecurrentWeights(this, '');
    const batched = input.ndim === 2;
    const stateShape = batched ? [input.shape[0], this.hiddenSize] : [this.hiddenSize];
    if (state) {
      if (state.length !== this.stateParts) {
        throw new ValueError(`${where}: expected ${this.stateParts === 2 ? 'a [h, c] pair' : 'one hidden state'}, got ${state.length} tensors`);
      }
      state.forEach((part, i) => {
        const name = this.stateParts === 2 ? ['h', 'c'][i] : 'hx';
        expectShape(where, name, part, stateShape);
        expectDType(where, name, part, weights.weightIh.dtype);
      });
    }
    return tidy(() => {
      const x = batched ? input : input.unsqueeze(0);
      const parts = state
        ? state.map((part) => (batched ? part : part.unsqueeze(0)))
        : Array.from({ length: this.stateParts }, () =>
            zeros([x.shape[0], this.hiddenSize], { dtype: weights.weightIh.dtype, device: weights.weightIh.device }),
          );
      const next = this.step(F.linear(x, weights.weightIh, weights.biasIh), parts, weights);
      return batched ? next : next.map((part) => part.squeeze(0));
    });
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=false'}`;
  }
}

/**
 * One step of an Elman RNN: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or ReLU).
 * @example
 * const cell = new RNNCell(10, 20);
 * let h = zeros([3, 20]);
 * for (const x of inputs) h = cell.forward(x, h); // x: [3, 10]
 */
export class RNNCell extends RecurrentCell {
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    const nonlinearity = expectNonlinearity('RNNCell', options.nonlinearity);
    super(inputSize, hiddenSize, 1, 1, rnnStep(nonlinearity), options);
    this.nonlinearity = nonlinearity;
  }

  /** The next hidden state; `hx` defaults to zeros. */
  forward(input: Tensor, hx?: Tensor): Tensor {
    return this.runStep(input, hx ? [hx] : undefined)[0];
  }
}

/**
 * One LSTM step with PyTorch's gate order i, f, g, o: returns `[h', c']`.
 * @example
 * const cell = new LSTMCell(10, 20);
 * let [h, c] = cell.forward(randn([3, 10]));        // state starts at zeros
 * [h, c] = cell.forward(randn([3, 10]), [h, c]);
 */
export class LSTMCell extends RecurrentCell {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentCellOptions = {}) {
    super(inputSize, hiddenSize, 4, 2, lstmStep, options);
  }

  /** The next `[h, c]`; the state defaults to zeros. */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor]): [Tensor, Tensor] {
    const [h, c] = this.runStep(input, hx);
    return [h, c];
  }
}

/**
 * One GRU step with PyTorch's gate order r, z, n (the reset gate applied to W_hn·h + b_hn).
 * @example
 * const cell = new GRUCell(10, 20);
 * const h = cell.forward(randn([3, 10]));
 */
export class GRUCell extends RecurrentCell {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentCellOptions = {}) {
    super(inputSize, hiddenSize, 3, 1, gruStep, options);
  }

  /** The next hidden state; `hx` defaults to zeros. */
  forward(input: Tensor, hx?: Tensor): Tensor {
    return this.runStep(input, hx ? [hx] : undefined)[0];
  }
}
