import { unaryRowF32 } from './float32';
import { contiguousStrides, RowCursor, type ArrayView } from './strided';
import { erf, type DataArray, type DType, type UnaryOp } from '@tessera/core/backend';
import { ValueError } from '@tessera/core';

/**
 * The error function: core's shared scalar definition (Cody's rational approximations, ~1e-16
 * relative), so this kernel, the reference backend and the WebAssembly erf's tests agree by construction.
 * @example
 * erf(1); // 0.8427007929497149
 */
export { erf };

/**
 * Round half to even (banker's rounding), as PyTorch's `round`.
 * @example
 * roundHalfEven(2.5); // 2
 * roundHalfEven(3.5); // 4
 */
export function roundHalfEven(x: number): number {
  const rounded = Math.round(x);
  return rounded - x === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}

/**
 * Numerically stable logistic sigmoid: never evaluates `exp` of a large positive number.
 * @example
 * sigmoid(-1000); // 0 (not NaN)
 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * `out = op(x)` element-wise. `out` is contiguous with x's shape; `outDtype` is bool for logicalNot.
 * @example
 * const x = { data: new Float32Array([-1, 2]), shape: [2], strides: [1], offset: 0 };
 * const out = new Float32Array(2);
 * unaryKernel('relu', x, out, 'float32'); // out = [0, 2]
 */
export function unaryKernel(op: UnaryOp, x: ArrayView, out: DataArray, dtype: DType): void {
  const src = x.data;
  const rows = new RowCursor(x.shape, [contiguousStrides(x.shape), x.strides], [0, x.offset]);
  const { starts, steps, count } = rows;
  // Float32 in and out: the monomorphic loops of float32.ts (see there for why).
  if (src instanceof Float32Array && out instanceof Float32Array) {
    for (let row = 0; row < rows.rows; row++, rows.next()) unaryRowF32(op, out, starts[0], src, starts[1], steps[1], count);
    return;
  }
  const isInt = dtype === 'int32';
  for (let row = 0; row < rows.rows; row++, rows.next()) unaryRow(op, isInt, out, starts[0], src, starts[1], steps[1], count);
}

/** One row of `out = op(x)` for any dtype (the generic, polymorphic fallback). */
function unaryRow(op: UnaryOp, isInt: boolean, out: DataArray, o: number, src: DataArray, j: number, s: number, n: number): void {
  // One tight loop per op: the switch runs once per row, not per element.
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++, j += s) out[o + i] = -src[j]; break;
    case 'abs': for (let i = 0; i < n; i++, j += s) out[o + i] = Math.abs(src[j]); break;
    case 'sign': for (let i = 0; i < n; i++, j += s) out[o + i] = Math.sign(src[j]); break;
    case 'exp': for (let i = 0; i < n; i++, j += s) out[o + i] = Math.exp(src[j]); break;
    case 'log': for (let i = 0; i < n; i++, j += s) out[o + i] = Math.log(src[j]); break;
    case 'sqrt': for (let i = 0; i < n; i++, j += s) out[o + i] = Math.sqrt(src[j]); break;
    case 'rsqrt': for (let i = 0; i < n; i++, j += s) out[o + i] = 1 / Math.sqrt(src[j]); break;
    case 'sin': for (let i = 0; i < n; i++, j += s) out[o + i] = Math.sin(src[j]); break;
    case 'cos': for (let i = 0; i < n; i++, j += s) out[o + i] = Math.cos(src[j]); break;
    case 'tanh': for (let i = 0; i < n; i++, j += s) out[o + i] = Math.tanh(src[j]); break;
    case 'sigmoid': for (let i = 0; i < n; i++, j += s) out[o + i] = sigmoid(src[j]); break;
    // `x < 0 ? 0 : x` keeps NaN (a NaN compares false).
    case 'relu': for (let i = 0; i < n; i++, j += s) out[o + i] = src[j] < 0 ? 0 : src[j]; break;
    case 'erf': for (let i = 0; i < n; i++, j += s) out[o + i] = erf(src[j]); break;
    case 'reciprocal': for (let i = 0; i < n; i++, j += s) out[o + i] = 1 / src[j]; break;
    case 'floor': for (let i = 0; i < n; i++, j += s) out[o + i] = isInt ? src[j] : Math.floor(src[j]); break;
    case 'ceil': for (let i = 0; i < n; i++, j += s) out[o + i] = isInt ? src[j] : Math.ceil(src[j]); break;
    case 'round': for (let i = 0; i < n; i++, j += s) out[o + i] = isInt ? src[j] : roundHalfEven(src[j]); break;
    case 'logicalNot': for (let i = 0; i < n; i++, j += s) out[o + i] = src[j] === 0 ? 1 : 0; break;
    default:
      throw new ValueError(`cpu backend: unknown unary op '${String(op)}'`);
  }
}
