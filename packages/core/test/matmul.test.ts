import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, randn, manualSeed, matmul, ShapeError, DTypeError, type Tensor } from '../src/index';
import { referencePlugin } from '../src/testing';
import { expectAllClose, values } from './helpers';

registerBackend(referencePlugin);
await setBackend('reference');
manualSeed(11);

/** Direct triple loop over row-major [m, k] × [k, n]. */
function naive(a: number[], b: number[], m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[i * n + j] += a[i * k + p] * b[p * n + j];
  return out;
}

const r = (shape: number[]) => randn(shape, { dtype: 'float64' });

async function batchedReference(a: Tensor, b: Tensor, batch: number[]): Promise<number[]> {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.ndim - 1];
  const ea = await values(a.expand([...batch, m, k]).contiguous());
  const eb = await values(b.expand([...batch, k, n]).contiguous());
  const count = batch.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(...naive(ea.slice(i * m * k, (i + 1) * m * k), eb.slice(i * k * n, (i + 1) * k * n), m, k, n));
  return out;
}

describe('matmul follows PyTorch’s rank rules', () => {
  it('1-D · 1-D is a dot product (0-d)', async () => {
    const d = tensor([1, 2, 3]).matmul(tensor([4, 5, 6]));
    expect(d.shape).toEqual([]);
    expect(await d.item()).toBe(32);
  });

  it('1-D · 2-D treats the vector as a row', async () => {
    const y = matmul(tensor([1, 2]), tensor([[1, 2, 3], [4, 5, 6]]));
    expect(y.shape).toEqual([3]);
    expect(await y.array()).toEqual([9, 12, 15]);
  });

  it('2-D · 1-D treats the vector as a column', async () => {
    const y = tensor([[1, 2, 3], [4, 5, 6]]).matmul(tensor([1, 0, -1]));
    expect(y.shape).toEqual([2]);
    expect(await y.array()).toEqual([-2, -2]);
  });

  it('2-D · 2-D matches a triple loop', async () => {
    const a = r([4, 5]);
    const b = r([5, 3]);
    expectAllClose(await values(a.matmul(b)), naive(await values(a), await values(b), 4, 5, 3), 1e-12);
  });

  it('batched with broadcast batch dims', async () => {
    for (const [sa, sb, batch] of [
      [[2, 3, 4], [4, 5], [2]],
      [[4, 5], [3, 5, 2], [3]],
      [[2, 1, 3, 4], [5, 4, 2], [2, 5]],
      [[1, 3, 4], [6, 4, 2], [6]],
      [[2, 3, 4], [2, 4, 5], [2]],
    ] as const) {
      const a = r([...sa]);
      const b = r([...sb]);
      const y = a.matmul(b);
      expect(y.shape).toEqual([...batch, sa[sa.length - 2], sb[sb.length - 1]]);
      expectAllClose(await values(y), await batchedReference(a, b, [...batch]), 1e-12);
    }
  });

  it('batched 1-D operands', async () => {
    const a = r([3, 4, 5]);
    const v = r([5]);
    expect(a.matmul(v).shape).toEqual([3, 4]);
    expectAllClose(await values(a.matmul(v)), await values(a.matmul(v.unsqueeze(1)).squeeze(-1)), 1e-12);
    expect(v.unsqueeze(0).matmul(r([2, 5, 3])).shape).toEqual([2, 1, 3]);
    expect(v.matmul(r([2, 5, 3])).shape).toEqual([2, 3]);
  });

  it('transposed and otherwise strided operands', async () => {
    const a = r([5, 4]);
    const b = r([3, 5]);
    const expected = naive(await values(a.T.contiguous()), await values(b.T.contiguous()), 4, 5, 3);
    expectAllClose(await values(a.T.matmul(b.T)), expected, 1e-12);
    const batch = r([4, 2, 3]).permute([1, 2, 0]); // [2, 3, 4], non-contiguous batch
    const right = r([4, 2]);
    expectAllClose(await values(batch.matmul(right)), await values(batch.contiguous().matmul(right)), 1e-12);
    const sliced = r([6, 4]).slice(0, 0, 6, 2); // rows 0, 2, 4
    expectAllClose(await values(sliced.matmul(right)), await values(sliced.contiguous().matmul(right)), 1e-12);
  });

  it('empty dims give empty or zero results', async () => {
    expect(r([0, 3]).matmul(r([3, 2])).shape).toEqual([0, 2]);
    expect(await r([2, 0]).matmul(r([0, 3])).array()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it('mixed float dtypes promote', () => {
    expect(tensor([[1]]).matmul(tensor([[1]], { dtype: 'float64' })).dtype).toBe('float64');
  });
});

describe('matmul errors', () => {
  it('misaligned inner dims name both shapes', () => {
    expect(() => r([2, 3]).matmul(r([4, 5]))).toThrow(ShapeError);
    expect(() => r([2, 3]).matmul(r([4, 5]))).toThrow(/matmul.*\[2, 3\].*\[4, 5\]/);
    expect(() => r([3]).matmul(r([4]))).toThrow(ShapeError);
  });

  it('unbroadcastable batch dims', () => {
    expect(() => r([2, 3, 4]).matmul(r([3, 4, 5]))).toThrow(ShapeError);
  });

  it('0-d operands and integer operands are rejected', () => {
    expect(() => tensor(2).matmul(r([2]))).toThrow(ShapeError);
    expect(() => tensor([[1]], { dtype: 'int32' }).matmul(tensor([[1]], { dtype: 'int32' }))).toThrow(DTypeError);
  });
});
