/**
 * The WebAssembly path of `cumsum` (assembly/cumsum.ts) for contiguous float32 and int32 inputs, in
 * the JavaScript kernel's order and precision (float64 running sums for float32), so results are
 * bit-identical to cumsum.ts. Along the last axis, blocks of rows go to the worker pool; along another
 * axis, blocks of outer indices or of inner columns do. Strided inputs return false (JS kernel).
 */
import type { CpuBuffer } from '../storage/cpu-buffer';
import { pointer, type BufferView, type ChunkCall, type SimdKernels } from './simd';
import { isContiguous, sizeOf } from './strided';

/**
 * Inclusive cumulative sum of `x` along `axis` into `out`; true when handled here.
 * @example
 * if (!cumsumSimd(simd, x, axis, out)) cumsumKernel(...); // the JavaScript fallback
 */
export function cumsumSimd(simd: SimdKernels, x: BufferView, axis: number, out: CpuBuffer): boolean {
  const dtype = x.buffer.dtype;
  if ((dtype !== 'float32' && dtype !== 'int32') || out.dtype !== dtype || x.shape.length === 0) return false;
  if (!isContiguous(x.shape, x.strides)) return false;
  const size = sizeOf(x.shape);
  if (size === 0) return true;
  const extent = x.shape[axis];
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const xPtr = pointer(x);
  const calls: ChunkCall[] = [];
  if (inner === 1) {
    // Lines are rows: blocks of rows (multiples of 4, the kernel's interleave).
    const name = dtype === 'float32' ? 'cumsumRowsF32' : 'cumsumRowsI32';
    const step = simd.chunkStep(size, outer, 4);
    for (let r = 0; r < outer; r += step) calls.push([name, [out.ptr + r * extent * 4, xPtr + r * extent * 4, Math.min(step, outer - r), extent], -1]);
    simd.runChunks(calls, 'cumsum');
    return true;
  }
  // Lines are columns of [outer, extent, inner]: blocks of outer indices or of inner columns.
  const blocks = simd.splitOuterInner(outer, inner, size);
  const plane = extent * inner * 4;
  if (dtype === 'int32') {
    for (const [o0, o1, c0, c1] of blocks) calls.push(['cumsumColsI32', [out.ptr + o0 * plane, xPtr + o0 * plane, o1 - o0, extent, inner, c0, c1], -1]);
    simd.runChunks(calls, 'cumsum');
    return true;
  }
  // float32: each chunk keeps its float64 running sums in its own slice of one scratch block.
  const widest = Math.max(...blocks.map(([, , c0, c1]) => c1 - c0));
  const scratchBytes = blocks.length * widest * 8;
  const scratch = simd.heap.alloc(scratchBytes, 'cumsum scratch');
  try {
    blocks.forEach(([o0, o1, c0, c1], index) => {
      calls.push(['cumsumColsF32', [out.ptr + o0 * plane, xPtr + o0 * plane, o1 - o0, extent, inner, c0, c1, scratch + index * widest * 8], -1]);
    });
    simd.runChunks(calls, 'cumsum');
  } finally {
    simd.heap.release(scratch, scratchBytes);
  }
  return true;
}
