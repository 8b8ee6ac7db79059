/**
 * Attention masks built from sizes alone.
 */
import { full, tidy, ValueError, type Tensor } from '@tessera/core';
import type { FactoryOptions } from '@tessera/nn';

/**
 * PyTorch's `Transformer.generate_square_subsequent_mask(size)`: a float `[size, size]` additive mask,
 * 0 on and below the diagonal and −∞ above it, so position i attends to positions 0…i only (a
 * decoder's `tgtMask`). Float32 unless `dtype` says otherwise (it must match the model's dtype).
 * @example
 * generateSquareSubsequentMask(3);
 * // [[0, -Infinity, -Infinity],
 * //  [0,         0, -Infinity],
 * //  [0,         0,         0]]
 */
export function generateSquareSubsequentMask(size: number, options: FactoryOptions = {}): Tensor {
  if (!Number.isInteger(size) || size < 0) {
    throw new ValueError(`generateSquareSubsequentMask: size must be a non-negative integer, got ${size}`);
  }
  return tidy(() => full([size, size], -Infinity, { dtype: options.dtype ?? 'float32', device: options.device }).triu(1));
}
