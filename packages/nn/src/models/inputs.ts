/**
 * Turning the plain arrays the classic models accept into tensors.
 */
import { isTensor, tensor, type DType, type Tensor } from '@tessera/core';

/** Points as a tensor `[N, features]` or nested arrays. */
export type PointsLike = Tensor | readonly (readonly number[])[];
/** Labels as a tensor `[N]` or an array. */
export type LabelsLike = Tensor | readonly number[];

/** `value` as a tensor of `dtype` on `device` (a tensor of the right dtype is returned as it is). */
export function asTensor(value: Tensor | readonly unknown[], dtype: DType, device: string): { tensor: Tensor; owned: boolean } {
  if (isTensor(value)) {
    if (value.dtype === dtype) return { tensor: value, owned: false };
    return { tensor: value.cast(dtype), owned: true };
  }
  return { tensor: tensor(value as number[], { dtype, device }), owned: true };
}
