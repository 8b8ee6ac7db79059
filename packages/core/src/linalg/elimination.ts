/**
 * Gaussian elimination with partial pivoting as a composite of core ops (argmax, gather, where,
 * arithmetic), batched over leading dims, with no host read: the pivot rows are chosen on the device.
 *
 * One routine serves two uses: `below` (LU: eliminate under the pivots, for det/slogdet) and `all`
 * (Gauss–Jordan on [A | B]: eliminate above and below, for solve/inv). Partial pivoting keeps the
 * growth factor small in practice, so the results are backward stable like LAPACK's getrf/getrs.
 */
import { where } from '../ops/binary';
import { stack } from '../ops/join';
import type { Tensor } from '../tensor/tensor';
import { constant, positions } from './common';

/** What elimination leaves behind. */
export interface Elimination {
  /** The reduced matrix: [U | B′] (below) or [D | B′] with D diagonal (all). */
  reduced: Tensor;
  /** The pivots U_jj, (*, n). A zero pivot means A is singular. */
  pivots: Tensor;
  /** The permutation's sign ±1, (*). */
  permutationSign: Tensor;
  /** LAPACK's info: 0, or the 1-based index of the first zero pivot, int32 (*). */
  info: Tensor;
}

/**
 * Eliminate the first n columns of M (*, n, n + k). A zero pivot column is skipped (its rows are
 * combined with a unit multiplier instead), so later pivots and the determinant stay finite.
 */
export function eliminate(M: Tensor, n: number, mode: 'below' | 'all'): Elimination {
  const width = M.shape[M.ndim - 1];
  const batch = M.shape.slice(0, -2);
  const rows = positions(M, n, [n, 1]);
  const pivots: Tensor[] = [];
  let sign = constant(M, [1], []);
  let info = constant(M, [0], [], 'int32');
  for (let j = 0; j < n; j++) {
    // Pivot: the largest |entry| of column j at or below row j.
    const column = M.narrow(-1, j, 1); // (*, n, 1)
    const candidates = where(rows.ge(j), column.abs(), -1);
    const pivotRow = candidates.argmax(-2, true); // (*, 1, 1)
    const swap = where(rows.eq(j), pivotRow, where(rows.eq(pivotRow), j, rows)); // (*, n, 1)
    M = M.gather(-2, swap.expand([...batch, n, width]));
    sign = sign.mul(where(pivotRow.eq(j), 1, -1).squeeze([-2, -1]).cast(M.dtype));
    const pivot = M.narrow(-2, j, 1).narrow(-1, j, 1); // (*, 1, 1)
    pivots.push(pivot.squeeze([-2, -1]));
    const zeroPivot = pivot.eq(0);
    info = where(info.eq(0).logicalAnd(zeroPivot.squeeze([-2, -1])), j + 1, info);
    const eliminated = mode === 'all' ? rows.ne(j) : rows.gt(j);
    const factors = where(eliminated, M.narrow(-1, j, 1).div(where(zeroPivot, 1, pivot)), 0); // (*, n, 1)
    M = M.sub(factors.mul(M.narrow(-2, j, 1)));
  }
  return { reduced: M, pivots: stack(pivots, -1), permutationSign: sign, info };
}
