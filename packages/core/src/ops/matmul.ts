/**
 * Matrix multiplication with PyTorch's `matmul` rules.
 */
import type { Backend, OutputBuffer, StridedView } from '../backend/backend';
import { noGrad } from '../autograd/grad-mode';
import { autocastActive, autocastOp } from '../autograd/autocast';
import { recordOp } from '../autograd/record';
import { promoteTypes, isFloating } from '../dtype';
import { DTypeError, ShapeError } from '../errors';
import { broadcastShapes, formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { castIfNeeded, disposeIfTemp } from './cast';
import { backendOf, broadcastView, runKernel } from './dispatch';
import { sumToShape } from './reduce-to-shape';
import { contiguous } from './view';

/** Merge a view's leading (batch) dims into one, or return null when the strides do not allow it. */
function collapseBatch(view: StridedView, batchRank: number): StridedView | null {
  let batch = 1;
  let stride = 0;
  let last = -1;
  for (let d = batchRank - 1; d >= 0; d--) {
    const size = view.shape[d];
    if (size === 1) continue;
    if (last === -1) stride = view.strides[d];
    else if (view.strides[d] !== view.strides[last] * view.shape[last]) return null;
    last = d;
    batch *= size;
  }
  const tail = view.shape.slice(batchRank);
  return { ...view, shape: [batch, ...tail], strides: [batch === 1 ? 0 : stride, ...view.strides.slice(batchRank)] };
}

/**
 * A contiguous copy of `x` broadcast to `shape` (data only; `matmul` records the gradient). Needed when
 * the batch dims cannot be merged into one strided dim, e.g. a broadcast dim between two real ones.
 */
function materialize(x: Tensor, shape: readonly number[]): Tensor {
  return noGrad(() => {
    const expanded = x.expand(shape);
    const copy = contiguous(expanded);
    expanded.dispose();
    return copy;
  });
}

/**
 * Runs the product on merged `[B, M, K] × [B, K, N]` views into a `[B, M, N]` output; `extras` are
 * the prepared views of the extra inputs passed to {@link matmulBatched}.
 */
export type ProductKernel = (backend: Backend, a: StridedView, b: StridedView, out: OutputBuffer, extras: StridedView[]) => void;

const plainProduct: ProductKernel = (backend, a, b, out) => backend.matmul(a, b, out);

/**
 * @internal Batched product of two tensors of rank ≥ 2 with broadcast batch dims (no autograd);
 * `kernel` runs it (default: the backend's `matmul`) with `extraInputs` prepared like the operands.
 * @example
 * matmulBatched(x, w).shape; // x [2, 3, 4], w [4, 5] → [2, 3, 5]
 */
export function matmulBatched(a: Tensor, b: Tensor, kernel: ProductKernel = plainProduct, extraInputs: readonly StridedView[] = []): Tensor {
  const backend = backendOf('matmul', [a, b]);
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) {
    throw new ShapeError(
      `matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} are not aligned: ` +
        `the last dim of the first (${k}) must equal the second-to-last dim of the second (${k2})`,
    );
  }
  const batchShape = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchRank = batchShape.length;
  const outShape = [...batchShape, m, n];
  let left = a;
  let right = b;
  let viewA = collapseBatch(broadcastView(left, [...batchShape, m, k]), batchRank);
  if (!viewA) {
    left = materialize(a, [...batchShape, m, k]);
    viewA = collapseBatch(broadcastView(left, [...batchShape, m, k]), batchRank)!;
  }
  let viewB = collapseBatch(broadcastView(right, [...batchShape, k, n]), batchRank);
  if (!viewB) {
    right = materialize(b, [...batchShape, k, n]);
    viewB = collapseBatch(broadcastView(right, [...batchShape, k, n]), batchRank)!;
  }
  // A shared right operand lets the batch fold into the rows: one [B·M, K] × [K, N] product.
  const batch = viewA.shape[0];
  let flatShape = [batch, m, n];
  if (batch > 1 && viewB.strides[0] === 0 && viewA.strides[0] === viewA.strides[1] * m) {
    viewA = { ...viewA, shape: [1, batch * m, k], strides: [0, viewA.strides[1], viewA.strides[2]] };
    viewB = { ...viewB, shape: [1, k, n] };
    flatShape = [1, batch * m, n];
  }
  const out = runKernel(backend, flatShape, a.dtype, [viewA, viewB, ...extraInputs], (output, [va, vb, ...extras]) => kernel(backend, va, vb, output, extras));
  disposeIfTemp(left, a);
  disposeIfTemp(right, b);
  const shaped = out.reshape(outShape);
  out.dispose();
  return shaped;
}

/**
 * Matrix product (PyTorch's `matmul`): 1-D·1-D is a dot product; a 1-D operand gains and then loses a
 * dim; higher ranks broadcast their batch dims. Floating-point dtypes only.
 * @example
 * matmul(randn([10, 3, 4]), randn([4, 5])).shape; // [10, 3, 5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (autocastActive()) return autocastOp('matmul', 'lowerPrecision', [a, b], matmul);
  backendOf('matmul', [a, b]);
  if (!isFloating(a.dtype) || !isFloating(b.dtype)) {
    throw new DTypeError(`matmul: expected floating-point operands, got ${a.dtype} ${formatShape(a.shape)} and ${b.dtype} ${formatShape(b.shape)}; cast with .float()`);
  }
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both operands need at least one dim, got ${formatShape(a.shape)} and ${formatShape(b.shape)}; use mul for scalars`);
  }
  const dtype = promoteTypes(a.dtype, b.dtype);
  const left0 = castIfNeeded(a, dtype);
  const right0 = castIfNeeded(b, dtype);
  const left = a.ndim === 1 ? left0.unsqueeze(0) : left0;
  const right = b.ndim === 1 ? right0.unsqueeze(1) : right0;
  try {
    const product = matmulBatched(left, right);
    const leftShape = left.shape;
    const rightShape = right.shape;
    recordOp(
      'matmul',
      [left, right],
      product,
      (grad, [savedA, savedB]) => [
        savedA.requiresGrad ? sumToShape(grad.matmul(savedB.transpose(-1, -2)), leftShape) : null,
        savedB.requiresGrad ? sumToShape(savedA.transpose(-1, -2).matmul(grad), rightShape) : null,
      ],
      { save: [left, right] },
    );
    if (a.ndim > 1 && b.ndim > 1) return product;
    const squeezeDims = [a.ndim === 1 ? product.ndim - 2 : -1, b.ndim === 1 ? product.ndim - 1 : -1].filter((d) => d >= 0);
    const result = product.squeeze(squeezeDims);
    product.dispose();
    return result;
  } finally {
    if (left !== left0) left.dispose();
    if (right !== right0) right.dispose();
    disposeIfTemp(left0, a);
    disposeIfTemp(right0, b);
  }
}
