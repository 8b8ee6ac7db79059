/**
 * The WebAssembly path of maxPool2d / avgPool2d (assembly/pool2d.ts) for contiguous float32 inputs,
 * bit-identical to the JavaScript kernels (pool2d.ts); blocks of planes (N·C) go to the worker pool.
 * Strided inputs and other dtypes return false and run the JS kernels. (The backward passes core
 * records are scatterAdd — see simd-indexing.ts.)
 */
import type { CpuBuffer } from '../storage/cpu-buffer';
import { pointer, type BufferView, type ChunkCall, type SimdKernels } from './simd';
import { isContiguous, sizeOf } from './strided';
import type { Pool2dParams } from '@tessera/core/backend';

/** Below this many input elements the JavaScript kernels are as fast (no chunk setup). */
const MIN_ELEMENTS = 256;

/** Blocks of planes, one chunk each: enough for the pool when the input is large. */
function planeBlocks(simd: SimdKernels, planes: number, planeSize: number, make: (first: number, count: number) => ChunkCall): ChunkCall[] {
  const step = simd.chunkStep(planes * planeSize, planes, 1);
  const calls: ChunkCall[] = [];
  for (let first = 0; first < planes; first += step) calls.push(make(first, Math.min(step, planes - first)));
  return calls;
}

/** The window arguments shared by both kernels: kernel, stride, padding, dilation. */
function windowArgs(params: Pool2dParams): number[] {
  return [params.kernelSize[0], params.kernelSize[1], params.stride[0], params.stride[1], params.padding[0], params.padding[1], params.dilation[0], params.dilation[1]];
}

/**
 * Max pooling of x `[N, C, H, W]` into out and int32 indices `[N, C, OH, OW]`; true when handled here.
 * @example
 * if (!maxPool2dSimd(simd, x, params, out, outShape, indices)) maxPool2dKernel(...); // the JS fallback
 */
export function maxPool2dSimd(
  simd: SimdKernels, x: BufferView, params: Pool2dParams, out: CpuBuffer, outShape: readonly number[], indices: CpuBuffer,
): boolean {
  if (x.buffer.dtype !== 'float32' || out.dtype !== 'float32' || indices.dtype !== 'int32' || !isContiguous(x.shape, x.strides)) return false;
  if (sizeOf(x.shape) < MIN_ELEMENTS) return false;
  const [batch, channels, height, width] = x.shape;
  const [, , outH, outW] = outShape;
  const planes = batch * channels;
  if (planes === 0 || outH === 0 || outW === 0) return true;
  const xPtr = pointer(x);
  const window = windowArgs(params);
  const calls = planeBlocks(simd, planes, height * width, (first, count) => [
    'maxPool2dPlanes',
    [xPtr + first * height * width * 4, count, height, width, ...window, outH, outW, out.ptr + first * outH * outW * 4, indices.ptr + first * outH * outW * 4],
    -1,
  ]);
  simd.runChunks(calls, 'maxPool2d');
  return true;
}

/**
 * Average pooling of x `[N, C, H, W]` into out `[N, C, OH, OW]`; true when handled here.
 * @example
 * if (!avgPool2dSimd(simd, x, params, out, outShape)) avgPool2dKernel(...); // the JS fallback
 */
export function avgPool2dSimd(simd: SimdKernels, x: BufferView, params: Pool2dParams, out: CpuBuffer, outShape: readonly number[]): boolean {
  if (x.buffer.dtype !== 'float32' || out.dtype !== 'float32' || !isContiguous(x.shape, x.strides)) return false;
  if (sizeOf(x.shape) < MIN_ELEMENTS) return false;
  const [batch, channels, height, width] = x.shape;
  const [, , outH, outW] = outShape;
  const planes = batch * channels;
  if (planes === 0 || outH === 0 || outW === 0) return true;
  const xPtr = pointer(x);
  const window = windowArgs(params);
  const include = params.countIncludePad ? 1 : 0;
  const divisor = params.divisorOverride ?? 0; // core guarantees an override is > 0
  const calls = planeBlocks(simd, planes, height * width, (first, count) => [
    'avgPool2dPlanes',
    [xPtr + first * height * width * 4, count, height, width, ...window, outH, outW, include, divisor, out.ptr + first * outH * outW * 4],
    -1,
  ]);
  simd.runChunks(calls, 'avgPool2d');
  return true;
}
