import { ValueError, noGrad, tensor, type Tensor } from '@tessera/core';
import { collectTensors, defaultCollate } from './collate';
import type { Dataset } from './dataset';
import { randomPermutation, resolveSeed } from './random';
import { TensorDataset } from './tensor-dataset';

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions<Item, Batch> {
  /**
   * Items per batch (default 1). The course's three regimes of gradient descent are three batch sizes:
   * `1` — stochastic gradient descent (one step per example); `dataset.length` — batch gradient descent
   * (one step per epoch, on all the data); anything between — mini-batch gradient descent.
   */
  batchSize?: number;
  /** Visit the items in a new random order every epoch (default false). */
  shuffle?: boolean;
  /**
   * Seed of the shuffle: the same seed gives the same order for the same epoch, on every run and machine.
   * Without it a seed is drawn once from core's global generator, so `manualSeed` still fixes the order.
   */
  seed?: number;
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Turn a list of items into a batch (default {@link defaultCollate}: stack tensors along a new dim 0). */
  collate?: (items: Item[]) => Batch;
}

/** Where a {@link DataLoader} is, as returned by `stateDict()`. */
export interface DataLoaderState {
  /** The epoch the next batch belongs to. */
  epoch: number;
  /** How many batches of that epoch were handed out already. */
  batch: number;
  /** The shuffle seed (null without shuffling); a loader resuming the state must have the same. */
  seed: number | null;
}

/**
 * Batches of a data set, in order or shuffled, as an iterable (PyTorch's `DataLoader`).
 *
 * Each `for … of` is one epoch; the loader counts epochs and reshuffles every epoch, deterministically
 * from its seed (epoch `e` uses the permutation of stream `e`). Each batch's tensors belong to the
 * caller, who disposes them (`fit` does). For a {@link TensorDataset} without a custom `collate` the
 * loader gathers each batch with one `indexSelect` per tensor (or a `narrow` view when not shuffling)
 * instead of stacking single items. Batches are built under `noGrad`.
 *
 * @example
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true, seed: 0 });
 * for (const [xb, yb] of loader) { trainStep(xb, yb); xb.dispose(); yb.dispose(); }
 * loader.length; // batches per epoch: ceil(N / 32)
 */
export class DataLoader<Item = Tensor[], Batch = Tensor[]> implements Iterable<Batch> {
  readonly dataset: Dataset<Item>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** The shuffle seed (given or drawn from core's generator); undefined when not shuffling. */
  readonly seed: number | undefined;
  private readonly collate: ((items: Item[]) => Batch) | undefined;
  private nextEpoch = 0;
  /** The latest iteration: its epoch and the batches it has handed out. */
  private position: { epoch: number; served: number } | null = null;
  /** Batches the next iteration skips (set by loadStateDict to continue mid-epoch). */
  private skip = 0;

  constructor(dataset: Dataset<Item>, options: DataLoaderOptions<Item, Batch> = {}) {
    const { batchSize = 1, shuffle = false, dropLast = false, collate } = options;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new ValueError(`DataLoader: batchSize must be a positive integer (1 = stochastic, dataset.length = full batch), got ${batchSize}`);
    }
    if (dataset == null || typeof dataset.get !== 'function' || typeof dataset.length !== 'number') {
      throw new ValueError('DataLoader: expected a Dataset (an object with length and get(index))');
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.collate = collate;
    this.seed = shuffle ? resolveSeed(options.seed, 'DataLoader') : undefined;
  }

  /** Batches per epoch: `ceil(N / batchSize)`, or `floor(N / batchSize)` with `dropLast`. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The epoch the next iteration will run (0 for the first). */
  get epoch(): number {
    return this.nextEpoch;
  }

  /** Choose the epoch of the next iteration (to resume training with the same shuffles). */
  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0) throw new ValueError(`DataLoader.setEpoch: epoch must be a non-negative integer, got ${epoch}`);
    this.nextEpoch = epoch;
    this.skip = 0;
    this.position = null;
  }

  /**
   * Where the loader is: the epoch and batch that come after the last batch handed out — also when that
   * iteration was left unfinished (a training run stopped mid-epoch). `fit` saves it in its checkpoints.
   * @example
   * const saved = loader.stateDict(); // { epoch: 3, batch: 17, seed: 0 }
   */
  stateDict(): DataLoaderState {
    const seed = this.seed ?? null;
    const position = this.position;
    if (position !== null && position.served < this.length) return { epoch: position.epoch, batch: position.served, seed };
    return { epoch: this.nextEpoch, batch: 0, seed };
  }

  /**
   * Continue from a {@link stateDict}: the next iteration yields the rest of the saved epoch (the same
   * shuffle), and later iterations the epochs after it.
   * @example
   * loader.loadStateDict(saved);
   */
  loadStateDict(state: DataLoaderState): void {
    const where = 'DataLoader.loadStateDict';
    const { epoch, batch, seed } = (state ?? {}) as Partial<DataLoaderState>;
    if (!Number.isSafeInteger(epoch) || epoch! < 0 || !Number.isSafeInteger(batch) || batch! < 0 || (seed !== null && typeof seed !== 'number')) {
      throw new ValueError(`${where}: expected { epoch, batch, seed } as returned by stateDict(), got ${JSON.stringify(state)}`);
    }
    if ((seed ?? null) !== (this.seed ?? null)) {
      throw new ValueError(`${where}: the state was saved by a loader with shuffle seed ${String(seed)}, but this one has ${String(this.seed ?? null)}`);
    }
    if (batch! > this.length) throw new ValueError(`${where}: batch ${batch} is past the ${this.length} batches of an epoch`);
    this.nextEpoch = epoch!;
    this.skip = batch!;
    this.position = null;
  }

  /**
   * The item indices of one epoch, in visiting order (identity when not shuffling).
   * @example
   * new DataLoader(ds, { shuffle: true, seed: 1 }).order(0); // the same Int32Array every time
   */
  order(epoch: number): Int32Array {
    const n = this.dataset.length;
    if (this.shuffle) return randomPermutation(n, this.seed!, epoch);
    const identity = new Int32Array(n);
    for (let i = 0; i < n; i++) identity[i] = i;
    return identity;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const epoch = this.nextEpoch++;
    const first = this.skip;
    this.skip = 0;
    const position = { epoch, served: first };
    this.position = position;
    const order = this.order(epoch);
    const batches = this.length;
    for (let b = first; b < batches; b++) {
      const start = b * this.batchSize;
      const indices = order.subarray(start, Math.min(start + this.batchSize, order.length));
      const batch = noGrad(() => this.makeBatch(indices, start));
      position.served = b + 1;
      yield batch;
    }
  }

  private makeBatch(indices: Int32Array, start: number): Batch {
    if (this.dataset instanceof TensorDataset && this.collate === undefined) {
      const tensors = this.dataset.tensors;
      if (!this.shuffle) return tensors.map((t) => t.narrow(0, start, indices.length)) as Batch;
      const index = tensor(indices, { device: tensors[0].device });
      try {
        return tensors.map((t) => t.indexSelect(0, index)) as Batch;
      } finally {
        index.dispose();
      }
    }
    const items = Array.from(indices, (i) => this.dataset.get(i));
    const batch = (this.collate ?? defaultCollate)(items) as Batch;
    // The items were the loader's to dispose; keep whatever the collate passed through unchanged.
    const kept = collectTensors(batch);
    for (const t of collectTensors(items)) if (!kept.has(t)) t.dispose();
    return batch;
  }
}
