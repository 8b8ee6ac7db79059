/**
 * SparseAdam: Adam for row-sparse gradients (an `Embedding` with `sparse: true`), following PyTorch's
 * `torch.optim.SparseAdam`: the moments and the parameter move only in the rows the gradient touches,
 * so a step costs the rows of a batch, not the whole table.
 */
import { ValueError, indexAdd_, keep, ones, tensor, unique, zeros, zerosLike, type RowSparseGrad, type Tensor } from '@tessera/core';
import { checkNumber } from '../checks';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type ParamsInput } from '../optimizer';

/** Options of {@link SparseAdam}. */
export interface SparseAdamOptions extends OptimizerOptions {
  /** Learning rate γ (default 1e-3). */
  lr: number;
  /** Decay rates (β₁, β₂) of the moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

const DEFAULTS: SparseAdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, maximize: false };

/**
 * Adam restricted to the touched rows, identical to PyTorch's `SparseAdam`: with the gradient coalesced
 * (repeated rows summed) into rows R and values g, and t the parameter's step count,
 * ```text
 * m[R] ← β₁·m[R] + (1 − β₁)·g;   v[R] ← β₂·v[R] + (1 − β₂)·g²
 * θ[R] ← θ[R] − γ·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m[R] / (√v[R] + ε)
 * ```
 * Rows the gradient does not touch keep their moments (they do not decay). Only row-sparse gradients
 * are accepted (as PyTorch): give dense parameters to another optimizer.
 * @example
 * const embed = new Embedding(50_000, 128, { sparse: true });
 * const optimizer = new SparseAdam(embed.parameters(), { lr: 0.01 });
 * loss.backward();
 * optimizer.step();
 * optimizer.zeroGrad();
 */
export class SparseAdam extends Optimizer<SparseAdamOptions> {
  constructor(params: ParamsInput<SparseAdamOptions>, options: Partial<SparseAdamOptions> = {}) {
    super('SparseAdam', params, { ...DEFAULTS, ...options });
  }

  protected checkOptions(options: SparseAdamOptions, where: string): void {
    checkNumber(where, 'lr', options.lr, { min: 0 });
    checkNumber(where, 'eps', options.eps, { min: 0 });
    const betas: unknown = options.betas;
    if (!Array.isArray(betas) || betas.length !== 2) checkNumber(where, 'betas', betas);
    checkNumber(where, 'betas[0]', options.betas[0], { min: 0, max: 1, maxExclusive: true });
    checkNumber(where, 'betas[1]', options.betas[1], { min: 0, max: 1, maxExclusive: true });
  }

  protected updateParameter(param: Tensor): void {
    throw new ValueError(
      `SparseAdam: parameter of shape [${param.shape.join(', ')}] has a dense gradient; SparseAdam takes only row-sparse gradients ` +
        '(an Embedding with sparse: true). Give dense parameters to Adam in a second optimizer',
    );
  }

  protected override updateParameterSparse(param: Tensor, sparse: RowSparseGrad, state: ParamState, group: ParamGroup<SparseAdamOptions>): void {
    const { lr, betas: [beta1, beta2], eps, maximize } = group;
    if (state.step === undefined) {
      state.step = 0;
      state.expAvg = keep(zerosLike(param));
      state.expAvgSq = keep(zerosLike(param));
    }
    const step = (state.step as number) + 1;
    state.step = step;
    const expAvg = state.expAvg as Tensor, expAvgSq = state.expAvgSq as Tensor;
    const { rows, values, touched } = coalesce(param, sparse);
    const g = maximize ? values.neg() : values;
    const oldM = expAvg.indexSelect(0, rows), oldV = expAvgSq.indexSelect(0, rows);
    let updateM = g.sub(oldM).mul(1 - beta1);
    let updateV = g.mul(g).sub(oldV).mul(1 - beta2);
    if (touched) {
      updateM = updateM.mul(touched);
      updateV = updateV.mul(touched);
    }
    indexAdd_(expAvg, 0, rows, updateM);
    indexAdd_(expAvgSq, 0, rows, updateV);
    const numerator = updateM.add(oldM);
    const denominator = updateV.add(oldV).sqrt().add(eps);
    const stepSize = (lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
    const change = numerator.div(denominator);
    indexAdd_(param, 0, rows, touched ? change.mul(touched) : change, { alpha: -stepSize });
  }
}

/**
 * The gradient with each row once (values of repeated rows summed), as PyTorch's `coalesce()`. Indices
 * are read on the host where the backend reads synchronously; elsewhere the gradient is densified over
 * every row, with `touched` (1 for a touched row, else 0, `[rows, 1, …]`) masking the update to its rows.
 */
function coalesce(param: Tensor, sparse: RowSparseGrad): { rows: Tensor; values: Tensor; touched: Tensor | null } {
  if (sparse.indices.canReadSync) {
    const { values: rows, inverse } = unique(sparse.indices, { returnInverse: true });
    const summed = zeros([rows.shape[0], ...param.shape.slice(1)], { dtype: param.dtype, device: param.device });
    indexAdd_(summed, 0, inverse!, sparse.values);
    return { rows, values: summed, touched: null };
  }
  const dense = zerosLike(param);
  indexAdd_(dense, 0, sparse.indices, sparse.values);
  const hits = zeros([param.shape[0]], { dtype: param.dtype, device: param.device });
  indexAdd_(hits, 0, sparse.indices, ones([sparse.indices.shape[0]], { dtype: param.dtype, device: param.device }));
  const touched = hits.gt(0).cast(param.dtype).reshape([param.shape[0], ...param.shape.slice(1).map(() => 1)]);
  return { rows: tensor(Int32Array.from({ length: param.shape[0] }, (_, i) => i), { device: param.device }), values: dense, touched };
}
