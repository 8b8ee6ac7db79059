/**
 * RMSprop (with momentum and the centered variant), following PyTorch's `torch.optim.RMSprop` step for step.
 */
import { keep, zerosLike, type Tensor } from '@tessera/core';
import { checkNumber } from '../checks';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type ParamsInput } from '../optimizer';

/** Options of {@link RMSprop}. */
export interface RMSpropOptions extends OptimizerOptions {
  /** Learning rate γ (default 1e-2). */
  lr: number;
  /** Smoothing constant α of the squared-gradient average (default 0.99). */
  alpha: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** L2 penalty λ: g ← g + λθ (default 0). */
  weightDecay: number;
  /** Momentum factor μ (default 0). */
  momentum: number;
  /** Normalise by an estimate of the gradient's variance instead of its second moment (default false). */
  centered: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

const DEFAULTS: RMSpropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };

/**
 * RMSprop, identical to PyTorch's `torch.optim.RMSprop`:
 *
 * ```text
 * g ← ∇θ (−∇θ when maximize);  g ← g + λθ                      (weight decay)
 * v ← αv + (1 − α)g²
 * centered: ḡ ← αḡ + (1 − α)g;  d ← √(v − ḡ²) + ε;   else d ← √v + ε
 * momentum μ > 0: b ← μb + g/d;  θ ← θ − γb;          else θ ← θ − γg/d
 * ```
 *
 * @example
 * const optimizer = new RMSprop(model.parameters(), { lr: 0.01, momentum: 0.9 });
 * loss.backward();
 * optimizer.step();
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, { ...DEFAULTS, ...options });
  }

  protected checkOptions(options: RMSpropOptions, where: string): void {
    checkNumber(where, 'lr', options.lr, { min: 0 });
    checkNumber(where, 'alpha', options.alpha, { min: 0 });
    checkNumber(where, 'eps', options.eps, { min: 0 });
    checkNumber(where, 'weightDecay', options.weightDecay, { min: 0 });
    checkNumber(where, 'momentum', options.momentum, { min: 0 });
  }

  protected updateParameter(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    if (state.step === undefined) {
      state.step = 0;
      state.squareAvg = keep(zerosLike(param));
    }
    state.step = (state.step as number) + 1;
    let g = maximize ? grad.neg() : grad;
    if (weightDecay !== 0) g = g.add(param.mul(weightDecay));
    const squareAvg = state.squareAvg as Tensor;
    squareAvg.assign(squareAvg.mul(alpha).add(g.mul(g).mul(1 - alpha)));
    let denominator: Tensor;
    if (centered) {
      state.gradAvg ??= keep(zerosLike(param));
      const gradAvg = state.gradAvg as Tensor;
      gradAvg.assign(gradAvg.mul(alpha).add(g.mul(1 - alpha)));
      denominator = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt().add(eps);
    } else {
      denominator = squareAvg.sqrt().add(eps);
    }
    if (momentum > 0) {
      state.momentumBuffer ??= keep(zerosLike(param));
      const buffer = state.momentumBuffer as Tensor;
      buffer.assign(buffer.mul(momentum).add(g.div(denominator)));
      param.assign(param.sub(buffer.mul(lr)));
    } else {
      param.assign(param.sub(g.div(denominator).mul(lr)));
    }
  }
}
