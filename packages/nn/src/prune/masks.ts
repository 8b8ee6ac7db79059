/**
 * The masks of PyTorch's pruning methods, computed on the host from the importance scores and the mask
 * of earlier pruning (`torch.nn.utils.prune`'s `compute_mask` inside a `PruningContainer`): a new method
 * acts only on what earlier ones left — the entries still at 1 (unstructured), or the channels not yet
 * all zero (structured) — and the amount is counted on that remainder.
 *
 * Selection is PyTorch's: the `k` smallest |score| (topk, largest = false) are pruned; structured pruning
 * keeps the `size − k` channels of largest Lₙ norm. Ties go to the lower flat index (PyTorch's CPU topk
 * leaves the order of equal values to its selection algorithm, so with exact ties the two may pick
 * different entries; with distinct values the masks are identical).
 */
import { ShapeError, ValueError } from '@tessera/core';
import { countToPrune, type ResolvedAmount } from './amount';

/** The order of a norm: p (> 0), 0 (count of non-zeros), ±Infinity, or 'fro' (p = 2). */
export type NormOrder = number | 'fro';

/** Indices of `values` selected by `score`, smallest (or largest) first, ties by lower index. */
function rank(indices: number[], score: (i: number) => number, largest: boolean): number[] {
  return [...indices].sort((a, b) => {
    const sa = score(a);
    const sb = score(b);
    if (sa !== sb) return largest ? sb - sa : sa - sb;
    return a - b;
  });
}

/**
 * @internal L1-unstructured (or random) mask: prune the `count` entries still at 1 with the smallest
 * |score| — or, given `random` draws for those entries, the ones with the largest draws (PyTorch's
 * `topk(rand_like(t), k)`).
 * @example
 * unstructuredMask('prune.l1Unstructured', scores, ones, { fraction: 0.5 }); // half the entries at 0
 */
export function unstructuredMask(
  op: string,
  scores: ArrayLike<number>,
  defaultMask: ArrayLike<number>,
  amount: ResolvedAmount,
  random?: (count: number) => ArrayLike<number>,
): Float32Array {
  const mask = Float32Array.from(defaultMask);
  const alive: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) alive.push(i);
  const count = countToPrune(op, amount, alive.length);
  if (count === 0) return mask;
  let pruned: number[];
  if (random) {
    const draws = random(alive.length);
    pruned = rank(alive.map((_, j) => j), (j) => draws[j], true).slice(0, count).map((j) => alive[j]);
  } else {
    pruned = rank(alive, (i) => Math.abs(scores[i]), false).slice(0, count);
  }
  for (const i of pruned) mask[i] = 0;
  return mask;
}

/** Row-major strides of `shape`. */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}

/** The Lₙ norm of `values` (float64), as `torch.norm(t, p=n)` over a channel. */
function normOf(values: number[], n: NormOrder): number {
  const p = n === 'fro' ? 2 : n;
  if (p === Infinity) return Math.max(...values.map(Math.abs));
  if (p === -Infinity) return Math.min(...values.map(Math.abs));
  if (p === 0) return values.filter((v) => v !== 0).length;
  let total = 0;
  for (const v of values) total += Math.abs(v) ** p;
  return total ** (1 / p);
}

/**
 * @internal Ln-structured mask: along `dim`, among the channels earlier pruning left (not all zero), keep
 * the `size − k` with the largest Lₙ norm of their scores and zero the rest (times the earlier mask).
 * @example
 * structuredMask('prune.lnStructured', scores, [8, 6], ones, { fraction: 0.5 }, 2, 0); // 4 rows at 0
 */
export function structuredMask(
  op: string,
  scores: ArrayLike<number>,
  shape: readonly number[],
  defaultMask: ArrayLike<number>,
  amount: ResolvedAmount,
  n: NormOrder,
  dim: number,
): Float32Array {
  if (shape.length <= 1) {
    throw new ShapeError(`${op}: structured pruning can only be applied to multidimensional tensors, got shape [${shape.join(', ')}] with ${shape.length} dim(s)`);
  }
  if (!Number.isInteger(dim) || dim >= shape.length || dim < -shape.length) {
    throw new ValueError(`${op}: invalid dim ${dim} for a tensor of ${shape.length} dims`);
  }
  if (typeof n !== 'number' && n !== 'fro') throw new ValueError(`${op}: n must be a number, ±Infinity or 'fro', got ${String(n)}`);
  const axis = dim < 0 ? dim + shape.length : dim;
  const strides = stridesOf(shape);
  const channelOf = (i: number) => Math.floor(i / strides[axis]) % shape[axis];
  const size = defaultMask.length;
  const channels = Array.from({ length: shape[axis] }, () => ({ mask: 0, scores: [] as number[], entries: [] as number[] }));
  for (let i = 0; i < size; i++) {
    const channel = channels[channelOf(i)];
    channel.mask += defaultMask[i];
    channel.scores.push(scores[i]);
    channel.entries.push(i);
  }
  const kept = channels.map((_, c) => c).filter((c) => channels[c].mask !== 0);
  const count = countToPrune(op, amount, kept.length);
  const mask = Float32Array.from(defaultMask);
  if (count === 0) return mask;
  const norms = kept.map((c) => normOf(channels[c].scores, n));
  const keep = new Set(rank(kept.map((_, j) => j), (j) => norms[j], true).slice(0, kept.length - count).map((j) => kept[j]));
  for (const c of kept) if (!keep.has(c)) for (const i of channels[c].entries) mask[i] = 0;
  return mask;
}
