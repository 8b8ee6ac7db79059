/**
 * Shape arithmetic shared by core and every backend: sizes, strides, broadcasting, dim normalisation.
 */
import { ShapeError } from './errors';

/**
 * Number of elements of a shape (1 for a 0-d shape).
 * @example
 * sizeOf([2, 3]); // 6
 */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/**
 * Row-major strides of a contiguous tensor of `shape`, in elements.
 * @example
 * contiguousStrides([2, 3, 4]); // [12, 4, 1]
 */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= Math.max(shape[i], 1);
  }
  return strides;
}

/**
 * Whether `strides` describe the row-major layout of `shape` (size-1 dims may have any stride).
 * @example
 * isContiguous([2, 3], [3, 1]); // true
 */
export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 0) return true;
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/**
 * The lowest and highest element index a strided layout reaches (`[0, -1]` when it has no elements).
 * Negative strides reach below the offset, so both ends are needed to bounds-check or overlap-check a view.
 * @example
 * elementSpan({ shape: [2, 3], strides: [3, -1], offset: 2 }); // [0, 5]
 */
export function elementSpan(view: { readonly shape: readonly number[]; readonly strides: readonly number[]; readonly offset: number }): [number, number] {
  if (view.shape.some((extent) => extent === 0)) return [0, -1];
  let low = view.offset;
  let high = view.offset;
  view.shape.forEach((extent, dim) => {
    const reach = (extent - 1) * view.strides[dim];
    if (reach < 0) low += reach;
    else high += reach;
  });
  return [low, high];
}

/** The result of {@link collapseDims}: a shorter shape and, per operand, strides over it. */
export interface CollapsedDims {
  readonly shape: number[];
  readonly strides: number[][];
}

/**
 * Simplify an iteration space before a kernel walks it: size-1 dims are dropped and dim `d` is merged
 * into the previous kept dim when every operand has `strides[prev] === strides[d] · shape[d]`, so a
 * contiguous or uniformly broadcast operation becomes rank 1. Element order is unchanged. Every
 * operand's strides have `shape`'s rank. Backends call this once per kernel launch.
 * @example
 * collapseDims([2, 3, 4], [[12, 4, 1], [0, 0, 1]]); // { shape: [6, 4], strides: [[4, 1], [0, 1]] }
 */
export function collapseDims(shape: readonly number[], strides: readonly (readonly number[])[]): CollapsedDims {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let dim = 0; dim < shape.length; dim++) {
    const extent = shape[dim];
    if (extent === 1) continue;
    const last = outShape.length - 1;
    // A plain loop: this runs on every kernel call of the CPU backend.
    let mergeable = last >= 0;
    for (let k = 0; mergeable && k < strides.length; k++) {
      if (outStrides[k][last] !== strides[k][dim] * extent) mergeable = false;
    }
    if (mergeable) {
      outShape[last] *= extent;
      for (let k = 0; k < strides.length; k++) outStrides[k][last] = strides[k][dim];
    } else {
      outShape.push(extent);
      for (let k = 0; k < strides.length; k++) outStrides[k].push(strides[k][dim]);
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Formats a shape for error messages.
 * @example
 * formatShape([2, 3]); // '[2, 3]'
 */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * The broadcast shape of several shapes (NumPy/PyTorch rules), or a ShapeError naming `op`.
 * @example
 * broadcastShapes('add', [2, 1, 3], [4, 1]); // [2, 4, 3]
 */
export function broadcastShapes(op: string, ...shapes: (readonly number[])[]): number[] {
  const ndim = Math.max(0, ...shapes.map((shape) => shape.length));
  const result = new Array<number>(ndim).fill(1);
  for (let i = 0; i < ndim; i++) {
    for (const shape of shapes) {
      const dim = shape[shape.length - ndim + i] ?? 1;
      if (dim === 1) continue;
      if (result[i] !== 1 && result[i] !== dim) {
        throw new ShapeError(
          `${op}: shapes ${shapes.map(formatShape).join(' and ')} cannot be broadcast: ` +
            `at dim ${i - ndim} sizes ${result[i]} and ${dim} differ and neither is 1`,
        );
      }
      result[i] = dim;
    }
  }
  return result;
}

/**
 * A dim index in `[0, ndim)` from one in `[-ndim, ndim)`, or a ShapeError naming `op`.
 * @example
 * normalizeDim('sum', -1, 3); // 2
 */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  const limit = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -limit || dim >= limit) {
    throw new ShapeError(`${op}: dim ${dim} is out of range for a tensor of rank ${ndim} (expected an integer in [${-limit}, ${limit - 1}])`);
  }
  return dim < 0 ? dim + limit : dim;
}

/** Normalised, sorted, unique dims; `undefined` means every dim. Duplicates are an error; a 0-d tensor has none. */
export function normalizeDims(op: string, dims: number | readonly number[] | undefined, ndim: number): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  const normalized = list.map((dim) => normalizeDim(op, dim, ndim));
  const unique = [...new Set(normalized)].sort((a, b) => a - b);
  if (unique.length !== normalized.length) {
    throw new ShapeError(`${op}: dim ${JSON.stringify(list)} repeats a dimension`);
  }
  // A 0-d tensor accepts dim 0 / −1 (as PyTorch) but has no axis to reduce or flip.
  return ndim === 0 ? [] : unique;
}

/** Validates a user-supplied shape: an array of non-negative integers. */
export function checkShape(op: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isInteger(dim) && dim >= 0)) {
    throw new ShapeError(`${op}: shape ${JSON.stringify(shape)} must be an array of non-negative integers`);
  }
  return [...shape];
}

/** Whether two shapes are equal. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}
