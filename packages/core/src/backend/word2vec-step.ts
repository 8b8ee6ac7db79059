/**
 * The scalar definition of the optional `word2vecStep` kernel (see `Word2VecStepRequest` in
 * backend.ts), on host arrays: the float64 reference backend runs it, and a backend's plain
 * JavaScript fallback can too, so every implementation follows one loop. Arithmetic is float64;
 * each value stored into a float32 matrix (and CBOW's averaged input, kept in `scratch`) is rounded
 * by the array it is stored into, as a float32 kernel's stores are.
 */

/** The host arrays of one `word2vecStep` request (matrices and index arrays as the backend holds them). */
export interface Word2VecStepArrays {
  /** Vector length D. */
  readonly dim: number;
  /** The input matrix's buffer and the element where row 0 starts. */
  readonly input: Float32Array | Float64Array;
  readonly inputOffset: number;
  /** The output matrix's buffer and the element where row 0 starts. */
  readonly output: Float32Array | Float64Array;
  readonly outputOffset: number;
  /** Compressed rows, as in `Word2VecStepRequest` (any array of numbers). */
  readonly inputOffsets: ArrayLike<number>;
  readonly inputIndex: ArrayLike<number>;
  readonly targetOffsets: ArrayLike<number>;
  readonly targetIndex: ArrayLike<number>;
  readonly targetLabel: ArrayLike<number>;
  readonly meanInputs: boolean;
  readonly alpha: number;
  /** Per-example loss, written at `[first, last)` when present. */
  readonly loss: Float32Array | Float64Array | null;
}

/**
 * Run examples `[first, last)` of a request in order. `scratch` holds at least 2·D values of the
 * matrices' array type (CBOW's combined input and the accumulated input gradient).
 * @example
 * word2vecStepRange(arrays, 0, examples, new Float32Array(2 * arrays.dim));
 */
export function word2vecStepRange(arrays: Word2VecStepArrays, first: number, last: number, scratch: Float32Array | Float64Array): void {
  const { dim, input, output, inputOffset, outputOffset, inputOffsets, inputIndex, targetOffsets, targetIndex, targetLabel, alpha, loss } = arrays;
  for (let e = first; e < last; e++) {
    const inputStart = inputOffsets[e], inputEnd = inputOffsets[e + 1];
    const count = inputEnd - inputStart;
    let lossSum = 0;
    if (count > 0) {
      // h: the single input row itself (skip-gram), else the mean or sum of the rows in scratch[0, D).
      let hidden: Float32Array | Float64Array = input;
      let hiddenAt = inputOffset + inputIndex[inputStart] * dim;
      if (count > 1) {
        const scale = arrays.meanInputs ? 1 / count : 1;
        for (let d = 0; d < dim; d++) {
          let sum = 0;
          for (let k = inputStart; k < inputEnd; k++) sum += input[inputOffset + inputIndex[k] * dim + d];
          scratch[d] = sum * scale;
        }
        hidden = scratch;
        hiddenAt = 0;
      }
      for (let d = 0; d < dim; d++) scratch[dim + d] = 0;
      for (let t = targetOffsets[e]; t < targetOffsets[e + 1]; t++) {
        const row = outputOffset + targetIndex[t] * dim;
        const label = targetLabel[t];
        let x = 0;
        for (let d = 0; d < dim; d++) x += hidden[hiddenAt + d] * output[row + d];
        const g = alpha * (label - sigmoid(x));
        if (loss) lossSum += Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))) - label * x;
        for (let d = 0; d < dim; d++) {
          scratch[dim + d] += g * output[row + d];
          output[row + d] += g * hidden[hiddenAt + d];
        }
      }
      for (let k = inputStart; k < inputEnd; k++) {
        const row = inputOffset + inputIndex[k] * dim;
        for (let d = 0; d < dim; d++) input[row + d] += scratch[dim + d];
      }
    }
    if (loss) loss[e] = lossSum;
  }
}

/** σ(x) without overflow for either sign. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
