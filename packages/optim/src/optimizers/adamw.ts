/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019), as PyTorch's `torch.optim.AdamW`.
 */
import type { Tensor } from '@tessera/core';
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from '../optimizer';
import { ADAM_DEFAULTS, adamUpdate, checkAdamOptions, type AdamOptions } from './adam';

/** Options of {@link AdamW} (those of Adam; `weightDecay` defaults to 0.01). */
export type AdamWOptions = AdamOptions;

/**
 * AdamW, identical to PyTorch's `torch.optim.AdamW`: the weight decay shrinks the parameter directly,
 * `θ ← θ(1 − γλ)`, instead of entering the gradient, so it is not rescaled by Adam's adaptive denominator.
 * The rest of the step is {@link Adam}'s (default `weightDecay` 0.01).
 *
 * @example
 * const optimizer = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 * loss.backward();
 * optimizer.step();
 */
export class AdamW extends Optimizer<AdamWOptions> {
  constructor(params: ParamsInput<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    super('AdamW', params, { ...ADAM_DEFAULTS, weightDecay: 0.01, ...options });
  }

  protected checkOptions(options: AdamWOptions, where: string): void {
    checkAdamOptions(options, where);
  }

  protected updateParameter(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdamWOptions>): void {
    adamUpdate(param, grad, state, group, true);
  }
}
