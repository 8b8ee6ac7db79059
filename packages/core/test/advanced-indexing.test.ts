import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, arange, randn, manualSeed, index, indexAsync, slice, oneHot, gather, scatterAdd, zeros,
  BackendError, DTypeError, ShapeError, ValueError, INDEX_LIMIT, type Tensor,
} from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectTensor, values } from './helpers';
import { torchValues } from './fixtures/selection-ops';
import { registerAsyncOnlyBackend } from './async-only-backend';

registerBackend(referencePlugin);
await setBackend('reference');
await registerAsyncOnlyBackend();
manualSeed(31);

const check = (fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[]) => expect(gradcheck(fn, inputs)).resolves.toBe(true);
const cube = () => arange(60, undefined, 1, { dtype: 'float64' }).reshape([3, 4, 5]);
const ints = (data: number[]) => tensor(data, { dtype: 'int32' });

describe('index: PyTorch x[...] in one call', () => {
  // The same specs as the fixture script, in Tessera's spelling.
  const specs: Record<string, unknown[]> = {
    "[':', [0, 2], '1::2']": [':', [0, 2], '1::2'],
    "[0, ':', [1, 2]]": [0, ':', [1, 2]],
    "[[0, 1], ':', [1, 2]]": [[0, 1], ':', [1, 2]],
    "[':', null, [0, 1], [1, 2]]": [':', null, [0, 1], [1, 2]],
    "['...', -1]": ['...', -1],
    "[[[0], [2]], [[1, 3]]]": [[[0], [2]], [[1, 3]]],
    "[-1, '1:3', '::2']": [-1, '1:3', '::2'],
    "[[true, false, true]]": [[true, false, true]],
    "[':', [-1, 0, -1]]": [':', [-1, 0, -1]],
  };
  for (const [name, spec] of Object.entries(specs)) {
    it(`x${name} matches PyTorch (values and where the advanced dims go)`, async () => {
      const expected = torchValues.index[name];
      const result = cube().index(spec as never);
      expect(result.shape).toEqual(expected.shape);
      await expectTensor(result, expected.values, 0);
    });
  }

  it('spells slices as strings or with slice(), and basic indexing gives views', async () => {
    const x = cube();
    const viaHelper = x.index([':', slice(1, null, 2), slice(null, -1)]);
    await expectTensor(viaHelper, await x.index([':', '1::2', ':-1']).array(), 0);
    expect(viaHelper.storage).toBe(x.storage);
    expect(x.index([1]).shape).toEqual([4, 5]);
    expect(x.index(1).shape).toEqual([4, 5]);
    expect(x.index([null, '...', null]).shape).toEqual([1, 3, 4, 5, 1]);
    expect(x.index([]).shape).toEqual([3, 4, 5]);
  });

  it('takes int32 tensors and broadcasts several index arrays together', async () => {
    const x = cube();
    const rows = ints([0, 2]).reshape([2, 1]);
    const cols = ints([1, 3, 0]);
    const picked = index(x, [rows, cols, 4]);
    expect(picked.shape).toEqual([2, 3]);
    await expectTensor(picked, [[0 * 20 + 1 * 5 + 4, 0 * 20 + 3 * 5 + 4, 4], [2 * 20 + 5 + 4, 2 * 20 + 15 + 4, 2 * 20 + 4]], 0);
  });

  it('takes bool tensor masks (sync where the backend reads synchronously, else indexAsync)', async () => {
    const x = cube();
    const mask = x.index([':', ':', 0]).gt(20);
    const selected = x.index([mask]);
    expect(selected.shape).toEqual([7, 5]);
    expect(await values(selected.index([':', 0]))).toEqual([25, 30, 35, 40, 45, 50, 55]);
    const remote = tensor([1, -2, 3, -4], { device: 'async-only' });
    expect(() => remote.index([remote.gt(0)])).toThrow(BackendError);
    expect(await values(await remote.indexAsync([remote.gt(0)]))).toEqual([1, 3]);
    expect(await values(await indexAsync(cube(), [1, 2, [0, 4]]))).toEqual([30, 34]);
  });

  it('passes gradients through views and through repeated advanced indices (they accumulate)', async () => {
    const f64 = () => randn([3, 4, 5], { dtype: 'float64', requiresGrad: true });
    await check((x) => x.index([':', [0, 2, 0], '1::2']), [f64()]);
    await check((x) => x.index([[0, 1, 1], ':', [4, 4, 0]]), [f64()]);
    await check((x) => x.index([-1, null, '...', [2, 2]]), [f64()]);
    await check((x) => x.index([':', [true, false, true, true]]), [f64()]);
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.index([[0, 0, 2]]).sum().backward();
    expect(await values(x.grad!)).toEqual([2, 0, 1]);
  });

  it('rejects bad items with typed errors that name the problem', () => {
    const x = cube();
    expect(() => x.index([0, 0, 0, 0])).toThrow(ShapeError);
    expect(() => x.index([3])).toThrow(/index 3 is out of range for dim 0 of size 3/);
    expect(() => x.index([':', [0, 4]])).toThrow(/index 4 is out of range for dim 1 of size 4/);
    expect(() => x.index([[3e9]])).toThrow(/does not fit int32/);
    expect(() => x.index([1.5])).toThrow(/is not an integer/);
    expect(() => x.index([tensor([0, 1])])).toThrow(DTypeError);
    expect(() => x.index(['...', '...'])).toThrow(/at most one ellipsis/);
    expect(() => x.index(['::-1'])).toThrow(/positive integer step/);
    expect(() => x.index(['1-2'])).toThrow(ValueError);
    expect(() => x.index([[true, false]])).toThrow(/mask of shape \[2\] does not match/);
    expect(() => x.index([ints([0, 5])])).toThrow(/out of range/);
    expect(() => x.index([[[0, 1], [2]]])).toThrow(ShapeError);
  });
});

describe('the int32 index policy', () => {
  it('is written down as INDEX_LIMIT = 2^31', () => {
    expect(INDEX_LIMIT).toBe(2 ** 31);
  });

  it('gather, indexSelect, scatterAdd and oneHot refuse float and bool ids, naming the policy', () => {
    const x = randn([3, 4]);
    const floatIds = tensor([[0, 1]]);
    expect(() => gather(x, 1, floatIds)).toThrow(DTypeError);
    expect(() => gather(x, 1, floatIds)).toThrow(/int32 \(there is no int64\)/);
    expect(() => x.indexSelect(0, tensor([0, 1]))).toThrow(/ids must be integers below 2\^31/);
    expect(() => scatterAdd(zeros([3]), 0, tensor([0]), tensor([1]))).toThrow(DTypeError);
    expect(() => oneHot(tensor([true, false]), 2)).toThrow(/for a mask use/);
    expect(() => oneHot(ints([0, 1]), 3e9)).toThrow(/numClasses must be a non-negative integer below 2\^31/);
    expect(() => oneHot(ints([0, 1]), 2.5)).toThrow(ValueError);
  });

  it('sort, topk and multinomial hand out int32 indices', () => {
    expect(tensor([3, 1]).sort().indices.dtype).toBe('int32');
    expect(tensor([3, 1]).topk(1).indices.dtype).toBe('int32');
    expect(tensor([0.5, 0.5]).multinomial(1).dtype).toBe('int32');
  });
});
