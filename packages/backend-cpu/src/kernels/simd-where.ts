/**
 * The WebAssembly path of `where` (assembly/where.ts): 32-bit values (float32 or int32) under a bool
 * mask, each operand contiguous or broadcast (stride 0) along the row; large calls split across the
 * worker pool. Other dtypes and layouts return false and run the JavaScript kernel (where.ts).
 */
import type { CpuBuffer } from '../storage/cpu-buffer';
import { MIN_ROW, type BufferView, type SimdKernels } from './simd';
import { contiguousStrides, RowCursor } from './strided';

/**
 * `out = cond ? a : b`; true when handled here.
 * @example
 * if (!whereSimd(simd, cond, a, b, out)) whereKernel(...); // the JavaScript fallback
 */
export function whereSimd(simd: SimdKernels, cond: BufferView, a: BufferView, b: BufferView, out: CpuBuffer): boolean {
  const dtype = out.dtype;
  if (cond.buffer.dtype !== 'bool' || (dtype !== 'float32' && dtype !== 'int32') || a.buffer.dtype !== dtype || b.buffer.dtype !== dtype) return false;
  const rows = new RowCursor(cond.shape, [contiguousStrides(cond.shape), cond.strides, a.strides, b.strides], [0, cond.offset, a.offset, b.offset]);
  const { starts, steps, count } = rows;
  if (rows.rows === 0) return true;
  if (count < MIN_ROW || steps.some((step, operand) => operand > 0 && step !== 0 && step !== 1)) return false;
  const [, sc, sx, sy] = steps;
  const cBase = cond.buffer.ptr, xBase = a.buffer.ptr, yBase = b.buffer.ptr;
  if (rows.outerShape.length <= 1) {
    const [, cRow, xRow, yRow] = rows.outerStrides.map((strides) => strides[0] ?? 0);
    const calls = simd.splitRows(rows.rows, count, (r0, r1, c0, c1) => [
      'where32',
      [
        out.ptr + (r0 * count + c0) * 4, cBase + starts[1] + r0 * cRow + c0 * sc, cRow, sc, xBase + (starts[2] + r0 * xRow + c0 * sx) * 4, xRow, sx,
        yBase + (starts[3] + r0 * yRow + c0 * sy) * 4, yRow, sy, r1 - r0, c1 - c0,
      ],
      -1,
    ]);
    simd.runChunks(calls, 'where');
    return true;
  }
  for (let row = 0; row < rows.rows; row++, rows.next()) {
    simd.kernels.where32(out.ptr + starts[0] * 4, cBase + starts[1], 0, sc, xBase + starts[2] * 4, 0, sx, yBase + starts[3] * 4, 0, sy, 1, count);
  }
  return true;
}
