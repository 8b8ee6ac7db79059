/**
 * Undoing broadcasting in gradients: sum a gradient down to an operand's shape.
 */
import type { Tensor } from '../tensor/tensor';
import { shapesEqual } from '../shape';

/**
 * Sum `grad` over the dims that broadcasting added or expanded so it matches `shape`.
 * @example
 * sumToShape(onesOf([4, 3]), [3]); // each element 4
 */
export function sumToShape(grad: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(grad.shape, shape)) return grad;
  const lead = grad.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < grad.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) dims.push(i);
  }
  const summed = dims.length ? grad.sum(dims, true) : grad;
  const result = summed.reshape(shape);
  if (summed !== grad && summed !== result) summed.dispose();
  return result;
}
