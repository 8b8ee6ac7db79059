/**
 * Row-sparse gradients (PyTorch's `Embedding(sparse=True)`): a lookup of a few rows of a large table
 * by {@link gatherRows} with `sparseGrad` gives the table a gradient made of just those rows — the
 * indices and one gradient row per lookup (uncoalesced: a row looked up twice appears twice, and the
 * two add up) — instead of a dense `[rows, dim]` tensor that is almost all zeros. Optimizers that
 * support it (SGD, SparseAdam) then update only the touched rows.
 *
 * Why a side store rather than `.grad`: `.grad` is a dense tensor everywhere in Tessera (clipping,
 * hooks, optimizers). A leaf with a row-sparse gradient keeps `.grad` null, and
 * {@link rowSparseGrad} returns what backward collected; `zeroGrad` clears both.
 */
import { noGrad } from './grad-mode';
import { keep } from '../memory/scope';
import type { Tensor } from '../tensor/tensor';
import { cat } from '../ops/join';

/** A row-sparse gradient: `values[k]` is the gradient of row `indices[k]` (repeats add up). */
export interface RowSparseGrad {
  /** int32 `[n]`: the rows, in lookup order (not unique, not sorted). */
  readonly indices: Tensor;
  /** `[n, ...rowShape]`, the parameter's dtype. */
  readonly values: Tensor;
}

/** Pieces collected per parameter since the last clear (one per backward through a lookup). */
const pending = new WeakMap<Tensor, { indices: Tensor[]; values: Tensor[] }>();

/**
 * Add one lookup's gradient rows to `param`'s row-sparse gradient (what backward does for
 * `gatherRows(…, { sparseGrad: true })`). The tensors are kept until {@link clearRowSparseGrad}.
 * @example
 * accumulateRowSparseGrad(table, rows, gradOfRows);
 */
export function accumulateRowSparseGrad(param: Tensor, indices: Tensor, values: Tensor): void {
  let entry = pending.get(param);
  if (!entry) pending.set(param, (entry = { indices: [], values: [] }));
  entry.indices.push(keep(indices));
  entry.values.push(keep(values));
}

/**
 * The row-sparse gradient backward collected for `param` (null when there is none). Several backward
 * passes concatenate, as dense gradients accumulate. Do not dispose the result: {@link clearRowSparseGrad} does.
 * @example
 * const sparse = rowSparseGrad(embedding.weight);
 * if (sparse) indexAdd_(embedding.weight, 0, sparse.indices, sparse.values, { alpha: -lr });
 */
export function rowSparseGrad(param: Tensor): RowSparseGrad | null {
  const entry = pending.get(param);
  if (!entry || entry.indices.length === 0) return null;
  if (entry.indices.length > 1) {
    const indices = noGrad(() => keep(cat(entry.indices, 0)));
    const values = noGrad(() => keep(cat(entry.values, 0)));
    for (const t of [...entry.indices, ...entry.values]) t.dispose();
    entry.indices = [indices];
    entry.values = [values];
  }
  return { indices: entry.indices[0], values: entry.values[0] };
}

/**
 * Forget (and free) `param`'s row-sparse gradient.
 * @example
 * clearRowSparseGrad(embedding.weight);
 */
export function clearRowSparseGrad(param: Tensor): void {
  const entry = pending.get(param);
  if (!entry) return;
  for (const t of [...entry.indices, ...entry.values]) t.dispose();
  pending.delete(param);
}
