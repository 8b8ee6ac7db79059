/**
 * View ops: new shape/strides/offset over the same storage, no data copied
 * (reshape copies only when the strides cannot express the new shape, as PyTorch).
 */
import { recordOp } from '../autograd/record';
import type { GradientRule } from '../autograd/node';
import { ShapeError } from '../errors';
import { contiguousStrides, formatShape, normalizeDim, normalizeDims, sizeOf } from '../shape';
import { Tensor } from '../tensor/tensor';
import { zeros } from './creation';
import { backendOf, runKernel, viewOf } from './dispatch';
import { sumToShape } from './reduce-to-shape';

/** A view of `x` with new geometry, recorded with `rule`. */
function makeView(x: Tensor, op: string, shape: readonly number[], strides: readonly number[], offset: number, rule: GradientRule): Tensor {
  x.assertLive(op);
  const view = new Tensor(x.storage.retain(), shape, strides, offset);
  return recordOp(op, [x], view, rule);
}

/** Replace one −1 in `shape` by the size that makes the element count match. */
function resolveShape(op: string, x: Tensor, shape: readonly number[]): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${op}: shape must be an array of integers, got ${JSON.stringify(shape)}`);
  const inferred = shape.filter((dim) => dim === -1).length;
  if (inferred > 1 || !shape.every((dim) => Number.isInteger(dim) && dim >= -1)) {
    throw new ShapeError(`${op}: invalid shape ${formatShape(shape)}: dims must be non-negative integers, with at most one −1`);
  }
  const known = shape.reduce((product, dim) => (dim === -1 ? product : product * dim), 1);
  const resolved = shape.map((dim) => {
    if (dim !== -1) return dim;
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`${op}: cannot infer the −1 in ${formatShape(shape)} for ${x.size} elements (input shape ${formatShape(x.shape)})`);
    }
    return x.size / known;
  });
  if (sizeOf(resolved) !== x.size) {
    throw new ShapeError(`${op}: shape ${formatShape(shape)} has ${sizeOf(resolved)} elements but the input ${formatShape(x.shape)} has ${x.size}`);
  }
  return resolved;
}

/**
 * Strides that let `newShape` view the same memory as (`shape`, `strides`), or null if impossible
 * (PyTorch's `computeStride`: dims are grouped into contiguous chunks that must split or merge cleanly).
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  if (sizeOf(shape) === 0 || shape.length === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length);
  let viewDim = newShape.length - 1;
  let chunkBaseStride = strides[strides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorDim = shape.length - 1; tensorDim >= 0; tensorDim--) {
    tensorNumel *= shape[tensorDim];
    const chunkEnds = tensorDim === 0 || (shape[tensorDim - 1] !== 1 && strides[tensorDim - 1] !== tensorNumel * chunkBaseStride);
    if (!chunkEnds) continue;
    while (viewDim >= 0 && (viewNumel < tensorNumel || newShape[viewDim] === 1)) {
      newStrides[viewDim] = viewNumel * chunkBaseStride;
      viewNumel *= newShape[viewDim];
      viewDim--;
    }
    if (viewNumel !== tensorNumel) return null;
    if (tensorDim > 0) {
      chunkBaseStride = strides[tensorDim - 1];
      tensorNumel = 1;
      viewNumel = 1;
    }
  }
  return viewDim === -1 ? newStrides : null;
}

/**
 * The same elements in a new shape: a view when possible, else a contiguous copy. One dim may be −1.
 * @example
 * reshape(arange(6), [2, -1]).shape; // [2, 3]
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const resolved = resolveShape('reshape', x, shape);
  const strides = viewStrides(x.shape, x.strides, resolved);
  if (strides) return makeView(x, 'reshape', resolved, strides, x.offset, reshapeRule(x.shape));
  const copy = contiguous(x);
  const result = makeView(copy, 'reshape', resolved, contiguousStrides(resolved), copy.offset, reshapeRule(x.shape));
  copy.dispose();
  return result;
}

function reshapeRule(shape: readonly number[]): GradientRule {
  return (grad) => [grad.reshape(shape)];
}

/**
 * Like {@link reshape} but never copies: throws a ShapeError when the strides do not allow a view.
 * @example
 * view(x.transpose(0, 1), [-1]); // throws: not viewable, use reshape
 */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  const resolved = resolveShape('view', x, shape);
  const strides = viewStrides(x.shape, x.strides, resolved);
  if (!strides) {
    throw new ShapeError(
      `view: a tensor of shape ${formatShape(x.shape)} with strides ${formatShape(x.strides)} cannot be viewed as ${formatShape(resolved)}; ` +
        'use reshape() (which copies) or call contiguous() first',
    );
  }
  return makeView(x, 'view', resolved, strides, x.offset, reshapeRule(x.shape));
}

/** Merge dims `startDim..endDim`. @example flatten(zeros([2, 3, 4]), 1).shape // [2, 12] */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const start = normalizeDim('flatten', startDim, x.ndim);
  const end = normalizeDim('flatten', endDim, x.ndim);
  if (start > end) throw new ShapeError(`flatten: startDim ${startDim} comes after endDim ${endDim} for rank ${x.ndim}`);
  const merged = x.shape.slice(start, end + 1).reduce((product, dim) => product * dim, 1);
  return reshape(x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}

/** Reorder dims. @example permute(zeros([2, 3, 4]), [2, 0, 1]).shape // [4, 2, 3] */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (!Array.isArray(dims) || dims.length !== x.ndim) {
    throw new ShapeError(`permute: expected ${x.ndim} dims for shape ${formatShape(x.shape)}, got ${JSON.stringify(dims)}`);
  }
  const order = dims.map((dim) => normalizeDim('permute', dim, x.ndim));
  if (new Set(order).size !== order.length) throw new ShapeError(`permute: dims ${JSON.stringify(dims)} repeat a dimension`);
  const inverse = new Array<number>(order.length);
  order.forEach((dim, i) => (inverse[dim] = i));
  return makeView(
    x,
    'permute',
    order.map((dim) => x.shape[dim]),
    order.map((dim) => x.strides[dim]),
    x.offset,
    (grad) => [grad.permute(inverse)],
  );
}

/** Swap two dims. @example transpose(zeros([2, 3]), 0, 1).shape // [3, 2] */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) return permute(x, x.shape.map((_, i) => i));
  const a = normalizeDim('transpose', dim0, x.ndim);
  const b = normalizeDim('transpose', dim1, x.ndim);
  const order = x.shape.map((_, i) => i);
  [order[a], order[b]] = [order[b], order[a]];
  return permute(x, order);
}

/** Remove size-1 dims (all, or those listed; listed dims of other sizes are left alone, as PyTorch). */
export function squeeze(x: Tensor, dim?: number | number[]): Tensor {
  const candidates = dim === undefined ? x.shape.map((_, i) => i) : normalizeDims('squeeze', dim, x.ndim);
  const removed = candidates.filter((d) => x.shape[d] === 1);
  const keep = x.shape.map((_, i) => i).filter((i) => !removed.includes(i));
  return makeView(
    x,
    'squeeze',
    keep.map((i) => x.shape[i]),
    keep.map((i) => x.strides[i]),
    x.offset,
    reshapeRule(x.shape),
  );
}

/** Insert a size-1 dim at `dim` (−1 appends). @example unsqueeze(zeros([3]), 0).shape // [1, 3] */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const at = normalizeDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  const strides = [...x.strides];
  const stride = at < x.ndim ? x.strides[at] * x.shape[at] : 1;
  shape.splice(at, 0, 1);
  strides.splice(at, 0, stride);
  return makeView(x, 'unsqueeze', shape, strides, x.offset, reshapeRule(x.shape));
}

/** Broadcast to `shape` without copying; −1 keeps a dim; new dims go in front. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (!Array.isArray(shape) || shape.length < x.ndim) {
    throw new ShapeError(`expand: target ${JSON.stringify(shape)} must have at least ${x.ndim} dims to expand ${formatShape(x.shape)}`);
  }
  const lead = shape.length - x.ndim;
  const resolved: number[] = [];
  const strides: number[] = [];
  shape.forEach((dim, i) => {
    const own = i >= lead ? x.shape[i - lead] : 1;
    const size = dim === -1 ? own : dim;
    if (i < lead && dim === -1) throw new ShapeError(`expand: −1 is not allowed for the new leading dim ${i} in ${formatShape(shape)}`);
    if (!Number.isInteger(size) || size < 0 || (own !== 1 && own !== size)) {
      throw new ShapeError(
        `expand: cannot expand shape ${formatShape(x.shape)} to ${formatShape(shape)}: dim ${i} has size ${own}, which must equal ${size} or be 1`,
      );
    }
    resolved.push(size);
    strides.push(i < lead || (own === 1 && size !== 1) ? 0 : x.strides[i - lead]);
  });
  const original = x.shape;
  return makeView(x, 'expand', resolved, strides, x.offset, (grad) => [sumToShape(grad, original)]);
}

/** A zero tensor of `shape` holding `grad` in the region a slice took (the gradient of slicing). */
function sliceBackward(grad: Tensor, shape: readonly number[], dim: number, start: number, step: number, removedDim: boolean): Tensor {
  const backend = backendOf('slice backward', [grad]);
  const out = zeros(shape, { dtype: grad.dtype, device: grad.device });
  const strides = contiguousStrides(shape);
  const regionShape = [...shape];
  const regionStrides = [...strides];
  if (removedDim) {
    regionShape.splice(dim, 1);
    regionStrides.splice(dim, 1);
  } else {
    regionShape[dim] = grad.shape[dim];
    regionStrides[dim] = strides[dim] * step;
  }
  if (grad.size > 0) {
    backend.assign({ id: out.storage.id, dtype: out.dtype, shape: regionShape, strides: regionStrides, offset: start * strides[dim] }, viewOf(grad));
  }
  return recordOp('sliceBackward', [grad], out, (g) => [removedDim ? select(g, dim, start) : slice(g, dim, start, start + (grad.shape[dim] - 1) * step + 1, step)]);
}

/**
 * Python-style `start:end:step` along `dim` (negative positions count from the end; out-of-range ends clamp).
 * @example
 * slice(arange(10), 0, 1, 8, 3); // [1, 4, 7]
 */
export function slice(x: Tensor, dim: number, start = 0, end = Number.POSITIVE_INFINITY, step = 1): Tensor {
  const axis = normalizeDim('slice', dim, x.ndim);
  if (x.ndim === 0) throw new ShapeError('slice: cannot slice a 0-d tensor');
  if (!Number.isInteger(step) || step <= 0) throw new ShapeError(`slice: step must be a positive integer, got ${step}`);
  const size = x.shape[axis];
  const clampIndex = (index: number) => Math.min(Math.max(index < 0 ? index + size : index, 0), size);
  const from = clampIndex(start);
  const to = Math.max(from, clampIndex(end));
  const length = Math.ceil((to - from) / step);
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape[axis] = length;
  strides[axis] = x.strides[axis] * step;
  const original = x.shape;
  return makeView(x, 'slice', shape, strides, x.offset + from * x.strides[axis], (grad) => [sliceBackward(grad, original, axis, from, step, false)]);
}

/**
 * `length` elements of `dim` from `start` (negative `start` counts from the end; no clamping).
 * @example
 * narrow(arange(5), 0, 1, 3); // [1, 2, 3]
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const axis = normalizeDim('narrow', dim, x.ndim);
  const size = x.shape[axis];
  const from = start < 0 ? start + size : start;
  if (!Number.isInteger(from) || !Number.isInteger(length) || from < 0 || length < 0 || from + length > size) {
    throw new ShapeError(`narrow: start ${start} and length ${length} do not fit dim ${dim} of size ${size} (shape ${formatShape(x.shape)})`);
  }
  return slice(x, axis, from, from + length, 1);
}

/**
 * Index `index` of `dim`, removing the dim (negative indices count from the end).
 * @example
 * select(tensor([[1, 2], [3, 4]]), 0, 1); // [3, 4]
 */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const axis = normalizeDim('select', dim, x.ndim);
  const size = x.shape[axis];
  const at = index < 0 ? index + size : index;
  if (!Number.isInteger(at) || at < 0 || at >= size) {
    throw new ShapeError(`select: index ${index} is out of range for dim ${dim} of size ${size} (shape ${formatShape(x.shape)})`);
  }
  const shape = x.shape.filter((_, i) => i !== axis);
  const strides = x.strides.filter((_, i) => i !== axis);
  const original = x.shape;
  return makeView(x, 'select', shape, strides, x.offset + at * x.strides[axis], (grad) => [sliceBackward(grad, original, axis, at, 1, true)]);
}

/** Reverse along `dims` (negative strides). @example flip(tensor([1, 2, 3]), 0) // [3, 2, 1] */
export function flip(x: Tensor, dims: number | number[]): Tensor {
  const axes = normalizeDims('flip', dims, x.ndim);
  const strides = [...x.strides];
  let offset = x.offset;
  for (const axis of axes) {
    if (x.shape[axis] > 0) offset += (x.shape[axis] - 1) * x.strides[axis];
    strides[axis] = -strides[axis];
  }
  return makeView(x, 'flip', x.shape, strides, offset, (grad) => [grad.flip(axes)]);
}

/**
 * A contiguous copy (gradients flow through).
 * @example
 * clone(x.transpose(0, 1)).isContiguous(); // true
 */
export function clone(x: Tensor): Tensor {
  const backend = backendOf('clone', [x]);
  const out = runKernel(backend, x.shape, x.dtype, [viewOf(x)], (output, [view]) =>
    backend.assign({ ...output, strides: contiguousStrides(output.shape), offset: 0 }, view),
  );
  return recordOp('clone', [x], out, (grad) => [grad]);
}

/** `x` laid out contiguously: a new handle on the same storage when it already is, else a copy. */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return makeView(x, 'contiguous', x.shape, x.strides, x.offset, (grad) => [grad]);
  return clone(x);
}
