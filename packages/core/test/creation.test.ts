import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, zeros, ones, full, arange, linspace, eye, zerosLike, onesLike, fullLike,
  ShapeError, ValueError, DTypeError,
} from '../src/index';
import { referencePlugin } from '../src/testing';
import { expectTensor } from './helpers';

registerBackend(referencePlugin);
await setBackend('reference');

describe('constant tensors', () => {
  it('zeros, ones and full fill every element (float32 by default)', async () => {
    expect(await zeros([2, 2]).array()).toEqual([[0, 0], [0, 0]]);
    expect(await ones([3]).array()).toEqual([1, 1, 1]);
    const sevens = full([2, 3], 7);
    expect(sevens.dtype).toBe('float32');
    expect(await sevens.array()).toEqual([[7, 7, 7], [7, 7, 7]]);
  });

  it('full with a boolean gives bool, and dtype options are respected', async () => {
    expect(full([2], true).dtype).toBe('bool');
    expect(ones([2], { dtype: 'int32' }).dtype).toBe('int32');
    expect(zeros([2], { dtype: 'float64' }).dtype).toBe('float64');
    expect(await full([2], 2.5, { dtype: 'int32' }).array()).toEqual([2, 2]);
  });

  it('a 0-d tensor has shape [] and one element', async () => {
    const scalar = full([], 4);
    expect(scalar.shape).toEqual([]);
    expect(scalar.ndim).toBe(0);
    expect(scalar.size).toBe(1);
    expect(await scalar.item()).toBe(4);
    expect(await scalar.array()).toBe(4);
    expect(tensor(5).shape).toEqual([]);
  });

  it('empty tensors have size 0 and read as empty arrays', async () => {
    const empty = zeros([0, 3]);
    expect(empty.size).toBe(0);
    expect(await empty.array()).toEqual([]);
    expect((await empty.data()).length).toBe(0);
    expect(await zeros([2, 0]).array()).toEqual([[], []]);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it('invalid shapes are ShapeErrors', () => {
    expect(() => zeros([-1])).toThrow(ShapeError);
    expect(() => zeros([1.5])).toThrow(ShapeError);
  });

  it('zerosLike, onesLike and fullLike copy shape, dtype and device', async () => {
    const like = tensor([[1, 2, 3]], { dtype: 'int32' });
    const z = zerosLike(like);
    expect(z.shape).toEqual([1, 3]);
    expect(z.dtype).toBe('int32');
    expect(z.device).toBe('reference');
    expect(await onesLike(like).array()).toEqual([[1, 1, 1]]);
    expect(await fullLike(like, 5).array()).toEqual([[5, 5, 5]]);
    expect(zerosLike(like, { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('requiresGrad makes a leaf', () => {
    const w = zeros([2], { requiresGrad: true });
    expect(w.requiresGrad).toBe(true);
    expect(w.isLeaf).toBe(true);
    expect(() => zeros([2], { dtype: 'int32', requiresGrad: true })).toThrow(DTypeError);
  });
});

describe('ranges', () => {
  it('arange with integer arguments is int32', async () => {
    const r = arange(5);
    expect(r.dtype).toBe('int32');
    expect(await r.array()).toEqual([0, 1, 2, 3, 4]);
    expect(await arange(2, 8, 3).array()).toEqual([2, 5]);
    expect(await arange(5, 0, -2).array()).toEqual([5, 3, 1]);
  });

  it('arange with a fractional argument is float32', async () => {
    const r = arange(0, 1, 0.25);
    expect(r.dtype).toBe('float32');
    expect(await r.array()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(await arange(1, 2.5, 0.5).array()).toEqual([1, 1.5, 2]);
    expect(arange(3, undefined, 1, { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('arange with an empty range is empty, and a zero step is a ValueError', async () => {
    expect(arange(0).shape).toEqual([0]);
    expect(arange(3, 1).shape).toEqual([0]);
    expect(() => arange(0, 1, 0)).toThrow(ValueError);
  });

  it('linspace includes both ends', async () => {
    await expectTensor(linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]);
    await expectTensor(linspace(-1, 1, 3), [-1, 0, 1]);
    expect(await linspace(2, 3, 1).array()).toEqual([2]);
    expect(linspace(0, 1, 0).shape).toEqual([0]);
    expect(linspace(0, 1, 4, { dtype: 'float64' }).dtype).toBe('float64');
    expect(() => linspace(0, 1, -1)).toThrow(ValueError);
  });

  it('eye puts ones on the main diagonal, also for non-square shapes', async () => {
    expect(await eye(3).array()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(await eye(2, 3).array()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(await eye(3, 2).array()).toEqual([[1, 0], [0, 1], [0, 0]]);
    expect(eye(2, 2, { dtype: 'int32' }).dtype).toBe('int32');
  });
});

describe('tensor() from nested arrays', () => {
  it('infers the shape of nested arrays', async () => {
    const t = tensor([[[1], [2]], [[3], [4]]]);
    expect(t.shape).toEqual([2, 2, 1]);
    expect(await t.array()).toEqual([[[1], [2]], [[3], [4]]]);
  });

  it('ragged nested arrays are a ShapeError', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1], [2, 3]])).toThrow(ShapeError);
    expect(() => tensor([1, [2]] as never)).toThrow(ShapeError);
    expect(() => tensor([[1, 2], 3] as never)).toThrow(ShapeError);
  });

  it('non-numeric elements are rejected', () => {
    expect(() => tensor(['a'] as never)).toThrow();
    expect(() => tensor(null as never)).toThrow(DTypeError);
  });
});
