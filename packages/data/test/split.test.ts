import '@tessera/backend-cpu';
import { ValueError, arange, tensor } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { kFold, trainTestSplit, trainTestSplitIndices } from '../src';
import { tidied } from './helpers';

function counts(labels: ArrayLike<number>): Record<number, number> {
  const out: Record<number, number> = {};
  for (let i = 0; i < labels.length; i++) out[labels[i]] = (out[labels[i]] ?? 0) + 1;
  return out;
}

describe('trainTestSplit', () => {
  it('splits every input the same way, returning [train, test] pairs', tidied(() => {
    const x = arange(20).reshape([10, 2]);
    const y = arange(10, undefined, 1, { dtype: 'int32' });
    const names = Array.from({ length: 10 }, (_, i) => `item${i}`);
    const [xTrain, xTest, yTrain, yTest, nTrain, nTest] = trainTestSplit(x, y, names, { testSize: 0.3, seed: 0 });
    expect(xTrain.shape).toEqual([7, 2]);
    expect(xTest.shape).toEqual([3, 2]);
    expect(yTrain.dtype).toBe('int32');
    const trainLabels = [...(yTrain.dataSync() as Int32Array)];
    const testLabels = [...(yTest.dataSync() as Int32Array)];
    expect([...trainLabels, ...testLabels].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect((xTest.arraySync() as number[][]).map((row) => row[0] / 2)).toEqual(testLabels);
    expect(nTest).toEqual(testLabels.map((i) => `item${i}`));
    expect(nTrain).toEqual(trainLabels.map((i) => `item${i}`));
    for (const t of [x, y, xTrain, xTest, yTrain, yTest]) t.dispose();
  }));

  it('is reproducible with a seed and differs between seeds', tidied(() => {
    const a = trainTestSplitIndices(100, { seed: 5 });
    expect(trainTestSplitIndices(100, { seed: 5 })).toEqual(a);
    expect(trainTestSplitIndices(100, { seed: 6 }).test).not.toEqual(a.test);
  }));

  it('testSize is a fraction (rounded up) or a count; default 0.25', tidied(() => {
    expect(trainTestSplitIndices(10, { seed: 0 }).test.length).toBe(3);
    expect(trainTestSplitIndices(10, { testSize: 0.21, seed: 0 }).test.length).toBe(3);
    expect(trainTestSplitIndices(10, { testSize: 4, seed: 0 }).test.length).toBe(4);
  }));

  it('shuffle: false takes the last items as the test part', tidied(() => {
    expect(trainTestSplitIndices(5, { testSize: 2, shuffle: false })).toEqual({ train: Int32Array.from([0, 1, 2]), test: Int32Array.from([3, 4]) });
  }));

  it('stratify keeps the class proportions in both parts', tidied(() => {
    // 60 % class 0, 30 % class 1, 10 % class 2.
    const labels = [...Array(60).fill(0), ...Array(30).fill(1), ...Array(10).fill(2)];
    const [trainLabels, testLabels] = trainTestSplit(labels, { testSize: 0.2, seed: 3, stratify: labels });
    expect(counts(testLabels as number[])).toEqual({ 0: 12, 1: 6, 2: 2 });
    expect(counts(trainLabels as number[])).toEqual({ 0: 48, 1: 24, 2: 8 });
  }));

  it('stratify accepts a label tensor and rounds by largest remainders', tidied(() => {
    const labels = tensor(Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2]));
    const { train, test } = trainTestSplitIndices(11, { testSize: 0.5, seed: 1, stratify: labels });
    expect(test.length).toBe(6);
    expect(train.length).toBe(5);
    const testCounts = counts(Array.from(test, (i) => labels.dataSync()[i]));
    // ideal 2.73, 1.64, 1.64 → floors 2, 1, 1 and the two largest remainders get one more each.
    expect(testCounts).toEqual({ 0: 3, 1: 2, 2: 1 });
    labels.dispose();
  }));

  it('an unstratified split of a skewed set can lose a class; a stratified one cannot', tidied(() => {
    const labels = [...Array(95).fill(0), ...Array(5).fill(1)];
    for (let seed = 0; seed < 20; seed++) {
      const [, test] = trainTestSplit(labels, { testSize: 0.2, seed, stratify: labels });
      expect(counts(test as number[])).toEqual({ 0: 19, 1: 1 });
    }
  }));

  it('bad input is a ValueError naming the problem', tidied(() => {
    expect(() => trainTestSplit([1, 2, 3], [1, 2], { seed: 0 })).toThrow('every input must have the same number of items (first dim), got 3, 2');
    expect(() => trainTestSplit([1, 2, 3], { testSize: 1.5 })).toThrow(ValueError);
    expect(() => trainTestSplit([1, 2, 3], { testSize: 3 })).toThrow(/leaves no training items/);
    expect(() => trainTestSplit([1, 2, 3, 4], { stratify: [0, 0, 0, 1] })).toThrow('class 1 has only 1 item');
    expect(() => trainTestSplit({ seed: 0 })).toThrow(/at least one/);
  }));
});

describe('kFold', () => {
  it('k folds whose validation parts cover every index once, the first n mod k folds one larger', tidied(() => {
    const folds = kFold(11, 3);
    expect(folds.map(({ val }) => val.length)).toEqual([4, 4, 3]);
    expect(folds.flatMap(({ val }) => [...val])).toEqual([...Array(11).keys()]);
    for (const { train, val } of folds) {
      expect(train.length + val.length).toBe(11);
      expect([...train, ...val].sort((a, b) => a - b)).toEqual([...Array(11).keys()]);
    }
  }));

  it('shuffles reproducibly with a seed', tidied(() => {
    const folds = kFold(20, 4, { shuffle: true, seed: 2 });
    expect(kFold(20, 4, { shuffle: true, seed: 2 })).toEqual(folds);
    expect([...folds[0].val]).not.toEqual([0, 1, 2, 3, 4]);
    expect(folds.flatMap(({ val }) => [...val]).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  }));

  it('rejects k < 2 and n < k', tidied(() => {
    expect(() => kFold(10, 1)).toThrow('kFold: k must be an integer ≥ 2, got 1');
    expect(() => kFold(3, 5)).toThrow('kFold: need at least k = 5 items, got n = 3');
  }));
});
