/**
 * Strided-index iteration shared by every kernel.
 *
 * A kernel describes each operand by strides over one common shape (the output's). The helpers
 * first collapse the problem — size-1 dims are dropped and neighbouring dims merged when every
 * operand steps through them as one — so a fully contiguous (or uniformly broadcast) operation
 * becomes a single row. Kernels then run a tight loop over the innermost dim ("row") with one
 * stride per operand; stride 0 is a broadcast, negative strides walk backwards. Only the outer
 * dims go through the general N-d odometer.
 */

/** A host array seen through view metadata (all in elements). */
export interface ArrayView {
  readonly data: DataArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

// Shape arithmetic and dimension collapsing are core's (one definition for every backend).
import { isContiguous } from '@tessera/core';
import { type DataArray, collapseDims, contiguousStrides, sizeOf } from '@tessera/core/backend';
export { contiguousStrides, isContiguous, sizeOf };

/**
 * Called once per innermost row: `starts[k]` is operand k's offset of the row's first element,
 * `count` the row length and `steps[k]` operand k's stride along the row.
 */
export type RowVisitor = (starts: readonly number[], count: number, steps: readonly number[]) => void;

/**
 * Closure-free row iteration: after {@link collapseDims}, `rows` rows of `count` elements; operand k's
 * row starts at `starts[k]` and steps `steps[k]` along the row. Call {@link RowCursor.next} after each
 * row. Hot kernels use this instead of {@link forEachRow} so no callback is allocated or called per
 * row and their loops stay in one function (monomorphic element accesses).
 * @example
 * const rows = new RowCursor([2, 3], [[3, 1], [0, 1]], [0, 0]); // x [2, 3] plus a broadcast row
 * for (let row = 0; row < rows.rows; row++, rows.next()) console.log(rows.starts); // [0, 0] then [3, 0]
 */
export class RowCursor {
  /** Number of rows (0 for an empty shape). */
  readonly rows: number;
  /** Elements per row. */
  readonly count: number;
  /** Per operand: stride along the row. */
  readonly steps: number[];
  /** Per operand: offset of the current row's first element. */
  readonly starts: number[];
  /** Per operand: collapsed strides of the outer dims. */
  readonly outerStrides: number[][];
  /** Collapsed extents of the outer dims. */
  readonly outerShape: number[];
  private readonly counters: number[];

  constructor(shape: readonly number[], strideSets: readonly (readonly number[])[], offsets: readonly number[]) {
    const operands = strideSets.length;
    this.starts = offsets.slice();
    if (sizeOf(shape) === 0) {
      this.rows = 0;
      this.count = 0;
      this.steps = new Array<number>(operands).fill(0);
      this.outerShape = [];
      this.outerStrides = strideSets.map(() => []);
      this.counters = [];
      return;
    }
    const collapsed = collapseDims(shape, strideSets);
    const dims = collapsed.shape.length;
    if (dims === 0) {
      this.count = 1;
      this.steps = new Array<number>(operands).fill(0);
    } else {
      this.count = collapsed.shape[dims - 1];
      this.steps = collapsed.strides.map((strides) => strides[dims - 1]);
    }
    this.outerShape = collapsed.shape.slice(0, Math.max(dims - 1, 0));
    this.outerStrides = collapsed.strides.map((strides) => strides.slice(0, Math.max(dims - 1, 0)));
    this.rows = sizeOf(this.outerShape);
    this.counters = new Array<number>(this.outerShape.length).fill(0);
  }

  /** Advance `starts` to the next row (an N-d odometer over the outer dims). */
  next(): void {
    const { counters, outerShape, outerStrides, starts } = this;
    const operands = starts.length;
    for (let dim = outerShape.length - 1; dim >= 0; dim--) {
      if (++counters[dim] < outerShape[dim]) {
        for (let op = 0; op < operands; op++) starts[op] += outerStrides[op][dim];
        return;
      }
      counters[dim] = 0;
      for (let op = 0; op < operands; op++) starts[op] -= outerStrides[op][dim] * (outerShape[dim] - 1);
    }
  }
}

/**
 * Visit every row of `shape` (after {@link collapseDims}) in row-major order for several operands.
 * A contiguous problem is a single call; a 0-d shape is one row of length 1; an empty shape no call.
 * @example
 * // out = a + b for contiguous out, strided a, b:
 * forEachRow(shape, [outStrides, a.strides, b.strides], [0, a.offset, b.offset], (starts, count, steps) => {
 *   for (let i = 0; i < count; i++) out[starts[0] + i] = a.data[starts[1] + i * steps[1]] + b.data[starts[2] + i * steps[2]];
 * });
 */
export function forEachRow(
  shape: readonly number[],
  strideSets: readonly (readonly number[])[],
  offsets: readonly number[],
  visit: RowVisitor,
): void {
  const cursor = new RowCursor(shape, strideSets, offsets);
  for (let row = 0; row < cursor.rows; row++, cursor.next()) visit(cursor.starts, cursor.count, cursor.steps);
}

/**
 * Visit every position of `shape` (row-major) with each operand's element offset — for kernels
 * whose unit of work is a whole line along another axis (cumsum, argmax, softmax).
 * @example
 * forEachPosition([2, 2], [[2, 1]], [0], (starts) => console.log(starts[0])); // 0 1 2 3
 */
export function forEachPosition(
  shape: readonly number[],
  strideSets: readonly (readonly number[])[],
  offsets: readonly number[],
  visit: (starts: readonly number[]) => void,
): void {
  const positions = offsets.slice();
  const operands = offsets.length;
  forEachRow(shape, strideSets, offsets, (starts, count, steps) => {
    for (let op = 0; op < operands; op++) positions[op] = starts[op];
    for (let i = 0; i < count; i++) {
      visit(positions);
      for (let op = 0; op < operands; op++) positions[op] += steps[op];
    }
  });
}

/**
 * Split a view into the dims other than `axis` and the axis itself, for line-wise kernels.
 * @example
 * withoutAxis([2, 3, 4], [12, 4, 1], 1); // { shape: [2, 4], strides: [12, 1], extent: 3, step: 4 }
 */
export function withoutAxis(
  shape: readonly number[],
  strides: readonly number[],
  axis: number,
): { shape: number[]; strides: number[]; extent: number; step: number } {
  return {
    shape: shape.filter((_, dim) => dim !== axis),
    strides: strides.filter((_, dim) => dim !== axis),
    extent: shape[axis],
    step: strides[axis],
  };
}

/**
 * The view's elements as a contiguous row-major array: the backing array itself (a subarray)
 * when the view already is contiguous, else a copy of the same type.
 * @example
 * toContiguous({ data: new Float32Array([1, 2, 3, 4]), shape: [2, 2], strides: [1, 2], offset: 0 }); // [1, 3, 2, 4]
 */
export function toContiguous(view: ArrayView): DataArray {
  const size = sizeOf(view.shape);
  if (isContiguous(view.shape, view.strides)) return view.data.subarray(view.offset, view.offset + size);
  const out = new (view.data.constructor as new (length: number) => DataArray)(size);
  const src = view.data;
  forEachRow(view.shape, [contiguousStrides(view.shape), view.strides], [0, view.offset], (starts, count, steps) => {
    const outStart = starts[0];
    const step = steps[1];
    let at = starts[1];
    for (let i = 0; i < count; i++, at += step) out[outStart + i] = src[at];
  });
  return out;
}
