/**
 * BERT's initialisation, Hugging Face's `BertPreTrainedModel._init_weights`: every linear and
 * embedding weight N(0, initializer_range), linear biases 0, the padding row of the word embeddings
 * 0, LayerNorm weight 1 and bias 0 (as constructed), the MLM output bias 0.
 */
import { noGrad } from '@tessera/core';
import { Embedding, init, Linear, type Module } from '@tessera/nn';

/**
 * Re-draw every linear and embedding weight of `model` as Hugging Face's BERT does.
 * @example
 * initBertWeights(model, 0.02);
 */
export function initBertWeights(model: Module, initializerRange: number): void {
  for (const module of model.modules()) {
    if (module instanceof Linear) {
      init.normal(module.weight, 0, initializerRange);
      if (module.bias) init.zeros(module.bias);
    } else if (module instanceof Embedding) {
      init.normal(module.weight, 0, initializerRange);
      if (module.paddingIdx !== null) {
        const row = module.weight.narrow(0, module.paddingIdx, 1);
        noGrad(() => row.assign(0));
        row.dispose();
      }
    }
  }
}
