/**
 * Singular value decomposition by one-sided (Hestenes) Jacobi: rotate the columns of A until they are
 * mutually orthogonal (A V = W, the rotations are those of two-sided Jacobi on AᵀA, computed without
 * forming AᵀA so small singular values keep their relative accuracy), then S = column norms and U from
 * a Householder QR of W (which also completes U for rank-deficient A and for `fullMatrices`).
 *
 * Accuracy: singular values to a few ulps of ‖A‖ (float64 ≈ 1e-14·σ_max, float32 ≈ 1e-5·σ_max up to
 * 64×64), singular vectors of well-separated singular values to the same relative gap.
 */
import { where } from '../ops/binary';
import { gather } from '../ops/indexing';
import { cat } from '../ops/join';
import type { Tensor } from '../tensor/tensor';
import { batchShape, checkLinalgInput, decomposition, diagEmbed, diagonal, firstOrderOnly, identityLike, mT } from './common';
import { ascendingOrder } from './eigh';
import { defaultSweeps, jacobiSchedule, partnerIndex, rotateColumns, rotation } from './jacobi';
import { householder } from './qr';

/** Options of {@link svd} and {@link svdvals}. */
export interface SvdOptions {
  /** U is m×m and Vh n×n (true, PyTorch's default) or m×k and k×n (false), k = min(m, n). */
  fullMatrices?: boolean;
  /** Jacobi sweeps (default: enough for the dtype's precision up to n = 64). */
  sweeps?: number;
}

/** A = U diag(S) Vh with S descending. */
export interface SvdResult {
  U: Tensor;
  S: Tensor;
  Vh: Tensor;
}

/** SVD of a tall (m ≥ n) matrix: U (*, m, m), S (*, n) descending, V (*, n, n). */
function tallSvd(A: Tensor, sweeps: number): [Tensor, Tensor, Tensor] {
  const [m, n] = A.shape.slice(-2);
  const batch = batchShape(A);
  const schedule = jacobiSchedule(A, n);
  let W = A;
  let V = identityLike(A, n, batch);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (const round of schedule) {
      const norms = W.square().sum(-2); // (*, n): ‖w_i‖²
      const partners = W.gather(-1, partnerIndex(round, [...batch, m, n]));
      const dots = W.mul(partners).sum(-2); // w_i · w_partner(i), bitwise equal at both ends
      const rotate = rotation(round, norms, norms.gather(-1, partnerIndex(round, [...batch, n])), dots);
      W = rotateColumns(W, round, rotate);
      V = rotateColumns(V, round, rotate);
    }
  }
  const singular = W.square().sum(-2).sqrt();
  const order = ascendingOrder(singular.neg()); // descending
  const sortedW = gather(W, -1, order.unsqueeze(-2).expand([...batch, m, n]));
  const { Q, R } = householder(sortedW);
  // Q's first n columns are ±w_i/‖w_i‖: take R's diagonal signs out (sign 0 → +1).
  const signs = where(diagonal(R).lt(0), -1, 1).cast(A.dtype);
  const U = Q.narrow(-1, 0, n).mul(signs.unsqueeze(-2));
  const fullU = m > n ? cat([U, Q.narrow(-1, n, m - n)], -1) : U;
  return [fullU, gather(singular, -1, order), gather(V, -1, order.unsqueeze(-2).expand([...batch, n, n]))];
}

function svdForward(A: Tensor, fullMatrices: boolean, sweeps: number | undefined): Tensor[] {
  const [m, n] = A.shape.slice(-2);
  const k = Math.min(m, n);
  const tall = m >= n;
  const [U, S, V] = tallSvd(tall ? A : mT(A), sweeps ?? defaultSweeps(k, A.dtype));
  // For m < n, Aᵀ = U′ S V′ᵀ gives A = V′ S U′ᵀ.
  const left = tall ? U : V;
  const right = tall ? V : U;
  if (fullMatrices) return [left.contiguous(), S, mT(right).contiguous()];
  return [left.narrow(-1, 0, k).contiguous(), S, mT(right.narrow(-1, 0, k)).contiguous()];
}

/**
 * PyTorch's svd_backward (real case), on the reduced factors:
 * gA = U [ (skew(UᵀgU) S + S skew(VᵀgV)) ⊘ E + diag(gS) ] Vᵀ + the parts of gU, gV outside span(U), span(V),
 * with E_jk = σ_k² − σ_j². Repeated singular values make the U/V part undefined (as in PyTorch).
 */
function svdBackward(gU: Tensor, gS: Tensor, gVh: Tensor, U: Tensor, S: Tensor, Vh: Tensor): Tensor {
  const [m, n] = [U.shape[U.ndim - 2], Vh.shape[Vh.ndim - 1]];
  const skew = (X: Tensor) => X.sub(mT(X));
  const UtgU = skew(mT(U).matmul(gU));
  const VtgV = skew(Vh.matmul(mT(gVh)));
  const S2 = S.square();
  const gaps = S2.unsqueeze(-2).sub(S2.unsqueeze(-1));
  const numerator = UtgU.mul(S.unsqueeze(-2)).add(S.unsqueeze(-1).mul(VtgV));
  const inner = where(numerator.eq(0), 0, numerator.div(gaps)).add(diagEmbed(gS));
  const safeDivide = (a: Tensor, b: Tensor) => where(a.eq(0), 0, a.div(b));
  if (m > n) {
    const gUSinv = safeDivide(gU, S.unsqueeze(-2));
    const outside = gUSinv.sub(U.matmul(mT(U).matmul(gUSinv)));
    return U.matmul(inner).add(outside).matmul(Vh);
  }
  if (m < n) {
    const SinvgVh = safeDivide(gVh, S.unsqueeze(-1));
    const outside = SinvgVh.sub(SinvgVh.matmul(mT(Vh)).matmul(Vh));
    return U.matmul(inner.matmul(Vh).add(outside));
  }
  return U.matmul(inner).matmul(Vh);
}

/**
 * Singular value decomposition A = U diag(S) Vh, batched, S descending (PyTorch's `torch.linalg.svd`).
 * Differentiable (as PyTorch: S always; U and Vh where the singular values are distinct; with
 * `fullMatrices` the gradient flows through the first k columns/rows).
 * @example
 * const { U, S, Vh } = linalg.svd(tensor([[3, 0], [0, -2]])); // S = [3, 2]
 */
export function svd(A: Tensor, options: SvdOptions = {}): SvdResult {
  checkLinalgInput('svd', A);
  const fullMatrices = options.fullMatrices ?? true;
  const k = Math.min(...A.shape.slice(-2));
  const [U, S, Vh] = decomposition('linalgSvd', A, () => svdForward(A, fullMatrices, options.sweeps), ([gU, gS, gVh], [sU, sS, sVh]) => {
    firstOrderOnly('svd');
    return svdBackward(gU.narrow(-1, 0, k), gS, gVh.narrow(-2, 0, k), sU.narrow(-1, 0, k), sS, sVh.narrow(-2, 0, k));
  });
  return { U, S, Vh };
}

/**
 * Singular values, descending (PyTorch's `torch.linalg.svdvals`). Differentiable: g ↦ U diag(g) Vh.
 * @example
 * linalg.svdvals(tensor([[3, 0], [0, -2]])); // [3, 2]
 */
export function svdvals(A: Tensor, options: Pick<SvdOptions, 'sweeps'> = {}): Tensor {
  checkLinalgInput('svdvals', A);
  const [S] = decomposition(
    'linalgSvdvals',
    A,
    () => {
      const [U, values, Vh] = svdForward(A, false, options.sweeps);
      return [values, U, Vh];
    },
    ([gS], [, U, Vh]) => {
      firstOrderOnly('svdvals');
      return U.mul(gS.unsqueeze(-2)).matmul(Vh);
    },
    1,
  );
  return S;
}
