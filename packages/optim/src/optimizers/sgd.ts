/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum, L2 weight decay and maximize,
 * following PyTorch's `torch.optim.SGD` step for step.
 */
import { ValueError, indexAdd_, keep, sgdStep, zerosLike, type RowSparseGrad, type Tensor } from '@tessera/core';
import { checkFused, checkNumber } from '../checks';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type ParamsInput } from '../optimizer';

/** Options of {@link SGD}. */
export interface SGDOptions extends OptimizerOptions {
  /** Learning rate η (default 1e-3, PyTorch's). */
  lr: number;
  /** Momentum factor μ ∈ [0, 1) — the course's β (default 0: plain gradient descent). */
  momentum: number;
  /** Dampening τ: the new gradient enters the buffer with weight 1 − τ (default 0). */
  dampening: number;
  /** Nesterov momentum: step along g + μv instead of v (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** L2 penalty λ: g ← g + λθ (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
  /**
   * Which implementation updates each parameter (PyTorch's `fused`): unset (the default) runs the
   * backend's fused `optimizerStep` kernel when it has one and core's composite otherwise; `false`
   * always runs the composite; `true` requires the kernel (an error if missing).
   */
  fused?: boolean;
}

const DEFAULTS: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false };

/**
 * Stochastic gradient descent (optionally with momentum), identical to PyTorch's `torch.optim.SGD`:
 *
 * ```text
 * g ← ∇θ (−∇θ when maximize);  g ← g + λθ                      (weight decay)
 * v ← g on the first step, else v ← μv + (1 − τ)g               (momentum buffer)
 * g ← g + μv if nesterov, else g ← v
 * θ ← θ − ηg
 * ```
 *
 * **Momentum and the course.** The course describes momentum as stepping along a weighted sum of the past
 * steps, `step(n) + β·step(n−1) + β²·step(n−2) + …`. PyTorch keeps that sum in a buffer updated by
 * `v ← μv + g`: unrolled (τ = 0), `v_n = g_n + μg_{n−1} + μ²g_{n−2} + …`, so with a constant η the update
 * `−ηv_n` is exactly the course's sum of steps `−ηg_k` with β = μ. The course's other form,
 * `v ← μv − η∇L, w ← w + v`, is the same trajectory while η is constant (its v is −η times PyTorch's);
 * when a schedule changes η, PyTorch applies the new η to the whole buffer. Dampening τ scales the new
 * gradient by 1 − τ (τ = μ makes the buffer an exponential moving average, after the first step).
 *
 * @example
 * const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * optimizer.zeroGrad();
 * loss.backward();
 * optimizer.step();
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super('SGD', params, { ...DEFAULTS, ...options });
  }

  protected checkOptions(options: SGDOptions, where: string): void {
    checkNumber(where, 'lr', options.lr, { min: 0 });
    checkNumber(where, 'momentum', options.momentum, { min: 0 });
    checkNumber(where, 'dampening', options.dampening);
    checkNumber(where, 'weightDecay', options.weightDecay, { min: 0 });
    if (options.nesterov && (options.momentum <= 0 || options.dampening !== 0)) {
      throw new ValueError(
        `${where}: Nesterov momentum requires a momentum > 0 and zero dampening (got momentum ${options.momentum}, dampening ${options.dampening})`,
      );
    }
    checkFused(where, options.fused);
  }

  protected updateParameter(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, nesterov, weightDecay, maximize, fused } = group;
    let buffer = (state.momentumBuffer as Tensor | undefined) ?? null;
    const firstStep = momentum !== 0 && buffer === null;
    if (firstStep) buffer = keep(zerosLike(param)); // filled with the first direction by the step
    try {
      sgdStep(param, grad, momentum !== 0 ? buffer : null, { lr, momentum, dampening, nesterov, weightDecay, maximize, firstStep, fused });
    } catch (error) {
      if (firstStep) buffer?.dispose();
      throw error;
    }
    if (firstStep) state.momentumBuffer = buffer!;
  }

  /** A row-sparse gradient moves only its rows: θ[i] ← θ[i] − η·g (plain SGD; momentum and weight decay would touch every row). */
  protected override updateParameterSparse(param: Tensor, sparse: RowSparseGrad, _state: ParamState, group: ParamGroup<SGDOptions>): void {
    if (group.momentum !== 0 || group.weightDecay !== 0) {
      throw new ValueError(
        `SGD: a row-sparse gradient (parameter of shape [${param.shape.join(', ')}]) supports neither momentum (${group.momentum}) ` +
          `nor weightDecay (${group.weightDecay}); set both to 0 for the sparse parameters (a separate parameter group)`,
      );
    }
    indexAdd_(param, 0, sparse.indices, sparse.values, { alpha: group.maximize ? group.lr : -group.lr });
  }
}
