import { binaryRowF32, compareRowF32, isFloat32BinaryOp } from './float32';
import { contiguousStrides, RowCursor, type ArrayView } from './strided';
import { intPow, type BinaryOp, type DataArray, type DType } from '@tessera/core/backend';
import { ValueError } from '@tessera/core';


/**
 * `out = a op b` element-wise; `a`, `b` have out's shape (broadcast as stride 0) and share `dtype`.
 * int32 results wrap (the Int32Array store truncates modulo 2³²; `mul` uses Math.imul so the
 * product is exact before wrapping). Comparisons and logical ops write 0/1 into a bool `out`.
 * @example
 * const a = { data: new Int32Array([2147483647]), shape: [1], strides: [1], offset: 0 };
 * const out = new Int32Array(1);
 * binaryKernel('add', a, { ...a, data: new Int32Array([1]) }, out, 'int32'); // out = [-2147483648]
 */
export function binaryKernel(op: BinaryOp, a: ArrayView, b: ArrayView, out: DataArray, dtype: DType): void {
  const x = a.data;
  const y = b.data;
  const rows = new RowCursor(a.shape, [contiguousStrides(a.shape), a.strides, b.strides], [0, a.offset, b.offset]);
  const { starts, steps, count } = rows;
  // Float32 operands take the monomorphic loops of float32.ts (see there for why).
  if (x instanceof Float32Array && y instanceof Float32Array) {
    if (out instanceof Float32Array && isFloat32BinaryOp(op)) {
      for (let row = 0; row < rows.rows; row++, rows.next()) {
        binaryRowF32(op, out, starts[0], x, starts[1], steps[1], y, starts[2], steps[2], count);
      }
      return;
    }
    if (out instanceof Uint8Array && !isFloat32BinaryOp(op)) {
      for (let row = 0; row < rows.rows; row++, rows.next()) {
        compareRowF32(op, out, starts[0], x, starts[1], steps[1], y, starts[2], steps[2], count);
      }
      return;
    }
  }
  const isInt = dtype === 'int32';
  for (let row = 0; row < rows.rows; row++, rows.next()) {
    binaryRow(op, isInt, out, starts[0], x, starts[1], steps[1], y, starts[2], steps[2], count);
  }
}

/** One row of `out = x op y` for any dtype (the generic, polymorphic fallback). */
function binaryRow(
  op: BinaryOp, isInt: boolean, out: DataArray, o: number, x: DataArray, i: number, sa: number, y: DataArray, j: number, sb: number, n: number,
): void {
  // One tight loop per op: the switch runs once per row, not per element.
  switch (op) {
    case 'add': for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = x[i] + y[j]; break;
    case 'sub': for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = x[i] - y[j]; break;
    case 'mul':
      if (isInt) for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = Math.imul(x[i], y[j]);
      else for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = x[i] * y[j];
      break;
    case 'div': for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = x[i] / y[j]; break;
    case 'pow':
      if (isInt) for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = intPow(x[i], y[j]);
      else for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = Math.pow(x[i], y[j]);
      break;
    // NaN-propagating: a NaN on either side wins.
    case 'maximum':
      for (let k = 0; k < n; k++, i += sa, j += sb) {
        const p = x[i], q = y[j];
        out[o + k] = p !== p || q !== q ? NaN : p > q ? p : q;
      }
      break;
    case 'minimum':
      for (let k = 0; k < n; k++, i += sa, j += sb) {
        const p = x[i], q = y[j];
        out[o + k] = p !== p || q !== q ? NaN : p < q ? p : q;
      }
      break;
    case 'eq': for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = x[i] === y[j] ? 1 : 0; break;
    case 'ne': for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = x[i] !== y[j] ? 1 : 0; break;
    case 'lt': for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = x[i] < y[j] ? 1 : 0; break;
    case 'le': for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = x[i] <= y[j] ? 1 : 0; break;
    case 'gt': for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = x[i] > y[j] ? 1 : 0; break;
    case 'ge': for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = x[i] >= y[j] ? 1 : 0; break;
    case 'logicalAnd': for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = x[i] !== 0 && y[j] !== 0 ? 1 : 0; break;
    case 'logicalOr': for (let k = 0; k < n; k++, i += sa, j += sb) out[o + k] = x[i] !== 0 || y[j] !== 0 ? 1 : 0; break;
    default:
      throw new ValueError(`cpu backend: unknown binary op '${String(op)}'`);
  }
}
