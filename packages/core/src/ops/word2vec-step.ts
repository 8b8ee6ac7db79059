/**
 * `word2vecStep`: one batch of word2vec's in-place updates (skip-gram or CBOW, negative sampling and/or
 * hierarchical softmax) as one op. The backend's optional `word2vecStep` kernel runs it when present
 * (a loop over the examples that never leaves the backend, Hogwild across threads as word2vec.c);
 * otherwise the composite below runs the same math with core ops on any backend.
 *
 * The math is sequential (each example sees the updates of the ones before it), so the composite cannot
 * simply batch every example: it groups examples into waves in which no two share a row of either
 * matrix, keeping every pair that does share one in its original order — reordering examples that touch
 * disjoint rows changes nothing — and runs each wave as a handful of batched gathers, products and
 * in-place row additions. Its results equal the in-order kernel's up to rounding.
 */
import type { Backend, DType, Word2VecStepRequest } from '../backend/backend';
import { backendName } from '../backend/registry';
import { noGrad } from '../autograd/grad-mode';
import { BackendError, DTypeError, ShapeError, ValueError } from '../errors';
import { tidy } from '../memory/scope';
import { elementSpan, formatShape } from '../shape';
import { Tensor } from '../tensor/tensor';
import { tensor, zeros } from './creation';
import { allocOutput, backendOf, viewOf } from './dispatch';
import { indexAdd_ } from './index-add';

/** One batch of examples in compressed rows (see `Word2VecStepRequest` in `@tessera/core/backend`). */
export interface Word2VecBatch {
  /** `[E + 1]`: example e's input rows are `inputIndex[inputOffsets[e] … inputOffsets[e+1])`. */
  readonly inputOffsets: Int32Array;
  /** Rows of the input matrix (the context word for skip-gram, the window for CBOW). */
  readonly inputIndex: Int32Array;
  /** `[E + 1]`: example e's targets are `targetIndex[targetOffsets[e] … targetOffsets[e+1])`. */
  readonly targetOffsets: Int32Array;
  /** Rows of the output matrix (centre word and negatives, or Huffman nodes). */
  readonly targetIndex: Int32Array;
  /** Each target's label: 1 for the centre word, 0 for a negative, 1 − code for a Huffman node. */
  readonly targetLabel: Float32Array | Float64Array;
}

/** Options of {@link word2vecStep}. */
export interface Word2VecStepOptions {
  /** Learning rate of this batch. */
  alpha: number;
  /** Average several input rows (CBOW's `cbow_mean`, default true) or sum them. */
  meanInputs?: boolean;
  /** At most this many threads (default 1: in order, deterministic); the kernel may run blocks of examples concurrently. */
  threads?: number;
  /** Return each example's loss Σ softplus(x) − y·x (default false: return null). */
  computeLoss?: boolean;
  /** `false`: always the composite; `true`: the backend's kernel or an error; unset: the kernel when present. */
  fused?: boolean;
}

/**
 * Apply one batch of word2vec updates to `input` (word2vec.c's syn0, `[rows, D]`) and `output` (syn1neg
 * and/or the Huffman nodes' syn1, `[rows, D]`) in place, example by example:
 * ```text
 * h ← mean (or sum) of the example's input rows;  e ← 0
 * for each target t with label y:  g ← alpha·(y − σ(h·output[t]));  e ← e + g·output[t];  output[t] ← output[t] + g·h
 * for each input row r:  input[r] ← input[r] + e
 * ```
 * Both matrices are contiguous, of one floating dtype, on one backend and in separate memory. Runs
 * without recording autograd. Returns the per-example loss `[E]` when `computeLoss`, else null.
 * @example
 * // skip-gram: context word 4 predicts centre word 7 against negatives 2 and 9
 * word2vecStep(syn0, syn1neg, {
 *   inputOffsets: Int32Array.of(0, 1), inputIndex: Int32Array.of(4),
 *   targetOffsets: Int32Array.of(0, 3), targetIndex: Int32Array.of(7, 2, 9), targetLabel: Float32Array.of(1, 0, 0),
 * }, { alpha: 0.025 });
 */
export function word2vecStep(input: Tensor, output: Tensor, batch: Word2VecBatch, options: Word2VecStepOptions): Tensor | null {
  const op = 'word2vecStep';
  const backend = backendOf(op, [input, output]);
  checkMatrices(op, input, output);
  const examples = checkBatch(op, batch, input.shape[0], output.shape[0]);
  const alpha = options.alpha;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new ValueError(`${op}: alpha must be a finite number, got ${String(alpha)}`);
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new ValueError(`${op}: threads must be an integer ≥ 1, got ${String(threads)}`);
  const meanInputs = options.meanInputs ?? true;
  const computeLoss = options.computeLoss ?? false;
  const useKernel = chooseKernel(op, backend, input.dtype, options.fused);
  return noGrad(() => {
    if (useKernel) {
      const loss = runKernel(backend, input, output, batch, examples, { alpha, meanInputs, threads, computeLoss });
      if (loss !== undefined) return loss;
      if (options.fused === true) throw new BackendError(`${op}: fused: true was asked for but backend '${backendName(backend)}' declined the call`);
    }
    return composite(input, output, batch, examples, alpha, meanInputs, computeLoss);
  });
}

/** The kernel applies unless refused, absent or given a dtype kernels do not take; `fused: true` makes "absent" an error. */
function chooseKernel(op: string, backend: Backend, dtype: DType, fused: boolean | undefined): boolean {
  if (fused === false) return false;
  let reason: string | null = null;
  if (!backend.word2vecStep) reason = `backend '${backendName(backend)}' has no word2vecStep kernel`;
  else if (dtype !== 'float32' && dtype !== 'float64') reason = `the kernel takes float32 and float64, not ${dtype}`;
  if (reason === null) return true;
  if (fused === true) throw new BackendError(`${op}: fused: true was asked for but ${reason}; leave fused unset to fall back to the composite`);
  return false;
}

function checkMatrices(op: string, input: Tensor, output: Tensor): void {
  for (const [name, matrix] of [['input', input], ['output', output]] as const) {
    if (matrix.ndim !== 2) throw new ShapeError(`${op}: ${name} must be a 2-D matrix [rows, dim], got ${formatShape(matrix.shape)}`);
    if (matrix.dtype !== 'float32' && matrix.dtype !== 'float64' && matrix.dtype !== 'float16') {
      throw new DTypeError(`${op}: ${name} must be floating point, got ${matrix.dtype}`);
    }
    if (!matrix.isContiguous()) throw new ValueError(`${op}: ${name} (shape ${formatShape(matrix.shape)}) must be contiguous; it is updated in place`);
  }
  if (input.dtype !== output.dtype) throw new DTypeError(`${op}: input is ${input.dtype} but output is ${output.dtype}; they must match`);
  if (input.shape[1] !== output.shape[1]) {
    throw new ShapeError(`${op}: input ${formatShape(input.shape)} and output ${formatShape(output.shape)} must have the same vector length`);
  }
  if (input.storage === output.storage && input.size > 0 && output.size > 0) {
    const [lowA, highA] = elementSpan(input);
    const [lowB, highB] = elementSpan(output);
    if (lowA <= highB && lowB <= highA) throw new ValueError(`${op}: input and output share memory; each is updated in place and needs its own`);
  }
}

/** Check offsets and indices (kernels trust them); returns the example count. */
function checkBatch(op: string, batch: Word2VecBatch, inputRows: number, outputRows: number): number {
  const { inputOffsets, inputIndex, targetOffsets, targetIndex, targetLabel } = batch ?? {};
  for (const [name, array] of [['inputOffsets', inputOffsets], ['inputIndex', inputIndex], ['targetOffsets', targetOffsets], ['targetIndex', targetIndex]] as const) {
    if (!(array instanceof Int32Array)) throw new DTypeError(`${op}: batch.${name} must be an Int32Array, got ${describe(array)}`);
  }
  if (!(targetLabel instanceof Float32Array || targetLabel instanceof Float64Array)) {
    throw new DTypeError(`${op}: batch.targetLabel must be a Float32Array or Float64Array, got ${describe(targetLabel)}`);
  }
  const examples = inputOffsets.length - 1;
  if (examples < 0 || targetOffsets.length !== inputOffsets.length) {
    throw new ShapeError(`${op}: inputOffsets (${inputOffsets.length}) and targetOffsets (${targetOffsets.length}) must both hold examples + 1 ≥ 1 entries`);
  }
  checkOffsets(op, 'input', inputOffsets, inputIndex.length);
  checkOffsets(op, 'target', targetOffsets, targetIndex.length);
  if (targetLabel.length !== targetIndex.length) {
    throw new ShapeError(`${op}: targetLabel has ${targetLabel.length} entries but targetIndex has ${targetIndex.length}; one label per target`);
  }
  checkRows(op, 'inputIndex', inputIndex, inputRows);
  checkRows(op, 'targetIndex', targetIndex, outputRows);
  return examples;
}

function checkOffsets(op: string, what: string, offsets: Int32Array, total: number): void {
  if (offsets[0] !== 0) throw new ValueError(`${op}: ${what}Offsets must start at 0, got ${offsets[0]}`);
  for (let e = 1; e < offsets.length; e++) {
    if (offsets[e] < offsets[e - 1]) throw new ValueError(`${op}: ${what}Offsets decreases at example ${e - 1} (${offsets[e - 1]} → ${offsets[e]})`);
  }
  if (offsets[offsets.length - 1] !== total) {
    throw new ShapeError(`${op}: ${what}Offsets ends at ${offsets[offsets.length - 1]} but ${what}Index holds ${total} entries`);
  }
}

function checkRows(op: string, name: string, index: Int32Array, rows: number): void {
  for (let k = 0; k < index.length; k++) {
    if (index[k] < 0 || index[k] >= rows) throw new ValueError(`${op}: ${name}[${k}] = ${index[k]} is out of range: expected 0 ≤ row < ${rows}`);
  }
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value;
}

/** Upload the batch and run the backend's kernel; the loss tensor (or null), or undefined when the kernel declined. */
function runKernel(
  backend: Backend, input: Tensor, output: Tensor, batch: Word2VecBatch, examples: number,
  options: { alpha: number; meanInputs: boolean; threads: number; computeLoss: boolean },
): Tensor | null | undefined {
  const dtype = input.dtype;
  const arrays = [batch.inputOffsets, batch.inputIndex, batch.targetOffsets, batch.targetIndex].map((array) => upload(backend, array, 'int32'));
  const labels = upload(backend, batch.targetLabel, dtype);
  const loss = options.computeLoss ? allocOutput(backend, [examples], dtype) : null;
  let accepted = false;
  try {
    const [inputOffsets, inputIndex, targetOffsets, targetIndex] = arrays.map(viewOf);
    const request: Word2VecStepRequest = {
      dtype, dim: input.shape[1],
      input: { id: input.storage.id, offset: input.offset }, inputRows: input.shape[0],
      output: { id: output.storage.id, offset: output.offset }, outputRows: output.shape[0],
      examples, inputOffsets, inputIndex, targetOffsets, targetIndex, targetLabel: viewOf(labels),
      meanInputs: options.meanInputs, alpha: options.alpha, threads: options.threads, loss: loss ? loss.out : null,
    };
    accepted = backend.word2vecStep!(request) !== false;
  } catch (error) {
    loss?.storage.release();
    throw error;
  } finally {
    for (const t of [...arrays, labels]) t.dispose();
  }
  if (!accepted) {
    loss?.storage.release();
    return undefined;
  }
  // The kernel wrote behind autograd's back: count the writes as assign does.
  input.storage.bumpVersion('word2vecStep');
  output.storage.bumpVersion('word2vecStep');
  return loss ? Tensor.fromStorage(loss.storage, [examples]) : null;
}

/** A tensor holding host values, written straight to the backend (one copy, no per-element conversion). */
function upload(backend: Backend, values: Int32Array | Float32Array | Float64Array, dtype: DType): Tensor {
  const { storage } = allocOutput(backend, [values.length], dtype);
  const matches = dtype === 'int32' ? values instanceof Int32Array : dtype === 'float32' ? values instanceof Float32Array : values instanceof Float64Array;
  backend.write(storage.id, matches ? values : dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values));
  return Tensor.fromStorage(storage, [values.length]);
}

/**
 * Group examples into waves: an example's wave is one past the latest wave of any earlier example that
 * touched one of its rows (input and output rows are tracked apart), so examples sharing a row keep
 * their order and no wave has two examples on one row. Returns the examples of each wave, in order.
 */
export function word2vecWaves(batch: Word2VecBatch, examples: number): Int32Array[] {
  const lastInput = new Map<number, number>();
  const lastOutput = new Map<number, number>();
  const waveOf = new Int32Array(examples);
  let waves = 0;
  for (let e = 0; e < examples; e++) {
    let wave = 0;
    if (batch.inputOffsets[e + 1] > batch.inputOffsets[e]) {
      for (let k = batch.inputOffsets[e]; k < batch.inputOffsets[e + 1]; k++) wave = Math.max(wave, (lastInput.get(batch.inputIndex[k]) ?? -1) + 1);
      for (let k = batch.targetOffsets[e]; k < batch.targetOffsets[e + 1]; k++) wave = Math.max(wave, (lastOutput.get(batch.targetIndex[k]) ?? -1) + 1);
      for (let k = batch.inputOffsets[e]; k < batch.inputOffsets[e + 1]; k++) lastInput.set(batch.inputIndex[k], wave);
      for (let k = batch.targetOffsets[e]; k < batch.targetOffsets[e + 1]; k++) lastOutput.set(batch.targetIndex[k], wave);
    } else {
      wave = -1; // an example without inputs changes nothing
    }
    waveOf[e] = wave;
    waves = Math.max(waves, wave + 1);
  }
  const counts = new Int32Array(waves);
  for (let e = 0; e < examples; e++) if (waveOf[e] >= 0) counts[waveOf[e]]++;
  const result = Array.from(counts, (count) => new Int32Array(count));
  counts.fill(0);
  for (let e = 0; e < examples; e++) if (waveOf[e] >= 0) result[waveOf[e]][counts[waveOf[e]]++] = e;
  return result;
}

/** The composite: each wave as batched core ops (padded to its widest example), in wave order. */
function composite(
  input: Tensor, output: Tensor, batch: Word2VecBatch, examples: number, alpha: number, meanInputs: boolean, computeLoss: boolean,
): Tensor | null {
  const { dtype, device } = input;
  const dim = input.shape[1];
  const lossValues = computeLoss ? zeros([examples], { dtype, device }) : null;
  for (const wave of word2vecWaves(batch, examples)) {
    const size = wave.length;
    let inputWidth = 0;
    let targetWidth = 0;
    for (const e of wave) {
      inputWidth = Math.max(inputWidth, batch.inputOffsets[e + 1] - batch.inputOffsets[e]);
      targetWidth = Math.max(targetWidth, batch.targetOffsets[e + 1] - batch.targetOffsets[e]);
    }
    // Padded slots point at row 0 with weight 0 (inputs) or a zero step (targets).
    const inputRows = new Int32Array(size * inputWidth);
    const inputWeights = new Float64Array(size * inputWidth);
    const targetRows = new Int32Array(size * targetWidth);
    const targetLabels = new Float64Array(size * targetWidth);
    const targetValid = new Float64Array(size * targetWidth);
    wave.forEach((e, row) => {
      const start = batch.inputOffsets[e], count = batch.inputOffsets[e + 1] - start;
      for (let k = 0; k < count; k++) {
        inputRows[row * inputWidth + k] = batch.inputIndex[start + k];
        inputWeights[row * inputWidth + k] = meanInputs ? 1 / count : 1;
      }
      const first = batch.targetOffsets[e], targets = batch.targetOffsets[e + 1] - first;
      for (let k = 0; k < targets; k++) {
        targetRows[k * size + row] = batch.targetIndex[first + k];
        targetLabels[k * size + row] = batch.targetLabel[first + k];
        targetValid[k * size + row] = 1;
      }
    });
    tidy(() => {
      const rowsOf = (values: Int32Array) => tensor(values, { dtype: 'int32', device });
      const floats = (values: Float64Array) => tensor(dtype === 'float64' ? values : Float32Array.from(values), { dtype, device });
      const gathered = input.indexSelect(0, rowsOf(inputRows)).reshape([size, inputWidth, dim]);
      // One input row per example is h itself, as the kernel reads it.
      const hidden = inputWidth === 1 ? gathered.reshape([size, dim]) : gathered.mul(floats(inputWeights).reshape([size, inputWidth, 1])).sum(1);
      let error = zeros([size, dim], { dtype, device });
      const labels = floats(targetLabels).reshape([targetWidth, size]);
      const valid = floats(targetValid).reshape([targetWidth, size]);
      let lossSum: Tensor | null = null;
      for (let k = 0; k < targetWidth; k++) {
        const rows = rowsOf(targetRows.subarray(k * size, (k + 1) * size));
        const vectors = output.indexSelect(0, rows);
        const x = hidden.mul(vectors).sum(1);
        const label = labels.select(0, k);
        const mask = valid.select(0, k);
        const step = label.sub(x.sigmoid()).mul(mask).mul(alpha);
        if (lossValues) {
          // softplus(x) − y·x, written so that neither sign overflows.
          const loss = x.relu().add(x.abs().neg().exp().add(1).log()).sub(label.mul(x)).mul(mask);
          lossSum = lossSum ? lossSum.add(loss) : loss;
        }
        error = error.add(vectors.mul(step.unsqueeze(1)));
        indexAdd_(output, 0, rows, hidden.mul(step.unsqueeze(1)));
      }
      for (let k = 0; k < inputWidth; k++) {
        const slot = Int32Array.from({ length: size }, (_, row) => inputRows[row * inputWidth + k]);
        const used = Float64Array.from({ length: size }, (_, row) => (inputWeights[row * inputWidth + k] > 0 ? 1 : 0));
        const usedMask = floats(used).unsqueeze(1);
        indexAdd_(input, 0, rowsOf(slot), error.mul(usedMask));
      }
      if (lossValues && lossSum) indexAdd_(lossValues.unsqueeze(1), 0, rowsOf(wave), lossSum.unsqueeze(1));
    });
  }
  return lossValues;
}
