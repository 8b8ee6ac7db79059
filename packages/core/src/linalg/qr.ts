/**
 * QR by Householder reflections as a composite of core ops, batched, with LAPACK's sign convention
 * (geqrf: R_jj = −sign(a_jj)·‖a_j‖, and no reflection for a column that is already reduced), so Q and
 * R agree with PyTorch's value by value. Householder QR is backward stable: ‖QR − A‖ ≈ ε‖A‖ and
 * ‖QᵀQ − I‖ ≈ ε (float64 ≈ 1e-15, float32 ≈ 1e-6 up to 64×64).
 */
import { noGrad } from '../autograd/grad-mode';
import { ValueError } from '../errors';
import { where } from '../ops/binary';
import { cat } from '../ops/join';
import { tidy } from '../memory/scope';
import type { Tensor } from '../tensor/tensor';
import { checkLinalgInput, decomposition, identityLike, mT, positions } from './common';
import { solve } from './solve';

/** PyTorch's `mode`: Q m×k and R k×n ('reduced', k = min(m, n)), Q m×m and R m×n ('complete'), or R only ('r'). */
export type QrMode = 'reduced' | 'complete' | 'r';

/** The factors Q (orthonormal columns) and R (upper triangular). */
export interface QrResult {
  Q: Tensor;
  R: Tensor;
}

/** Householder QR: the full Q (*, m, m) and R (*, m, n). */
export function householder(A: Tensor): { Q: Tensor; R: Tensor } {
  const [m, n] = A.shape.slice(-2);
  const rows = positions(A, m, [m]);
  let R = A;
  let Q = identityLike(A, m);
  for (let j = 0; j < Math.min(m - 1, n); j++) {
    const x = where(rows.ge(j), R.select(-1, j), 0); // column j from row j down, (*, m)
    const alpha = R.select(-1, j).narrow(-1, j, 1); // (*, 1)
    const below = where(rows.gt(j), x, 0).square().sum(-1, true); // ‖x[j+1:]‖², (*, 1)
    const norm = alpha.square().add(below).sqrt();
    const beta = where(alpha.ge(0), norm.neg(), norm);
    const v = where(rows.eq(j), alpha.sub(beta), x); // H = I − 2vvᵀ/vᵀv maps x to beta·e_j
    const scale = where(below.eq(0), 0, v.square().sum(-1, true).reciprocal().mul(2)); // LAPACK: tau = 0 when nothing to reduce
    const column = v.unsqueeze(-1); // (*, m, 1)
    R = R.sub(column.mul(scale.unsqueeze(-1)).matmul(mT(column).matmul(R)));
    Q = Q.sub(Q.matmul(column).mul(scale.unsqueeze(-1)).matmul(mT(column)));
  }
  return { Q, R: R.triu() };
}

/**
 * The gradient of the reduced QR of A (m ≥ n), as PyTorch / Walter & Lehmann:
 * M = R gRᵀ − gQᵀ Q, gA = (gQ + Q copyltu(M)) R⁻ᵀ with copyltu(M) = tril(M) + tril(M, −1)ᵀ.
 */
function tallBackward(gQ: Tensor, gR: Tensor, Q: Tensor, R: Tensor): Tensor {
  const M = R.matmul(mT(gR)).sub(mT(gQ).matmul(Q));
  const copied = M.tril().add(mT(M.tril(-1)));
  const W = gQ.add(Q.matmul(copied));
  return mT(solve(R, mT(W))); // W R⁻ᵀ
}

/** m < n: A = [X | Y], R = [U | V] with X = QU square and Y = QV: gY = Q gV, X through the square rule. */
function wideBackward(gQ: Tensor, gR: Tensor, Q: Tensor, R: Tensor): Tensor {
  const m = Q.shape[Q.ndim - 1];
  const n = R.shape[R.ndim - 1];
  const V = R.narrow(-1, m, n - m);
  const gV = gR.narrow(-1, m, n - m);
  const gX = tallBackward(gQ.add(Q.matmul(V).matmul(mT(gV))), gR.narrow(-1, 0, m), Q, R.narrow(-1, 0, m));
  return cat([gX, Q.matmul(gV)], -1);
}

/**
 * QR decompositions A = QR, batched (PyTorch's `torch.linalg.qr`). Differentiable for 'reduced'
 * (and for 'complete' when m ≤ n, where it is the same), as in PyTorch.
 * @example
 * const { Q, R } = linalg.qr(tensor([[3, 1], [4, 2]])); // R[0][0] = -5
 */
export function qr(A: Tensor, options: { mode?: QrMode } = {}): QrResult {
  checkLinalgInput('qr', A);
  const mode = options.mode ?? 'reduced';
  if (mode !== 'reduced' && mode !== 'complete' && mode !== 'r') {
    throw new ValueError(`linalg.qr: mode must be 'reduced', 'complete' or 'r', got '${String(mode)}'`);
  }
  const [m, n] = A.shape.slice(-2);
  const k = Math.min(m, n);
  const factor = () => {
    const { Q, R } = householder(A);
    return mode === 'complete' ? [Q, R] : [Q.narrow(-1, 0, k).contiguous(), R.narrow(-2, 0, k).contiguous()];
  };
  if (mode === 'r') {
    const R = noGrad(() => tidy(() => factor()[1]));
    const empty = noGrad(() => A.narrow(-1, 0, 0).narrow(-2, 0, 0).contiguous());
    return { Q: empty, R };
  }
  const differentiable = mode === 'reduced' || m <= n;
  const [Q, R] = decomposition('linalgQr', A, factor, ([gQ, gR], [savedQ, savedR]) => {
    if (!differentiable) {
      throw new ValueError(`linalg.qr: the QR decomposition is not differentiable when mode='complete' and m > n (got shape (${m}, ${n}))`);
    }
    return m >= n ? tallBackward(gQ, gR, savedQ, savedR) : wideBackward(gQ, gR, savedQ, savedR);
  });
  return { Q, R };
}
