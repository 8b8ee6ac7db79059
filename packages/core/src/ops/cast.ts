/**
 * Dtype conversion. Float↔float casts are differentiable; casts to int32/bool cut the gradient.
 */
import type { DType } from '../backend/backend';
import { recordOp } from '../autograd/record';
import { checkDType, isFloating } from '../dtype';
import type { Tensor } from '../tensor/tensor';
import { backendOf, requireBackendDType, runKernel, viewOf } from './dispatch';

/**
 * A copy of `x` converted to `dtype` (float→int truncates toward zero; anything→bool is `x ≠ 0`).
 * @example
 * castTo(tensor([1.7, -1.7]), 'int32'); // [1, -1]
 * castTo(tensor([1 / 3]), 'float16');      // [0.333251953125] (round to nearest even)
 */
export function castTo(x: Tensor, dtype: DType): Tensor {
  checkDType('cast', dtype);
  const backend = backendOf('cast', [x]);
  requireBackendDType('cast', backend, dtype);
  const out = runKernel(backend, x.shape, dtype, [viewOf(x)], (output, [input]) => backend.cast(input, output));
  if (isFloating(dtype) && isFloating(x.dtype)) {
    const from = x.dtype;
    recordOp('cast', [x], out, (grad) => [castTo(grad, from)]);
  }
  return out;
}

/**
 * `x` itself when it already has `dtype`, else a converted copy. The caller must dispose the result
 * only when it is not `x` (see {@link disposeIfTemp}).
 */
export function castIfNeeded(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : castTo(x, dtype);
}

/** Dispose `temp` when it is a temporary distinct from `original`. */
export function disposeIfTemp(temp: Tensor, original: unknown): void {
  if (temp !== original) temp.dispose();
}
