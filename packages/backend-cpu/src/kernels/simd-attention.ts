/**
 * The WebAssembly path of fused attention (assembly/attention.ts) for float32: the call's pointers,
 * sizes, mask strides and scale go into one small parameter block in the heap (a worker chunk has
 * few argument slots), and the work is split across the pool — the forward over (problem, block of
 * 32 queries) items, the backward over problems (each problem's dQ, dK and dV have one writer). Each
 * thread's scratch (the matmul scratch, ~1.8 MB) holds its blocks; a head size too large for it, a
 * non-float32 call or a strided operand returns false and runs the JavaScript kernel (attention.ts).
 */
import type { AttentionParams } from '@tessera/core/backend';
import type { CpuBuffer } from '../storage/cpu-buffer';
import { pointer, type BufferView, type ChunkCall, type SimdKernels } from './simd';
import { isContiguous } from './strided';

/** i32 slots of the parameter block, as assembly/attention.ts reads them (slot 18 holds the f32 scale). */
const SLOT = { q: 0, k: 1, v: 2, mask: 3, out: 4, lse: 5, grad: 6, dq: 7, dk: 8, dv: 9, L: 10, S: 11, E: 12, Ev: 13, maskBh: 14, maskRow: 15, maskCol: 16, causal: 17, scale: 18 } as const;
const PARAM_BYTES = 80;
/** Below this many multiply-adds (L·S·(E + Ev) over all problems) a call runs on one thread. */
const PARALLEL_WORK = 1 << 20;

/** Pointers to write into the parameter block (slot → byte address). */
type Pointers = Partial<Record<'q' | 'k' | 'v' | 'out' | 'lse' | 'grad' | 'dq' | 'dk' | 'dv', number>>;

function allFloat32(views: readonly (BufferView | CpuBuffer | null)[]): boolean {
  return views.every((view) => view === null || ('buffer' in view ? view.buffer.dtype : view.dtype) === 'float32');
}

function contiguous(views: readonly BufferView[]): boolean {
  return views.every((view) => isContiguous(view.shape, view.strides));
}

/** Write the parameter block for a call on `q` `[BH, L, E]` and `v` `[BH, S, Ev]`; returns its address. */
function writeParams(simd: SimdKernels, q: BufferView, v: BufferView, mask: BufferView | null, params: AttentionParams, pointers: Pointers): number {
  const block = simd.heap.alloc(PARAM_BYTES, 'attention parameters');
  const words = new Int32Array(simd.heap.memory.buffer, block, PARAM_BYTES / 4).fill(0);
  for (const [name, address] of Object.entries(pointers)) words[SLOT[name as keyof Pointers]] = address;
  words[SLOT.L] = q.shape[1];
  words[SLOT.S] = v.shape[1];
  words[SLOT.E] = q.shape[2];
  words[SLOT.Ev] = v.shape[2];
  if (mask) {
    words[SLOT.mask] = pointer(mask);
    [words[SLOT.maskBh], words[SLOT.maskRow], words[SLOT.maskCol]] = mask.strides;
  }
  words[SLOT.causal] = params.causal ? 1 : 0;
  new Float32Array(simd.heap.memory.buffer, block, PARAM_BYTES / 4)[SLOT.scale] = params.scale;
  return block;
}

/** Chunk `items` work items for the pool: a few per thread (claimed dynamically), or one chunk when small. */
function chunks(simd: SimdKernels, name: string, params: number, items: number, work: number): ChunkCall[] {
  const parts = simd.threads > 1 && work >= PARALLEL_WORK ? Math.min(items, 4 * simd.threads) : 1;
  const step = Math.ceil(items / parts);
  const calls: ChunkCall[] = [];
  for (let item = 0; item < items; item += step) calls.push([name, [params, item, Math.min(items, item + step), 0], 3]);
  return calls;
}

/**
 * Fused attention forward; true when handled here.
 * @example
 * if (!attentionSimd(simd, q, k, v, null, { scale: 0.125, causal: true }, out, lse)) attentionKernel(...); // the JS fallback
 */
export function attentionSimd(
  simd: SimdKernels, q: BufferView, k: BufferView, v: BufferView, mask: BufferView | null, params: AttentionParams, out: CpuBuffer, lse: CpuBuffer,
): boolean {
  if (!allFloat32([q, k, v, mask, out, lse]) || !contiguous([q, k, v])) return false;
  const [problems, queries, embed] = q.shape;
  const [, keys, valueSize] = v.shape;
  if (simd.kernels.attentionForwardScratchBytes(embed, valueSize) > simd.scratchStride) return false;
  if (problems * queries === 0) return true;
  const block = writeParams(simd, q, v, mask, params, { q: pointer(q), k: pointer(k), v: pointer(v), out: out.ptr, lse: lse.ptr });
  try {
    const items = problems * simd.kernels.attentionQueryBlocks(queries);
    simd.runChunks(chunks(simd, 'attentionForwardF32', block, items, problems * queries * keys * (embed + valueSize)), 'attention');
  } finally {
    simd.heap.release(block, PARAM_BYTES);
  }
  return true;
}

/**
 * Fused attention backward; true when handled here.
 * @example
 * if (!attentionBackwardSimd(simd, grad, q, k, v, null, out, lse, params, dq, dk, dv)) attentionBackwardKernel(...);
 */
export function attentionBackwardSimd(
  simd: SimdKernels, grad: BufferView, q: BufferView, k: BufferView, v: BufferView, mask: BufferView | null, out: BufferView, lse: BufferView,
  params: AttentionParams, dq: CpuBuffer, dk: CpuBuffer, dv: CpuBuffer,
): boolean {
  if (!allFloat32([grad, q, k, v, mask, out, lse, dq, dk, dv]) || !contiguous([grad, q, k, v, out, lse])) return false;
  const [problems, queries, embed] = q.shape;
  const [, keys, valueSize] = v.shape;
  if (simd.kernels.attentionBackwardScratchBytes(embed, valueSize) > simd.scratchStride) return false;
  if (problems === 0) return true;
  const block = writeParams(simd, q, v, mask, params, {
    q: pointer(q), k: pointer(k), v: pointer(v), out: pointer(out), lse: pointer(lse), grad: pointer(grad), dq: dq.ptr, dk: dk.ptr, dv: dv.ptr,
  });
  try {
    simd.runChunks(chunks(simd, 'attentionBackwardF32', block, problems, problems * queries * keys * (embed + valueSize)), 'attentionBackward');
  } finally {
    simd.heap.release(block, PARAM_BYTES);
  }
  return true;
}
