/**
 * The WebAssembly path of `cast` (assembly/cast.ts) for contiguous rows: float32, int32, bool and
 * float64 conversions with the JavaScript kernel's rules (cast.ts), bit for bit; large calls split
 * across the worker pool. Strided rows and other dtype pairs return false and run the JS kernel.
 */
import type { CpuBuffer } from '../storage/cpu-buffer';
import { bytesPerElement } from '../storage/cpu-buffer';
import { MIN_ROW, type BufferView, type SimdKernels } from './simd';
import { contiguousStrides, RowCursor } from './strided';
import type { DType } from '@tessera/core/backend';

/** The kernel export for each `from>to` pair. */
const CAST_KERNELS: Partial<Record<`${DType}>${DType}`, `cast${string}To${string}`>> = {
  'float32>int32': 'castF32ToI32',
  'float32>bool': 'castF32ToBool',
  'float32>float64': 'castF32ToF64',
  'int32>float32': 'castI32ToF32',
  'int32>bool': 'castI32ToBool',
  'int32>float64': 'castI32ToF64',
  'bool>float32': 'castBoolToF32',
  'bool>int32': 'castBoolToI32',
  'float64>float32': 'castF64ToF32',
  'float64>int32': 'castF64ToI32',
};

/**
 * Convert `x` into `out` (of another dtype); true when handled here.
 * @example
 * if (!castSimd(simd, x, out)) castKernel(...); // the JavaScript fallback
 */
export function castSimd(simd: SimdKernels, x: BufferView, out: CpuBuffer): boolean {
  const name = CAST_KERNELS[`${x.buffer.dtype}>${out.dtype}`];
  if (!name) return false;
  const rows = new RowCursor(x.shape, [contiguousStrides(x.shape), x.strides], [0, x.offset]);
  const { starts, steps, count } = rows;
  if (rows.rows === 0) return true;
  if (count < MIN_ROW || steps[1] !== 1) return false;
  const inBytes = bytesPerElement(x.buffer.dtype), outBytes = bytesPerElement(out.dtype);
  const xBase = x.buffer.ptr, oBase = out.ptr;
  if (rows.outerShape.length <= 1) {
    const xRow = rows.outerStrides[1][0] ?? 0;
    const calls = simd.splitRows(rows.rows, count, (r0, r1, c0, c1) => [
      name, [oBase + (r0 * count + c0) * outBytes, xBase + (starts[1] + r0 * xRow + c0) * inBytes, xRow, r1 - r0, c1 - c0], -1,
    ]);
    simd.runChunks(calls, 'cast');
    return true;
  }
  const kernel = simd.kernels[name];
  for (let row = 0; row < rows.rows; row++, rows.next()) kernel(oBase + starts[0] * outBytes, xBase + starts[1] * inBytes, 0, 1, count);
  return true;
}
