/**
 * Joining and splitting: cat, stack, split, chunk, and padding.
 */
import { recordOp } from '../autograd/record';
import { isFloating, resultType } from '../dtype';
import { ShapeError, ValueError } from '../errors';
import { contiguousStrides, formatShape, normalizeDim } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { castIfNeeded, disposeIfTemp } from './cast';
import { tensor } from './creation';
import { backendOf, runKernel, viewOf } from './dispatch';
import { indexSelect } from './indexing';
import { narrow } from './view';

/**
 * Concatenate along `dim` (all other dims must match; dtypes are promoted).
 * @example
 * cat([zeros([2, 3]), ones([1, 3])], 0).shape; // [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!tensors || tensors.length === 0) throw new ValueError('cat: expected a non-empty array of tensors');
  const backend = backendOf('cat', tensors);
  const first = tensors[0];
  if (first.ndim === 0) throw new ShapeError('cat: zero-dimensional tensors cannot be concatenated; unsqueeze them or use stack()');
  const axis = normalizeDim('cat', dim, first.ndim);
  for (const item of tensors) {
    if (item.ndim !== first.ndim || item.shape.some((size, d) => d !== axis && size !== first.shape[d])) {
      throw new ShapeError(
        `cat: shapes ${tensors.map((t) => formatShape(t.shape)).join(', ')} must match in every dim except dim ${dim}`,
      );
    }
  }
  const dtype = resultType(tensors.map((t) => ({ dtype: t.dtype, ndim: t.ndim })));
  const inputs = tensors.map((t) => castIfNeeded(t, dtype));
  const sizes = inputs.map((t) => t.shape[axis]);
  const shape = [...first.shape];
  shape[axis] = sizes.reduce((total, size) => total + size, 0);
  const strides = contiguousStrides(shape);
  try {
    const out = runKernel(backend, shape, dtype, inputs.map(viewOf), (output, views) => {
      let offset = 0;
      views.forEach((view, i) => {
        if (view.shape.every((size) => size > 0)) {
          backend.assign({ id: output.id, dtype, shape: view.shape, strides, offset: offset * strides[axis] }, view);
        }
        offset += sizes[i];
      });
    });
    if (!isFloating(dtype)) return out;
    return recordOp('cat', inputs, out, (grad) => {
      let start = 0;
      return sizes.map((size) => {
        const piece = narrow(grad, axis, start, size);
        start += size;
        return piece;
      });
    });
  } finally {
    inputs.forEach((input, i) => disposeIfTemp(input, tensors[i]));
  }
}

/**
 * Stack equally shaped tensors along a new dim.
 * @example
 * stack([zeros([3]), ones([3])], 0).shape; // [2, 3]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!tensors || tensors.length === 0) throw new ValueError('stack: expected a non-empty array of tensors');
  const shape = tensors[0].shape;
  if (tensors.some((t) => t.shape.length !== shape.length || t.shape.some((size, d) => size !== shape[d]))) {
    throw new ShapeError(`stack: every tensor must have the same shape, got ${tensors.map((t) => formatShape(t.shape)).join(', ')}`);
  }
  const axis = normalizeDim('stack', dim, shape.length + 1);
  const expanded = tensors.map((t) => t.unsqueeze(axis));
  try {
    return cat(expanded, axis);
  } finally {
    for (const t of expanded) t.dispose();
  }
}

/**
 * Split into views along `dim`: pieces of `sizeOrSections` elements (the last may be smaller), or of the listed sizes.
 * @example
 * split(arange(5), 2).map((t) => t.shape); // [[2], [2], [1]]
 */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const axis = normalizeDim('split', dim, x.ndim);
  const total = x.shape[axis];
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections <= 0) throw new ValueError(`split: size must be a positive integer, got ${sizeOrSections}`);
    sizes = [];
    for (let start = 0; start < total; start += sizeOrSections) sizes.push(Math.min(sizeOrSections, total - start));
    if (sizes.length === 0) sizes = [0];
  } else {
    sizes = [...sizeOrSections];
    if (sizes.reduce((sum, size) => sum + size, 0) !== total || sizes.some((size) => !Number.isInteger(size) || size < 0)) {
      throw new ShapeError(`split: sizes ${JSON.stringify(sizes)} must be non-negative integers adding up to ${total} (dim ${dim} of ${formatShape(x.shape)})`);
    }
  }
  let start = 0;
  return sizes.map((size) => {
    const piece = narrow(x, axis, start, size);
    start += size;
    return piece;
  });
}

/**
 * Split into `chunks` pieces of `ceil(size / chunks)` elements along `dim` (fewer when it does not divide).
 * @example
 * chunk(arange(6), 3).length; // 3
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ValueError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const axis = normalizeDim('chunk', dim, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[axis] / chunks)), axis);
}

/** Padding modes of {@link pad}, as PyTorch's `F.pad`. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** Source positions along one padded dim for the index-based modes. */
function padIndex(mode: Exclude<PadMode, 'constant'>, size: number, before: number, after: number): number[] {
  const positions: number[] = [];
  for (let i = -before; i < size + after; i++) {
    if (mode === 'replicate') positions.push(Math.min(Math.max(i, 0), size - 1));
    else if (mode === 'circular') positions.push(((i % size) + size) % size);
    else {
      const period = 2 * (size - 1);
      let j = period === 0 ? 0 : ((i % period) + period) % period;
      if (j >= size) j = period - j;
      positions.push(j);
    }
  }
  return positions;
}

/**
 * Pad (or crop, with negative amounts) the last dims. `pads` lists `[before, after]` pairs starting
 * from the last dim, as PyTorch's `F.pad`: `[left, right, top, bottom]` pads width then height.
 * @example
 * pad(ones([1, 2, 2]), [1, 1, 1, 1]).shape; // [1, 4, 4]
 * pad(x, [2, 2], 'reflect');
 */
export function pad(x: Tensor, pads: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  const backend = backendOf('pad', [x]);
  if (!Array.isArray(pads) || pads.length % 2 !== 0 || pads.length / 2 > x.ndim || !pads.every(Number.isInteger)) {
    throw new ShapeError(`pad: pads ${JSON.stringify(pads)} must be integer [before, after] pairs for at most ${x.ndim} trailing dims of ${formatShape(x.shape)}`);
  }
  const amounts = x.shape.map(() => [0, 0]);
  for (let i = 0; i < pads.length / 2; i++) amounts[x.ndim - 1 - i] = [pads[2 * i], pads[2 * i + 1]];
  if (mode !== 'constant') {
    let current = x;
    amounts.forEach(([before, after], d) => {
      if (before === 0 && after === 0) return;
      const size = x.shape[d];
      if (before < 0 || after < 0 || size === 0 || (mode === 'reflect' && (before >= size || after >= size))) {
        throw new ShapeError(`pad: ${mode} padding (${before}, ${after}) is invalid for dim ${d} of size ${size}`);
      }
      const positions = Int32Array.from(padIndex(mode, size, before, after));
      const positionsTensor = tensor(positions, { device: x.device });
      const next = indexSelect(current, d, positionsTensor);
      positionsTensor.dispose();
      if (current !== x) current.dispose();
      current = next;
    });
    return current === x ? x.clone() : current;
  }
  // Constant mode: crop negative amounts first, then copy into a filled output.
  let source = x;
  amounts.forEach(([before, after], d) => {
    if (before >= 0 && after >= 0) return;
    const start = Math.max(0, -before);
    const length = source.shape[d] - start - Math.max(0, -after);
    if (length < 0) throw new ShapeError(`pad: cropping (${before}, ${after}) is larger than dim ${d} of size ${x.shape[d]}`);
    const cropped = narrow(source, d, start, length);
    if (source !== x) source.dispose();
    source = cropped;
  });
  const shape = source.shape.map((size, d) => size + Math.max(0, amounts[d][0]) + Math.max(0, amounts[d][1]));
  const strides = contiguousStrides(shape);
  const offset = amounts.reduce((total, [before], d) => total + Math.max(0, before) * strides[d], 0);
  const out = runKernel(backend, shape, source.dtype, [viewOf(source)], (output, [view]) => {
    backend.fill(output, value);
    if (source.size > 0) backend.assign({ id: output.id, dtype: output.dtype, shape: source.shape, strides, offset }, view);
  });
  const interior = source.shape;
  const starts = amounts.map(([before]) => Math.max(0, before));
  if (isFloating(out.dtype)) {
    recordOp('pad', [source], out, (grad) => {
      let region = grad;
      starts.forEach((start, d) => {
        if (start === 0 && interior[d] === grad.shape[d]) return;
        const next = narrow(region, d, start, interior[d]);
        region = next;
      });
      return [region === grad ? grad : region];
    });
  }
  if (source !== x) source.dispose();
  return out;
}
