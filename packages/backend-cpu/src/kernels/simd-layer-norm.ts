/**
 * The WebAssembly path of layerNorm (assembly/layer-norm.ts) for contiguous float32 rows with
 * contiguous (or absent) weight and bias: float64 statistics in the JavaScript kernel's order, so
 * bit-identical to layer-norm.ts; blocks of rows (multiples of 4, the kernel's interleave) go to the
 * worker pool. Other layouts and dtypes return false and run the JS kernel.
 */
import type { CpuBuffer } from '../storage/cpu-buffer';
import { pointer, type BufferView, type ChunkCall, type SimdKernels } from './simd';
import { isContiguous, sizeOf } from './strided';

/**
 * Layer normalisation over the trailing `normalizedSize` elements; true when handled here.
 * @example
 * if (!layerNormSimd(simd, x, weight, bias, 1024, 1e-5, out, mean, rstd)) layerNormKernel(...); // the JS fallback
 */
export function layerNormSimd(
  simd: SimdKernels, x: BufferView, weight: BufferView | null, bias: BufferView | null, normalizedSize: number, eps: number,
  out: CpuBuffer, mean: CpuBuffer, rstd: CpuBuffer,
): boolean {
  if (x.buffer.dtype !== 'float32' || out.dtype !== 'float32' || mean.dtype !== 'float32' || rstd.dtype !== 'float32') return false;
  if (!isContiguous(x.shape, x.strides)) return false;
  for (const operand of [weight, bias]) {
    if (operand && (operand.buffer.dtype !== 'float32' || !isContiguous(operand.shape, operand.strides))) return false;
  }
  if (normalizedSize === 0) return true;
  const size = sizeOf(x.shape);
  const rows = size / normalizedSize;
  const step = simd.chunkStep(size, rows, 4);
  const xPtr = pointer(x), weightPtr = weight ? pointer(weight) : 0, biasPtr = bias ? pointer(bias) : 0;
  const calls: ChunkCall[] = [];
  for (let r = 0; r < rows; r += step) {
    const offset = r * normalizedSize * 4;
    calls.push(['layerNormRows', [xPtr + offset, Math.min(step, rows - r), normalizedSize, weightPtr, biasPtr, eps, out.ptr + offset, mean.ptr + r * 4, rstd.ptr + r * 4], -1]);
  }
  simd.runChunks(calls, 'layerNorm');
  return true;
}
