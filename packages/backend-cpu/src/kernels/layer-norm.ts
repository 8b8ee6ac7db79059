import { layerNormF32 } from './float32';
import { isContiguous, sizeOf, toContiguous, type ArrayView } from './strided';
import type { DataArray } from '@tessera/core/backend';

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
  if (normalizedSize === 0) return;
  const size = sizeOf(x.shape);
  const xData = x.data;
  const weightData = weight ? weight.data : null;
  const biasData = bias ? bias.data : null;
  if (
    xData instanceof Float32Array && out instanceof Float32Array && mean instanceof Float32Array && rstd instanceof Float32Array &&
    (weightData === null || weightData instanceof Float32Array) && (biasData === null || biasData instanceof Float32Array)
  ) {
    // The monomorphic loop of float32.ts (see there for why), reading contiguous operands in place.
    const xs = isContiguous(x.shape, x.strides) ? x : { ...x, data: toContiguous(x), offset: 0 };
    const ws = weight && !isContiguous(weight.shape, weight.strides) ? { ...weight, data: toContiguous(weight), offset: 0 } : weight;
    const bs = bias && !isContiguous(bias.shape, bias.strides) ? { ...bias, data: toContiguous(bias), offset: 0 } : bias;
    layerNormF32(
      xs.data as Float32Array, xs.offset, ws ? (ws.data as Float32Array) : null, ws ? ws.offset : 0,
      bs ? (bs.data as Float32Array) : null, bs ? bs.offset : 0, size, normalizedSize, eps, out, mean, rstd,
    );
    return;
  }
  const src = toContiguous(x);
  const scale = weight ? toContiguous(weight) : null;
  const shift = bias ? toContiguous(bias) : null;
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
