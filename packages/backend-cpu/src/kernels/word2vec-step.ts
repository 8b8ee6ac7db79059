/**
 * The JavaScript word2vec step (float64, and float32 without SIMD): core's shared scalar loop
 * (`word2vecStepRange` of `@tessera/core/backend`) over the backend's typed arrays, examples in order.
 */
import { word2vecStepRange, type BufferRange, type DataArray, type StridedView, type Word2VecStepRequest } from '@tessera/core/backend';
import { DTypeError } from '@tessera/core';

/**
 * Run a whole request on one thread.
 * @example
 * word2vecStepKernel(request, (id) => store.get(id, 'word2vecStep').data);
 */
export function word2vecStepKernel(request: Word2VecStepRequest, lookup: (id: BufferRange['id']) => DataArray): void {
  const { dtype, dim } = request;
  if (dtype !== 'float32' && dtype !== 'float64') throw new DTypeError(`cpu backend: word2vecStep supports float32 and float64, got ${dtype}`);
  const floats = (id: BufferRange['id']) => lookup(id) as Float32Array | Float64Array;
  const view = (v: StridedView) => lookup(v.id).subarray(v.offset);
  word2vecStepRange(
    {
      dim, meanInputs: request.meanInputs, alpha: request.alpha,
      input: floats(request.input.id), inputOffset: request.input.offset,
      output: floats(request.output.id), outputOffset: request.output.offset,
      inputOffsets: view(request.inputOffsets), inputIndex: view(request.inputIndex),
      targetOffsets: view(request.targetOffsets), targetIndex: view(request.targetIndex), targetLabel: view(request.targetLabel),
      loss: request.loss ? floats(request.loss.id) : null,
    },
    0, request.examples, dtype === 'float64' ? new Float64Array(2 * dim) : new Float32Array(2 * dim),
  );
}
