import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, full, fullLike, zeros, ones, ValueError } from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');

const int32 = { dtype: 'int32' } as const;

describe('values that do not fit the dtype are refused (PyTorch: overflow)', () => {
  it('tensor() refuses int32 values outside −2³¹ … 2³¹ − 1 instead of wrapping', () => {
    expect(() => tensor([3e9], int32)).toThrow(ValueError);
    expect(() => tensor([1, 2, 3e9], int32)).toThrow(/tensor: value 3000000000 \(element 2\) cannot be converted to int32 without overflow/);
    expect(() => tensor([-2147483649], int32)).toThrow(ValueError);
    expect(() => tensor(2 ** 31, int32)).toThrow(ValueError);
    expect(() => tensor(new Float64Array([5e9]), int32)).toThrow(ValueError);
  });

  it('tensor() refuses NaN and ±Infinity into int32', () => {
    expect(() => tensor([NaN], int32)).toThrow(/value NaN/);
    expect(() => tensor([Infinity], int32)).toThrow(/value Infinity/);
    expect(() => tensor([[1], [-Infinity]], int32)).toThrow(ValueError);
  });

  it('int32 accepts its whole range and truncates fractions toward zero, as PyTorch does', async () => {
    expect(await tensor([-2147483648, 2147483647], int32).array()).toEqual([-2147483648, 2147483647]);
    expect(await tensor([1.7, -1.7, 2147483647.9, -2147483648.9], int32).array()).toEqual([1, -1, 2147483647, -2147483648]);
    expect(await tensor(new Int32Array([7]), int32).array()).toEqual([7]);
  });

  it('full, fullLike and the fill value of zeros/ones are checked', async () => {
    expect(() => full([2], 3e9, int32)).toThrow(/full: value 3000000000 cannot be converted to int32/);
    expect(() => full([2], NaN, int32)).toThrow(ValueError);
    const ids = zeros([3], int32);
    expect(() => fullLike(ids, -Infinity)).toThrow(/fullLike: value -Infinity/);
    expect(await fullLike(ids, 2.9).array()).toEqual([2, 2, 2]);
    expect(await ones([2], int32).array()).toEqual([1, 1]);
  });

  it('assign of a scalar is checked and leaves the target unchanged', async () => {
    const counts = tensor([1, 2], int32);
    expect(() => counts.assign(3e9)).toThrow(/assign: value 3000000000 cannot be converted to int32/);
    expect(await counts.array()).toEqual([1, 2]);
  });

  it('a scalar operand that int32 cannot hold is refused by name in arithmetic, comparisons, where, clamp and maskedFill (PyTorch wraps it)', async () => {
    const ids = tensor([1, 2], int32);
    expect(() => ids.add(3e9)).toThrow(/add: value 3000000000 cannot be converted to int32 without overflow/);
    expect(() => ids.mul(-(2 ** 40))).toThrow(/mul: value -1099511627776 cannot be converted to int32/);
    expect(() => ids.lt(3e9)).toThrow(/lt: value 3000000000/);
    expect(() => ids.clamp(0, 3e9)).toThrow(/clamp: value 3000000000/);
    expect(() => ids.maskedFill(ids.gt(1), 3e9)).toThrow(/maskedFill: value 3000000000/);
    expect(() => ids.where(ids.gt(0), 3e9)).toThrow(/where: value 3000000000/);
    // In range, or a fraction (which promotes to float32), still works.
    expect(await ids.add(2147483645).array()).toEqual([2147483646, 2147483647]);
    expect(await ids.add(0.5).array()).toEqual([1.5, 2.5]);
    expect(await ids.double().add(3e9).array()).toEqual([3000000001, 3000000002]);
  });

  it('floating dtypes keep IEEE rounding: float32 overflows to Infinity, float16 rounds', async () => {
    expect(await tensor([1e39, NaN]).array()).toEqual([Infinity, NaN]);
    expect(await tensor([70000, 0.1], { dtype: 'float16' }).array()).toEqual([Infinity, 0.0999755859375]);
    expect(await full([1], 1e300, { dtype: 'float64' }).array()).toEqual([1e300]);
    expect(await tensor([3e9], { dtype: 'bool' }).array()).toEqual([1]);
  });
});
