/**
 * The WebAssembly paths of gather (32-bit elements) and scatterAdd (float32) — the im2col / col2im
 * steps of core's conv2d and pooling composites and of their gradients (assembly/indexing.ts).
 * Blocks of rows go to the worker pool; each chunk reports an out-of-range index in its own status
 * word, and the first one (in row-major order) becomes the same RangeError as the JS kernels'.
 * scatterAdd splits only where chunks cannot touch the same target element (rows whose target
 * offsets differ in a non-axis dim, or column blocks), and every target element still receives its
 * contributions in row-major order, so results equal the single-threaded (and JS) ones bit for bit.
 */
import type { CpuBuffer } from '../storage/cpu-buffer';
import { MAX_CHUNKS } from '../threads/protocol';
import { PARALLEL_ELEMENTS, type BufferView, type ChunkCall, type SimdKernels } from './simd';
import { contiguousStrides, RowCursor, sizeOf } from './strided';
// RangeError is the Backend contract for an out-of-range index: core re-throws it as a ValueError naming the op.

/** Below this many elements the JavaScript kernels are faster (no WebAssembly call or status words). */
const MIN_ELEMENTS = 64;

/** Per backend: MAX_CHUNKS status words in its heap, allocated on first use and kept (4 KiB). */
const statusBlocks = new WeakMap<SimdKernels, number>();

function statusBlock(simd: SimdKernels): number {
  let block = statusBlocks.get(simd);
  if (block === undefined) {
    block = simd.heap.alloc(MAX_CHUNKS * 4, 'gather/scatterAdd status');
    statusBlocks.set(simd, block);
  }
  return block;
}

/** A chunk's share of a rows × n problem: rows [r0, r1), columns [c0, c1). */
type Block = [r0: number, r1: number, c0: number, c1: number];

/**
 * Split rows × n into chunks: by rows when allowed and there are enough (or columns are not
 * allowed), else by columns (each chunk then takes every row of its columns).
 */
function blocks(simd: SimdKernels, rows: number, n: number, splitRows: boolean, splitColumns: boolean): Block[] {
  const parts = simd.threads > 1 && rows * n >= PARALLEL_ELEMENTS ? 2 * simd.threads : 1;
  const result: Block[] = [];
  if (parts > 1 && splitRows && (rows >= parts || !splitColumns)) {
    const step = Math.ceil(rows / Math.min(rows, parts));
    for (let r = 0; r < rows; r += step) result.push([r, Math.min(rows, r + step), 0, n]);
  } else if (parts > 1 && splitColumns) {
    const step = Math.max(8, Math.ceil(n / parts / 8) * 8);
    for (let c = 0; c < n; c += step) result.push([0, rows, c, Math.min(n, c + step)]);
  } else {
    result.push([0, rows, 0, n]);
  }
  return result;
}

/**
 * Run chunks that each write an out-of-range position to their status word (−1 = none), then throw
 * for the first reported one (blocks are in row-major order of their first element).
 */
function runWithStatus(
  simd: SimdKernels, op: string, parts: Block[], make: (block: Block, status: number) => ChunkCall,
  badIndex: (row: number, column: number) => number, extent: number, axis: number,
): void {
  const status = statusBlock(simd);
  new Int32Array(simd.heap.memory.buffer, status, parts.length).fill(-1);
  simd.runChunks(parts.map((block, index) => make(block, status + index * 4)), op);
  const reports = new Int32Array(simd.heap.memory.buffer, status, parts.length);
  let first: [number, number] | null = null;
  for (let index = 0; index < parts.length; index++) {
    const position = reports[index];
    if (position < 0) continue;
    const [r0, , c0, c1] = parts[index];
    const width = c1 - c0;
    const row = r0 + Math.floor(position / width), column = c0 + (position % width);
    if (!first || row < first[0] || (row === first[0] && column < first[1])) first = [row, column];
  }
  if (first) {
    const [row, column] = first;
    throw new RangeError(`cpu backend: ${op} index ${badIndex(row, column)} is out of range [0, ${extent}) along axis ${axis}`);
  }
}

/**
 * gather of float32 / int32 `x` along `axis` at int32 `index` into `out` (index's shape); true when handled here.
 * @example
 * if (!gatherSimd(simd, x, axis, index, out)) gatherKernel(...); // the JavaScript fallback
 */
export function gatherSimd(simd: SimdKernels, x: BufferView, axis: number, index: BufferView, out: CpuBuffer): boolean {
  const dtype = x.buffer.dtype;
  if ((dtype !== 'float32' && dtype !== 'int32') || out.dtype !== dtype || index.buffer.dtype !== 'int32') return false;
  if (sizeOf(index.shape) < MIN_ELEMENTS) return false;
  const extent = x.shape[axis];
  const axisStride = x.strides[axis];
  // x is walked with index's shape; its stride along `axis` is replaced by the gathered index.
  const xStrides = x.strides.map((stride, dim) => (dim === axis ? 0 : stride));
  const rows = new RowCursor(index.shape, [contiguousStrides(index.shape), index.strides, xStrides], [0, index.offset, x.offset]);
  const { starts, steps, count } = rows;
  if (rows.rows === 0) return true;
  const xBase = x.buffer.ptr, iBase = index.buffer.ptr, oBase = out.ptr;
  const indexData = index.buffer.data as Int32Array;
  if (rows.outerShape.length <= 1) {
    const [, iRow, xRow] = rows.outerStrides.map((strides) => strides[0] ?? 0);
    const [iStart, xStart] = [starts[1], starts[2]];
    runWithStatus(
      simd, 'gather', blocks(simd, rows.rows, count, true, true),
      ([r0, r1, c0, c1], status) => [
        'gatherRows32',
        [oBase + (r0 * count + c0) * 4, count, xBase + (xStart + r0 * xRow + c0 * steps[2]) * 4, xRow, steps[2],
          iBase + (iStart + r0 * iRow + c0 * steps[1]) * 4, iRow, steps[1], axisStride, extent, r1 - r0, c1 - c0, status],
        -1,
      ],
      (row, column) => indexData[iStart + row * iRow + column * steps[1]], extent, axis,
    );
    return true;
  }
  // More than one outer dim: row by row on this thread.
  for (let row = 0; row < rows.rows; row++, rows.next()) {
    const bad = simd.kernels.gatherRow32(oBase + starts[0] * 4, xBase + starts[2] * 4, steps[2], iBase + starts[1] * 4, steps[1], axisStride, extent, count);
    if (bad >= 0) {
      throw new RangeError(`cpu backend: gather index ${indexData[starts[1] + bad * steps[1]]} is out of range [0, ${extent}) along axis ${axis}`);
    }
  }
  return true;
}

/**
 * In-place float32 scatterAdd into the contiguous `target` along `axis`; true when handled here.
 * @example
 * if (!scatterAddSimd(simd, target, shape, axis, index, src)) scatterAddKernel(...); // the JavaScript fallback
 */
export function scatterAddSimd(
  simd: SimdKernels, target: CpuBuffer, targetShape: readonly number[], axis: number, index: BufferView, src: BufferView,
): boolean {
  if (target.dtype !== 'float32' || src.buffer.dtype !== 'float32' || index.buffer.dtype !== 'int32') return false;
  if (sizeOf(index.shape) < MIN_ELEMENTS) return false;
  const targetStrides = contiguousStrides(targetShape);
  const extent = targetShape[axis];
  const axisStride = targetStrides[axis];
  // The target is walked with index's shape, its stride along `axis` zero (the index supplies it).
  const walkStrides = targetStrides.map((stride, dim) => (dim === axis ? 0 : stride));
  const rows = new RowCursor(index.shape, [walkStrides, index.strides, src.strides], [0, index.offset, src.offset]);
  const { starts, steps, count } = rows;
  if (rows.rows === 0) return true;
  const tBase = target.ptr, iBase = index.buffer.ptr, sBase = src.buffer.ptr;
  const indexData = index.buffer.data as Int32Array;
  if (rows.outerShape.length <= 1) {
    const [tRow, iRow, sRow] = rows.outerStrides.map((strides) => strides[0] ?? 0);
    const [tStart, iStart, sStart] = starts;
    // Two rows share target elements only when the outer dim is the axis (target row stride 0); two
    // column blocks only when the row runs along the axis (target step 0). Split only what is disjoint.
    runWithStatus(
      simd, 'scatterAdd', blocks(simd, rows.rows, count, tRow !== 0, steps[0] !== 0),
      ([r0, r1, c0, c1], status) => [
        'scatterAddRowsF32',
        [tBase + (tStart + r0 * tRow + c0 * steps[0]) * 4, tRow, steps[0], iBase + (iStart + r0 * iRow + c0 * steps[1]) * 4, iRow, steps[1],
          sBase + (sStart + r0 * sRow + c0 * steps[2]) * 4, sRow, steps[2], axisStride, extent, r1 - r0, c1 - c0, status],
        -1,
      ],
      (row, column) => indexData[iStart + row * iRow + column * steps[1]], extent, axis,
    );
    return true;
  }
  for (let row = 0; row < rows.rows; row++, rows.next()) {
    const bad = simd.kernels.scatterAddRowF32(
      tBase + starts[0] * 4, steps[0], iBase + starts[1] * 4, steps[1], sBase + starts[2] * 4, steps[2], axisStride, extent, count,
    );
    if (bad >= 0) {
      throw new RangeError(`cpu backend: scatterAdd index ${indexData[starts[1] + bad * steps[1]]} is out of range [0, ${extent}) along axis ${axis}`);
    }
  }
  return true;
}
