import '@tessera/backend-cpu';
import { ShapeError, ValueError, arange, tensor, zeros } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { Dataset, TensorDataset } from '../src';
import { tidied } from './helpers';

describe('TensorDataset', () => {
  it('item i is the i-th row of every tensor', tidied(() => {
    const x = arange(12).reshape([4, 3]);
    const y = tensor([0, 1, 0, 1], { dtype: 'int32' });
    const ds = new TensorDataset(x, y);
    expect(ds.length).toBe(4);
    const [xi, yi] = ds.get(2);
    expect(xi.arraySync()).toEqual([6, 7, 8]);
    expect(yi.itemSync()).toBe(0);
    expect(yi.dtype).toBe('int32');
    xi.dispose();
    yi.dispose();
    // The items were views: the data set's tensors are still alive.
    expect(x.sum().itemSync()).toBe(66);
  }));

  it('tensors with different first dims are a ShapeError naming the shapes', tidied(() => {
    expect(() => new TensorDataset(zeros([4, 3]), zeros([5]))).toThrow(ShapeError);
    expect(() => new TensorDataset(zeros([4, 3]), zeros([5]))).toThrow('got shapes [4, 3], [5]');
  }));

  it('needs at least one tensor with a first dim', tidied(() => {
    expect(() => new TensorDataset()).toThrow(ValueError);
    expect(() => new TensorDataset(tensor(1))).toThrow(/0-d/);
  }));

  it('an index out of range is a ValueError', tidied(() => {
    const ds = new TensorDataset(zeros([3]));
    expect(() => ds.get(3)).toThrow('index 3 is out of range for a data set of 3 items');
    expect(() => ds.get(-1)).toThrow(ValueError);
  }));

  it('a Dataset is iterable over its items', tidied(() => {
    class Squares extends Dataset<number> {
      get length() {
        return 4;
      }
      get(i: number) {
        return i * i;
      }
    }
    expect([...new Squares()]).toEqual([0, 1, 4, 9]);
  }));
});
