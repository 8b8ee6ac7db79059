/**
 * Masks as one additive float tensor: attention adds it to the scores before the softmax, so 0 lets a
 * key through and −∞ hides it. PyTorch's `nn.MultiheadAttention` takes bool masks (true = hidden) and
 * float masks (added as they are); both become this form, and several masks combine by adding.
 */
import { arange, tidy, zeros, type DType, type Tensor } from '@tessera/core';

/** A bool mask (true = hidden) as 0 / −∞ of `dtype`; a float mask is returned as it is. */
export function toAdditiveMask(mask: Tensor, dtype: DType): Tensor {
  if (mask.dtype !== 'bool') return mask;
  return tidy(() => zeros(mask.shape, { dtype, device: mask.device }).maskedFill(mask, -Infinity));
}

/**
 * The causal mask `[queries, keys]` aligned to the top-left corner, as PyTorch's `is_causal`: query i
 * sees keys 0…i (−∞ for key j > i).
 */
export function causalAdditiveMask(queries: number, keys: number, dtype: DType, device: string): Tensor {
  return tidy(() => {
    const row = arange(queries, undefined, 1, { device }).reshape([queries, 1]);
    const column = arange(keys, undefined, 1, { device });
    return zeros([queries, keys], { dtype, device }).maskedFill(column.gt(row), -Infinity);
  });
}

/** The sum of the masks that are present (broadcast), or null when there is none. */
export function combineAdditiveMasks(masks: readonly (Tensor | null)[]): Tensor | null {
  const present = masks.filter((mask): mask is Tensor => mask !== null);
  if (present.length === 0) return null;
  return present.reduce((sum, mask) => sum.add(mask));
}
