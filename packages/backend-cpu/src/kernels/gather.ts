import { contiguousStrides, forEachRow, type ArrayView } from './strided';
import type { DataArray } from '@tessera/core/backend';
// RangeError is the Backend contract for an out-of-range index: core re-throws it as a ValueError naming the op.

/**
 * `out[p] = x[p with dim axis replaced by index[p]]` (PyTorch `gather`); out is contiguous with
 * index's shape. Out-of-range indices throw a RangeError naming the bad index.
 * @example
 * const x = { data: new Float32Array([10, 20, 30]), shape: [3], strides: [1], offset: 0 };
 * const index = { data: new Int32Array([2, 0]), shape: [2], strides: [1], offset: 0 };
 * const out = new Float32Array(2);
 * gatherKernel(x, 0, index, out); // [30, 10]
 */
export function gatherKernel(x: ArrayView, axis: number, index: ArrayView, out: DataArray): void {
  const src = x.data;
  const idx = index.data;
  const extent = x.shape[axis];
  const axisStride = x.strides[axis];
  // x is walked with index's shape; its stride along `axis` is replaced by the gathered index.
  const xStrides = x.strides.map((stride, dim) => (dim === axis ? 0 : stride));
  forEachRow(index.shape, [contiguousStrides(index.shape), index.strides, xStrides], [0, index.offset, x.offset], (starts, n, steps) => {
    const o = starts[0];
    const si = steps[1];
    const sx = steps[2];
    let i = starts[1];
    let j = starts[2];
    for (let k = 0; k < n; k++, i += si, j += sx) {
      const at = idx[i];
      if (at < 0 || at >= extent) {
        throw new RangeError(`cpu backend: gather index ${at} is out of range [0, ${extent}) along axis ${axis}`);
      }
      out[o + k] = src[j + at * axisStride];
    }
  });
}
