import { describe, expect, it } from 'vitest';
import { at, expectClose, indices, randomValues, setup } from './helpers';
import { erf } from '../src/kernels/unary';

describe('unary', () => {
  it('relu keeps NaN and zeroes negatives', () => {
    const { backend, input, output, read } = setup();
    const out = output([4]);
    backend.unary('relu', input([-1, 0, 2, NaN], [4]), out);
    expect(read(out)).toEqual([0, 0, 2, NaN]);
  });

  it('round rounds half to even', () => {
    const { backend, input, output, read } = setup();
    const out = output([8], 'float64');
    backend.unary('round', input([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6], [8], 'float64'), out);
    expect(read(out)).toEqual([0, 2, 2, -0, -2, -2, 2, 3]);
  });

  it('sigmoid is stable for large |x|', () => {
    const { backend, input, output, read } = setup();
    const out = output([3], 'float64');
    backend.unary('sigmoid', input([-1000, 0, 1000], [3], 'float64'), out);
    expect(read(out)).toEqual([0, 0.5, 1]);
  });

  it('erf matches reference values to 1e-15', () => {
    const reference: Array<[number, number]> = [
      [0, 0], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
      [2, 0.9953222650189527], [2.5, 0.999593047982555], [3, 0.9999779095030014], [4, 0.9999999845827421],
      [-1.5, -0.9661051464753108],
    ];
    for (const [x, expected] of reference) expect(Math.abs(erf(x) - expected)).toBeLessThan(1e-15);
  });

  it('neg and abs of int32 wrap at the minimum', () => {
    const { backend, input, output, read } = setup();
    const neg = output([2], 'int32');
    backend.unary('neg', input([-2147483648, 5], [2], 'int32'), neg);
    expect(read(neg)).toEqual([-2147483648, -5]);
  });

  it('logicalNot writes bool', () => {
    const { backend, input, output, read } = setup();
    const out = output([3], 'bool');
    backend.unary('logicalNot', input([0, 2, -1], [3], 'float32'), out);
    expect(read(out)).toEqual([1, 0, 0]);
  });

  it('reads transposed and negative-stride views', () => {
    const { backend, input, output, read } = setup();
    const values = randomValues(12);
    const base = input(values, [3, 4], 'float64');
    // x[i, j] = base[2 - i, j] transposed: shape [4, 3], strides [1, -4], offset 8.
    const view = { ...base, shape: [4, 3], strides: [1, -4], offset: 8 };
    const out = output([4, 3], 'float64');
    backend.unary('exp', view, out);
    const expected = indices([4, 3]).map((index) => Math.exp(at(values, view, index)));
    expectClose(read(out), expected, 1e-15);
  });

  it('handles 0-d and empty tensors', () => {
    const { backend, input, output, read } = setup();
    const scalar = output([]);
    backend.unary('neg', input([3], []), scalar);
    expect(read(scalar)).toEqual([-3]);
    const empty = output([0, 3]);
    backend.unary('neg', input([], [0, 3]), empty);
    expect(read(empty)).toEqual([]);
  });
});

describe('binary', () => {
  it('int32 add and mul wrap as two\'s complement', () => {
    const { backend, input, output, read } = setup();
    const a = input([2147483647, 65536, -7], [3], 'int32');
    const b = input([1, 65536, 3], [3], 'int32');
    const sum = output([3], 'int32');
    const product = output([3], 'int32');
    backend.binary('add', a, b, sum);
    backend.binary('mul', a, b, product);
    expect(read(sum)).toEqual([-2147483648, 131072, -4]);
    expect(read(product)).toEqual([2147483647, 0, -21]);
  });

  it('int32 pow is exact integer power', () => {
    const { backend, input, output, read } = setup();
    const out = output([4], 'int32');
    backend.binary('pow', input([3, -2, 2, 7], [4], 'int32'), input([4, 3, 31, 0], [4], 'int32'), out);
    expect(read(out)).toEqual([81, -8, -2147483648, 1]);
  });

  it('maximum and minimum propagate NaN', () => {
    const { backend, input, output, read } = setup();
    const a = input([1, NaN, 3], [3]);
    const b = input([NaN, 2, 1], [3]);
    const max = output([3]);
    const min = output([3]);
    backend.binary('maximum', a, b, max);
    backend.binary('minimum', a, b, min);
    expect(read(max)).toEqual([NaN, NaN, 3]);
    expect(read(min)).toEqual([NaN, NaN, 1]);
  });

  it('comparisons produce bool', () => {
    const { backend, input, output, read } = setup();
    const a = input([1, 2, 3, NaN], [4]);
    const b = input([2, 2, 2, NaN], [4]);
    const results: Record<string, number[]> = {};
    for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
      const out = output([4], 'bool');
      backend.binary(op, a, b, out);
      results[op] = read(out);
    }
    expect(results).toEqual({
      eq: [0, 1, 0, 0], ne: [1, 0, 1, 1], lt: [1, 0, 0, 0], le: [1, 1, 0, 0], gt: [0, 0, 1, 0], ge: [0, 1, 1, 0],
    });
  });

  it('broadcasts stride-0 operands and reads permuted views', () => {
    const { backend, input, output, read } = setup();
    const aValues = randomValues(24, 3);
    const bValues = randomValues(4, 4);
    const a = input(aValues, [2, 3, 4]);
    // a permuted to [4, 2, 3]; b is a row [4] broadcast over [4, 2, 3] along dim 0.
    const aView = { ...a, shape: [4, 2, 3], strides: [1, 12, 4] };
    const b = input(bValues, [4]);
    const bView = { ...b, shape: [4, 2, 3], strides: [1, 0, 0] };
    const out = output([4, 2, 3]);
    backend.binary('sub', aView, bView, out);
    const expected = indices([4, 2, 3]).map((index) => Math.fround(at(aValues.map(Math.fround), aView, index) - Math.fround(bValues[index[0]])));
    expectClose(read(out), expected, 0);
  });

  it('where selects with a broadcast condition', () => {
    const { backend, input, output, read } = setup();
    const cond = input([1, 0], [2], 'bool');
    const out = output([2, 2]);
    backend.where({ ...cond, shape: [2, 2], strides: [0, 1] }, input([1, 2, 3, 4], [2, 2]), input([9, 9, 9, 9], [2, 2]), out);
    expect(read(out)).toEqual([1, 9, 3, 9]);
  });
});

describe('cast', () => {
  it('float to int truncates toward zero, NaN and infinities become 0, and clamps', () => {
    const { backend, input, output, read } = setup();
    const out = output([7], 'int32');
    backend.cast(input([2.7, -2.7, NaN, Infinity, -Infinity, 3e9, -3e9], [7], 'float64'), out);
    expect(read(out)).toEqual([2, -2, 0, 0, 0, 2147483647, -2147483648]);
  });

  it('anything to bool is x ≠ 0 and bool to float is 0/1', () => {
    const { backend, input, output, read } = setup();
    const bool = output([4], 'bool');
    backend.cast(input([0, -0.5, NaN, 3], [4]), bool);
    expect(read(bool)).toEqual([0, 1, 1, 1]);
    const back = output([4], 'float32');
    backend.cast({ id: bool.id, dtype: 'bool', shape: [4], strides: [1], offset: 0 }, back);
    expect(read(back)).toEqual([0, 1, 1, 1]);
  });
});

describe('assign', () => {
  it('writes a strided source into a strided destination (contiguous of a transpose)', () => {
    const { backend, input, output, read } = setup();
    const src = input([1, 2, 3, 4, 5, 6], [2, 3]);
    const out = output([3, 2]);
    backend.assign({ id: out.id, dtype: 'float32', shape: [3, 2], strides: [2, 1], offset: 0 }, { ...src, shape: [3, 2], strides: [1, 3] });
    expect(read(out)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('reads old values when source and destination overlap', () => {
    const { backend, input, read } = setup();
    const buffer = input([1, 2, 3, 4], [4]);
    // Shift right by one inside the same buffer.
    backend.assign({ ...buffer, shape: [3], offset: 1 }, { ...buffer, shape: [3] });
    expect(read(buffer)).toEqual([1, 1, 2, 3]);
  });
});
