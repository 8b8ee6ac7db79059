/**
 * gatherRows with sparseGrad: the forward equals indexSelect; backward leaves `.grad` null and stores
 * the looked-up rows' gradient (uncoalesced: a row looked up twice appears twice), which densified
 * equals the dense gradient of the same lookup; two backward passes concatenate; clearRowSparseGrad
 * frees it; under createGraph (or for a computed table) the gradient is dense as usual.
 */
import { describe, expect, it } from 'vitest';
import { clearRowSparseGrad, gatherRows, grad, indexAdd_, memory, registerBackend, rowSparseGrad, setBackend, tensor, zeros } from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');

function table() {
  const t = tensor([[1, 2], [3, 4], [5, 6], [7, 8]], { dtype: 'float64' });
  t.requiresGrad = true;
  return t;
}

describe('gatherRows with a row-sparse gradient', () => {
  it('looks up rows like indexSelect and stores one gradient row per lookup', async () => {
    const weight = table();
    const index = tensor([[2, 0], [2, 3]], { dtype: 'int32' });
    const rows = gatherRows(weight, index, { sparseGrad: true });
    expect(rows.shape).toEqual([2, 2, 2]);
    expect(Array.from(await rows.data())).toEqual([5, 6, 1, 2, 5, 6, 7, 8]);
    rows.mul(tensor([[[1, 10]], [[100, 1000]]], { dtype: 'float64' })).sum().backward();
    expect(weight.grad).toBeNull();
    const sparse = rowSparseGrad(weight)!;
    expect(Array.from(await sparse.indices.data())).toEqual([2, 0, 2, 3]);
    expect(Array.from(await sparse.values.data())).toEqual([1, 10, 1, 10, 100, 1000, 100, 1000]);
    // Densified, it is the ordinary gradient.
    const dense = zeros([4, 2], { dtype: 'float64' });
    indexAdd_(dense, 0, sparse.indices, sparse.values);
    const reference = table();
    gatherRows(reference, index).mul(tensor([[[1, 10]], [[100, 1000]]], { dtype: 'float64' })).sum().backward();
    expect(Array.from(await dense.data())).toEqual(Array.from(await reference.grad!.data()));
    clearRowSparseGrad(weight);
    expect(rowSparseGrad(weight)).toBeNull();
  });

  it('concatenates the rows of two backward passes and frees them on clear', async () => {
    const weight = table();
    gatherRows(weight, tensor([1], { dtype: 'int32' }), { sparseGrad: true }).sum().backward();
    gatherRows(weight, tensor([3, 1], { dtype: 'int32' }), { sparseGrad: true }).sum().backward();
    const sparse = rowSparseGrad(weight)!;
    expect(Array.from(await sparse.indices.data())).toEqual([1, 3, 1]);
    expect(sparse.values.shape).toEqual([3, 2]);
    const before = memory().tensors;
    clearRowSparseGrad(weight);
    expect(memory().tensors).toBe(before - 2);
  });

  it('gives a dense gradient under createGraph', async () => {
    const weight = table();
    const [g] = grad(gatherRows(weight, tensor([0, 0], { dtype: 'int32' }), { sparseGrad: true }).pow(2).sum(), [weight], { createGraph: true });
    expect(Array.from(await g!.data())).toEqual([4, 8, 0, 0, 0, 0, 0, 0]);
    expect(rowSparseGrad(weight)).toBeNull();
  });
});
