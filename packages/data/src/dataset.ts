import { ValueError, type Tensor } from '@tessera/core';

/**
 * A map-style data set: `length` items, item `i` from `get(i)` (PyTorch's `Dataset`).
 *
 * Items are usually arrays of tensors (`[features, label]`). `get` returns tensors the caller owns:
 * new tensors or views (`select`, `narrow`), never the stored tensor objects themselves, because the
 * {@link DataLoader} disposes items once it has collated them into a batch.
 *
 * @example
 * class Squares extends Dataset<Tensor[]> {
 *   get length() { return 10; }
 *   get(i: number) { return [tensor([i]), tensor([i * i])]; }
 * }
 */
export abstract class Dataset<Item = Tensor[]> {
  /** Number of items. */
  abstract get length(): number;

  /** Item `index` (0 ≤ index < length). */
  abstract get(index: number): Item;

  /** Every item in order (each owned by the caller). */
  *[Symbol.iterator](): Iterator<Item> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}

/**
 * Throws a ValueError unless `index` is an integer in `[0, length)`.
 * @example
 * checkItemIndex('TensorDataset.get', 3, 10);
 */
export function checkItemIndex(op: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new ValueError(`${op}: index ${index} is out of range for a data set of ${length} items (expected an integer in [0, ${length}))`);
  }
}
