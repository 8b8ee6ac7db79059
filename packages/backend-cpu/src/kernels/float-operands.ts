/**
 * The float operands of the plain JavaScript fused kernels (attention, recurrent cells): each input as
 * one contiguous float32/float64 array (strided views copied) and each output checked to be one.
 */
import { DTypeError } from '@tessera/core';
import { isContiguous, toContiguous, type ArrayView } from './strided';

/** The arrays a float kernel reads and writes. */
export type FloatArray = Float32Array | Float64Array;

/** A contiguous operand: its array and the offset of its first element. */
export interface Operand {
  readonly data: FloatArray;
  readonly offset: number;
}

/**
 * `view` as a contiguous float operand, copied only when strided; other dtypes are a DTypeError naming `op`.
 * @example
 * const { data, offset } = floatOperand('attention', q);
 */
export function floatOperand(op: string, view: ArrayView): Operand {
  const contiguous = isContiguous(view.shape, view.strides);
  const data = contiguous ? view.data : toContiguous(view);
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new DTypeError(`cpu backend: ${op} supports float32 and float64 operands, got ${data.constructor.name}`);
  }
  return { data, offset: contiguous ? view.offset : 0 };
}

/**
 * An output array, which must be float32 or float64 for `op`.
 * @example
 * const out = floatTarget('attention', outputs[0]);
 */
export function floatTarget(op: string, out: unknown): FloatArray {
  if (!(out instanceof Float32Array || out instanceof Float64Array)) {
    throw new DTypeError(`cpu backend: ${op} writes float32 or float64 outputs`);
  }
  return out;
}
