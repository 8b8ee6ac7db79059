/**
 * The float32 SIMD matrix product (assembly/matmul.ts `sgemm` and `sgemmBiasActivation`) and how a
 * batched call is cut into worker chunks: whole products per batch, and rows (multiples of 4) or
 * columns (multiples of 8) of each product when the pool needs more chunks than there are batches.
 */
import type { CpuBuffer } from '../storage/cpu-buffer';
import { pointer, type BufferView, type ChunkCall, type SimdKernels } from './simd';
import { FUSED_ACTIVATIONS, type FusedActivation } from '@tessera/core/backend';

/** Below this many multiply-adds a matmul runs on one thread (waking workers costs ~10–50 µs). */
const PARALLEL_MATMUL_MACS = 1 << 20;

/** The argument slot of both gemm exports that receives the thread's scratch. */
const SCRATCH_SLOT = 11;

/**
 * float32 `activation(a · b + bias)` for a `[B, M, K]`, b `[B, K, N]` → out `[B, M, N]` (`bias` a
 * contiguous `[N]` view or null; with neither bias nor activation, the plain `sgemm`). The bias and
 * activation are applied to each tile as it is stored after the last depth block. False when an
 * operand is not float32 or the bias not unit-stride (the caller runs the JavaScript kernel).
 * @example
 * gemmSimd(simd, a, b, null, 'none', out); // out = a · b
 */
export function gemmSimd(simd: SimdKernels, a: BufferView, b: BufferView, bias: BufferView | null, activation: FusedActivation, out: CpuBuffer): boolean {
  if (a.buffer.dtype !== 'float32' || b.buffer.dtype !== 'float32' || out.dtype !== 'float32') return false;
  if (bias && (bias.buffer.dtype !== 'float32' || (bias.strides[0] !== 1 && bias.shape[0] > 1))) return false;
  const [batch, m, k] = a.shape;
  const n = b.shape[2];
  if (batch === 0 || m === 0 || n === 0) return true;
  const fused = bias !== null || activation !== 'none';
  const name = fused ? 'sgemmBiasActivation' : 'sgemm';
  const biasPtr = bias ? pointer(bias) : 0;
  const code = FUSED_ACTIVATIONS.indexOf(activation); // the activation codes of assembly/matmul.ts
  const calls: ChunkCall[] = [];
  // Bias and activation follow the scratch slot, so both kernels take the same leading arguments;
  // a column chunk's bias pointer starts at its first column.
  const push = (args: number[], firstColumn: number): void => {
    if (fused) args.push(bias ? biasPtr + firstColumn * 4 : 0, code);
    calls.push([name, args, SCRATCH_SLOT]);
  };
  const [sab, rsa, csa] = a.strides;
  const [sbb, rsb, csb] = b.strides;
  const aPtr = pointer(a);
  const bPtr = pointer(b);
  const threads = simd.threads;
  const parallel = threads > 1 && batch * m * n * k >= PARALLEL_MATMUL_MACS;
  let parts = 1;
  if (parallel && batch < 2 * threads) parts = Math.ceil((2 * threads) / batch);
  const splitRows = m >= n;
  const extent = splitRows ? m : n;
  const unit = splitRows ? 4 : 8;
  const step = Math.max(unit, Math.ceil(extent / parts / unit) * unit);
  for (let index = 0; index < batch; index++) {
    const aBase = aPtr + index * sab * 4;
    const bBase = bPtr + index * sbb * 4;
    const cBase = out.ptr + index * m * n * 4;
    for (let start = 0; start < extent; start += step) {
      const size = Math.min(step, extent - start);
      if (splitRows) push([size, n, k, aBase + start * rsa * 4, rsa, csa, bBase, rsb, csb, cBase + start * n * 4, n, 0], 0);
      else push([m, size, k, aBase, rsa, csa, bBase + start * csb * 4, rsb, csb, cBase + start * 4, n, 0], start);
    }
  }
  simd.runChunks(calls, fused ? 'matmulBiasActivation' : 'matmul');
  return true;
}
