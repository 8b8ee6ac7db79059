/**
 * The diagonal over several equal-sized dims as a strided view (einsum's repeated subscripts: `ii->i`,
 * `iij->ij`). The view steps along all the merged dims at once, so its stride is the sum of theirs;
 * its gradient writes the incoming gradient onto the same diagonal of a zero tensor, and that op's
 * gradient is the diagonal again, so the pair differentiates to any order.
 */
import { recordOp } from '../autograd/record';
import { contiguousStrides } from '../shape';
import { Tensor } from '../tensor/tensor';
import { zeros } from './creation';
import { backendOf, viewOf } from './dispatch';

/** Shape and strides after merging `dims` (sorted, ≥ 2, equal sizes) into the first of them. */
function mergedGeometry(shape: readonly number[], strides: readonly number[], dims: readonly number[]): { shape: number[]; strides: number[] } {
  const first = dims[0];
  const merged = dims.reduce((total, dim) => total + strides[dim], 0);
  const keep = shape.map((_, i) => i).filter((i) => i === first || !dims.includes(i));
  return { shape: keep.map((i) => shape[i]), strides: keep.map((i) => (i === first ? merged : strides[i])) };
}

/**
 * @internal The diagonal of `x` over `dims` (sorted ascending, at least two, all of one size), kept at the
 * position of the first of them; a view, recorded for autograd.
 * @example
 * diagonalView(x, [0, 1]); // x [3, 3, 2] → [3, 2]: x[i, i, k]
 */
export function diagonalView(x: Tensor, dims: readonly number[]): Tensor {
  x.assertLive('einsum');
  const { shape, strides } = mergedGeometry(x.shape, x.strides, dims);
  const view = new Tensor(x.storage.retain(), shape, strides, x.offset);
  const inputShape = x.shape;
  return recordOp('diagonal', [x], view, (grad) => [diagonalEmbed(grad, inputShape, dims)]);
}

/** A zero tensor of `shape` with `grad` on the diagonal over `dims` (the gradient of {@link diagonalView}). */
function diagonalEmbed(grad: Tensor, shape: readonly number[], dims: readonly number[]): Tensor {
  const backend = backendOf('einsum backward', [grad]);
  const out = zeros(shape, { dtype: grad.dtype, device: grad.device });
  const region = mergedGeometry(shape, contiguousStrides(shape), dims);
  if (grad.size > 0) backend.assign({ id: out.storage.id, dtype: out.dtype, shape: region.shape, strides: region.strides, offset: 0 }, viewOf(grad));
  return recordOp('diagonalEmbed', [grad], out, (g) => [diagonalView(g, dims)]);
}
