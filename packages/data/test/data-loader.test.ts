import '@tessera/backend-cpu';
import { ValueError, arange, manualSeed, memory, tensor, type Tensor } from '@tessera/core';
import { afterEach, describe, expect, it } from 'vitest';
import { DataLoader, Dataset, TensorDataset } from '../src';
import { tidied } from './helpers';

function rows(n: number): { ds: TensorDataset; x: Tensor; y: Tensor } {
  const x = arange(n * 2).reshape([n, 2]);
  const y = arange(n, undefined, 1, { dtype: 'int32' });
  return { ds: new TensorDataset(x, y), x, y };
}

/** The label order of one epoch (disposing the batches). */
function epochLabels(loader: DataLoader): number[] {
  const seen: number[] = [];
  for (const batch of loader) {
    seen.push(...(batch[1].dataSync() as Int32Array));
    for (const t of batch) t.dispose();
  }
  return seen;
}

let owned: Tensor[] = [];
afterEach(() => {
  for (const t of owned) t.dispose();
  owned = [];
});

describe('DataLoader: the three regimes of gradient descent', () => {
  it('batchSize 1 is stochastic: one item per batch, N batches per epoch', tidied(() => {
    const { ds, x, y } = rows(5);
    owned.push(x, y);
    const loader = new DataLoader(ds);
    expect(loader.length).toBe(5);
    const shapes = [...loader].map(([xb, yb]) => {
      const shape = [xb.shape, yb.shape];
      xb.dispose();
      yb.dispose();
      return shape;
    });
    expect(shapes).toEqual(Array(5).fill([[1, 2], [1]]));
  }));

  it('batchSize N is full-batch: one batch of everything', tidied(() => {
    const { ds, x, y } = rows(5);
    owned.push(x, y);
    const loader = new DataLoader(ds, { batchSize: 5 });
    expect(loader.length).toBe(1);
    const batches = [...loader];
    expect(batches.length).toBe(1);
    expect(batches[0][0].arraySync()).toEqual(x.arraySync());
    for (const t of batches[0]) t.dispose();
  }));

  it('batchSize between is mini-batch: ceil(N / B) batches, the last one smaller', tidied(() => {
    const { ds, x, y } = rows(10);
    owned.push(x, y);
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const sizes = [...loader].map((batch) => {
      const size = batch[0].shape[0];
      for (const t of batch) t.dispose();
      return size;
    });
    expect(sizes).toEqual([4, 4, 2]);
  }));

  it('dropLast drops the short last batch', tidied(() => {
    const { ds, x, y } = rows(10);
    owned.push(x, y);
    const loader = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect(epochLabels(loader)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  }));

  it('without shuffle the order is the data set order', tidied(() => {
    const { ds, x, y } = rows(7);
    owned.push(x, y);
    expect(epochLabels(new DataLoader(ds, { batchSize: 3 }))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  }));
});

describe('DataLoader: seeded shuffle', () => {
  it('the same seed gives the same order; every item is visited once per epoch', tidied(() => {
    const { ds, x, y } = rows(20);
    owned.push(x, y);
    const a = epochLabels(new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 123 }));
    const b = epochLabels(new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 123 }));
    expect(a).toEqual(b);
    expect(a).not.toEqual([...Array(20).keys()]);
    expect([...a].sort((p, q) => p - q)).toEqual([...Array(20).keys()]);
    expect(epochLabels(new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 124 }))).not.toEqual(a);
  }));

  it('each epoch reshuffles, deterministically: epoch e of two loaders with one seed agree', tidied(() => {
    const { ds, x, y } = rows(20);
    owned.push(x, y);
    const first = new DataLoader(ds, { batchSize: 5, shuffle: true, seed: 9 });
    const second = new DataLoader(ds, { batchSize: 5, shuffle: true, seed: 9 });
    const epochs = [epochLabels(first), epochLabels(first), epochLabels(first)];
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(epochs[1]).not.toEqual(epochs[2]);
    expect(first.epoch).toBe(3);
    expect([epochLabels(second), epochLabels(second), epochLabels(second)]).toEqual(epochs);
    second.setEpoch(1);
    expect(epochLabels(second)).toEqual(epochs[1]);
    expect([...first.order(2)]).toEqual(epochs[2]);
  }));

  it('rows stay paired with their labels after shuffling', tidied(() => {
    const { ds, x, y } = rows(9);
    owned.push(x, y);
    for (const [xb, yb] of new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 1 })) {
      const labels = yb.dataSync();
      const features = xb.arraySync() as number[][];
      features.forEach((row, i) => expect(row).toEqual([2 * labels[i], 2 * labels[i] + 1]));
      xb.dispose();
      yb.dispose();
    }
  }));

  it('without a seed the order follows manualSeed', tidied(() => {
    const { ds, x, y } = rows(20);
    owned.push(x, y);
    manualSeed(11);
    const a = epochLabels(new DataLoader(ds, { batchSize: 20, shuffle: true }));
    manualSeed(11);
    const b = epochLabels(new DataLoader(ds, { batchSize: 20, shuffle: true }));
    expect(a).toEqual(b);
  }));
});

describe('DataLoader: generic data sets and collate', () => {
  class Pairs extends Dataset<[Tensor, number]> {
    get length() {
      return 5;
    }
    get(i: number): [Tensor, number] {
      return [tensor([i, 10 - i]), i % 2];
    }
  }

  it('the default collate stacks tensors and turns numbers into a tensor', tidied(() => {
    const batches = [...new DataLoader(new Pairs(), { batchSize: 2 })];
    expect(batches.length).toBe(3);
    const [xb, yb] = batches[0] as unknown as Tensor[];
    expect(xb.arraySync()).toEqual([[0, 10], [1, 9]]);
    expect(yb.arraySync()).toEqual([0, 1]);
    for (const batch of batches) for (const t of batch as unknown as Tensor[]) t.dispose();
  }));

  it('a custom collate receives the items', tidied(() => {
    const loader = new DataLoader(new Pairs(), { batchSize: 5, collate: (items) => items.map(([, label]) => label) });
    expect([...loader]).toEqual([[0, 1, 0, 1, 0]]);
  }));

  it('items are disposed after collating, except those the collate returns', tidied(() => {
    const before = memory().tensors;
    const loader = new DataLoader(new Pairs(), { batchSize: 1, collate: (items) => items[0][0] });
    const batches = [...loader];
    expect(memory().tensors - before).toBe(5);
    expect(batches[4].arraySync()).toEqual([4, 6]);
    for (const t of batches) t.dispose();
    expect(memory().tensors).toBe(before);
  }));
});

describe('DataLoader: memory and errors', () => {
  it('memory stays flat over epochs when each batch is disposed', tidied(() => {
    const { ds, x, y } = rows(64);
    owned.push(x, y);
    const loader = new DataLoader(ds, { batchSize: 8, shuffle: true, seed: 0 });
    epochLabels(loader);
    const before = memory().tensors;
    for (let epoch = 0; epoch < 3; epoch++) epochLabels(loader);
    expect(memory().tensors).toBe(before);
  }));

  it('batchSize 0 or negative is a ValueError that says what is expected', tidied(() => {
    const { ds, x, y } = rows(3);
    owned.push(x, y);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(ValueError);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow('DataLoader: batchSize must be a positive integer (1 = stochastic, dataset.length = full batch), got 0');
    expect(() => new DataLoader(ds, { batchSize: -2 })).toThrow(/got -2/);
    expect(() => new DataLoader(ds, { batchSize: 1.5 })).toThrow(/got 1.5/);
  }));

  it('a bad seed is a ValueError', tidied(() => {
    const { ds, x, y } = rows(3);
    owned.push(x, y);
    expect(() => new DataLoader(ds, { shuffle: true, seed: -1 })).toThrow(/seed must be a non-negative safe integer/);
  }));
});

describe('DataLoader state for resuming a training run', () => {
  /** Labels of the next `count` batches across epochs, iterating as a training loop does (disposing them). */
  function nextLabels(loader: DataLoader, count: number): number[][] {
    const seen: number[][] = [];
    while (seen.length < count) {
      let any = false;
      for (const batch of loader) {
        any = true;
        seen.push([...(batch[1].dataSync() as Int32Array)]);
        for (const t of batch) t.dispose();
        if (seen.length === count) break;
      }
      if (!any) throw new Error('empty epoch');
    }
    return seen;
  }

  it('resumed mid-epoch (an iteration left unfinished), it yields the rest of that epoch’s shuffle, then the next epochs', tidied(() => {
    const { ds, x, y } = rows(10);
    owned.push(x, y);
    const straight = nextLabels(new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 5 }), 9);
    const first = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 5 });
    const head = nextLabels(first, 6); // epoch 0 (4 batches) and 2 batches of epoch 1
    const saved = JSON.parse(JSON.stringify(first.stateDict()));
    expect(saved).toEqual({ epoch: 1, batch: 2, seed: 5 });
    const resumed = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 5 });
    resumed.loadStateDict(saved);
    expect([...head, ...nextLabels(resumed, 3)]).toEqual(straight);
  }));

  it('at the end of an epoch the state points at the next epoch; without shuffling the seed is null', tidied(() => {
    const { ds, x, y } = rows(6);
    owned.push(x, y);
    const loader = new DataLoader(ds, { batchSize: 3 });
    expect(loader.stateDict()).toEqual({ epoch: 0, batch: 0, seed: null });
    nextLabels(loader, 2);
    expect(loader.stateDict()).toEqual({ epoch: 1, batch: 0, seed: null });
  }));

  it('rejects a state of another seed, a batch past the epoch and a malformed state', tidied(() => {
    const { ds, x, y } = rows(6);
    owned.push(x, y);
    const loader = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 1 });
    expect(() => loader.loadStateDict({ epoch: 0, batch: 0, seed: 2 })).toThrow(/saved by a loader with shuffle seed 2, but this one has 1/);
    expect(() => loader.loadStateDict({ epoch: 0, batch: 3, seed: 1 })).toThrow(/batch 3 is past the 2 batches of an epoch/);
    expect(() => loader.loadStateDict({ epoch: -1 } as never)).toThrow(/expected \{ epoch, batch, seed \}/);
  }));
});
