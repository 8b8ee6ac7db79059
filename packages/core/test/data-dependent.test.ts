import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, randn, manualSeed, nonzero, nonzeroAsync, maskedSelect, maskedSelectAsync, unique, uniqueAsync,
  BackendError, DTypeError, ShapeError, type Tensor,
} from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectTensor, values } from './helpers';
import { torchValues, nested } from './fixtures/selection-ops';
import { registerAsyncOnlyBackend } from './async-only-backend';

registerBackend(referencePlugin);
await setBackend('reference');
await registerAsyncOnlyBackend();
manualSeed(9);

const check = (fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[]) => expect(gradcheck(fn, inputs)).resolves.toBe(true);

describe('nonzero', () => {
  it('lists the coordinates of non-zero elements row-major as int32 [count, ndim]', async () => {
    const x = tensor([[0, 1.5, 0], [-2, 0, 3]]);
    const coordinates = nonzero(x);
    expect(coordinates.dtype).toBe('int32');
    expect(await coordinates.array()).toEqual([[0, 1], [1, 0], [1, 2]]);
    expect(await tensor([false, true, true]).nonzero().array()).toEqual([[1], [2]]);
    expect(nonzero(tensor([0, 0])).shape).toEqual([0, 1]);
  });

  it('works on a backend without sync reads through nonzeroAsync; the sync form says to use it', async () => {
    const x = tensor([[0, 1], [1, 0]], { device: 'async-only' });
    expect(() => x.nonzero()).toThrow(BackendError);
    expect(() => x.nonzero()).toThrow(/use await nonzeroAsync/);
    const coordinates = await x.nonzeroAsync();
    expect(coordinates.device).toBe('async-only');
    expect(await coordinates.array()).toEqual([[0, 1], [1, 0]]);
    expect(await (await nonzeroAsync(x.gt(0))).array()).toEqual([[0, 1], [1, 0]]);
  });
});

describe('maskedSelect', () => {
  it('picks elements where the broadcast mask is true, row-major', async () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    await expectTensor(maskedSelect(x, tensor([true, false, true])), [1, 3, 4, 6]);
    await expectTensor(x.maskedSelect(x.gt(2)), [3, 4, 5, 6]);
    // The mask may be the larger operand (both broadcast, as PyTorch).
    await expectTensor(maskedSelect(tensor([7, 8]), tensor([[true, false], [true, true]])), [7, 7, 8]);
  });

  it('passes gradients back to the selected elements (broadcast copies accumulate)', async () => {
    const mask = tensor([[true, false, true], [false, true, true]]);
    await check((x) => maskedSelect(x, mask), [randn([2, 3], { dtype: 'float64', requiresGrad: true })]);
    await check((x) => maskedSelect(x, mask), [randn([3], { dtype: 'float64', requiresGrad: true })]);
  });

  it('has an async form for every backend and refuses a non-bool mask', async () => {
    const x = tensor([1, -2, 3], { device: 'async-only' });
    expect(() => x.maskedSelect(x.gt(0))).toThrow(/maskedSelectAsync/);
    expect(await values(await maskedSelectAsync(x, x.gt(0)))).toEqual([1, 3]);
    expect(() => maskedSelect(tensor([1, 2]), tensor([1, 0], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => maskedSelect(tensor([1, 2]), tensor([true, false, true]))).toThrow(ShapeError);
  });
});

describe('unique', () => {
  it('matches PyTorch: sorted values, inverse and counts', async () => {
    const { input, values: expected, inverse, counts } = torchValues.unique;
    const result = unique(tensor(nested(input), { dtype: 'int32' }), { returnInverse: true, returnCounts: true });
    expect(result.values.dtype).toBe('int32');
    expect(await values(result.values)).toEqual(expected);
    expect(await values(result.inverse!)).toEqual(inverse);
    expect(await values(result.counts!)).toEqual(counts);
  });

  it('matches PyTorch for unique slices along dim 0 and dim 1', async () => {
    for (const [key, dim] of [['uniqueDim0', 0], ['uniqueDim1', 1]] as const) {
      const { input, values: expected, inverse, counts } = torchValues[key];
      const result = tensor(nested(input), { dtype: 'float64' }).unique({ dim, returnInverse: true, returnCounts: true });
      await expectTensor(result.values, expected, 0);
      expect(await values(result.inverse!)).toEqual(inverse);
      expect(await values(result.counts!)).toEqual(counts);
    }
  });

  it('keeps the input shape for inverse, puts NaN last as one value, and returns only what was asked', async () => {
    const result = unique(tensor([[2, NaN], [1, NaN]]), { returnInverse: true });
    await expectTensor(result.values, [1, 2, NaN]);
    expect(await result.inverse!.array()).toEqual([[1, 2], [0, 2]]);
    expect(result.counts).toBeUndefined();
  });

  it('works on a backend without sync reads through uniqueAsync', async () => {
    const x = tensor([3, 1, 3], { device: 'async-only' });
    expect(() => x.unique()).toThrow(/uniqueAsync/);
    const { values: distinct, counts } = await uniqueAsync(x, { returnCounts: true });
    expect(await values(distinct)).toEqual([1, 3]);
    expect(await values(counts!)).toEqual([1, 2]);
  });
});
