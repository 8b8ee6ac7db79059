/**
 * The WebAssembly path of softmax / logSoftmax along a dim other than the last (assembly/softmax-axis.ts)
 * for contiguous float32 inputs: the lines are columns of [outer, extent, inner], processed by
 * streaming whole rows with per-column running values in scratch. Blocks of outer indices (or of inner
 * columns) go to the worker pool. The last axis is SimdKernels.softmax; strided inputs return false
 * and run the JavaScript kernel (softmax.ts).
 */
import type { CpuBuffer } from '../storage/cpu-buffer';
import { pointer, type BufferView, type ChunkCall, type SimdKernels } from './simd';
import { isContiguous, sizeOf } from './strided';

/**
 * Softmax (or log-softmax) of `x` along `axis` (not the last) into `out`; true when handled here.
 * @example
 * if (!softmaxAxisSimd(simd, x, 0, out, false)) softmaxKernel(...); // the JavaScript fallback
 */
export function softmaxAxisSimd(simd: SimdKernels, x: BufferView, axis: number, out: CpuBuffer, log: boolean): boolean {
  const rank = x.shape.length;
  if (x.buffer.dtype !== 'float32' || out.dtype !== 'float32' || axis >= rank - 1 || !isContiguous(x.shape, x.strides)) return false;
  const size = sizeOf(x.shape);
  const extent = x.shape[axis];
  if (size === 0 || extent === 0) return true;
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const xPtr = pointer(x);
  const plane = extent * inner * 4;
  const blocks = simd.splitOuterInner(outer, inner, size);
  // Per chunk: a float32 max and factor per column, then (16-byte aligned) a float64 sum per column.
  const widest = Math.max(...blocks.map(([, , c0, c1]) => c1 - c0));
  const chunkBytes = 16 * widest + 16;
  const scratch = simd.heap.alloc(blocks.length * chunkBytes, 'softmax scratch');
  try {
    const flag = log ? 1 : 0;
    const calls: ChunkCall[] = blocks.map(([o0, o1, c0, c1], index) => [
      'softmaxColumns', [out.ptr + o0 * plane, xPtr + o0 * plane, o1 - o0, extent, inner, c0, c1, flag, scratch + index * chunkBytes], -1,
    ]);
    simd.runChunks(calls, log ? 'logSoftmax' : 'softmax');
  } finally {
    simd.heap.release(scratch, blocks.length * chunkBytes);
  }
  return true;
}
