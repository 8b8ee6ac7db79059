import { accumulateRowF32, foldRowF32 } from './float32';
import { contiguousStrides, forEachPosition, RowCursor, sizeOf, withoutAxis, type ArrayView } from './strided';
import type { DataArray, DType, ReduceOp } from '@tessera/core/backend';

/**
 * Reduce `x` over `axes` into the contiguous `out` (shape = x's shape without `axes`).
 * sum/prod/max/min walk x in memory order (dims sorted by |stride|) and accumulate in a float64
 * scratch indexed with stride 0 along reduced dims, so both "reduce the inner dim" and "reduce the
 * outer dim" run as tight contiguous loops. int32 sum/prod wrap; max/min propagate NaN.
 * argmax/argmin (one axis) return the first extreme; NaN counts as the extreme (as PyTorch).
 * @example
 * const x = { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2], strides: [2, 1], offset: 0 };
 * const out = new Float32Array(2);
 * reduceKernel('sum', x, [1], out, 'float32'); // [3, 7]
 */
export function reduceKernel(op: ReduceOp, x: ArrayView, axes: readonly number[], out: DataArray, dtype: DType): void {
  if (op === 'argmax' || op === 'argmin') {
    argReduce(op === 'argmax', x, axes[0], out);
    return;
  }
  const rank = x.shape.length;
  const reduced = new Array<boolean>(rank).fill(false);
  for (const axis of axes) reduced[axis] = true;
  const outShape = x.shape.filter((_, dim) => !reduced[dim]);
  const outStrides = contiguousStrides(outShape);
  // Accumulator strides over x's dims: the output's strides, 0 along reduced dims.
  const accStrides: number[] = [];
  let kept = 0;
  for (let dim = 0; dim < rank; dim++) accStrides.push(reduced[dim] ? 0 : outStrides[kept++]);
  const outSize = sizeOf(outShape);
  const isInt = dtype === 'int32';
  const identity = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
  const acc = new Float64Array(outSize).fill(identity);
  // Memory order: largest |stride| outermost, so the innermost loop is the densest.
  const order = Array.from({ length: rank }, (_, dim) => dim).sort(
    (p, q) => Math.abs(x.strides[q]) - Math.abs(x.strides[p]) || p - q,
  );
  const shape = order.map((dim) => x.shape[dim]);
  const src = x.data;
  const rows = new RowCursor(shape, [order.map((dim) => accStrides[dim]), order.map((dim) => x.strides[dim])], [0, x.offset]);
  const { starts, steps, count } = rows;
  if (src instanceof Float32Array && op !== 'prod') {
    // Float32 sum/max/min: the monomorphic loops of float32.ts (see there for why).
    for (let row = 0; row < rows.rows; row++, rows.next()) {
      const a = starts[0];
      if (steps[0] === 0) acc[a] = foldRowF32(op, acc[a], src, starts[1], steps[1], count);
      else accumulateRowF32(op, acc, a, steps[0], src, starts[1], steps[1], count);
    }
  } else {
    for (let row = 0; row < rows.rows; row++, rows.next()) reduceRow(op, isInt, acc, starts[0], steps[0], src, starts[1], steps[1], count);
  }
  if (out instanceof Float32Array) {
    for (let i = 0; i < outSize; i++) out[i] = acc[i]; // a store site that only sees Float32Array
  } else {
    for (let i = 0; i < outSize; i++) out[i] = acc[i];
  }
}

/** Reduce one row into the accumulators `acc[a + k·sa]` (stride 0: one accumulator) for any dtype. */
function reduceRow(
  op: ReduceOp, isInt: boolean, acc: Float64Array, a: number, sa: number, src: DataArray, j: number, sx: number, n: number,
): void {
  if (sa === 0) {
    // The row folds into one accumulator: keep it in a local.
    let value = acc[a];
    switch (op) {
      case 'sum':
        if (isInt) for (let i = 0; i < n; i++, j += sx) value = (value + src[j]) | 0;
        else for (let i = 0; i < n; i++, j += sx) value += src[j];
        break;
      case 'prod':
        if (isInt) for (let i = 0; i < n; i++, j += sx) value = Math.imul(value, src[j]);
        else for (let i = 0; i < n; i++, j += sx) value *= src[j];
        break;
      case 'max':
        for (let i = 0; i < n; i++, j += sx) {
          const v = src[j];
          if (v > value || v !== v) value = v;
          if (value !== value) break;
        }
        break;
      case 'min':
        for (let i = 0; i < n; i++, j += sx) {
          const v = src[j];
          if (v < value || v !== v) value = v;
          if (value !== value) break;
        }
        break;
    }
    acc[a] = value;
    return;
  }
  switch (op) {
    case 'sum':
      if (isInt) for (let i = 0; i < n; i++, a += sa, j += sx) acc[a] = (acc[a] + src[j]) | 0;
      else for (let i = 0; i < n; i++, a += sa, j += sx) acc[a] += src[j];
      break;
    case 'prod':
      if (isInt) for (let i = 0; i < n; i++, a += sa, j += sx) acc[a] = Math.imul(acc[a], src[j]);
      else for (let i = 0; i < n; i++, a += sa, j += sx) acc[a] *= src[j];
      break;
    case 'max':
      for (let i = 0; i < n; i++, a += sa, j += sx) {
        const v = src[j];
        if (v > acc[a] || v !== v) acc[a] = v;
      }
      break;
    case 'min':
      for (let i = 0; i < n; i++, a += sa, j += sx) {
        const v = src[j];
        if (v < acc[a] || v !== v) acc[a] = v;
      }
      break;
  }
}

/** argmax/argmin along one axis: one pass per output line, first index of the extreme wins. */
function argReduce(isMax: boolean, x: ArrayView, axis: number, out: DataArray): void {
  const line = withoutAxis(x.shape, x.strides, axis);
  const src = x.data;
  const { extent, step } = line;
  let write = 0;
  forEachPosition(line.shape, [line.strides], [x.offset], (starts) => {
    let at = starts[0];
    let best = src[at];
    let bestIndex = 0;
    if (best === best) {
      at += step;
      for (let i = 1; i < extent; i++, at += step) {
        const v = src[at];
        if (v !== v) {
          bestIndex = i;
          break;
        }
        if (isMax ? v > best : v < best) {
          best = v;
          bestIndex = i;
        }
      }
    }
    out[write++] = bestIndex;
  });
}
