/**
 * The multi-layer, optionally bidirectional recurrence behind `RNN`, `LSTM` and `GRU`, with PyTorch's
 * `nn.RNNBase` semantics: parameter names and shapes, state shapes `[D·numLayers, B, H]`, dropout
 * between layers (not after the last), `batchFirst`, unbatched 2-D input, and variable-length batches
 * through `{ lengths }` with packed-sequence semantics.
 *
 * Each direction of each layer computes the input projection of several time steps per matmul, then
 * runs the hidden recurrence step by step with the step function the cell classes use too.
 */
import { cat, stack, tensor, tidy, zeros, ValueError, type Tensor } from '@tessera/core';
import { F, Module, type FactoryOptions } from '@tessera/nn';
import { createRecurrentWeights, readRecurrentWeights, resetRecurrentParameters } from '../cells/parameters';
import type { RecurrentStep } from '../cells/steps';
import { expectDType, expectInput, expectShape } from '../validation';

/** Options shared by `RNN`, `LSTM` and `GRU` (PyTorch's keyword arguments in camelCase). */
export interface RecurrentLayerOptions extends FactoryOptions {
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** Learn `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
  /** Input and output are `[B, T, features]` instead of `[T, B, features]` (default false). States are unaffected. */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of each layer except the last, in training mode (default 0). */
  dropout?: number;
  /** Run a second recurrence from the end of the sequence and concatenate both (default false). */
  bidirectional?: boolean;
}

/** Options of a forward pass. */
export interface RecurrentForwardOptions {
  /**
   * The true length of each sequence of a padded batch (one per batch entry, each in 1…T, any order).
   * As with PyTorch's packed sequences: outputs past a sequence's end are zero, final states are taken
   * at each sequence's own last step, and the reverse direction starts at each sequence's end.
   */
  lengths?: readonly number[];
}

/** What one layer type contributes: its gate count, the number of state parts and the step. */
export interface RecurrenceKind {
  /** Gate blocks stacked in the weight rows: 1 (RNN), 4 (LSTM), 3 (GRU). */
  gates: number;
  /** State tensors carried between steps: 1 (`h`) or 2 (`h`, `c`). */
  stateParts: number;
  step: RecurrentStep;
}

/** Base of `RNN`, `LSTM` and `GRU`. */
export abstract class RecurrentLayer extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;

  protected constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    private readonly kind: RecurrenceKind,
    options: RecurrentLayerOptions,
  ) {
    super();
    const name = new.target.name;
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    this.bidirectional = options.bidirectional ?? false;
    for (const [key, value] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['numLayers', this.numLayers]] as const) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new ValueError(`${name}: ${key} must be a positive integer, got ${value}`);
      }
    }
    if (!(this.dropout >= 0 && this.dropout <= 1)) {
      throw new ValueError(`${name}: dropout must be a probability in [0, 1], got ${this.dropout}`);
    }
    for (let layer = 0; layer < this.numLayers; layer++) {
      const input = layer === 0 ? inputSize : hiddenSize * this.directions;
      for (let direction = 0; direction < this.directions; direction++) {
        const sizes = { input, hidden: hiddenSize, gates: kind.gates };
        createRecurrentWeights(this, RecurrentLayer.suffix(layer, direction), sizes, this.bias, options);
      }
    }
    this.resetParameters();
  }

  /** 2 when bidirectional, else 1. */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** PyTorch's key suffix of one layer and direction: `_l0`, `_l0_reverse`, `_l1`, … */
  static suffix(layer: number, direction: number): string {
    return `_l${layer}${direction === 1 ? '_reverse' : ''}`;
  }

  /** Re-draw every parameter from U(−1/√H, 1/√H), as PyTorch does. @example lstm.resetParameters() */
  resetParameters(): void {
    resetRecurrentParameters(this, this.hiddenSize);
  }

  /**
   * Run the whole stack. `input` is `[T, B, inputSize]` (`[B, T, inputSize]` with `batchFirst`) or
   * unbatched `[T, inputSize]`; `state` holds the initial state parts, each `[D·numLayers, B, H]`
   * (unbatched: `[D·numLayers, H]`), zeros when omitted. Returns the top layer's outputs
   * (`[T, B, D·H]`, or as laid out by `batchFirst`) and the final state parts.
   */
  protected run(input: Tensor, state: readonly Tensor[] | undefined, options: RecurrentForwardOptions): [Tensor, Tensor[]] {
    const where = `${this.constructor.name}.forward`;
    const layout = this.batchFirst ? '[batch, time, inputSize] or unbatched [time, inputSize]' : '[time, batch, inputSize] or unbatched [time, inputSize]';
    expectInput(where, input, [2, 3], this.inputSize, layout);
    const batched = input.ndim === 3;
    const dtype = readRecurrentWeights(this, '_l0').weightIh.dtype;
    expectDType(where, 'input', input, dtype);
    const [steps, batch] = batched ? (this.batchFirst ? [input.shape[1], input.shape[0]] : input.shape) : [input.shape[0], 1];
    const stateShape = batched ? [this.directions * this.numLayers, batch, this.hiddenSize] : [this.directions * this.numLayers, this.hiddenSize];
    if (state) this.checkState(where, state, stateShape, dtype);
    const lengths = options.lengths ? this.checkLengths(where, options.lengths, steps, batch) : null;

    return tidy(() => {
      const timeMajor = batched ? (this.batchFirst ? input.transpose(0, 1) : input) : input.unsqueeze(1);
      const initial = state
        ? state.map((part) => (batched ? part : part.unsqueeze(1)))
        : Array.from({ length: this.kind.stateParts }, () =>
            zeros([this.directions * this.numLayers, batch, this.hiddenSize], { dtype, device: input.device }),
          );
      // Step t is live for a sequence when t < its length: a [T, B, 1] mask sliced per step.
      const mask = lengths ? stepMask(lengths, steps, input.device) : null;
      const finals: Tensor[][] = Array.from({ length: this.kind.stateParts }, () => []);
      let layerInput = timeMajor;
      for (let layer = 0; layer < this.numLayers; layer++) {
        const outputs: Tensor[] = [];
        for (let direction = 0; direction < this.directions; direction++) {
          const index = layer * this.directions + direction;
          const start = initial.map((part) => part.select(0, index));
          const [output, last] = this.runDirection(layerInput, start, readRecurrentWeights(this, RecurrentLayer.suffix(layer, direction)), direction === 1, mask);
          outputs.push(output);
          last.forEach((part, i) => finals[i].push(part));
        }
        layerInput = outputs.length === 1 ? outputs[0] : cat(outputs, 2);
        if (layer < this.numLayers - 1 && this.dropout > 0) layerInput = F.dropout(layerInput, this.dropout, this.training);
      }
      const output = batched ? (this.batchFirst ? layerInput.transpose(0, 1) : layerInput) : layerInput.squeeze(1);
      const finalState = finals.map((parts) => {
        const stacked = stack(parts, 0);
        return batched ? stacked : stacked.squeeze(1);
      });
      return [output, finalState] as [Tensor, Tensor[]];
    });
  }

  /** One direction of one layer over the whole (time-major) sequence. */
  private runDirection(
    input: Tensor,
    initial: Tensor[],
    weights: ReturnType<typeof readRecurrentWeights>,
    reverse: boolean,
    mask: Tensor | null,
  ): [Tensor, Tensor[]] {
    const steps = input.shape[0];
    // The input projection x·W_ihᵀ + b_ih of PROJECTION_BLOCK steps at a time, as one matmul each. Not
    // of all steps at once: the backward of each step's slice is a zero-padded gradient the size of
    // what it was sliced from, so slicing T steps out of one [T, B, G·H] projection costs O(T²).
    const blocks: Tensor[] = [];
    for (let start = 0; start < steps; start += PROJECTION_BLOCK) {
      blocks.push(F.linear(input.narrow(0, start, Math.min(PROJECTION_BLOCK, steps - start)), weights.weightIh, weights.biasIh));
    }
    const outputs = new Array<Tensor>(steps);
    let state = initial;
    for (let s = 0; s < steps; s++) {
      const t = reverse ? steps - 1 - s : s;
      const previous = state;
      [state, outputs[t]] = tidy(() => {
        const projection = blocks[Math.floor(t / PROJECTION_BLOCK)].select(0, t % PROJECTION_BLOCK);
        const next = this.kind.step(projection, previous, weights);
        if (!mask) return [next, next[0]] as [Tensor[], Tensor];
        // Past a sequence's end the state is held (so the final state is the one at its last step, and
        // the reverse direction starts from the initial state at its end) and the output is zero.
        const live = mask.select(0, t);
        const held = next.map((part, i) => part.where(live, previous[i]));
        return [held, next[0].where(live, 0)] as [Tensor[], Tensor];
      });
    }
    return [stack(outputs, 0), state];
  }

  private checkState(where: string, state: readonly Tensor[], shape: readonly number[], dtype: string): void {
    if (state.length !== this.kind.stateParts) {
      throw new ValueError(`${where}: expected ${this.kind.stateParts === 2 ? 'an [h0, c0] pair' : 'one initial state h0'}, got ${state.length} tensors`);
    }
    const names = this.kind.stateParts === 2 ? ['h0', 'c0'] : ['h0'];
    state.forEach((part, i) => {
      expectShape(where, `${names[i]} ([numDirections·numLayers, batch, hiddenSize])`, part, shape);
      expectDType(where, names[i], part, dtype);
    });
  }

  private checkLengths(where: string, lengths: readonly number[], steps: number, batch: number): readonly number[] {
    if (lengths.length !== batch) {
      throw new ValueError(`${where}: lengths has ${lengths.length} entries, but the batch has ${batch} sequences`);
    }
    lengths.forEach((length, b) => {
      if (!Number.isInteger(length) || length < 1 || length > steps) {
        throw new ValueError(`${where}: lengths[${b}] = ${length} must be an integer in 1…${steps} (the padded sequence length)`);
      }
    });
    return lengths;
  }

  override extraRepr(): string {
    const extras = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) extras.push(`numLayers=${this.numLayers}`);
    if (!this.bias) extras.push('bias=false');
    if (this.batchFirst) extras.push('batchFirst=true');
    if (this.dropout) extras.push(`dropout=${this.dropout}`);
    if (this.bidirectional) extras.push('bidirectional=true');
    return extras.join(', ');
  }
}

/** Time steps whose input projection is computed by one matmul (see `runDirection`). */
const PROJECTION_BLOCK = 8;

/** A bool `[T, B, 1]` tensor: true where step t is within sequence b's length. */
function stepMask(lengths: readonly number[], steps: number, device: string): Tensor {
  const live = Array.from({ length: steps }, (_, t) => lengths.map((length) => [t < length]));
  return tensor(live, { dtype: 'bool', device });
}
