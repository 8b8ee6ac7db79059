/**
 * The WebAssembly path of the fused optimizer step (assembly/optimizer-step.ts) for float32 parameters
 * whose gradient is contiguous: SGD (momentum, dampening, Nesterov, weight decay, maximize) and
 * Adam/AdamW (AMSGrad, weight decay, maximize), bit-identical to the JavaScript kernel
 * (optimizer-step.ts) because it runs the same float64 arithmetic in f64x2 lanes. Large parameters
 * split across the worker pool. A gradient stored transposed (the weight of a layer that multiplies by
 * `weight.transpose(0, 1)`, as nn's Linear does) takes the `…TransposedF32` kernels, which read it in
 * 4×4 blocks transposed in registers, sixteen parameter rows at a time (SGD from a 64-byte tile, Adam
 * through a strip in per-thread scratch), with the same per-element update. float64, other strided
 * gradients and invalid ranges return false: the JavaScript kernel then runs (and reports bad requests).
 */
import type { CpuBuffer } from '../storage/cpu-buffer';
import { adamConstants } from './optimizer-step';
import { pointer, type BufferView, type ChunkCall, type SimdKernels } from './simd';
import { isContiguous } from './strided';
import type { BufferRange, OptimizerStepRequest } from '@tessera/core/backend';

/**
 * Run `request` with the SIMD kernels; true when handled here.
 * @example
 * if (!optimizerStepSimd(simd, request, (range) => store.get(range.id, 'optimizerStep'), gradView)) optimizerStepKernel(...);
 */
export function optimizerStepSimd(
  simd: SimdKernels, request: OptimizerStepRequest, lookup: (range: BufferRange) => CpuBuffer, grad: BufferView,
): boolean {
  const { size } = request;
  if (request.dtype !== 'float32' || grad.buffer.dtype !== 'float32') return false;
  const transposed = isContiguous(grad.shape, grad.strides) ? null : transposedMatrix(grad.shape, grad.strides);
  if (!transposed && !isContiguous(grad.shape, grad.strides)) return false;
  if (grad.offset < 0 || grad.offset + size > grad.buffer.length) return false;
  // Adam's strip of STRIP transposed rows must fit the thread's scratch (SGD needs one 64-byte tile).
  if (transposed && request.kind === 'adam' && transposed.cols * STRIP * 4 > simd.scratchStride) return false;
  /** Byte address of a float32 range that holds `size` elements, or −1. */
  const address = (range: BufferRange | null): number => {
    if (!range) return 0;
    const buffer = lookup(range);
    return buffer.dtype === 'float32' && range.offset >= 0 && range.offset + size <= buffer.length ? buffer.ptr + range.offset * 4 : -1;
  };
  const g = pointer(grad);
  const calls: ChunkCall[] = [];
  // Chunks of a multiple of 4 elements; one chunk when small or without a pool.
  const step = simd.chunkStep(size, size, 4);
  if (request.kind === 'sgd') {
    const param = address(request.param), buffer = address(request.momentumBuffer);
    if (param < 0 || buffer < 0) return false;
    const options = (request.weightDecay !== 0 ? 1 : 0) | (request.momentumBuffer ? 2 : 0) | (request.firstStep ? 4 : 0) | (request.nesterov ? 8 : 0);
    const scalars = [request.maximize ? -1 : 1, request.weightDecay, request.lr, request.momentum, 1 - request.dampening];
    if (transposed) {
      for (const [r0, r1] of rowChunks(simd, transposed)) {
        calls.push(['sgdStepTransposedF32', [param, g, buffer, transposed.rows, transposed.cols, r0, r1, options, ...scalars, 0], 13]);
      }
      simd.runChunks(calls, 'optimizerStep');
      return true;
    }
    for (let start = 0; start < size; start += step) {
      const at = start * 4;
      calls.push(['sgdStepF32', [param + at, g + at, buffer && buffer + at, Math.min(step, size - start), options, ...scalars], -1]);
    }
    simd.runChunks(calls, 'optimizerStep');
    return true;
  }
  const param = address(request.param), m = address(request.expAvg), v = address(request.expAvgSq), vmax = address(request.maxExpAvgSq);
  if (param < 0 || m < 0 || v < 0 || vmax < 0) return false;
  const c = adamConstants(request);
  const options = (c.decay !== 1 ? 1 : 0) | (c.l2 !== 0 ? 2 : 0) | (request.maxExpAvgSq ? 4 : 0);
  const scalars = [c.sign, c.decay, c.l2, c.beta1, c.keep1, c.beta2, c.keep2, c.stepSize, c.inverseCorrection2, c.eps];
  if (transposed) {
    for (const [r0, r1] of rowChunks(simd, transposed)) {
      calls.push(['adamStepTransposedF32', [param, g, m, v, vmax, transposed.rows, transposed.cols, r0, r1, options, ...scalars, 0], 20]);
    }
    simd.runChunks(calls, 'optimizerStep');
    return true;
  }
  for (let start = 0; start < size; start += step) {
    const at = start * 4;
    calls.push(['adamStepF32', [param + at, g + at, m + at, v + at, vmax && vmax + at, Math.min(step, size - start), options, ...scalars], -1]);
  }
  simd.runChunks(calls, 'optimizerStep');
  return true;
}

/** Parameter rows the transposed kernels take per strip (assembly/optimizer-step.ts `STRIP`); scratch holds STRIP rows. */
const STRIP = 16;

/** A parameter [rows, cols] whose gradient element (r, c) sits at r + c·rows. */
interface TransposedMatrix {
  readonly rows: number;
  readonly cols: number;
}

/**
 * The parameter as [rows, cols] when the gradient is a matrix stored transposed (size-1 dims aside):
 * strides [1, rows], as `weight.transpose(0, 1)`'s gradient arrives at `weight`. Null for any other layout.
 * @example transposedMatrix([256, 784], [1, 256]) // { rows: 256, cols: 784 }
 */
export function transposedMatrix(shape: readonly number[], strides: readonly number[]): TransposedMatrix | null {
  const dims = shape.flatMap((size, d) => (size === 1 ? [] : [[size, strides[d]] as const]));
  if (dims.length !== 2) return null;
  const [[rows, rowStride], [cols, colStride]] = dims;
  return rowStride === 1 && colStride === rows ? { rows, cols } : null;
}

/** Row ranges [r0, r1) for the worker chunks: multiples of a strip, one range when small or without a pool. */
function rowChunks(simd: SimdKernels, { rows, cols }: TransposedMatrix): [number, number][] {
  const step = simd.chunkStep(rows * cols, rows, STRIP);
  const chunks: [number, number][] = [];
  for (let r0 = 0; r0 < rows; r0 += step) chunks.push([r0, Math.min(rows, r0 + step)]);
  return chunks;
}
