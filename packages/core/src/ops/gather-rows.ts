/**
 * `gatherRows`: rows of a table by index (an embedding lookup), optionally with a row-sparse gradient
 * for the table (autograd/row-sparse-grad.ts) — PyTorch's `F.embedding(…, sparse=True)`.
 */
import { isGradEnabled, noGrad } from '../autograd/grad-mode';
import { recordOp } from '../autograd/record';
import { accumulateRowSparseGrad } from '../autograd/row-sparse-grad';
import { ShapeError } from '../errors';
import { tidy } from '../memory/scope';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { zeros } from './creation';
import { checkIndexTensor } from './index-policy';
import { indexSelect, scatterAdd } from './indexing';

/** Options of {@link gatherRows}. */
export interface GatherRowsOptions {
  /**
   * Give the table a row-sparse gradient (default false): backward stores the looked-up rows' gradient
   * for `rowSparseGrad(table)` instead of accumulating a dense `[rows, …]` `.grad`. Only for a leaf
   * table and plain `backward()`; under `createGraph`, or for a table that is itself computed, the
   * gradient is dense as usual.
   */
  sparseGrad?: boolean;
}

/**
 * `table[index]` along dim 0: int32 `index` of any shape → `[...index.shape, ...table.shape.slice(1)]`.
 * @example
 * const rows = gatherRows(embeddingTable, tensor([[3, 1]], { dtype: 'int32' }), { sparseGrad: true }); // [1, 2, dim]
 * rows.sum().backward();
 * rowSparseGrad(embeddingTable); // { indices: [3, 1], values: ones([2, dim]) }
 */
export function gatherRows(table: Tensor, index: Tensor, options: GatherRowsOptions = {}): Tensor {
  checkIndexTensor('gatherRows', index);
  if (table.ndim < 1) throw new ShapeError(`gatherRows: table must have at least one dim, got ${formatShape(table.shape)}`);
  const rowShape = table.shape.slice(1);
  const outShape = [...index.shape, ...rowShape];
  if (!options.sparseGrad) return tidy(() => indexSelect(table, 0, index.reshape([-1])).reshape(outShape));
  const flat = index.reshape([-1]);
  const out = noGrad(() => tidy(() => indexSelect(table, 0, flat).reshape(outShape)));
  recordOp(
    'gatherRows',
    [table],
    out,
    (grad, [savedIndex]) => {
      const rows = grad.reshape([savedIndex.shape[0], ...rowShape]);
      if (isGradEnabled() || !table.isLeaf || table.isDisposed) {
        const spread = savedIndex.reshape([savedIndex.shape[0], ...rowShape.map(() => 1)]).expand(rows.shape);
        return [scatterAdd(zeros(table.shape, { dtype: table.dtype, device: table.device }), 0, spread, rows)];
      }
      accumulateRowSparseGrad(table, savedIndex.clone(), rows.clone());
      return [null];
    },
    { save: [flat] },
  );
  flat.dispose();
  return out;
}
