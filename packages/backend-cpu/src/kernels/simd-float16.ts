/**
 * The WebAssembly path of float16 ↔ float32 conversion (assembly/float16.ts): eight halves per
 * step with integer SIMD, bit-identical to core's `float16BitsToFloat32` / `float32ToFloat16Bits`
 * (round to nearest even, subnormals, ±Inf, NaN → 0x7e00). Large arrays split across the worker pool.
 * kernels/float16.ts uses it to widen float16 operands into float32 temporaries and round results back,
 * and runs add/sub/mul/div/maximum/minimum of contiguous same-shape float16 operands in one fused pass.
 */
import type { CpuBuffer } from '../storage/cpu-buffer';
import { type BufferView, type ChunkCall, type SimdKernels } from './simd';
import { isContiguous, sizeOf } from './strided';
import type { BinaryOp } from '@tessera/core/backend';
import { BackendError } from '@tessera/core';

/** Split [0, n) into chunks for the pool (multiples of 8 elements), one chunk when small. */
function convertChunks(simd: SimdKernels, n: number, name: string, out: number, outBytes: number, x: number, xBytes: number): ChunkCall[] {
  const step = simd.chunkStep(n, n, 8);
  const calls: ChunkCall[] = [];
  for (let start = 0; start < n; start += step) calls.push([name, [out + start * outBytes, x + start * xBytes, Math.min(step, n - start)], -1]);
  return calls;
}

/**
 * Widen `n` binary16 patterns of `bits` (from element `start`) into the float32 buffer `out` (from element 0).
 * @example
 * widenFloat16Simd(simd, halfBuffer, 0, floatTemp, halfBuffer.length); // floatTemp holds the exact values
 */
export function widenFloat16Simd(simd: SimdKernels, bits: CpuBuffer, start: number, out: CpuBuffer, n: number): void {
  if (bits.dtype !== 'float16' || out.dtype !== 'float32' || start < 0 || start + n > bits.length || n > out.length) {
    throw new BackendError(
      `cpu backend: widenFloat16 expects float16 bits [${start}, ${start + n}) of ${bits.length} (${bits.dtype}) into ${out.length} float32 (${out.dtype})`,
    );
  }
  if (n > 0) simd.runChunks(convertChunks(simd, n, 'widenF16', out.ptr, 4, bits.ptr + start * 2, 2), 'float16 widen');
}

/**
 * Round the first `n` float32 values of `values` to binary16 patterns in `out` (from element `start`).
 * @example
 * narrowFloat16Simd(simd, floatTemp, halfBuffer, 0, floatTemp.length); // halfBuffer holds the rounded bits
 */
export function narrowFloat16Simd(simd: SimdKernels, values: CpuBuffer, out: CpuBuffer, start: number, n: number): void {
  if (values.dtype !== 'float32' || out.dtype !== 'float16' || start < 0 || start + n > out.length || n > values.length) {
    throw new BackendError(
      `cpu backend: narrowFloat16 expects ${n} float32 values of ${values.length} (${values.dtype}) into float16 [${start}, ${start + n}) of ${out.length} (${out.dtype})`,
    );
  }
  if (n > 0) simd.runChunks(convertChunks(simd, n, 'narrowF16', out.ptr + start * 2, 2, values.ptr, 4), 'float16 round');
}

const FUSED_BINARY = new Set<BinaryOp>(['add', 'sub', 'mul', 'div', 'maximum', 'minimum']);

/** Whether `view` is a contiguous operand of `shape` whose `n` elements lie in its buffer. */
function fits(view: BufferView, shape: readonly number[], n: number): boolean {
  return view.shape.length === shape.length && view.shape.every((extent, dim) => extent === shape[dim]) && isContiguous(view.shape, view.strides)
    && view.offset >= 0 && view.offset + n <= view.buffer.length;
}

/**
 * float16 `a op b` for contiguous operands of the output's shape, in one pass (widen, the float32 SIMD op,
 * round — the same result as the float32 kernel on widened temporaries, without them); true when handled.
 * @example
 * if (!binaryFloat16Simd(simd, 'add', a, b, out)) adapter.run(...); // broadcast or strided: the adapter
 */
export function binaryFloat16Simd(simd: SimdKernels, op: BinaryOp, a: BufferView, b: BufferView, out: CpuBuffer, shape: readonly number[]): boolean {
  if (!FUSED_BINARY.has(op) || a.buffer.dtype !== 'float16' || b.buffer.dtype !== 'float16' || out.dtype !== 'float16') return false;
  const n = sizeOf(shape);
  if (!fits(a, shape, n) || !fits(b, shape, n) || n > out.length) return false;
  if (n === 0) return true;
  const x = a.buffer.ptr + a.offset * 2, y = b.buffer.ptr + b.offset * 2;
  const step = simd.chunkStep(n, n, 8);
  const calls: ChunkCall[] = [];
  for (let start = 0; start < n; start += step) {
    calls.push([`binaryF16_${op}`, [out.ptr + start * 2, x + start * 2, y + start * 2, Math.min(step, n - start)], -1]);
  }
  simd.runChunks(calls, op);
  return true;
}
