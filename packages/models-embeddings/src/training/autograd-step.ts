/**
 * The framework path of Word2Vec and FastText: the same examples as the fused `word2vecStep`, trained
 * as an ordinary model — two `nn.Embedding` tables with row-sparse gradients, the negative-sampling /
 * hierarchical-softmax loss written with tensor ops (binary cross-entropy on h·o), `backward()` and
 * SGD on the touched rows. It runs on any backend (WebGPU included) with no kernel of its own; examples
 * go in mini-batches (one gradient per batch) rather than one at a time, and the input rows receive the
 * exact gradient of the mean (word2vec.c adds the unscaled error to each CBOW input instead).
 */
import { noGrad, tensor, tidy, type Word2VecBatch } from '@tessera/core';
import { F, type Embedding } from '@tessera/nn';
import type { SGD } from '@tessera/optim';

/** The two tables and their optimizer. */
export interface AutogradModel {
  readonly input: Embedding;
  readonly output: Embedding;
  readonly optimizer: SGD;
}

/**
 * Train on one batch of examples in mini-batches of `batchSize`; returns the summed loss (a number)
 * when `computeLoss`, else null.
 * @example
 * autogradStep(model, examples.view(), { alpha: 0.025, meanInputs: true, batchSize: 1024, computeLoss: false });
 */
export async function autogradStep(
  model: AutogradModel, batch: Word2VecBatch, options: { alpha: number; meanInputs: boolean; batchSize: number; computeLoss: boolean },
): Promise<number | null> {
  const examples = batch.inputOffsets.length - 1;
  const device = model.input.weight.device;
  const dtype = model.input.weight.dtype;
  let total = options.computeLoss ? 0 : null;
  for (const group of model.optimizer.paramGroups) group.lr = options.alpha;
  for (let first = 0; first < examples; first += options.batchSize) {
    const last = Math.min(examples, first + options.batchSize);
    const size = last - first;
    let inputWidth = 0, targetWidth = 0;
    for (let e = first; e < last; e++) {
      inputWidth = Math.max(inputWidth, batch.inputOffsets[e + 1] - batch.inputOffsets[e]);
      targetWidth = Math.max(targetWidth, batch.targetOffsets[e + 1] - batch.targetOffsets[e]);
    }
    if (inputWidth === 0 || targetWidth === 0) continue;
    // Padded slots: row 0 with weight 0 (inputs) or mask 0 (targets), so they add nothing.
    const inputRows = new Int32Array(size * inputWidth), inputWeights = new Float32Array(size * inputWidth);
    const targetRows = new Int32Array(size * targetWidth), labels = new Float32Array(size * targetWidth), mask = new Float32Array(size * targetWidth);
    for (let e = first; e < last; e++) {
      const row = e - first;
      const inputStart = batch.inputOffsets[e], inputs = batch.inputOffsets[e + 1] - inputStart;
      for (let k = 0; k < inputs; k++) {
        inputRows[row * inputWidth + k] = batch.inputIndex[inputStart + k];
        inputWeights[row * inputWidth + k] = options.meanInputs ? 1 / inputs : 1;
      }
      const targetStart = batch.targetOffsets[e], targets = batch.targetOffsets[e + 1] - targetStart;
      for (let k = 0; k < targets; k++) {
        targetRows[row * targetWidth + k] = batch.targetIndex[targetStart + k];
        labels[row * targetWidth + k] = batch.targetLabel[targetStart + k];
        mask[row * targetWidth + k] = inputs > 0 ? 1 : 0;
      }
    }
    const loss = tidy(() => {
      const ints = (values: Int32Array, shape: number[]) => tensor(values, { dtype: 'int32', device }).reshape(shape);
      const floats = (values: Float32Array, shape: number[]) => tensor(values, { dtype: 'float32', device }).cast(dtype).reshape(shape);
      const hidden = model.input.forward(ints(inputRows, [size, inputWidth])).mul(floats(inputWeights, [size, inputWidth, 1])).sum(1);
      const vectors = model.output.forward(ints(targetRows, [size, targetWidth]));
      const logits = vectors.mul(hidden.unsqueeze(1)).sum(2);
      const value = F.binaryCrossEntropyWithLogits(logits, floats(labels, [size, targetWidth]), { weight: floats(mask, [size, targetWidth]), reduction: 'sum' });
      value.backward();
      return noGrad(() => value.detach());
    });
    model.optimizer.step();
    model.optimizer.zeroGrad();
    if (total !== null) total += await loss.item();
    loss.dispose();
  }
  return total;
}
