import { castRowFromF32, copyRowF32 } from './float32';
import { contiguousStrides, RowCursor, type ArrayView } from './strided';
import type { DataArray, DType } from '@tessera/core/backend';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * float → int32 as core specifies: truncate toward zero, NaN/±∞ → 0, clamp to the int32 range.
 * @example
 * floatToInt32(-2.7); // -2
 * floatToInt32(1e10); // 2147483647
 */
export function floatToInt32(value: number): number {
  if (value !== value || value === Infinity || value === -Infinity) return 0;
  if (value >= INT32_MAX) return INT32_MAX;
  if (value <= INT32_MIN) return INT32_MIN;
  return Math.trunc(value);
}

/**
 * Convert `x` into `out` of dtype `to`: float→int via {@link floatToInt32}, anything→bool is
 * `x ≠ 0` (NaN → true), bool/int→float exact (float32 rounds to nearest).
 * @example
 * const x = { data: new Float32Array([1.5, 0, NaN]), shape: [3], strides: [1], offset: 0 };
 * const out = new Uint8Array(3);
 * castKernel(x, 'float32', out, 'bool'); // [1, 0, 1]
 */
export function castKernel(x: ArrayView, from: DType, out: DataArray, to: DType): void {
  const src = x.data;
  const rows = new RowCursor(x.shape, [contiguousStrides(x.shape), x.strides], [0, x.offset]);
  const { starts, steps, count } = rows;
  // Float32 sources: the monomorphic loops of float32.ts (see there for why).
  if (src instanceof Float32Array) {
    if (out instanceof Float32Array) {
      for (let row = 0; row < rows.rows; row++, rows.next()) copyRowF32(out, starts[0], 1, src, starts[1], steps[1], count);
      return;
    }
    const toInt = out instanceof Int32Array ? out : null;
    const toBool = out instanceof Uint8Array ? out : null;
    const toFloat64 = out instanceof Float64Array ? out : null;
    for (let row = 0; row < rows.rows; row++, rows.next()) castRowFromF32(toInt, toBool, toFloat64, starts[0], src, starts[1], steps[1], count);
    return;
  }
  const floatToInt = to === 'int32' && (from === 'float32' || from === 'float64');
  const toBool = to === 'bool';
  for (let row = 0; row < rows.rows; row++, rows.next()) {
    const o = starts[0];
    const s = steps[1];
    let j = starts[1];
    if (floatToInt) for (let i = 0; i < count; i++, j += s) out[o + i] = floatToInt32(src[j]);
    else if (toBool) for (let i = 0; i < count; i++, j += s) out[o + i] = src[j] !== 0 ? 1 : 0;
    else for (let i = 0; i < count; i++, j += s) out[o + i] = src[j];
  }
}
