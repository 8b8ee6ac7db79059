/**
 * Symmetric eigendecomposition `A = V diag(λ) Vᵀ` by parallel cyclic Jacobi (see jacobi.ts), as a
 * composite of core ops: every backend runs it, batched, with no host round-trip.
 *
 * Accuracy: Jacobi is backward stable and keeps high relative accuracy; eigenvalues agree with LAPACK
 * to a few ulps of ‖A‖ (float64 ≈ 1e-13·‖A‖, float32 ≈ 1e-5·‖A‖ for n ≤ 64), eigenvectors of
 * well-separated eigenvalues to the same relative gap.
 */
import { gather } from '../ops/indexing';
import { where } from '../ops/binary';
import { ValueError } from '../errors';
import type { Tensor } from '../tensor/tensor';
import { batchShape, checkSquare, decomposition, diagEmbed, diagonal, firstOrderOnly, identityLike, mT, positions } from './common';
import { defaultSweeps, jacobiSchedule, partnerIndex, rotateColumns, rotateRows, rotation } from './jacobi';

/** Options of {@link eigh} and {@link eigvalsh}. */
export interface EighOptions {
  /** Which triangle of A is read: 'L' (default, as PyTorch) or 'U'. */
  UPLO?: 'L' | 'U';
  /** Jacobi sweeps (default: enough for the dtype's precision up to n = 64; raise for larger n). */
  sweeps?: number;
}

/** Eigenvalues (ascending) and the matching orthonormal eigenvectors (columns). */
export interface EighResult {
  eigenvalues: Tensor;
  eigenvectors: Tensor;
}

/** The symmetric matrix spelled by one triangle of A. */
export function symmetricFromTriangle(A: Tensor, UPLO: 'L' | 'U'): Tensor {
  if (UPLO === 'L') return A.tril().add(mT(A.tril(-1)));
  return A.triu().add(mT(A.triu(1)));
}

/** Jacobi sweeps on symmetric S: returns the (unsorted) eigenvalues and eigenvectors. */
function jacobiEigen(S: Tensor, sweeps: number): [Tensor, Tensor] {
  const n = S.shape[S.ndim - 1];
  const batch = batchShape(S);
  const schedule = jacobiSchedule(S, n);
  let A = S;
  let V = identityLike(S, n, batch);
  const diagonalIndex = positions(S, n, [n, 1]).expand([...batch, n, 1]);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (const round of schedule) {
      const app = A.gather(-1, diagonalIndex).squeeze(-1);
      const partner = partnerIndex(round, [...batch, n]).unsqueeze(-1);
      // Both ends of a pair must see the same a_pq bit for bit (A drifts from symmetry by rounding),
      // or their two angles differ and J stops being orthogonal.
      const apq = A.gather(-1, partner).add(mT(A).gather(-1, partner)).squeeze(-1).mul(0.5);
      const aqq = app.gather(-1, partner.squeeze(-1));
      const rotate = rotation(round, app, aqq, apq);
      A = rotateRows(rotateColumns(A, round, rotate), round, rotate);
      V = rotateColumns(V, round, rotate);
    }
    A = A.add(mT(A)).mul(0.5); // rounding leaves A slightly unsymmetric; keep it exact
  }
  return [diagonal(A), V];
}

/** Indices that sort `values` ascending along the last dim (stable), as int32: a rank count, no host read. */
export function ascendingOrder(values: Tensor): Tensor {
  const n = values.shape[values.ndim - 1];
  const mine = values.unsqueeze(-1); // (*, n, 1): value i
  const others = values.unsqueeze(-2); // (*, 1, n): value j
  const index = positions(values, n);
  const before = others.lt(mine).logicalOr(others.eq(mine).logicalAnd(index.unsqueeze(0).lt(index.unsqueeze(1))));
  const rank = before.int().sum(-1); // (*, n): where value i goes
  // order[r] = the i whose rank is r
  return rank.unsqueeze(-1).eq(index).int().argmax(-2);
}

function eighForward(A: Tensor, options: EighOptions): Tensor[] {
  const n = A.shape[A.ndim - 1];
  const UPLO = options.UPLO ?? 'L';
  if (UPLO !== 'L' && UPLO !== 'U') throw new ValueError(`linalg.eigh: UPLO must be 'L' or 'U', got '${String(UPLO)}'`);
  const sweeps = options.sweeps ?? defaultSweeps(n, A.dtype);
  if (n === 0) return [A.sum(-1), A];
  const [values, vectors] = jacobiEigen(symmetricFromTriangle(A, UPLO), sweeps);
  const order = ascendingOrder(values);
  return [gather(values, -1, order), gather(vectors, -1, order.unsqueeze(-2).expand(vectors.shape))];
}

/**
 * The gradient of eigh (PyTorch's formula): with E_ij = λ_j − λ_i,
 * gA = V (diag(gλ) + skew(VᵀgV)/2 ⊘ E) Vᵀ. Repeated eigenvalues make the eigenvector part undefined
 * (as in PyTorch); entries whose numerator is exactly 0 stay 0.
 */
function eighBackward(gL: Tensor, gV: Tensor, L: Tensor, V: Tensor): Tensor {
  const VtgV = mT(V).matmul(gV);
  const skew = VtgV.sub(mT(VtgV)).mul(0.5);
  const gaps = L.unsqueeze(-2).sub(L.unsqueeze(-1));
  const offDiagonal = where(skew.eq(0), 0, skew.div(gaps));
  return V.matmul(offDiagonal.add(diagEmbed(gL))).matmul(mT(V));
}

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors of real symmetric matrices, batched over
 * leading dims (PyTorch's `torch.linalg.eigh`). Only the `UPLO` triangle is read. Differentiable.
 * @example
 * const { eigenvalues, eigenvectors } = linalg.eigh(tensor([[2, 1], [1, 2]]));
 * // eigenvalues [1, 3]; eigenvectors columns ±[0.707, −0.707], ±[0.707, 0.707]
 */
export function eigh(A: Tensor, options: EighOptions = {}): EighResult {
  checkSquare('eigh', A);
  const [eigenvalues, eigenvectors] = decomposition('linalgEigh', A, () => eighForward(A, options), ([gL, gV], [L, V]) => {
    firstOrderOnly('eigh');
    return eighBackward(gL, gV, L, V);
  });
  return { eigenvalues, eigenvectors };
}

/**
 * Eigenvalues (ascending) of real symmetric matrices (PyTorch's `torch.linalg.eigvalsh`). Differentiable:
 * the gradient is V diag(gλ) Vᵀ.
 * @example
 * linalg.eigvalsh(tensor([[2, 1], [1, 2]])); // [1, 3]
 */
export function eigvalsh(A: Tensor, options: EighOptions = {}): Tensor {
  checkSquare('eigvalsh', A);
  const [eigenvalues] = decomposition(
    'linalgEigvalsh',
    A,
    () => eighForward(A, options),
    ([gL], [, V]) => {
      firstOrderOnly('eigvalsh');
      return V.mul(gL.unsqueeze(-2)).matmul(mT(V));
    },
    1,
  );
  return eigenvalues;
}
