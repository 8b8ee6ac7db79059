/**
 * T5's initialisation, Hugging Face's `T5PreTrainedModel._init_weights` (with `initializer_factor`
 * f): embedding (and an untied LM head) N(0, f); `wi`, `wi_0`, `wi_1` N(0, f/√d_model), `wo`
 * N(0, f/√d_ff); attention `q` N(0, f/√(d_model·d_kv)) — the 1/√d_kv the scores leave out —, `k`
 * and `v` N(0, f/√d_model), `o` N(0, f/√(heads·d_kv)), `relative_attention_bias` N(0, f/√d_model);
 * layer norms 1.
 */
import { init, type Embedding, type Linear, type Module } from '@tessera/nn';
import { T5Attention } from './attention';
import { T5DenseActDense } from './block';
import type { ResolvedT5Config } from './config';

/**
 * Re-draw the weights of a T5 model as Hugging Face does.
 * @example
 * initT5Weights(model, model.shared, model.lm_head, config);
 */
export function initT5Weights(model: Module, shared: Embedding, untiedHead: Linear | null, config: ResolvedT5Config): void {
  const f = config.initializerFactor;
  const { dModel, dKv, dFf, numHeads } = config;
  init.normal(shared.weight, 0, f);
  if (untiedHead) init.normal(untiedHead.weight, 0, f);
  for (const module of model.modules()) {
    if (module instanceof T5DenseActDense) {
      for (const wi of [module.wi, module.wi_0, module.wi_1]) if (wi) init.normal(wi.weight, 0, f * dModel ** -0.5);
      init.normal(module.wo.weight, 0, f * dFf ** -0.5);
    } else if (module instanceof T5Attention) {
      init.normal(module.q.weight, 0, f * (dModel * dKv) ** -0.5);
      init.normal(module.k.weight, 0, f * dModel ** -0.5);
      init.normal(module.v.weight, 0, f * dModel ** -0.5);
      init.normal(module.o.weight, 0, f * (numHeads * dKv) ** -0.5);
      if (module.relative_attention_bias) init.normal(module.relative_attention_bias.weight, 0, f * dModel ** -0.5);
    }
  }
}
