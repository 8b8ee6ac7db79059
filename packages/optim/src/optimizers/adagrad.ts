/**
 * Adagrad, following PyTorch's `torch.optim.Adagrad` step for step.
 */
import { fullLike, keep, type Tensor } from '@tessera/core';
import { checkNumber } from '../checks';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type ParamsInput } from '../optimizer';

/** Options of {@link Adagrad}. */
export interface AdagradOptions extends OptimizerOptions {
  /** Learning rate γ (default 1e-2). */
  lr: number;
  /** Learning-rate decay η: step t uses γ / (1 + (t − 1)η) (default 0). */
  lrDecay: number;
  /** L2 penalty λ: g ← g + λθ (default 0). */
  weightDecay: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

const DEFAULTS: AdagradOptions = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };

/**
 * Adagrad, identical to PyTorch's `torch.optim.Adagrad`. With t the step count of the parameter:
 *
 * ```text
 * g ← ∇θ (−∇θ when maximize);  g ← g + λθ                      (weight decay)
 * γ̃ ← γ / (1 + (t − 1)η)                                      (lr decay)
 * s ← s + g²                                                   (s starts at initialAccumulatorValue)
 * θ ← θ − γ̃ · g / (√s + ε)
 * ```
 *
 * @example
 * const optimizer = new Adagrad(model.parameters(), { lr: 0.1 });
 * loss.backward();
 * optimizer.step();
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, { ...DEFAULTS, ...options });
  }

  protected checkOptions(options: AdagradOptions, where: string): void {
    checkNumber(where, 'lr', options.lr, { min: 0 });
    checkNumber(where, 'lrDecay', options.lrDecay, { min: 0 });
    checkNumber(where, 'weightDecay', options.weightDecay, { min: 0 });
    checkNumber(where, 'initialAccumulatorValue', options.initialAccumulatorValue, { min: 0 });
    checkNumber(where, 'eps', options.eps, { min: 0 });
  }

  protected updateParameter(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    if (state.step === undefined) {
      state.step = 0;
      // PyTorch creates the accumulator with the optimizer; here on the first step, with the group's value.
      state.sum = keep(fullLike(param, group.initialAccumulatorValue));
    }
    const step = (state.step as number) + 1;
    state.step = step;
    let g = maximize ? grad.neg() : grad;
    if (weightDecay !== 0) g = g.add(param.mul(weightDecay));
    const decayedLr = lr / (1 + (step - 1) * lrDecay);
    const sum = state.sum as Tensor;
    sum.assign(sum.add(g.mul(g)));
    param.assign(param.sub(g.div(sum.sqrt().add(eps)).mul(decayedLr)));
  }
}
