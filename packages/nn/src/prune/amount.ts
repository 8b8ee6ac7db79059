/**
 * How much to prune: PyTorch's `amount`, a fraction of the entries (or channels) or a count of them.
 */
import { ValueError } from '@tessera/core';

/**
 * An integer is a count (PyTorch's `int` amount); any other number a fraction in (0, 1) (PyTorch's
 * `float`). JavaScript has one number type, so say `{ fraction: 1 }` for "all" and `{ count: n }` or
 * `{ fraction: x }` whenever you want to be explicit.
 */
export type PruningAmount = number | { fraction: number } | { count: number };

/** The checked amount: a fraction in [0, 1] or a non-negative count (PyTorch's `_validate_pruning_amount_init`). */
export type ResolvedAmount = { fraction: number } | { count: number };

/**
 * @internal Check `amount` and say whether it is a fraction or a count.
 * @example
 * resolveAmount('prune.l1Unstructured', 0.3); // { fraction: 0.3 }
 * resolveAmount('prune.l1Unstructured', 7);   // { count: 7 }
 */
export function resolveAmount(op: string, amount: PruningAmount): ResolvedAmount {
  const bad = () => new ValueError(`${op}: amount=${JSON.stringify(amount)} should either be a fraction in [0, 1] or a non-negative integer count`);
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount) || amount < 0) throw bad();
    if (Number.isInteger(amount)) return { count: amount };
    if (amount > 1) throw bad();
    return { fraction: amount };
  }
  if (amount !== null && typeof amount === 'object') {
    if ('fraction' in amount && typeof amount.fraction === 'number' && amount.fraction >= 0 && amount.fraction <= 1) return { fraction: amount.fraction };
    if ('count' in amount && Number.isSafeInteger(amount.count) && amount.count >= 0) return { count: amount.count };
  }
  throw bad();
}

/** Python's `round`: to the nearest integer, halves to even (`round(2.5) == 2`). */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * @internal How many of `size` entries (or channels) to prune: a count as it is, a fraction as
 * `round(fraction · size)` with Python's rounding — and a count larger than `size` refused, as PyTorch.
 * @example
 * countToPrune('prune.l1Unstructured', { fraction: 0.0625 }, 40); // 2 (2.5 rounds to even)
 */
export function countToPrune(op: string, amount: ResolvedAmount, size: number): number {
  const count = 'count' in amount ? amount.count : roundHalfEven(amount.fraction * size);
  if (count > size) throw new ValueError(`${op}: amount=${count} should be smaller than the number of parameters to prune=${size}`);
  return count;
}
