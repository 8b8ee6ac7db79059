/**
 * Dtypes and PyTorch's type-promotion rules, restricted to Tessera's five dtypes.
 */
import type { DataArray, DType } from './backend/backend';
import { DTypeError } from './errors';

/**
 * Every dtype Tessera knows.
 * @example
 * DTYPES.includes('int32'); // true
 */
export const DTYPES: readonly DType[] = ['bool', 'int32', 'float16', 'float32', 'float64'];

/**
 * Bytes per element.
 * @example
 * itemSize('float64'); // 8
 */
export function itemSize(dtype: DType): number {
  switch (dtype) {
    case 'float64':
      return 8;
    case 'float16':
      return 2;
    case 'bool':
      return 1;
    default:
      return 4;
  }
}

/**
 * Whether the dtype is a floating-point type.
 * @example
 * isFloating('int32'); // false
 */
export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}

/** Promotion category: bool < integer < floating. */
function category(dtype: DType): number {
  return dtype === 'bool' ? 0 : dtype === 'int32' ? 1 : 2;
}

/** Rank inside the full order bool < int32 < float16 < float32 < float64. */
function rank(dtype: DType): number {
  return DTYPES.indexOf(dtype);
}

/**
 * The smallest dtype both promote to (PyTorch's `promote_types`).
 * @example
 * promoteTypes('int32', 'float32'); // 'float32'
 * promoteTypes('float16', 'float32'); // 'float32'
 */
export function promoteTypes(a: DType, b: DType): DType {
  return rank(a) >= rank(b) ? a : b;
}

/** An operand for result-type computation: a tensor's dtype and rank, or a JS number/boolean. */
export type PromotionOperand = { dtype: DType; ndim: number } | number | boolean;

/** The dtype of a JS scalar on its own. */
export function scalarDType(value: number | boolean): DType {
  if (typeof value === 'boolean') return 'bool';
  return Number.isInteger(value) ? 'int32' : 'float32';
}

/**
 * PyTorch's `result_type`: dimensioned tensors decide the dtype within a category; 0-d tensors and
 * then plain numbers only matter when they belong to a higher category.
 * @example
 * resultType([{ dtype: 'int32', ndim: 1 }, 2.5]); // 'float32'
 * resultType([{ dtype: 'float32', ndim: 1 }, { dtype: 'float64', ndim: 0 }]); // 'float32'
 * resultType([{ dtype: 'float16', ndim: 1 }, 0.5]); // 'float16' (a JS float scalar keeps half)
 */
export function resultType(operands: readonly PromotionOperand[]): DType {
  const tiers: (DType | null)[] = [null, null, null]; // dimensioned, zero-dim, scalar
  for (const operand of operands) {
    const [tier, dtype] =
      typeof operand === 'object' ? [operand.ndim > 0 ? 0 : 1, operand.dtype] : [2, scalarDType(operand)];
    const current = tiers[tier];
    tiers[tier] = current === null ? dtype : promoteTypes(current, dtype);
  }
  let result: DType | null = null;
  for (const dtype of tiers) {
    if (dtype === null) continue;
    if (result === null || category(dtype) > category(result)) result = dtype;
  }
  return result ?? 'float32';
}

/**
 * A zeroed host typed array for a dtype as the backend boundary holds it (bool → Uint8Array,
 * float16 → Uint16Array of bit patterns; +0 is all-zero bits).
 * @example
 * arrayFor('int32', 3); // Int32Array [0, 0, 0]
 */
export function arrayFor(dtype: DType, size: number): DataArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'float16':
      return new Uint16Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

/** The dtype a typed array holds by default (a Uint16Array holds integers; pass `dtype: 'float16'` to round its values to half). */
export function dtypeOfArray(data: ArrayBufferView): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array || data instanceof Int16Array || data instanceof Int8Array) return 'int32';
  if (data instanceof Uint8Array || data instanceof Uint16Array || data instanceof Uint8ClampedArray) return 'int32';
  throw new DTypeError(
    `tensor: typed array ${data.constructor.name} is not supported; use Float32Array, Float64Array, Int32Array or Uint8Array`,
  );
}

/** Throws a DTypeError unless `dtype` is one of Tessera's dtypes (catches 'int64', 'half', typos). */
export function checkDType(op: string, dtype: string): asserts dtype is DType {
  if (!(DTYPES as readonly string[]).includes(dtype)) {
    throw new DTypeError(`${op}: unsupported dtype '${dtype}'; expected one of ${DTYPES.join(', ')}`);
  }
}
