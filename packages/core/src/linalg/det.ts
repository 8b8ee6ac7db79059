/**
 * `det` and `slogdet` from the pivots of an LU factorization with partial pivoting (elimination.ts):
 * det = sign(P) · Π U_jj. Accurate to a few ulps of the product's relative error per pivot.
 */
import { recordOp } from '../autograd/record';
import { noGrad } from '../autograd/grad-mode';
import { tidy } from '../memory/scope';
import type { Tensor } from '../tensor/tensor';
import { checkSquare, mT } from './common';
import { eliminate } from './elimination';
import { inv } from './solve';

/** Sign (±1, or 0 for a singular matrix) and log|det|. */
export interface SlogdetResult {
  sign: Tensor;
  logabsdet: Tensor;
}

function luPivots(A: Tensor): { pivots: Tensor; permutationSign: Tensor } {
  const n = A.shape[A.ndim - 1];
  const { pivots, permutationSign } = eliminate(A, n, 'below');
  return { pivots, permutationSign };
}

/**
 * Determinants of square matrices, batched (PyTorch's `torch.linalg.det`). Differentiable:
 * g ↦ g · det · A⁻ᵀ (defined for invertible A; a singular A gives a non-finite gradient).
 * @example
 * linalg.det(tensor([[1, 2], [3, 4]])); // -2
 */
export function det(A: Tensor): Tensor {
  const n = checkSquare('det', A);
  const value = noGrad(() =>
    tidy(() => {
      if (n === 0) return A.sum([-2, -1]).add(1);
      const { pivots, permutationSign } = luPivots(A);
      return pivots.prod(-1).mul(permutationSign);
    }),
  );
  return recordOp(
    'linalgDet',
    [A],
    value,
    (grad, [saved], out) => [mT(inv(saved)).mul(grad.mul(out!).unsqueeze(-1).unsqueeze(-1))],
    { save: [A], saveOutput: true },
  );
}

/**
 * Sign and natural log of |det| (PyTorch's `torch.linalg.slogdet`): no overflow for large matrices.
 * A singular matrix gives sign 0 and logabsdet −∞. `logabsdet` is differentiable (g ↦ g · A⁻ᵀ).
 * @example
 * const { sign, logabsdet } = linalg.slogdet(tensor([[1, 2], [3, 4]])); // -1, ln 2
 */
export function slogdet(A: Tensor): SlogdetResult {
  const n = checkSquare('slogdet', A);
  const [sign, logabsdet] = noGrad(() =>
    tidy(() => {
      if (n === 0) return [A.sum([-2, -1]).add(1), A.sum([-2, -1])];
      const { pivots, permutationSign } = luPivots(A);
      return [pivots.sign().prod(-1).mul(permutationSign), pivots.abs().log().sum(-1)];
    }),
  );
  const differentiable = recordOp(
    'linalgSlogdet',
    [A],
    logabsdet,
    (grad, [saved]) => [mT(inv(saved)).mul(grad.unsqueeze(-1).unsqueeze(-1))],
    { save: [A] },
  );
  return { sign, logabsdet: differentiable };
}
