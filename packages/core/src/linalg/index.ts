/**
 * `linalg`: PyTorch's `torch.linalg` as composites of core ops (no kernels, so every backend —
 * third-party ones included — runs them), batched over leading dims, in float32 and float64, with
 * gradients where PyTorch has them. Nothing reads values back to the host: singular inputs give
 * non-finite results (PyTorch would raise), and the `…Ex` forms return LAPACK's `info` to check.
 * @example
 * import { linalg, tensor } from '@tessera/core';
 * const { eigenvalues } = linalg.eigh(tensor([[2, 1], [1, 2]])); // [1, 3]
 */
import { cholesky, choleskyEx } from './cholesky';
import { det, slogdet } from './det';
import { eigh, eigvalsh } from './eigh';
import { matrixNorm, norm, vectorNorm } from './norm';
import { qr } from './qr';
import { inv, invEx, solve, solveEx } from './solve';
import { svd, svdvals } from './svd';

export type { EighOptions, EighResult } from './eigh';
export type { SvdOptions, SvdResult } from './svd';
export type { QrMode, QrResult } from './qr';
export type { SolveOptions, SolveExResult } from './solve';
export type { SlogdetResult } from './det';
export type { CholeskyExResult } from './cholesky';
export type { MatrixNormOrd } from './norm';

/** The `linalg` namespace (PyTorch's `torch.linalg`). @example linalg.solve(A, b) */
export const linalg = Object.freeze({
  eigh,
  eigvalsh,
  svd,
  svdvals,
  qr,
  solve,
  solveEx,
  inv,
  invEx,
  det,
  slogdet,
  cholesky,
  choleskyEx,
  norm,
  vectorNorm,
  matrixNorm,
});
