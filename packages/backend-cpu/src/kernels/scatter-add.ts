import { contiguousStrides, forEachRow, type ArrayView } from './strided';
import type { DataArray } from '@tessera/core/backend';
// RangeError is the Backend contract for an out-of-range index: core re-throws it as a ValueError naming the op.

/**
 * In place: `target[p with dim axis replaced by index[p]] += src[p]` for every position p of
 * index (PyTorch `scatter_add_`). `target` is contiguous with `targetShape`. Positions are visited
 * in row-major order, so float results are deterministic.
 * @example
 * const target = new Float32Array(3);
 * const index = { data: new Int32Array([0, 0, 2]), shape: [3], strides: [1], offset: 0 };
 * const src = { data: new Float32Array([1, 2, 3]), shape: [3], strides: [1], offset: 0 };
 * scatterAddKernel(target, [3], 0, index, src); // target = [3, 0, 3]
 */
export function scatterAddKernel(
  target: DataArray, targetShape: readonly number[], axis: number, index: ArrayView, src: ArrayView,
): void {
  const targetStrides = contiguousStrides(targetShape);
  const extent = targetShape[axis];
  const axisStride = targetStrides[axis];
  const walkStrides = targetStrides.map((stride, dim) => (dim === axis ? 0 : stride));
  const idx = index.data;
  const values = src.data;
  forEachRow(index.shape, [walkStrides, index.strides, src.strides], [0, index.offset, src.offset], (starts, n, steps) => {
    const st = steps[0], si = steps[1], ss = steps[2];
    let t = starts[0], i = starts[1], j = starts[2];
    for (let k = 0; k < n; k++, t += st, i += si, j += ss) {
      const at = idx[i];
      if (at < 0 || at >= extent) {
        throw new RangeError(`cpu backend: scatterAdd index ${at} is out of range [0, ${extent}) along axis ${axis}`);
      }
      target[t + at * axisStride] += values[j];
    }
  });
}
