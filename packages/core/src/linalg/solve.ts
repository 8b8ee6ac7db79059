/**
 * `solve`, `inv` (and their `…Ex` forms with LAPACK's `info`) by Gauss–Jordan elimination with
 * partial pivoting (elimination.ts). Backward stable: the residual ‖AX − B‖ is a small multiple of
 * ε‖A‖‖X‖ (float64 ≈ 1e-15, float32 ≈ 1e-6 relative for well-scaled systems up to 64×64).
 *
 * Singular matrices: PyTorch raises after reading LAPACK's `info` back to the host; a composite that
 * never reads back cannot throw, so `solve`/`inv` return non-finite values (∞/NaN) there, exactly as
 * `torch.linalg.solve_ex` does, and `solveEx`/`invEx` also return `info` to check when it matters.
 */
import { recordOp } from '../autograd/record';
import { noGrad } from '../autograd/grad-mode';
import { ShapeError } from '../errors';
import { tidy } from '../memory/scope';
import { cat } from '../ops/join';
import { broadcastShapes, formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { checkLinalgInput, checkSquare, identityLike, mT } from './common';
import { eliminate } from './elimination';

/** A solution and LAPACK's `info` (0: success; i > 0: the i-th pivot is exactly zero, A is singular). */
export interface SolveExResult {
  result: Tensor;
  info: Tensor;
}

/** Options of {@link solve}. */
export interface SolveOptions {
  /** Solve A X = B (true, default) or X A = B (false), as PyTorch's `left`. */
  left?: boolean;
}

/** Whether B is a (batch of) vector(s) for A (*, n, n): PyTorch's rule. */
function isVectorRhs(A: Tensor, B: Tensor): boolean {
  return B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((size, d) => size === A.shape[d]));
}

/** Gauss–Jordan on [A | B] for matrices B (*, n, k) whose batch dims already match A's. */
function gaussJordan(A: Tensor, B: Tensor): { X: Tensor; info: Tensor } {
  const n = A.shape[A.ndim - 1];
  const { reduced, pivots, info } = eliminate(cat([A, B], -1), n, 'all');
  return { X: reduced.narrow(-1, n, B.shape[B.ndim - 1]).div(pivots.unsqueeze(-1)), info };
}

/** solve on matching, broadcast operands (B a matrix), recorded with its gradient rule. */
function solveMatrices(A: Tensor, B: Tensor): SolveExResult {
  const { X, info } = noGrad(() => tidy(() => gaussJordan(A, B)));
  // X = A⁻¹B: gB = A⁻ᵀ gX, gA = −gB Xᵀ (written with solve itself, so gradients of gradients work).
  const result = recordOp(
    'linalgSolve',
    [A, B],
    X,
    (grad, [savedA], out) => {
      const gB = solveMatrices(mT(savedA), grad).result;
      return [savedA.requiresGrad ? gB.matmul(mT(out!)).neg() : null, gB];
    },
    { save: [A], saveOutput: true },
  );
  return { result, info };
}

function solveChecked(op: string, A: Tensor, B: Tensor, options: SolveOptions): SolveExResult {
  const n = checkSquare(op, A);
  checkLinalgInput(op, B, 1);
  if (A.dtype !== B.dtype) {
    throw new ShapeError(`linalg.${op}: A and B must have the same dtype, got ${A.dtype} and ${B.dtype}`);
  }
  if (options.left === false) {
    // X A = B ⇔ Aᵀ Xᵀ = Bᵀ
    const transposed = solveChecked(op, mT(A), B.ndim === 1 ? B : mT(B), {});
    return { result: B.ndim === 1 ? transposed.result : mT(transposed.result), info: transposed.info };
  }
  const vector = isVectorRhs(A, B);
  const matrix = vector ? B.unsqueeze(-1) : B;
  if (matrix.shape[matrix.ndim - 2] !== n) {
    throw new ShapeError(
      `linalg.${op}: A of shape ${formatShape(A.shape)} and B of shape ${formatShape(B.shape)} do not match: ` +
        `B needs ${n} rows (shape (*, ${n}) or (*, ${n}, k))`,
    );
  }
  const batch = broadcastShapes(`linalg.${op}`, A.shape.slice(0, -2), matrix.shape.slice(0, -2));
  const solved = solveMatrices(A.expand([...batch, n, n]), matrix.expand([...batch, n, matrix.shape[matrix.ndim - 1]]));
  return { result: vector ? solved.result.squeeze(-1) : solved.result, info: solved.info };
}

/**
 * The solution X of A X = B for square A (PyTorch's `torch.linalg.solve`), batched with broadcasting;
 * B is (*, n) for vectors or (*, n, k). Differentiable in A and B. A singular A gives non-finite
 * values (see {@link solveEx} to detect it).
 * @example
 * linalg.solve(tensor([[3, 1], [1, 2]]), tensor([9, 8])); // [2, 3]
 */
export function solve(A: Tensor, B: Tensor, options: SolveOptions = {}): Tensor {
  return solveChecked('solve', A, B, options).result;
}

/**
 * {@link solve} plus LAPACK's `info` per matrix (0 = success, i > 0 = singular at pivot i), as
 * PyTorch's `torch.linalg.solve_ex`; read `info` when you need to know, nothing syncs otherwise.
 * @example
 * const { result, info } = linalg.solveEx(A, b);
 * if ((await info.max().item()) > 0) throw new Error('singular system');
 */
export function solveEx(A: Tensor, B: Tensor, options: SolveOptions = {}): SolveExResult {
  return solveChecked('solveEx', A, B, options);
}

/**
 * The inverse of square matrices (PyTorch's `torch.linalg.inv`), batched; differentiable
 * (g ↦ −A⁻ᵀ g A⁻ᵀ). A singular matrix gives non-finite values (see {@link invEx}).
 * @example
 * linalg.inv(tensor([[2, 0], [0, 4]])); // [[0.5, 0], [0, 0.25]]
 */
export function inv(A: Tensor): Tensor {
  return invEx(A).result;
}

/**
 * {@link inv} plus LAPACK's `info` per matrix (PyTorch's `torch.linalg.inv_ex`).
 * @example
 * const { result, info } = linalg.invEx(A);
 */
export function invEx(A: Tensor): SolveExResult {
  const n = checkSquare('inv', A);
  return solveMatrices(A, identityLike(A, n));
}
