/**
 * Parallel cyclic Jacobi rotations, shared by `eigh` (two-sided: AᵀJ A J) and `svd` (one-sided:
 * W J, which is two-sided Jacobi on WᵀW without forming it).
 *
 * A sweep visits every index pair (p, q) once, in the round-robin ("chess tournament") order: each
 * round pairs all indices disjointly, so the n/2 rotations of a round form one orthogonal matrix J,
 * applied to all rows/columns at once with a gather and two multiply-adds (no dense product). The schedule is fixed, so no value is ever read back to the
 * host: a fixed number of sweeps runs on any backend, batched over leading dims.
 *
 * Cyclic Jacobi converges quadratically once the off-diagonal part is small against the eigenvalue
 * gaps: the sweep counts of {@link defaultSweeps} reach working precision on random matrices up to
 * 64×64 with a margin of several sweeps. Tightly clustered or repeated eigenvalues converge only
 * linearly (as in every cyclic Jacobi); their eigenvalues are still accurate (the error is the square
 * of the remaining off-diagonal part over the gap) and a larger `sweeps` option buys the eigenvectors
 * back. Extra sweeps are harmless: the rotation angles become exactly 0.
 */
import { where } from '../ops/binary';
import type { Tensor } from '../tensor/tensor';
import { constant } from './common';

/** The constant tensors of one round of the round-robin schedule. */
export interface JacobiRound {
  /** partner[i]: the index i is rotated with this round (i itself when unpaired, for odd n). int32 (n). */
  partner: Tensor;
  /** +1 where i < partner[i], else −1: a consistent tie-break so both ends of a pair agree on the angle. */
  first: Tensor;
  /** Whether i sits this round out (odd n), bool (n). */
  unpaired: Tensor;
}

/** Partner lists of the n − 1 (n even) or n (n odd) rounds of the circle method. */
export function roundRobinPartners(n: number): number[][] {
  const players = n % 2 === 0 ? n : n + 1; // an odd n plays against a dummy
  const rounds: number[][] = [];
  const others = Array.from({ length: players - 1 }, (_, i) => i + 1);
  for (let round = 0; round < players - 1; round++) {
    const order = [0, ...others.slice(round), ...others.slice(0, round)];
    const partner = Array.from({ length: n }, (_, i) => i);
    for (let k = 0; k < players / 2; k++) {
      const [p, q] = [order[k], order[players - 1 - k]];
      if (p < n && q < n) {
        partner[p] = q;
        partner[q] = p;
      }
    }
    rounds.push(partner);
  }
  return rounds;
}

/** The schedule's constants on `like`'s device (made once per call, reused by every sweep). */
export function jacobiSchedule(like: Tensor, n: number): JacobiRound[] {
  return roundRobinPartners(n).map((partner) => ({
    partner: constant(like, partner, [n], 'int32'),
    first: constant(like, partner.map((q, p) => (p < q ? 1 : -1)), [n]),
    unpaired: constant(like, partner.map((q, p) => (q === p ? 1 : 0)), [n], 'bool'),
  }));
}

/** Sweeps that reach working precision for n ≤ 64 (quadratic convergence: a few more for float64). */
export function defaultSweeps(n: number, dtype: string): number {
  const base = Math.ceil(Math.log2(Math.max(n, 2)));
  return dtype === 'float64' ? 5 + base : 3 + base;
}

/** One round's rotations: J has J[i, i] = cosine[i] and J[i, partner[i]] = sine[i]. */
export interface Rotation {
  cosine: Tensor;
  /** sine[partner[i]]: the entry of J that mixes the partner's row/column into i. */
  partnerSine: Tensor;
}

/**
 * The round's rotations that zero the (p, q) entries of the symmetric matrices with diagonal entries
 * `app` (at i), `aqq` (at partner[i]) and off-diagonal `apq` — the stable formulas of Rutishauser:
 * θ = (aqq − app) / 2apq, t = sign θ / (|θ| + √(θ² + 1)), c = 1/√(1 + t²), s = t·c. Seen from q the
 * angle flips sign, so J[i, partner[i]] = s_i holds for both ends of every pair.
 */
export function rotation(round: JacobiRound, app: Tensor, aqq: Tensor, apq: Tensor): Rotation {
  const zero = apq.eq(0);
  const theta = aqq.sub(app).div(where(zero, 1, apq.mul(2)));
  const signTheta = where(theta.eq(0), round.first, theta.sign());
  const tangent = where(zero.logicalOr(round.unpaired), 0, signTheta.div(theta.abs().add(theta.square().add(1).sqrt())));
  const cosine = tangent.square().add(1).rsqrt();
  const sine = tangent.mul(cosine);
  return { cosine, partnerSine: sine.gather(-1, partnerIndex(round, sine.shape)) };
}

/**
 * X J for X (*, rows, n): column k becomes c_k·x_k + s_partner(k)·x_partner(k). O(rows·n), where the
 * dense product would be O(rows·n²).
 */
export function rotateColumns(X: Tensor, round: JacobiRound, { cosine, partnerSine }: Rotation): Tensor {
  const partnerColumns = X.gather(-1, partnerIndex(round, X.shape));
  return X.mul(cosine.unsqueeze(-2)).add(partnerColumns.mul(partnerSine.unsqueeze(-2)));
}

/** Jᵀ X for X (*, n, cols): row k becomes c_k·x_k + s_partner(k)·x_partner(k). */
export function rotateRows(X: Tensor, round: JacobiRound, { cosine, partnerSine }: Rotation): Tensor {
  const rows = X.shape.length - 2;
  const index = round.partner.reshape([X.shape[rows], 1]).expand(X.shape);
  return X.mul(cosine.unsqueeze(-1)).add(X.gather(-2, index).mul(partnerSine.unsqueeze(-1)));
}

/** partner[i] broadcast to index (*, rows, n) along the last dim (for gathers of partner columns/entries). */
export function partnerIndex(round: JacobiRound, shape: readonly number[]): Tensor {
  return round.partner.expand([...shape]);
}
