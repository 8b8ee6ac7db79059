import { copyRowF32 } from './float32';
import { contiguousStrides, RowCursor, toContiguous, type ArrayView } from './strided';

/** The [first, last] element offsets a view touches. */
function span(view: ArrayView): [number, number] {
  let low = view.offset;
  let high = view.offset;
  for (let dim = 0; dim < view.shape.length; dim++) {
    const reach = (view.shape[dim] - 1) * view.strides[dim];
    if (reach < 0) low += reach;
    else high += reach;
  }
  return [low, high];
}

/**
 * Copy `src` element-wise into the strided view `dst` (same shape); the backbone of `contiguous`,
 * `cat`, `pad` and in-place updates. The values are converted by the typed-array store only.
 * @example
 * const dst = { data: new Float32Array(4), shape: [2, 2], strides: [1, 2], offset: 0 }; // column-major
 * const src = { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2], strides: [2, 1], offset: 0 };
 * assignKernel(dst, src); // dst.data = [1, 3, 2, 4]
 */
export function assignKernel(dst: ArrayView, src: ArrayView): void {
  const target = dst.data;
  let input = src.data;
  let srcStrides = src.strides;
  let srcOffset = src.offset;
  // Views of one array that overlap: read from a snapshot so every read sees the old values.
  if (input === target && input.length > 0) {
    const [dstLow, dstHigh] = span(dst);
    const [srcLow, srcHigh] = span(src);
    if (dstLow <= srcHigh && srcLow <= dstHigh) {
      input = toContiguous(src).slice();
      srcStrides = contiguousStrides(src.shape);
      srcOffset = 0;
    }
  }
  const rows = new RowCursor(dst.shape, [dst.strides, srcStrides], [dst.offset, srcOffset]);
  const { starts, count } = rows;
  const sd = rows.steps[0];
  const ss = rows.steps[1];
  const sameType = target.constructor === input.constructor;
  for (let row = 0; row < rows.rows; row++, rows.next()) {
    let i = starts[0];
    let j = starts[1];
    if (sd === 1 && ss === 1 && sameType) {
      target.set(input.subarray(j, j + count) as never, i);
    } else if (target instanceof Float32Array && input instanceof Float32Array) {
      // The monomorphic loop of float32.ts (see there for why).
      copyRowF32(target, i, sd, input, j, ss, count);
    } else {
      for (let k = 0; k < count; k++, i += sd, j += ss) target[i] = input[j];
    }
  }
}
