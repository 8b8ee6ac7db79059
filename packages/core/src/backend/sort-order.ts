/**
 * The order every sort in Tessera follows — core's composite, the optional `argsort` kernels and the
 * host-side `unique`: ascending by value, NaN above +∞ (all NaNs equal), ties kept in input order.
 * Descending reverses the values only, so ties still keep their input order and NaN comes first.
 */

/**
 * −1, 0 or 1 as `a` sorts before, with or after `b` (ascending; NaN above +∞, NaN equal to NaN).
 * @example
 * [3, NaN, 1].sort(compareSortKeys); // [1, 3, NaN]
 */
export function compareSortKeys(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  // At least one is NaN.
  const aNaN = Number.isNaN(a);
  return aNaN === Number.isNaN(b) ? 0 : aNaN ? 1 : -1;
}

/**
 * The stable sorting permutation of `values`: `order[k]` is the position of the k-th element.
 * @example
 * stableArgsort([2, 1, 2, NaN], false); // [1, 0, 2, 3]
 * stableArgsort([2, 1, 2, NaN], true);  // [3, 0, 2, 1]
 */
export function stableArgsort(values: ArrayLike<number>, descending: boolean): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  const sign = descending ? -1 : 1;
  // Array.prototype.sort is stable, and the position tie-break makes that explicit.
  return order.sort((i, j) => sign * compareSortKeys(values[i], values[j]) || i - j);
}
