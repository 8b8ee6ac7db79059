/**
 * Cholesky factorization A = L Lᵀ of symmetric positive-definite matrices, column by column
 * (the left-looking algorithm) as a composite of core ops, batched. Backward stable for SPD input.
 * A matrix that is not positive definite gives NaN from its first non-positive pivot on (PyTorch
 * raises; a composite that never reads back cannot — see `choleskyEx`'s info).
 */
import { recordOp } from '../autograd/record';
import { noGrad } from '../autograd/grad-mode';
import { tidy } from '../memory/scope';
import { where } from '../ops/binary';
import type { Tensor } from '../tensor/tensor';
import { checkSquare, constant, mT, positions } from './common';
import { solve } from './solve';

/** The factor and LAPACK's info (0, or the 1-based order of the first leading minor that is not positive definite). */
export interface CholeskyExResult {
  L: Tensor;
  info: Tensor;
}

function factor(A: Tensor): CholeskyExResult {
  const n = A.shape[A.ndim - 1];
  const rows = positions(A, n, [n]);
  let info = constant(A, [0], [], 'int32');
  let L = A.mul(0); // columns filled so far (the rest zero)
  for (let j = 0; j < n; j++) {
    // c = A[:, j] − L[:, :j] L[j, :j]ᵀ, then L[:, j] = c / √c_j from the diagonal down.
    const rowJ = L.narrow(-2, j, 1); // (*, 1, n)
    const c = A.select(-1, j).sub(L.matmul(mT(rowJ)).squeeze(-1)); // (*, n)
    const pivot = c.narrow(-1, j, 1); // (*, 1)
    const notPositive = pivot.le(0).logicalOr(pivot.ne(pivot)).squeeze(-1);
    info = where(info.eq(0).logicalAnd(notPositive), j + 1, info);
    const column = where(rows.ge(j), c.div(pivot.sqrt()), 0);
    L = L.add(where(rows.eq(j), column.unsqueeze(-1), 0)); // into column j
  }
  return { L, info };
}

function choleskyChecked(A: Tensor, upper: boolean): CholeskyExResult {
  const n = checkSquare('cholesky', A);
  const { L, info } = noGrad(() => tidy(() => (n === 0 ? { L: A.clone(), info: constant(A, [0], [], 'int32') } : factor(A))));
  // PyTorch's rule: gA = ½ L⁻ᵀ Φ(Lᵀ gL) L⁻¹ symmetrized, Φ = tril with half diagonal.
  const recorded = recordOp(
    'linalgCholesky',
    [A],
    L,
    (grad, _saved, out) => {
      const factorL = out!;
      const phi = mT(factorL).matmul(grad).tril();
      const halved = phi.sub(phi.tril().triu().mul(0.5));
      const inner = solve(mT(factorL), mT(solve(mT(factorL), mT(halved)))); // L⁻ᵀ Φ L⁻¹
      return [inner.add(mT(inner)).mul(0.5)];
    },
    { saveOutput: true },
  );
  return { L: upper ? mT(recorded) : recorded, info };
}

/**
 * The lower Cholesky factor L of SPD matrices, A = L Lᵀ (or the upper U = Lᵀ with `upper`), batched
 * (PyTorch's `torch.linalg.cholesky`). Only the lower triangle of A is read. Differentiable.
 * @example
 * linalg.cholesky(tensor([[4, 2], [2, 3]])); // [[2, 0], [1, 1.414]]
 */
export function cholesky(A: Tensor, options: { upper?: boolean } = {}): Tensor {
  return choleskyChecked(A, options.upper ?? false).L;
}

/**
 * {@link cholesky} plus LAPACK's `info` (PyTorch's `torch.linalg.cholesky_ex`).
 * @example
 * const { L, info } = linalg.choleskyEx(A);
 */
export function choleskyEx(A: Tensor, options: { upper?: boolean } = {}): CholeskyExResult {
  return choleskyChecked(A, options.upper ?? false);
}
