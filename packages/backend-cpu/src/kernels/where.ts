import type { DataArray } from '@tessera/core';
import { contiguousStrides, forEachRow, type ArrayView } from './strided';

/**
 * `out = cond ? a : b` element-wise; all three views have out's shape (broadcast as stride 0).
 * @example
 * const view = (data: ArrayLike<number>, T: any) => ({ data: new T(data), shape: [2], strides: [1], offset: 0 });
 * const out = new Float32Array(2);
 * whereKernel(view([1, 0], Uint8Array), view([1, 2], Float32Array), view([9, 9], Float32Array), out); // [1, 9]
 */
export function whereKernel(cond: ArrayView, a: ArrayView, b: ArrayView, out: DataArray): void {
  const c = cond.data;
  const x = a.data;
  const y = b.data;
  forEachRow(
    cond.shape,
    [contiguousStrides(cond.shape), cond.strides, a.strides, b.strides],
    [0, cond.offset, a.offset, b.offset],
    (starts, n, steps) => {
      const o = starts[0];
      const sc = steps[1], sa = steps[2], sb = steps[3];
      let h = starts[1], i = starts[2], j = starts[3];
      for (let k = 0; k < n; k++, h += sc, i += sa, j += sb) out[o + k] = c[h] !== 0 ? x[i] : y[j];
    },
  );
}
