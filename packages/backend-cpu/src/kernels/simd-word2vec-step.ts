/**
 * The WebAssembly path of the word2vec step (assembly/word2vec-step.ts) for float32 matrices: the whole
 * batch runs inside WebAssembly, a dot product, σ and one fused row pass per target. With `threads` > 1
 * the examples split into one contiguous block per thread, run side by side on the worker pool without
 * locks — Hogwild, as word2vec.c's threads update shared matrices — so results then depend on timing;
 * with one thread the examples run in order and the result is deterministic.
 */
import type { CpuBuffer } from '../storage/cpu-buffer';
import type { ChunkCall, SimdKernels } from './simd';
import type { BufferRange, StridedView, Word2VecStepRequest } from '@tessera/core/backend';

/** Fewest examples per block worth a thread (a block costs a wake-up and a cache warm-up). */
const MIN_EXAMPLES_PER_THREAD = 256;

/**
 * Run `request` with the SIMD kernel; true when handled here (float32 only).
 * @example
 * if (!word2vecStepSimd(simd, request, (id) => store.get(id, 'word2vecStep'))) word2vecStepKernel(...);
 */
export function word2vecStepSimd(simd: SimdKernels, request: Word2VecStepRequest, lookup: (id: BufferRange['id']) => CpuBuffer): boolean {
  if (request.dtype !== 'float32') return false;
  const { dim, examples } = request;
  if (examples === 0) return true;
  const matrix = (range: BufferRange) => lookup(range.id).ptr + range.offset * 4;
  const array = (view: StridedView) => lookup(view.id).ptr + view.offset * 4;
  const input = matrix(request.input), output = matrix(request.output);
  const offsetsIn = array(request.inputOffsets), indexIn = array(request.inputIndex);
  const offsetsOut = array(request.targetOffsets), indexOut = array(request.targetIndex), labels = array(request.targetLabel);
  const loss = request.loss ? lookup(request.loss.id).ptr : 0;
  const threads = Math.max(1, Math.min(request.threads, simd.threads, Math.floor(examples / MIN_EXAMPLES_PER_THREAD)));
  const block = Math.ceil(examples / threads);
  const calls: ChunkCall[] = [];
  for (let first = 0; first < examples; first += block) {
    const last = Math.min(examples, first + block);
    calls.push([
      'word2vecStepF32',
      [input, output, dim, offsetsIn, indexIn, offsetsOut, indexOut, labels, first, last, request.meanInputs ? 1 : 0, request.alpha, loss, 0],
      13,
    ]);
  }
  simd.runChunks(calls, 'word2vecStep');
  return true;
}
