import { whereRowF32 } from './float32';
import { contiguousStrides, RowCursor, type ArrayView } from './strided';
import type { DataArray } from '@tessera/core/backend';

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
  const rows = new RowCursor(
    cond.shape,
    [contiguousStrides(cond.shape), cond.strides, a.strides, b.strides],
    [0, cond.offset, a.offset, b.offset],
  );
  const { starts, steps, count } = rows;
  // Float32 values under a bool mask: the monomorphic loop of float32.ts (see there for why).
  if (c instanceof Uint8Array && x instanceof Float32Array && y instanceof Float32Array && out instanceof Float32Array) {
    for (let row = 0; row < rows.rows; row++, rows.next()) {
      whereRowF32(out, starts[0], c, starts[1], steps[1], x, starts[2], steps[2], y, starts[3], steps[3], count);
    }
    return;
  }
  const sc = steps[1], sa = steps[2], sb = steps[3];
  for (let row = 0; row < rows.rows; row++, rows.next()) {
    const o = starts[0];
    let h = starts[1], i = starts[2], j = starts[3];
    for (let k = 0; k < count; k++, h += sc, i += sa, j += sb) out[o + k] = c[h] !== 0 ? x[i] : y[j];
  }
}
