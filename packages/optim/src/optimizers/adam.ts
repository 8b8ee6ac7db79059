/**
 * Adam (with the AMSGrad variant), following PyTorch's `torch.optim.Adam` step for step. The update is
 * shared with {@link AdamW}, which only moves the weight decay out of the gradient.
 */
import { adamStep, keep, zerosLike, type Tensor } from '@tessera/core';
import { checkFused, checkNumber } from '../checks';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type ParamsInput } from '../optimizer';

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions extends OptimizerOptions {
  /** Learning rate γ (default 1e-3). */
  lr: number;
  /** Decay rates (β₁, β₂) of the first and second moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty added to the gradient; AdamW: decoupled decay θ ← θ(1 − γλ) (default 0 / 0.01). */
  weightDecay: number;
  /** Use the running maximum of the second moment (AMSGrad, Reddi et al. 2018). */
  amsgrad: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
  /**
   * Which implementation updates each parameter (PyTorch's `fused`): unset (the default) runs the
   * backend's fused `optimizerStep` kernel when it has one (one pass, no temporaries) and core's
   * composite otherwise; `false` always runs the composite; `true` requires the kernel (an error if missing).
   */
  fused?: boolean;
}

/** @internal The defaults of Adam (AdamW changes `weightDecay`). */
export const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };

/** @internal Option checks shared by Adam and AdamW. */
export function checkAdamOptions(options: AdamOptions, where: string): void {
  checkNumber(where, 'lr', options.lr, { min: 0 });
  checkNumber(where, 'eps', options.eps, { min: 0 });
  checkNumber(where, 'weightDecay', options.weightDecay, { min: 0 });
  const betas: unknown = options.betas;
  if (!Array.isArray(betas) || betas.length !== 2) {
    checkNumber(where, 'betas', betas); // throws with the value described
  }
  checkNumber(where, 'betas[0]', options.betas[0], { min: 0, max: 1, maxExclusive: true });
  checkNumber(where, 'betas[1]', options.betas[1], { min: 0, max: 1, maxExclusive: true });
  checkFused(where, options.fused);
}

/**
 * @internal One Adam step on one parameter (core's `adamStep`: the backend's fused kernel or the composite);
 * `decoupled` applies AdamW's θ ← θ(1 − γλ) instead of the L2 term.
 */
export function adamUpdate(param: Tensor, grad: Tensor, state: ParamState, group: AdamOptions, decoupled: boolean): void {
  const { lr, betas, eps, weightDecay, amsgrad, maximize, fused } = group;
  if (state.step === undefined) {
    state.step = 0;
    state.expAvg = keep(zerosLike(param));
    state.expAvgSq = keep(zerosLike(param));
  }
  // Created lazily too, so a state dict saved without amsgrad still loads into an amsgrad optimizer.
  if (amsgrad) state.maxExpAvgSq ??= keep(zerosLike(param));
  const step = (state.step as number) + 1;
  adamStep(
    param,
    grad,
    { expAvg: state.expAvg as Tensor, expAvgSq: state.expAvgSq as Tensor, maxExpAvgSq: (state.maxExpAvgSq as Tensor | undefined) ?? null },
    { lr, beta1: betas[0], beta2: betas[1], eps, weightDecay, decoupled, amsgrad, maximize, step, fused },
  );
  state.step = step;
}

/**
 * Adam, identical to PyTorch's `torch.optim.Adam`. With t the step count of the parameter:
 *
 * ```text
 * g ← ∇θ (−∇θ when maximize);  g ← g + λθ                      (L2 weight decay)
 * m ← β₁m + (1 − β₁)g;   v ← β₂v + (1 − β₂)g²
 * v̂ ← max(v̂, v) with amsgrad, else v̂ ← v
 * θ ← θ − γ/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
 * ```
 *
 * @example
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
 * loss.backward();
 * optimizer.step();
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, { ...ADAM_DEFAULTS, ...options });
  }

  protected checkOptions(options: AdamOptions, where: string): void {
    checkAdamOptions(options, where);
  }

  protected updateParameter(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdamOptions>): void {
    adamUpdate(param, grad, state, group, false);
  }
}
