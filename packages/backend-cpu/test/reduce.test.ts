import { describe, expect, it } from 'vitest';
import { at, expectClose, indices, randomValues, setup } from './helpers';

describe('reduce', () => {
  it('sum over every axis subset of a permuted 3-d view matches float64', () => {
    const { backend, input, output, read } = setup();
    const values = randomValues(60, 5);
    const base = input(values, [3, 4, 5], 'float64');
    const view = { ...base, shape: [5, 3, 4], strides: [1, 20, 5] };
    for (const axes of [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]]) {
      const outShape = view.shape.filter((_, dim) => !axes.includes(dim));
      const out = output(outShape, 'float64');
      backend.reduce('sum', view, axes, out);
      const expected = new Array<number>(outShape.reduce((p, d) => p * d, 1)).fill(0);
      for (const index of indices(view.shape)) {
        const kept = index.filter((_, dim) => !axes.includes(dim));
        let flat = 0;
        for (let dim = 0; dim < kept.length; dim++) flat = flat * outShape[dim] + kept[dim];
        expected[flat] += at(values, view, index);
      }
      expectClose(read(out), expected, 1e-12);
    }
  });

  it('int32 sum and prod wrap', () => {
    const { backend, input, output, read } = setup();
    const x = input([2147483647, 1, 65536, 65536], [2, 2], 'int32');
    const sum = output([2], 'int32');
    backend.reduce('sum', x, [1], sum);
    expect(read(sum)).toEqual([-2147483648, 131072]);
    const prod = output([2], 'int32');
    backend.reduce('prod', x, [1], prod);
    expect(read(prod)).toEqual([2147483647, 0]);
  });

  it('max and min propagate NaN', () => {
    const { backend, input, output, read } = setup();
    const x = input([1, NaN, 3, 4, 5, 6], [2, 3]);
    const max = output([2]);
    const min = output([3]);
    backend.reduce('max', x, [1], max);
    backend.reduce('min', x, [0], min);
    expect(read(max)).toEqual([NaN, 6]);
    expect(read(min)).toEqual([1, NaN, 3]);
  });

  it('argmax and argmin pick the first index on ties and treat NaN as extreme', () => {
    const { backend, input, output, read } = setup();
    const x = input([1, 3, 3, 0, 0, 2, 5, NaN, 5], [3, 3]);
    const argmax = output([3], 'int32');
    const argmin = output([3], 'int32');
    backend.reduce('argmax', x, [1], argmax);
    backend.reduce('argmin', x, [1], argmin);
    expect(read(argmax)).toEqual([1, 2, 1]);
    expect(read(argmin)).toEqual([0, 0, 1]);
    const columns = output([3], 'int32');
    backend.reduce('argmax', x, [0], columns);
    expect(read(columns)).toEqual([2, 2, 2]);
  });

  it('sum of an empty axis is 0 and prod is 1', () => {
    const { backend, input, output, read } = setup();
    const sum = output([2]);
    const prod = output([2]);
    backend.reduce('sum', input([], [2, 0]), [1], sum);
    backend.reduce('prod', input([], [2, 0]), [1], prod);
    expect(read(sum)).toEqual([0, 0]);
    expect(read(prod)).toEqual([1, 1]);
  });

  it('reduces a broadcast (stride 0) view', () => {
    const { backend, input, output, read } = setup();
    const x = input([1, 2, 3], [3]);
    const out = output([3]);
    backend.reduce('sum', { ...x, shape: [4, 3], strides: [0, 1] }, [0], out);
    expect(read(out)).toEqual([4, 8, 12]);
  });
});

describe('cumsum', () => {
  it('accumulates along an inner and an outer axis', () => {
    const { backend, input, output, read } = setup();
    const x = input([1, 2, 3, 4, 5, 6], [2, 3]);
    const inner = output([2, 3]);
    const outer = output([2, 3]);
    backend.cumsum(x, 1, inner);
    backend.cumsum(x, 0, outer);
    expect(read(inner)).toEqual([1, 3, 6, 4, 9, 15]);
    expect(read(outer)).toEqual([1, 2, 3, 5, 7, 9]);
  });

  it('int32 cumsum wraps and reads a flipped view', () => {
    const { backend, input, output, read } = setup();
    const x = input([1, 2, 2147483647], [3], 'int32');
    const out = output([3], 'int32');
    backend.cumsum({ ...x, strides: [-1], offset: 2 }, 0, out);
    expect(read(out)).toEqual([2147483647, -2147483647, -2147483646]);
  });
});
