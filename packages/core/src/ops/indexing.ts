/**
 * Index-based ops: gather, indexSelect, scatterAdd, maskedFill, tril/triu, oneHot.
 */
import { recordOp } from '../autograd/record';
import { autocastActive, autocastOp } from '../autograd/autocast';
import { isFloating } from '../dtype';
import { DTypeError, ShapeError, ValueError } from '../errors';
import { formatShape, normalizeDim } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { castIfNeeded, disposeIfTemp } from './cast';
import { arange, zeros } from './creation';
import { backendOf, runKernel, scalarOn, viewOf } from './dispatch';
import { where } from './binary';
import { clone } from './view';
import { checkCount, checkIndexTensor } from './index-policy';
import type { DType } from '../backend/backend';

/** Backends that bounds-check indices throw RangeError; re-throw it as a typed error naming the op. */
function asIndexError<T>(op: string, x: Tensor, axis: number, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ValueError(`${op}: an index is out of range for dim ${axis} of size ${x.shape[axis]} (input ${formatShape(x.shape)}): ${error.message}`);
    }
    throw error;
  }
}

/** Index tensors follow the int32 policy of `index-policy.ts` (no int64). */
function checkIndex(op: string, index: Tensor): void {
  checkIndexTensor(op, index);
}

/**
 * PyTorch `gather`: `out[i][j] = x[i][index[i][j]]` for `dim = 1`. `index` has x's rank and is no larger than x
 * outside `dim`.
 * @example
 * gather(tensor([[1, 2], [3, 4]]), 1, tensor([[0, 0], [1, 0]], { dtype: 'int32' })); // [[1, 1], [4, 3]]
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const backend = backendOf('gather', [x, index]);
  checkIndex('gather', index);
  const axis = normalizeDim('gather', dim, x.ndim);
  if (index.ndim !== x.ndim || index.shape.some((size, d) => d !== axis && size > x.shape[d])) {
    throw new ShapeError(
      `gather: index of shape ${formatShape(index.shape)} must have the rank of the input ${formatShape(x.shape)} ` +
        `and be no larger outside dim ${dim}`,
    );
  }
  const out = asIndexError('gather', x, axis, () =>
    runKernel(backend, index.shape, x.dtype, [viewOf(x), viewOf(index)], (output, [source, indices]) =>
      backend.gather(source, axis, indices, output),
    ),
  );
  if (!isFloating(x.dtype)) return out;
  const shape = x.shape;
  return recordOp(
    'gather',
    [x],
    out,
    (grad, [savedIndex]) => [zeros(shape, { dtype: grad.dtype, device: grad.device }).scatterAdd(axis, savedIndex, grad)],
    { save: [index] },
  );
}

/**
 * The slices of `x` along `dim` at the positions of a 1-D int32 `index` (duplicates allowed).
 * @example
 * indexSelect(embeddings, 0, tensor([3, 1, 3], { dtype: 'int32' }));
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex('indexSelect', index);
  if (index.ndim > 1) throw new ShapeError(`indexSelect: index must be 1-D, got shape ${formatShape(index.shape)}`);
  if (x.ndim === 0) {
    throw new ShapeError('indexSelect: the input must have at least one dim');
  }
  const axis = normalizeDim('indexSelect', dim, x.ndim);
  const count = index.ndim === 0 ? 1 : index.shape[0];
  const outShape = x.shape.map((size, d) => (d === axis ? count : size));
  const column = index.reshape(x.shape.map((_, d) => (d === axis ? count : 1)));
  const expanded = column.expand(outShape);
  const result = gather(x, axis, expanded);
  column.dispose();
  expanded.dispose();
  return result;
}

/**
 * Out-of-place `scatter_add`: a copy of `x` with `src[p]` added at `index[p]` along `dim`.
 * @example
 * scatterAdd(zeros([3]), 0, tensor([0, 2, 0], { dtype: 'int32' }), tensor([1, 2, 3])); // [4, 0, 2]
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  if (autocastActive() && x.dtype !== src.dtype) return autocastOp('scatterAdd', 'promote', [x, dim, index, src], scatterAdd);
  const backend = backendOf('scatterAdd', [x, index, src]);
  checkIndex('scatterAdd', index);
  const axis = normalizeDim('scatterAdd', dim, x.ndim);
  if (index.ndim !== x.ndim || src.ndim !== x.ndim || index.shape.some((size, d) => size > src.shape[d] || (d !== axis && size > x.shape[d]))) {
    throw new ShapeError(
      `scatterAdd: index ${formatShape(index.shape)} must have the rank of the input ${formatShape(x.shape)} and of src ` +
        `${formatShape(src.shape)}, be no larger than src, and no larger than the input outside dim ${dim}`,
    );
  }
  const source = castIfNeeded(src, x.dtype);
  const out = clone(x);
  const srcView = { ...viewOf(source), shape: index.shape };
  try {
    asIndexError('scatterAdd', x, axis, () => backend.scatterAdd({ id: out.storage.id, dtype: out.dtype, shape: out.shape }, axis, viewOf(index), srcView));
  } catch (error) {
    out.dispose();
    disposeIfTemp(source, src);
    throw error;
  }
  if (isFloating(x.dtype)) {
    const srcShape = src.shape;
    recordOp(
      'scatterAdd',
      [x, source],
      out,
      (grad, [savedIndex]) => {
        const picked = gather(grad, axis, savedIndex);
        // src may be larger than index: its extra elements get no gradient.
        const pads: number[] = [];
        for (let d = srcShape.length - 1; d >= 0; d--) pads.push(0, srcShape[d] - picked.shape[d]);
        return [grad, pads.some((size) => size > 0) ? picked.pad(pads) : picked];
      },
      { save: [index] },
    );
  }
  disposeIfTemp(source, src);
  return out;
}

/**
 * Replace elements where `mask` (bool, broadcastable) is true by `value`, keeping x's dtype.
 * @example
 * maskedFill(scores, causalMask, -Infinity);
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== 'bool') throw new DTypeError(`maskedFill: mask must be bool, got ${mask.dtype}`);
  const backend = backendOf('maskedFill', [x, mask]);
  const fill = scalarOn('maskedFill', backend, value, x.dtype);
  const result = where(mask, fill, x);
  fill.dispose();
  if (result.shape.length !== x.shape.length || result.shape.some((size, d) => size !== x.shape[d])) {
    result.dispose();
    throw new ShapeError(`maskedFill: mask ${formatShape(mask.shape)} must broadcast to the input ${formatShape(x.shape)} without growing it`);
  }
  return result;
}

function triangle(op: 'tril' | 'triu', x: Tensor, k: number): Tensor {
  if (x.ndim < 2) throw new ShapeError(`${op}: expected at least 2 dims, got shape ${formatShape(x.shape)}`);
  const rows = x.shape[x.ndim - 2];
  const cols = x.shape[x.ndim - 1];
  const rowIndex = arange(rows, undefined, 1, { device: x.device }).reshape([rows, 1]);
  const colIndex = arange(cols, undefined, 1, { device: x.device });
  const offset = colIndex.sub(rowIndex);
  const keep = op === 'tril' ? offset.le(k) : offset.ge(k);
  const zero = scalarOn(op, backendOf(op, [x]), 0, x.dtype);
  const result = where(keep, x, zero);
  for (const temp of [rowIndex, colIndex, offset, keep, zero]) temp.dispose();
  return result;
}

/** Lower triangle (elements with `col − row ≤ k`). @example tril(ones([3, 3])) */
export function tril(x: Tensor, k = 0): Tensor {
  return triangle('tril', x, k);
}

/** Upper triangle (elements with `col − row ≥ k`). @example triu(ones([3, 3]), 1) */
export function triu(x: Tensor, k = 0): Tensor {
  return triangle('triu', x, k);
}

/**
 * One-hot encoding of int32 class indices: shape `[...indices.shape, numClasses]`.
 * Without `numClasses` it is `max + 1`, which needs a backend with sync reads.
 * @example
 * oneHot(tensor([0, 2], { dtype: 'int32' }), 3); // int32 [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: Tensor, numClasses = -1, dtype: DType = 'int32'): Tensor {
  checkIndex('oneHot', indices);
  if (numClasses >= 0) checkCount('oneHot', 'numClasses', numClasses);
  let classes = numClasses;
  const canRead = indices.storage.backend.capabilities.syncRead;
  if (classes < 0 && !canRead) {
    throw new DTypeError(`oneHot: pass numClasses explicitly on backend '${indices.device}' (it cannot read synchronously to find the maximum)`);
  }
  if (canRead) {
    // Checked where the data can be read without a GPU round trip; PyTorch raises here too.
    const values = indices.dataSync();
    let smallest = 0;
    let largest = -1;
    for (let i = 0; i < values.length; i++) {
      if (values[i] < smallest) smallest = values[i];
      if (values[i] > largest) largest = values[i];
    }
    if (classes < 0) classes = largest + 1;
    if (smallest < 0 || largest >= classes) {
      throw new ValueError(
        `oneHot: class indices must lie in [0, ${classes}), got ${smallest < 0 ? smallest : largest} (indices of shape ${formatShape(indices.shape)})`,
      );
    }
  }
  const classIndex = arange(classes, undefined, 1, { device: indices.device });
  const column = indices.unsqueeze(-1);
  const hits = column.eq(classIndex);
  const result = castIfNeeded(hits, dtype);
  for (const temp of [classIndex, column]) temp.dispose();
  disposeIfTemp(hits, result);
  return result;
}
