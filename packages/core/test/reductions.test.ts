import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, randn, zeros, manualSeed, sum, mean, prod, logsumexp, ShapeError, DTypeError } from '../src/index';
import { referencePlugin } from '../src/testing';
import { expectAllClose, expectTensor, values } from './helpers';

registerBackend(referencePlugin);
await setBackend('reference');
manualSeed(3);

const m = () => tensor([[1, 2, 3], [4, 5, 6]]);

describe('sum and mean', () => {
  it('sum over everything, one dim, a dim list and negative dims', async () => {
    expect(await m().sum().item()).toBe(21);
    expect(m().sum().shape).toEqual([]);
    expect(await m().sum(0).array()).toEqual([5, 7, 9]);
    expect(await m().sum(-1).array()).toEqual([6, 15]);
    expect(await m().sum([0, 1]).item()).toBe(21);
    expect(await sum(m(), [-1, -2]).item()).toBe(21);
  });

  it('keepdim keeps reduced dims as size 1', async () => {
    expect(m().sum(1, true).shape).toEqual([2, 1]);
    expect(await m().sum(1, true).array()).toEqual([[6], [15]]);
    const x = randn([2, 3, 4]);
    expect(x.sum([0, 2], true).shape).toEqual([1, 3, 1]);
    expect(x.sum([0, 2]).shape).toEqual([3]);
  });

  it('sum over a 3-D dim list matches a direct loop', async () => {
    const x = randn([2, 3, 4], { dtype: 'float64' });
    const data = await values(x);
    const expected = [0, 0, 0];
    data.forEach((v, i) => (expected[Math.floor(i / 4) % 3] += v));
    expectAllClose(await values(x.sum([0, 2])), expected, 1e-12);
  });

  it('mean divides by the number of reduced elements', async () => {
    expect(await m().mean().item()).toBe(3.5);
    expect(await mean(m(), 0).array()).toEqual([2.5, 3.5, 4.5]);
    expect(await m().mean([1], true).array()).toEqual([[2], [5]]);
  });

  it('a 0-d tensor reduces to itself', async () => {
    expect(await tensor(4).sum().item()).toBe(4);
    expect(await tensor(4).sum(0).item()).toBe(4);
    expect(await tensor(4).mean().item()).toBe(4);
    expect(await tensor(4).prod().item()).toBe(4);
    expect(await tensor(4).max().item()).toBe(4);
    expect(await tensor(4).amax(0).item()).toBe(4);
  });

  it('the sum of an empty tensor is 0 and its product 1', async () => {
    expect(await zeros([0]).sum().item()).toBe(0);
    expect(await zeros([0, 3]).sum(0).array()).toEqual([0, 0, 0]);
    expect(zeros([0, 3]).sum(1).shape).toEqual([0]);
    expect(await zeros([0]).prod().item()).toBe(1);
  });

  it('the mean of an empty tensor is NaN', async () => {
    expect(await zeros([0]).mean().item()).toBeNaN();
  });

  it('integer sums stay int32; mean of integers is a DTypeError', async () => {
    const ints = tensor([1, 2, 3], { dtype: 'int32' });
    expect(ints.sum().dtype).toBe('int32');
    expect(await ints.sum().item()).toBe(6);
    expect(() => ints.mean()).toThrow(DTypeError);
  });

  it('repeated dims and out-of-range dims are ShapeErrors', () => {
    expect(() => m().sum([0, 0])).toThrow(ShapeError);
    expect(() => m().sum([0, -2])).toThrow(ShapeError);
    expect(() => m().sum(2)).toThrow(/dim 2.*rank 2/);
  });
});

describe('prod', () => {
  it('multiplies over dims', async () => {
    expect(await m().prod().item()).toBe(720);
    expect(await prod(m(), 1).array()).toEqual([6, 120]);
    expect(await m().prod(0, true).array()).toEqual([[4, 10, 18]]);
  });
});

describe('max, min, amax, amin', () => {
  it('max() without dim is the overall maximum as a 0-d tensor', async () => {
    const top = m().max();
    expect(top.shape).toEqual([]);
    expect(await top.item()).toBe(6);
    expect(await m().min().item()).toBe(1);
  });

  it('max(dim) returns { values, indices }', async () => {
    const x = tensor([[1, 5, 2], [7, 0, 7]]);
    const { values: best, indices } = x.max(1);
    expect(await best.array()).toEqual([5, 7]);
    expect(indices.dtype).toBe('int32');
    expect(await indices.array()).toEqual([1, 0]);
    const low = x.min(0, true);
    expect(low.values.shape).toEqual([1, 3]);
    expect(await low.values.array()).toEqual([[1, 0, 2]]);
    expect(await low.indices.array()).toEqual([[0, 1, 0]]);
  });

  it('ties report the first index', async () => {
    const x = tensor([3, 1, 3, 1]);
    expect(await x.max(0).indices.item()).toBe(0);
    expect(await x.min(0).indices.item()).toBe(1);
    expect(await x.argmax().item()).toBe(0);
    expect(await x.argmin().item()).toBe(1);
  });

  it('amax and amin reduce a dim list with keepdim and negative dims', async () => {
    const x = randn([2, 3, 4], { dtype: 'float64' });
    const data = await values(x);
    const expected = [-Infinity, -Infinity, -Infinity];
    data.forEach((v, i) => (expected[Math.floor(i / 4) % 3] = Math.max(expected[Math.floor(i / 4) % 3], v)));
    expectAllClose(await values(x.amax([0, -1])), expected, 0);
    expect(x.amax([0, -1], true).shape).toEqual([1, 3, 1]);
    expect(await tensor([[1, 5], [7, 2]]).amin(1).array()).toEqual([1, 2]);
  });

  it('max and min propagate NaN', async () => {
    expect(await tensor([1, NaN, 3]).max().item()).toBeNaN();
    expect(await tensor([1, NaN, 3]).amin(0).item()).toBeNaN();
  });

  it('max over an empty dim is a ShapeError', () => {
    expect(() => zeros([0]).max()).toThrow(ShapeError);
    expect(() => zeros([2, 0]).max(1)).toThrow(ShapeError);
    expect(() => zeros([2, 0]).amax(1)).toThrow(/dim 1 of size 0/);
    expect(() => zeros([0]).argmax()).toThrow(ShapeError);
    expect(zeros([2, 0]).amax(0).shape).toEqual([0]);
  });

  it('max of int32 and bool', async () => {
    expect(await tensor([3, -1], { dtype: 'int32' }).max().item()).toBe(3);
    expect(tensor([3, -1], { dtype: 'int32' }).max().dtype).toBe('int32');
    expect(await tensor([false, true]).max().item()).toBe(1);
  });
});

describe('argmax and argmin', () => {
  it('over the flattened tensor, along a dim, with keepdim', async () => {
    const x = tensor([[1, 9, 2], [8, 0, 3]]);
    expect(await x.argmax().item()).toBe(1);
    expect(await x.argmin().item()).toBe(4);
    expect(await x.argmax(0).array()).toEqual([1, 0, 1]);
    expect(await x.argmax(-1, true).array()).toEqual([[1], [0]]);
    expect(x.argmax().dtype).toBe('int32');
    expect(x.argmax(undefined, true).shape).toEqual([1, 1]);
  });
});

describe('var and std', () => {
  it('use Bessel’s correction by default', async () => {
    expect(await tensor([1, 2, 3, 4]).var().item()).toBeCloseTo(5 / 3, 6);
    expect(await tensor([1, 2, 3, 4]).var(undefined, false, 0).item()).toBeCloseTo(1.25, 6);
    expect(await tensor([1, 2, 3, 4]).std().item()).toBeCloseTo(Math.sqrt(5 / 3), 6);
  });

  it('reduce along dims with keepdim', async () => {
    const x = tensor([[1, 3], [2, 6]]);
    await expectTensor(x.var(0), [0.5, 4.5]);
    await expectTensor(x.std(1, true), [[Math.SQRT2], [Math.sqrt(8)]]);
    expect(x.var([0, 1]).shape).toEqual([]);
  });

  it('a single element with correction 1 has NaN or infinite variance, as PyTorch', async () => {
    const v = await tensor([5]).var().item();
    expect(Number.isFinite(v)).toBe(false);
  });
});

describe('logsumexp', () => {
  it('matches log Σ exp on small inputs, over dims with keepdim', async () => {
    const x = randn([3, 4], { dtype: 'float64' });
    const rows = await x.array() as number[][];
    expectAllClose(await values(logsumexp(x, 1)), rows.map((row) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0))), 1e-12);
    expect(x.logsumexp(1, true).shape).toEqual([3, 1]);
    expect(x.logsumexp([0, 1]).shape).toEqual([]);
  });

  it('is stable at 1000 (no overflow)', async () => {
    expect(await tensor([1000, 1000]).logsumexp().item()).toBeCloseTo(1000 + Math.LN2, 3);
    expect(await tensor([-1000, -1000]).logsumexp().item()).toBeCloseTo(-1000 + Math.LN2, 3);
  });

  it('keeps −∞ rows at −∞ and +∞ at +∞', async () => {
    expect(await tensor([-Infinity, -Infinity]).logsumexp().item()).toBe(-Infinity);
    expect(await tensor([Infinity, 1]).logsumexp().item()).toBe(Infinity);
  });
});
