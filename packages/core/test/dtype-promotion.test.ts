import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, zeros, randn, full, promoteTypes, resultType, DTypeError, ShapeError } from '../src/index';
import { checkDType } from '../src/dtype';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');

const int = (data: number[]) => tensor(data, { dtype: 'int32' });

describe('type promotion follows PyTorch', () => {
  it('int32 with float32 gives float32', () => {
    expect(int([1, 2]).add(tensor([0.5, 0.5])).dtype).toBe('float32');
    expect(tensor([0.5, 0.5]).mul(int([1, 2])).dtype).toBe('float32');
  });

  it('float32 with float64 gives float64 when both are dimensioned', () => {
    expect(tensor([1]).add(tensor([1], { dtype: 'float64' })).dtype).toBe('float64');
    expect(promoteTypes('float32', 'float64')).toBe('float64');
    expect(promoteTypes('bool', 'int32')).toBe('int32');
  });

  it('a 0-d tensor does not widen a dimensioned tensor of the same category', () => {
    expect(tensor([1, 2]).add(tensor(1, { dtype: 'float64' })).dtype).toBe('float32');
    expect(resultType([{ dtype: 'float32', ndim: 1 }, { dtype: 'float64', ndim: 0 }])).toBe('float32');
  });

  it('a 0-d tensor of a higher category decides the dtype', () => {
    expect(int([1, 2]).add(tensor(1.5, { dtype: 'float64' })).dtype).toBe('float64');
  });

  it('two 0-d tensors promote normally', () => {
    expect(tensor(1, { dtype: 'int32' }).add(tensor(1, { dtype: 'float64' })).dtype).toBe('float64');
  });

  it('number scalars are weak: they never widen a tensor of their category', async () => {
    expect(tensor([1], { dtype: 'float64' }).add(2.5).dtype).toBe('float64');
    expect(tensor([1]).mul(3).dtype).toBe('float32');
    const sum = int([1, 2]).add(3);
    expect(sum.dtype).toBe('int32');
    expect(await sum.array()).toEqual([4, 5]);
  });

  it('a float scalar lifts an integer tensor to float32', async () => {
    const result = int([1, 2]).add(0.5);
    expect(result.dtype).toBe('float32');
    expect(await result.array()).toEqual([1.5, 2.5]);
  });

  it('bool arithmetic is done in int32', async () => {
    const flags = tensor([true, false, true]);
    const both = flags.add(flags);
    expect(both.dtype).toBe('int32');
    expect(await both.array()).toEqual([2, 0, 2]);
    expect(flags.add(1).dtype).toBe('int32');
    expect(flags.mul(0.5).dtype).toBe('float32');
    expect(flags.sum().dtype).toBe('int32');
    expect(await flags.sum().item()).toBe(2);
  });

  it('division of integers gives float32', async () => {
    const q = int([1, 3]).div(int([2, 2]));
    expect(q.dtype).toBe('float32');
    expect(await q.array()).toEqual([0.5, 1.5]);
    expect(int([1]).div(2).dtype).toBe('float32');
    expect(tensor([1], { dtype: 'float64' }).div(int([2])).dtype).toBe('float64');
  });

  it('comparisons give bool, comparing in the promoted dtype', async () => {
    const result = int([1, 2, 3]).lt(2.5);
    expect(result.dtype).toBe('bool');
    expect(await result.array()).toEqual([1, 1, 0]);
    expect(tensor([0.5]).eq(int([0])).dtype).toBe('bool');
    expect(await tensor([0.5]).gt(int([0])).array()).toEqual([1]);
  });

  it('where promotes its two value operands', () => {
    const cond = tensor([true, false]);
    expect(cond.where(cond, false).dtype).toBe('bool');
    expect(cond.where(cond, 0).dtype).toBe('int32'); // an int scalar is a higher category than bool
    expect(int([1, 2]).where(cond, tensor([0.5, 0.5])).dtype).toBe('float32');
  });

  it('unary float-only math lifts integers to float32', async () => {
    const e = int([0, 1]).exp();
    expect(e.dtype).toBe('float32');
    expect(int([-2]).abs().dtype).toBe('int32');
    expect(await int([-2]).abs().item()).toBe(2);
  });
});

describe('tensor() infers dtype and shape', () => {
  it('numbers become float32', () => {
    expect(tensor(3).dtype).toBe('float32');
    expect(tensor([[1, 2]]).dtype).toBe('float32');
    expect(tensor([]).dtype).toBe('float32');
  });

  it('booleans become bool', async () => {
    const flags = tensor([true, false]);
    expect(flags.dtype).toBe('bool');
    expect(await flags.array()).toEqual([1, 0]);
    expect(tensor(true).dtype).toBe('bool');
  });

  it('mixed booleans and numbers become float32', async () => {
    const mixed = tensor([true, 2]);
    expect(mixed.dtype).toBe('float32');
    expect(await mixed.array()).toEqual([1, 2]);
  });

  it('typed arrays keep their type', () => {
    expect(tensor(new Float32Array([1])).dtype).toBe('float32');
    expect(tensor(new Float64Array([1])).dtype).toBe('float64');
    expect(tensor(new Int32Array([1])).dtype).toBe('int32');
  });

  it('an explicit dtype converts the data', async () => {
    const t = tensor([1.7, -1.7, 0], { dtype: 'int32' });
    expect(t.dtype).toBe('int32');
    expect(await t.array()).toEqual([1, -1, 0]);
    expect(await tensor([2, 0], { dtype: 'bool' }).array()).toEqual([1, 0]);
  });

  it('the shape option reshapes flat data', async () => {
    const t = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] });
    expect(t.shape).toEqual([2, 3]);
    expect(await t.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).shape).toEqual([2, 2]);
  });

  it('a shape option that does not match the element count is a ShapeError', () => {
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(ShapeError);
  });

  it('the data is copied: changing the source array later does not change the tensor', async () => {
    const source = new Float32Array([1, 2]);
    const t = tensor(source);
    source[0] = 99;
    expect(await t.array()).toEqual([1, 2]);
  });
});

describe('unsupported dtypes are rejected', () => {
  for (const dtype of ['int64', 'half', 'uint8', 'float']) {
    it(`'${dtype}' is a DTypeError everywhere a dtype is accepted`, () => {
      expect(() => checkDType('test', dtype)).toThrow(DTypeError);
      expect(() => tensor([1], { dtype: dtype as 'int32' })).toThrow(DTypeError);
      expect(() => zeros([2], { dtype: dtype as 'int32' })).toThrow(DTypeError);
      expect(() => full([2], 1, { dtype: dtype as 'int32' })).toThrow(DTypeError);
      expect(() => randn([2], { dtype: dtype as 'float32' })).toThrow(DTypeError);
      expect(() => tensor([1]).cast(dtype as 'int32')).toThrow(DTypeError);
    });
  }

  it('the message lists the supported dtypes', () => {
    expect(() => checkDType('tensor', 'int64')).toThrow(/int64.*bool, int32, float16, float32, float64/);
  });
});
