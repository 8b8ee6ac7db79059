import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, arange, zeros, ones, gather, indexSelect, scatterAdd, maskedFill, tril, triu, oneHot,
  cumsum, cat, stack, split, chunk, pad, ShapeError, DTypeError, ValueError,
} from '../src/index';
import { referencePlugin } from '../src/testing';
import { expectTensor } from './helpers';

registerBackend(referencePlugin);
await setBackend('reference');

const ints = (data: number[] | number[][]) => tensor(data, { dtype: 'int32' });

describe('gather and indexSelect', () => {
  it('gather picks along a dim as PyTorch', async () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(await gather(x, 1, ints([[0, 0], [1, 0]])).array()).toEqual([[1, 1], [4, 3]]);
    expect(await x.gather(0, ints([[1, 0]])).array()).toEqual([[3, 2]]);
    expect(await x.gather(-1, ints([[1], [0]])).array()).toEqual([[2], [3]]);
  });

  it('cross-entropy of the course example as logSoftmax + gather: −ln 0.6 − ln 0.2 − ln 0.1 − ln 0.7 ≈ 4.8', async () => {
    const probabilities = tensor([[0.6, 0.4], [0.2, 0.8], [0.1, 0.9], [0.7, 0.3]], { dtype: 'float64' });
    const logits = probabilities.log().add(3); // any shift: logSoftmax recovers ln p
    const picked = logits.logSoftmax(1).gather(1, ints([[0], [0], [0], [0]]));
    const loss = await picked.sum().neg().item();
    expect(loss).toBeCloseTo(-Math.log(0.6) - Math.log(0.2) - Math.log(0.1) - Math.log(0.7), 10);
    expect(loss).toBeCloseTo(4.8, 1);
  });

  it('gather checks the index dtype and shape', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(() => x.gather(1, tensor([[0]]))).toThrow(DTypeError);
    expect(() => x.gather(1, ints([0, 1]))).toThrow(ShapeError);
    expect(() => x.gather(1, ints([[0], [1], [0]]))).toThrow(ShapeError);
  });

  it('indexSelect takes whole slices, duplicates allowed', async () => {
    const table = tensor([[1, 2], [3, 4], [5, 6]]);
    expect(await indexSelect(table, 0, ints([2, 0, 2])).array()).toEqual([[5, 6], [1, 2], [5, 6]]);
    expect(await table.indexSelect(1, ints([1])).array()).toEqual([[2], [4], [6]]);
    expect(table.indexSelect(0, ints([])).shape).toEqual([0, 2]);
    expect(() => table.indexSelect(0, ints([[0]]))).toThrow(ShapeError);
  });
});

describe('scatterAdd and maskedFill', () => {
  it('scatterAdd adds src at index positions, accumulating duplicates', async () => {
    expect(await scatterAdd(zeros([3]), 0, ints([0, 2, 0]), tensor([1, 2, 3])).array()).toEqual([4, 0, 2]);
    const out = zeros([2, 3]).scatterAdd(1, ints([[0, 1], [2, 2]]), tensor([[1, 2], [3, 4]]));
    expect(await out.array()).toEqual([[1, 2, 0], [0, 0, 7]]);
    const into = ones([3, 2]).scatterAdd(0, ints([[2, 0]]), tensor([[5, 6], [7, 8]]));
    expect(await into.array()).toEqual([[1, 7], [1, 1], [6, 1]]);
  });

  it('scatterAdd is out of place', async () => {
    const base = zeros([2]);
    base.scatterAdd(0, ints([1]), tensor([1]));
    expect(await base.array()).toEqual([0, 0]);
  });

  it('maskedFill replaces where the mask is true, broadcasting the mask', async () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(await maskedFill(x, tensor([[true, false], [false, true]]), 0).array()).toEqual([[0, 2], [3, 0]]);
    expect(await x.maskedFill(tensor([false, true]), -Infinity).array()).toEqual([[1, -Infinity], [3, -Infinity]]);
    const i = ints([1, 2]).maskedFill(tensor([true, false]), 7);
    expect(i.dtype).toBe('int32');
    expect(await i.array()).toEqual([7, 2]);
    expect(() => x.maskedFill(tensor([1, 0]), 0)).toThrow(DTypeError);
    expect(() => tensor([1, 2]).maskedFill(tensor([[true, false], [false, true]]), 0)).toThrow(ShapeError);
  });
});

describe('triangles, one-hot and cumsum', () => {
  it('tril and triu keep a triangle from diagonal k', async () => {
    const x = ones([3, 4]);
    expect(await tril(x).array()).toEqual([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]]);
    expect(await triu(x, 1).array()).toEqual([[0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1]]);
    expect(await x.tril(-1).array()).toEqual([[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0]]);
    expect(await x.triu(-1).array()).toEqual([[1, 1, 1, 1], [1, 1, 1, 1], [0, 1, 1, 1]]);
    expect(ones([2, 3, 3]).tril().shape).toEqual([2, 3, 3]);
    expect(() => ones([3]).tril()).toThrow(ShapeError);
  });

  it('oneHot encodes int32 class indices', async () => {
    expect(await oneHot(ints([0, 2]), 3).array()).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(await oneHot(ints([1, 3])).array()).toEqual([[0, 1, 0, 0], [0, 0, 0, 1]]);
    expect(oneHot(ints([[0], [1]]), 2).shape).toEqual([2, 1, 2]);
    expect(oneHot(ints([0]), 2).dtype).toBe('int32');
    expect(oneHot(ints([0]), 2, 'float32').dtype).toBe('float32');
    expect(() => oneHot(tensor([0]), 2)).toThrow(DTypeError);
  });

  it('cumsum is an inclusive prefix sum along a dim', async () => {
    expect(await cumsum(tensor([1, 2, 3]), 0).array()).toEqual([1, 3, 6]);
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(await x.cumsum(1).array()).toEqual([[1, 3, 6], [4, 9, 15]]);
    expect(await x.cumsum(0).array()).toEqual([[1, 2, 3], [5, 7, 9]]);
    expect(await x.cumsum(-1).array()).toEqual([[1, 3, 6], [4, 9, 15]]);
    const c = tensor([true, true, false]).cumsum(0);
    expect(c.dtype).toBe('int32');
    expect(await c.array()).toEqual([1, 2, 2]);
    expect(await x.T.cumsum(0).array()).toEqual([[1, 4], [3, 9], [6, 15]]);
  });
});

describe('joining and splitting', () => {
  it('cat joins along a dim and promotes dtypes', async () => {
    const a = tensor([[1, 2]]);
    const b = tensor([[3, 4], [5, 6]]);
    expect(await cat([a, b]).array()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(await cat([b, b.T], 1).array()).toEqual([[3, 4, 3, 5], [5, 6, 4, 6]]);
    expect(await cat([a, zeros([0, 2]), a], 0).array()).toEqual([[1, 2], [1, 2]]);
    expect(cat([ints([[1]]), tensor([[0.5]])], 1).dtype).toBe('float32');
    expect(() => cat([a, tensor([[1, 2, 3]])])).toThrow(/cat.*\[1, 2\].*\[1, 3\]/);
    expect(() => cat([tensor(1), tensor(2)])).toThrow(ShapeError);
  });

  it('stack adds a new dim', async () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    expect(await stack([a, b]).array()).toEqual([[1, 2], [3, 4]]);
    expect(await stack([a, b], 1).array()).toEqual([[1, 3], [2, 4]]);
    expect(await stack([a, b], -1).array()).toEqual([[1, 3], [2, 4]]);
    expect(stack([tensor(1), tensor(2)]).shape).toEqual([2]);
    expect(() => stack([a, tensor([1])])).toThrow(ShapeError);
  });

  it('split by a size or by sections, and chunk', async () => {
    const pieces = split(arange(5), 2);
    expect(pieces.map((p) => p.shape)).toEqual([[2], [2], [1]]);
    expect(await pieces[2].array()).toEqual([4]);
    const sections = arange(6).reshape([2, 3]).split([1, 2], 1);
    expect(await sections[1].array()).toEqual([[1, 2], [4, 5]]);
    expect(() => arange(5).split([2, 2])).toThrow(ShapeError);
    expect(chunk(arange(6), 3).map((p) => p.shape)).toEqual([[2], [2], [2]]);
    expect(chunk(arange(5), 2).map((p) => p.shape)).toEqual([[3], [2]]);
    expect(arange(6).chunk(4).map((p) => p.shape)).toEqual([[2], [2], [2]]);
  });
});

describe('pad matches PyTorch F.pad', () => {
  const row = () => tensor([[[1, 2, 3, 4]]]);
  const square = () => tensor([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]);

  it('constant pads with a value', async () => {
    expect(await pad(row(), [1, 2]).array()).toEqual([[[0, 1, 2, 3, 4, 0, 0]]]);
    expect(await row().pad([1, 0], 'constant', 9).array()).toEqual([[[9, 1, 2, 3, 4]]]);
    expect(await tensor([[1, 2], [3, 4]]).pad([0, 1, 1, 0]).array()).toEqual([[0, 0, 0], [1, 2, 0], [3, 4, 0]]);
  });

  it('constant with negative amounts crops', async () => {
    expect(await row().pad([-1, 2]).array()).toEqual([[[2, 3, 4, 0, 0]]]);
    expect(await square().pad([-1, -1, 1, -2]).array()).toEqual([[[0], [2]]]);
  });

  it('reflect mirrors without repeating the edge', async () => {
    expect(await row().pad([2, 1], 'reflect').array()).toEqual([[[3, 2, 1, 2, 3, 4, 3]]]);
    expect(await square().pad([1, 1, 1, 1], 'reflect').array()).toEqual([[
      [5, 4, 5, 6, 5],
      [2, 1, 2, 3, 2],
      [5, 4, 5, 6, 5],
      [8, 7, 8, 9, 8],
      [5, 4, 5, 6, 5],
    ]]);
    expect(() => row().pad([4, 0], 'reflect')).toThrow(ShapeError);
  });

  it('replicate repeats the edge', async () => {
    expect(await row().pad([2, 1], 'replicate').array()).toEqual([[[1, 1, 1, 2, 3, 4, 4]]]);
    expect(await square().pad([0, 1, 1, 0], 'replicate').array()).toEqual([[[1, 2, 3, 3], [1, 2, 3, 3], [4, 5, 6, 6], [7, 8, 9, 9]]]);
  });

  it('circular wraps around', async () => {
    expect(await row().pad([2, 1], 'circular').array()).toEqual([[[3, 4, 1, 2, 3, 4, 1]]]);
    expect(await square().pad([1, 0, 0, 1], 'circular').array()).toEqual([[[3, 1, 2, 3], [6, 4, 5, 6], [9, 7, 8, 9], [3, 1, 2, 3]]]);
  });

  it('pads of the wrong length are ShapeErrors', () => {
    expect(() => row().pad([1])).toThrow(ShapeError);
    expect(() => tensor([1]).pad([1, 1, 1, 1])).toThrow(ShapeError);
  });

  it('pads a strided view correctly', async () => {
    await expectTensor(tensor([[1, 2], [3, 4]]).T.pad([1, 0]), [[0, 1, 3], [0, 2, 4]]);
  });
});

describe('oneHot rejects class indices outside [0, numClasses)', () => {
  it('names the offending index', () => {
    expect(() => oneHot(ints([0, 5]), 3)).toThrow(ValueError);
    expect(() => oneHot(ints([0, -1]), 3)).toThrow(/got -1/);
  });
});

describe('out-of-range indices are typed errors naming the op', () => {
  it('gather and scatterAdd', () => {
    expect(() => gather(tensor([[1, 2, 3]]), 1, ints([[5]]))).toThrow(ValueError);
    expect(() => gather(tensor([[1, 2, 3]]), 1, ints([[5]]))).toThrow(/gather: an index is out of range for dim 1 of size 3/);
    expect(() => scatterAdd(zeros([3]), 0, ints([7]), tensor([1]))).toThrow(/scatterAdd: an index is out of range/);
  });
});
