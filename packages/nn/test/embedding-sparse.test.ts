/**
 * Embedding with sparse: true (PyTorch's sparse=True) and Embedding.fromPretrained: a sparse table gives
 * the same lookups as a dense one, keeps `.grad` null and stores exactly the rows of the dense gradient,
 * trains with SGD/SparseAdam touching only its rows, and zeroGrad clears it; fromPretrained copies a
 * tensor, a `{ vectors }` holder or a `toTensor()` maker, is frozen by default, fine-tunes with
 * freeze: false, keeps the padding row's vector and its gradient at zero.
 */
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { ValueError, indexAdd_, rowSparseGrad, tensor, zeros } from '@tessera/core';
import { SGD, SparseAdam } from '@tessera/optim';
import { Embedding, F } from '../src/index';

const int = (values: number[] | number[][]) => tensor(values, { dtype: 'int32' });

describe('Embedding({ sparse: true })', () => {
  it('looks up the same rows as a dense table and stores the dense gradient row by row', async () => {
    const sparse = new Embedding(5, 3, { sparse: true });
    const dense = Embedding.fromPretrained(sparse.weight, { freeze: false });
    const ids = int([[4, 1, 4], [0, 1, 1]]);
    const weights = tensor([[[1, 2, 3]], [[-1, 0.5, 2]]]);
    const outSparse = sparse.forward(ids);
    expect(Array.from(await outSparse.data())).toEqual(Array.from(await dense.forward(ids).data()));
    outSparse.mul(weights).sum().backward();
    dense.forward(ids).mul(weights).sum().backward();
    expect(sparse.weight.grad).toBeNull();
    const rows = rowSparseGrad(sparse.weight)!;
    expect(Array.from(await rows.indices.data())).toEqual([4, 1, 4, 0, 1, 1]);
    const densified = zeros([5, 3]);
    indexAdd_(densified, 0, rows.indices, rows.values);
    expect(Array.from(await densified.data())).toEqual(Array.from(await dense.weight.grad!.data()));
    sparse.zeroGrad();
    expect(rowSparseGrad(sparse.weight)).toBeNull();
  });

  it('trains with SGD and SparseAdam, moving only the looked-up rows', async () => {
    for (const make of [(e: Embedding) => new SGD(e.parameters(), { lr: 0.5 }), (e: Embedding) => new SparseAdam(e.parameters(), { lr: 0.1 })]) {
      const embedding = new Embedding(6, 2, { sparse: true });
      const before = (await embedding.weight.array()) as number[][];
      const optimizer = make(embedding);
      const target = tensor([[1, -1], [0.5, 0.5]]);
      let first = 0, last = 0;
      for (let step = 0; step < 30; step++) {
        optimizer.zeroGrad();
        const loss = F.mseLoss(embedding.forward(int([2, 5])), target);
        if (step === 0) first = loss.itemSync();
        last = loss.itemSync();
        loss.backward();
        optimizer.step();
      }
      expect(last).toBeLessThan(0.1 * first);
      const after = (await embedding.weight.array()) as number[][];
      for (const row of [0, 1, 3, 4]) expect(after[row]).toEqual(before[row]);
    }
  });

  it('keeps the padding row out of the gradient', async () => {
    const embedding = new Embedding(4, 2, { sparse: true, paddingIdx: 0 });
    embedding.forward(int([0, 3, 0])).sum().backward();
    const rows = rowSparseGrad(embedding.weight)!;
    expect(Array.from(await rows.values.data())).toEqual([0, 0, 1, 1, 0, 0]);
    expect(embedding.toString()).toContain('sparse=true');
  });
});

describe('Embedding.fromPretrained', () => {
  const vectors = () => tensor([[0, 0], [1, 2], [3, 4]]);

  it('copies a tensor, a { vectors } holder or a toTensor() maker, frozen by default', async () => {
    for (const source of [vectors(), { vectors: vectors() }, { toTensor: () => vectors() }]) {
      const embedding = Embedding.fromPretrained(source);
      expect(embedding.weight.requiresGrad).toBe(false);
      expect([embedding.numEmbeddings, embedding.embeddingDim]).toEqual([3, 2]);
      expect(await embedding.forward(int([2, 1])).array()).toEqual([[3, 4], [1, 2]]);
    }
  });

  it('fine-tunes with freeze: false and keeps the padding vector as given', async () => {
    const source = tensor([[9, 9], [1, 2], [3, 4]]);
    const embedding = Embedding.fromPretrained(source, { freeze: false, paddingIdx: 0 });
    expect(await embedding.forward(int([0])).array()).toEqual([[9, 9]]);
    embedding.forward(int([0, 1])).sum().backward();
    expect(await embedding.weight.grad!.array()).toEqual([[0, 0], [1, 1], [0, 0]]);
    // A copy: the source is unchanged after training steps.
    new SGD(embedding.parameters(), { lr: 1 }).step();
    expect(await source.array()).toEqual([[9, 9], [1, 2], [3, 4]]);
  });

  it('refuses what is not a 2-D floating matrix', () => {
    expect(() => Embedding.fromPretrained(tensor([1, 2, 3]))).toThrow(/2-D floating/);
    expect(() => Embedding.fromPretrained({} as never)).toThrow(ValueError);
  });
});
