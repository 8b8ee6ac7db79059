/**
 * Refusing JavaScript numbers that a dtype cannot hold, where values enter a tensor (creation, fills,
 * scalar assignment) — instead of the silent wrap-around of a typed-array store.
 *
 * The policy is PyTorch's: int32 accepts any finite number whose integer part (truncated toward zero)
 * lies in −2³¹ … 2³¹ − 1, so `1.7 → 1` and `−1.7 → −1`; NaN, ±Infinity and anything outside the range
 * are refused ("value cannot be converted to type int32 without overflow"). Floating dtypes take every
 * number (float32/float16 round, overflowing to ±Infinity as IEEE does); bool takes every value
 * (non-zero is true).
 */
import type { DType } from '../backend/backend';
import { ValueError } from '../errors';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function fitsInt32(value: number): boolean {
  // NaN fails both comparisons; ±Infinity fails one.
  const truncated = Math.trunc(value);
  return truncated >= INT32_MIN && truncated <= INT32_MAX;
}

function refuse(op: string, value: number, dtype: DType, where: string): never {
  throw new ValueError(
    `${op}: value ${value}${where} cannot be converted to ${dtype} without overflow ` +
      `(${dtype} holds finite numbers whose integer part is in ${INT32_MIN} … ${INT32_MAX}); ` +
      `use a floating dtype such as 'float64' for it`,
  );
}

/**
 * Throw a ValueError naming `op` unless `value` fits `dtype` (see the module comment for the policy).
 * @example
 * checkFitsDType('full', 3e9, 'int32'); // throws: cannot be converted to int32 without overflow
 */
export function checkFitsDType(op: string, value: number | boolean, dtype: DType): void {
  if (dtype === 'int32' && typeof value === 'number' && !fitsInt32(value)) refuse(op, value, dtype, '');
}

/**
 * {@link checkFitsDType} for every element, naming the first one that does not fit by its flat index.
 * @example
 * checkAllFitDType('tensor', [1, 2, 3e9], 'int32'); // throws: value 3000000000 (element 2) …
 */
export function checkAllFitDType(op: string, values: ArrayLike<number | boolean>, dtype: DType): void {
  if (dtype !== 'int32' || values instanceof Int32Array || values instanceof Int16Array || values instanceof Int8Array) return;
  if (values instanceof Uint8Array || values instanceof Uint16Array || values instanceof Uint8ClampedArray) return;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === 'number' && !fitsInt32(value)) refuse(op, value, dtype, ` (element ${i})`);
  }
}
