import { softmaxLineF32 } from './float32';
import { contiguousStrides, forEachPosition, RowCursor, withoutAxis, type ArrayView } from './strided';
import type { DataArray } from '@tessera/core/backend';

/**
 * Softmax (or log-softmax) along `axis` into the contiguous `out`. Stable: each line subtracts its
 * maximum before `exp`, and sums in float64. A line containing NaN gives NaN; an all −∞ line gives NaN
 * (as PyTorch).
 * @example
 * const x = { data: new Float32Array([1, 2, 3]), shape: [3], strides: [1], offset: 0 };
 * const out = new Float32Array(3);
 * softmaxKernel(x, 0, out, false); // [0.090, 0.245, 0.665]
 */
export function softmaxKernel(x: ArrayView, axis: number, out: DataArray, log: boolean): void {
  if (x.shape.length === 0) {
    out[0] = log ? 0 : 1;
    return;
  }
  const line = withoutAxis(x.shape, x.strides, axis);
  const outLine = withoutAxis(x.shape, contiguousStrides(x.shape), axis);
  const src = x.data;
  const { extent, step } = line;
  const outStep = outLine.step;
  if (extent === 0) return;
  if (src instanceof Float32Array && out instanceof Float32Array) {
    // The monomorphic loop of float32.ts (see there for why), one line at a time, no callbacks.
    const lines = new RowCursor(line.shape, [line.strides, outLine.strides], [x.offset, 0]);
    const scratch = new Float64Array(extent);
    const { starts, steps, count } = lines;
    for (let row = 0; row < lines.rows; row++, lines.next()) {
      for (let i = 0, at = starts[0], write = starts[1]; i < count; i++, at += steps[0], write += steps[1]) {
        softmaxLineF32(out, write, outStep, src, at, step, extent, log, scratch);
      }
    }
    return;
  }
  forEachPosition(line.shape, [line.strides, outLine.strides], [x.offset, 0], (starts) => {
    const first = starts[0];
    const firstOut = starts[1];
    let max = -Infinity;
    let at = first;
    for (let i = 0; i < extent; i++, at += step) {
      const v = src[at];
      if (v > max || v !== v) max = v;
    }
    let sum = 0;
    at = first;
    for (let i = 0; i < extent; i++, at += step) sum += Math.exp(src[at] - max);
    at = first;
    let write = firstOut;
    if (log) {
      const shift = max + Math.log(sum);
      for (let i = 0; i < extent; i++, at += step, write += outStep) out[write] = src[at] - shift;
    } else {
      const scale = 1 / sum;
      for (let i = 0; i < extent; i++, at += step, write += outStep) out[write] = Math.exp(src[at] - max) * scale;
    }
  });
}
