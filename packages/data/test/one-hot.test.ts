import '@tessera/backend-cpu';
import { ValueError, tensor } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { oneHot } from '../src';
import { tidied } from './helpers';

describe('oneHot', () => {
  it('puts a single 1 in the column of each class', tidied(() => {
    const encoded = oneHot([0, 2, 1], 3);
    expect(encoded.dtype).toBe('int32');
    expect(encoded.arraySync()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    encoded.dispose();
  }));

  it('takes int32 tensors, infers numClasses, and casts to float32 on request', tidied(() => {
    const labels = tensor(Int32Array.from([1, 3]));
    const encoded = oneHot(labels, -1, 'float32');
    expect(encoded.dtype).toBe('float32');
    expect(encoded.arraySync()).toEqual([[0, 1, 0, 0], [0, 0, 0, 1]]);
    labels.dispose();
    encoded.dispose();
  }));

  it('a label outside [0, numClasses) is a ValueError, not a row of zeros', tidied(() => {
    expect(() => oneHot([0, 3], 3)).toThrow(ValueError);
    expect(() => oneHot([0, 3], 3)).toThrow('oneHot: label 3 at position 1 is not a class index in [0, 3)');
    expect(() => oneHot([-1], 3)).toThrow(/label -1/);
    const labels = tensor(Int32Array.from([5]));
    expect(() => oneHot(labels, 2)).toThrow(/label 5/);
    labels.dispose();
  }));
});
