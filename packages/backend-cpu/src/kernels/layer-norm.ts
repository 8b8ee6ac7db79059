import type { DataArray } from '@tessera/core';
import { sizeOf, toContiguous, type ArrayView } from './strided';

/**
 * Layer normalisation over the trailing `normalizedSize` elements of each row:
 * `out = (x − mean) · rstd · weight + bias`, `rstd = 1/√(var + eps)` (biased variance, two-pass in
 * float64). Writes each row's mean and rstd for the backward pass.
 * @example
 * const x = { data: new Float32Array([1, 3]), shape: [1, 2], strides: [2, 1], offset: 0 };
 * const out = new Float32Array(2), mean = new Float32Array(1), rstd = new Float32Array(1);
 * layerNormKernel(x, null, null, 2, 0, out, mean, rstd); // out ≈ [-1, 1], mean [2], rstd [1]
 */
export function layerNormKernel(
  x: ArrayView, weight: ArrayView | null, bias: ArrayView | null, normalizedSize: number, eps: number,
  out: DataArray, mean: DataArray, rstd: DataArray,
): void {
  const src = toContiguous(x);
  const scale = weight ? toContiguous(weight) : null;
  const shift = bias ? toContiguous(bias) : null;
  const size = sizeOf(x.shape);
  if (normalizedSize === 0) return;
  const rows = size / normalizedSize;
  for (let row = 0; row < rows; row++) {
    const base = row * normalizedSize;
    let sum = 0;
    for (let i = 0; i < normalizedSize; i++) sum += src[base + i];
    const rowMean = sum / normalizedSize;
    let squares = 0;
    for (let i = 0; i < normalizedSize; i++) {
      const centered = src[base + i] - rowMean;
      squares += centered * centered;
    }
    const rowRstd = 1 / Math.sqrt(squares / normalizedSize + eps);
    mean[row] = rowMean;
    rstd[row] = rowRstd;
    for (let i = 0; i < normalizedSize; i++) {
      let value = (src[base + i] - rowMean) * rowRstd;
      if (scale) value *= scale[i];
      if (shift) value += shift[i];
      out[base + i] = value;
    }
  }
}
