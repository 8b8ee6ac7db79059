import { ShapeError, ValueError, type Tensor } from '@tessera/core';
import { Dataset, checkItemIndex } from './dataset';

/**
 * A data set of tensors that share their first dim: item `i` is `[t₀[i], t₁[i], …]` (PyTorch's
 * `TensorDataset`). The data set does not own the tensors — dispose them yourself when done.
 * A {@link DataLoader} over a TensorDataset gathers whole batches with `indexSelect` instead of
 * stacking single items.
 *
 * @example
 * const ds = new TensorDataset(randn([100, 4]), randint(0, 3, [100]));
 * ds.length;          // 100
 * const [x, y] = ds.get(0); // x: [4], y: [] (views; dispose when done)
 */
export class TensorDataset extends Dataset<Tensor[]> {
  /** The tensors, in the order given. */
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new ValueError('TensorDataset: expected at least one tensor');
    for (const t of tensors) {
      if (t.ndim === 0) throw new ShapeError('TensorDataset: every tensor needs a first (sample) dim, got a 0-d tensor');
    }
    const first = tensors[0].shape[0];
    if (tensors.some((t) => t.shape[0] !== first)) {
      const shapes = tensors.map((t) => `[${t.shape.join(', ')}]`).join(', ');
      throw new ShapeError(`TensorDataset: every tensor must have the same size in dim 0, got shapes ${shapes}`);
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  /** `[t₀[index], t₁[index], …]` as views (the caller disposes them; the storage stays shared). */
  get(index: number): Tensor[] {
    checkItemIndex('TensorDataset.get', index, this.length);
    return this.tensors.map((t) => t.select(0, index));
  }
}
