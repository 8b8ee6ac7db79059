import '@tessera/backend-cpu';
import { ShapeError, ValueError, memory, tensor } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { MinMaxScaler, StandardScaler } from '../src';
import { tidied } from './helpers';

const close = (actual: unknown, expected: number[][], digits = 5) =>
  (actual as number[][]).forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(expected[i][j], digits)));

describe('StandardScaler', () => {
  it('standardises each feature with the training mean and population std', tidied(() => {
    const train = tensor([[1, 10], [2, 20], [3, 30], [4, 40]]);
    const scaler = new StandardScaler().fit(train);
    const std0 = Math.sqrt(1.25);
    expect(scaler.mean!.arraySync()).toEqual([2.5, 25]);
    close([scaler.scale!.arraySync() as number[]], [[std0, 10 * std0]]);
    const z = scaler.transform(train);
    close(z.arraySync(), [[-1.5 / std0, -1.5 / std0], [-0.5 / std0, -0.5 / std0], [0.5 / std0, 0.5 / std0], [1.5 / std0, 1.5 / std0]]);
    close([z.mean(0).arraySync() as number[]], [[0, 0]]);
    close([z.std(0, false, 0).arraySync() as number[]], [[1, 1]]);
    for (const t of [train, z]) t.dispose();
    scaler.dispose();
  }));

  it('is fitted on the training data only: test data reuses the training statistics', tidied(() => {
    const train = tensor([[0], [2]]);
    const test = tensor([[100], [102]]);
    const scaler = new StandardScaler().fit(train);
    const zTest = scaler.transform(test);
    // (100 − 1) / 1 and (102 − 1) / 1: the test set's own mean (101) is not used.
    expect(zTest.arraySync()).toEqual([[99], [101]]);
    for (const t of [train, test, zTest]) t.dispose();
    scaler.dispose();
  }));

  it('a constant feature is centred, not divided by zero', tidied(() => {
    const x = tensor([[5, 1], [5, 3]]);
    const scaler = new StandardScaler();
    const z = scaler.fitTransform(x);
    expect(z.arraySync()).toEqual([[0, -1], [0, 1]]);
    expect(scaler.scale!.arraySync()).toEqual([1, 1]);
    for (const t of [x, z]) t.dispose();
    scaler.dispose();
  }));

  it('inverseTransform undoes transform', tidied(() => {
    const x = tensor([[1, -3], [4, 8], [9, 0.5]]);
    const scaler = new StandardScaler().fit(x);
    const z = scaler.transform(x);
    const back = scaler.inverseTransform(z);
    close(back.arraySync(), x.arraySync() as number[][]);
    for (const t of [x, z, back]) t.dispose();
    scaler.dispose();
  }));

  it('withMean / withStd switch off centring / scaling; integer input is scaled as float', tidied(() => {
    const x = tensor(Int32Array.from([2, 6]), { shape: [2, 1] });
    const scaler = new StandardScaler({ withMean: false }).fit(x);
    const z = scaler.transform(x);
    expect(z.dtype).toBe('float32');
    expect(z.arraySync()).toEqual([[1], [3]]);
    for (const t of [x, z]) t.dispose();
    scaler.dispose();
  }));

  it('leaves no tensors behind except its two statistics', tidied(() => {
    const x = tensor([[1, 2], [3, 4]]);
    const before = memory().tensors;
    const scaler = new StandardScaler().fit(x);
    expect(memory().tensors - before).toBe(2);
    scaler.fit(x);
    expect(memory().tensors - before).toBe(2);
    scaler.dispose();
    expect(memory().tensors).toBe(before);
    x.dispose();
  }));

  it('using it before fit, or with another number of features, is an error that says so', tidied(() => {
    const scaler = new StandardScaler();
    const x = tensor([[1, 2]]);
    expect(() => scaler.transform(x)).toThrow('StandardScaler.transform: call fit(trainingSamples) first');
    scaler.fit(tensor([[1, 2, 3]]));
    expect(() => scaler.transform(x)).toThrow(ShapeError);
    expect(() => scaler.transform(x)).toThrow('fitted on features of shape [3], got samples of shape [1, 2]');
    expect(() => new StandardScaler().fit(tensor([]).reshape([0, 2]))).toThrow(/at least one sample/);
    x.dispose();
    scaler.dispose();
  }));
});

describe('MinMaxScaler', () => {
  it('maps the training minimum and maximum of each feature to 0 and 1', tidied(() => {
    const train = tensor([[1, -10], [3, 0], [5, 10]]);
    const scaler = new MinMaxScaler().fit(train);
    expect(scaler.transform(train).arraySync()).toEqual([[0, 0], [0.5, 0.5], [1, 1]]);
    train.dispose();
    scaler.dispose();
  }));

  it('uses the training range for test data (no clipping) and supports a featureRange', tidied(() => {
    const train = tensor([[0], [10]]);
    const test = tensor([[20], [5]]);
    const scaler = new MinMaxScaler({ featureRange: [-1, 1] }).fit(train);
    expect(scaler.transform(test).arraySync()).toEqual([[3], [0]]);
    const back = scaler.inverseTransform(scaler.transform(test));
    expect(back.arraySync()).toEqual([[20], [5]]);
    for (const t of [train, test, back]) t.dispose();
    scaler.dispose();
  }));

  it('a constant feature maps to the bottom of the range', tidied(() => {
    const x = tensor([[7, 0], [7, 1]]);
    const scaler = new MinMaxScaler().fit(x);
    expect(scaler.transform(x).arraySync()).toEqual([[0, 0], [0, 1]]);
    x.dispose();
    scaler.dispose();
  }));

  it('featureRange must be increasing', tidied(() => {
    expect(() => new MinMaxScaler({ featureRange: [1, 0] })).toThrow(ValueError);
  }));
});
