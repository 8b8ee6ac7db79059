/**
 * Cumulative sums.
 */
import { recordOp } from '../autograd/record';
import { autocastNeedsFloat32, autocastOp } from '../autograd/autocast';
import { isFloating } from '../dtype';
import { normalizeDim } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { castIfNeeded, disposeIfTemp } from './cast';
import { backendOf, runKernel, viewOf } from './dispatch';

/**
 * Inclusive cumulative sum along `dim` (bool/int32 accumulate in int32).
 * @example
 * cumsum(tensor([1, 2, 3]), 0); // [1, 3, 6]
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  if (autocastNeedsFloat32(x)) return autocastOp('cumsum', 'float32', [x, dim], cumsum);
  const backend = backendOf('cumsum', [x]);
  const axis = normalizeDim('cumsum', dim, x.ndim);
  const dtype = isFloating(x.dtype) ? x.dtype : 'int32';
  const input = castIfNeeded(x, dtype);
  let out: Tensor;
  try {
    out =
      x.ndim === 0
        ? input.clone()
        : runKernel(backend, input.shape, dtype, [viewOf(input)], (output, [view]) => backend.cumsum(view, axis, output));
  } finally {
    disposeIfTemp(input, x);
  }
  if (!isFloating(dtype)) return out;
  // d/dx of a prefix sum is the suffix sum of the gradient.
  return recordOp('cumsum', [x], out, (grad) => {
    if (grad.ndim === 0) return [grad];
    const reversed = grad.flip(axis);
    const summed = reversed.cumsum(axis);
    return [summed.flip(axis)];
  });
}
