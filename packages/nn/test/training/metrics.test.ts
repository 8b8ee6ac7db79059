import '@tessera/backend-cpu';
import { ShapeError, ValueError, memory, tensor } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { ConfusionMatrixMetric, LogLossMetric, accuracy, confusionMatrix, createMetric, f1Score, logLoss, precision, recall } from '../../src/training/index';

const int = (values: number[]) => tensor(values, { dtype: 'int32' });

// Three classes, eight samples. Confusion matrix (rows truth, columns prediction):
//   [[2, 1, 0],
//    [0, 2, 1],
//    [1, 0, 1]]
const truth = [0, 0, 0, 1, 1, 1, 2, 2];
const guess = [0, 0, 1, 1, 1, 2, 0, 2];
const logitsFor = (classes: number[]) => tensor(classes.map((c) => [0, 1, 2].map((k) => (k === c ? 2 : -1))));

describe('accuracy', () => {
  it('compares the argmax of logits or probabilities with class indices', async () => {
    expect(await accuracy(logitsFor(guess), int(truth)).item()).toBeCloseTo(5 / 8);
    expect(await accuracy(logitsFor(guess).softmax(1), int(truth)).item()).toBeCloseTo(5 / 8);
  });

  it('accepts one-hot targets and class-index predictions (with numClasses)', async () => {
    const oneHotTruth = tensor(truth.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))));
    expect(await accuracy(logitsFor(guess), oneHotTruth).item()).toBeCloseTo(5 / 8);
    expect(await accuracy(int(guess), int(truth), { numClasses: 3 }).item()).toBeCloseTo(5 / 8);
  });

  it('thresholds binary probabilities at 0.5 by default, or at the given threshold', async () => {
    const probabilities = tensor([0.9, 0.6, 0.4, 0.2]);
    const labels = tensor([1, 0, 1, 0]);
    expect(await accuracy(probabilities, labels).item()).toBeCloseTo(0.5);
    expect(await accuracy(probabilities, labels, { threshold: 0.3 }).item()).toBeCloseTo(0.75);
    expect(await accuracy(probabilities.reshape([4, 1]), labels.reshape([4, 1])).item()).toBeCloseTo(0.5);
  });

  it('reads binary scores outside [0, 1] as logits (a logit of 0 is probability 0.5)', async () => {
    expect(await accuracy(tensor([3, -1, 0.5, -2]), tensor([1, 0, 0, 0])).item()).toBeCloseTo(0.75);
  });

  it('names the shapes when predictions and targets disagree', () => {
    expect(() => accuracy(logitsFor(guess), int([0, 1]))).toThrow(ShapeError);
    expect(() => accuracy(logitsFor(guess), int([0, 1]))).toThrow(/predictions \[8, 3\] .* targets \[2\].*expected targets of shape \[8\]/);
    expect(() => accuracy(int(guess), int(truth))).toThrow(/pass \{ numClasses \}/);
    expect(() => accuracy(tensor([0.5]), tensor([1]), { threshold: 1 })).toThrow(ValueError);
  });

  it('leaves no temporaries behind', () => {
    const logits = logitsFor(guess);
    const labels = int(truth);
    const before = memory().tensors;
    accuracy(logits, labels).dispose();
    confusionMatrix(logits, labels).dispose();
    f1Score(logits, labels).dispose();
    logLoss(logits, labels).dispose();
    expect(memory().tensors).toBe(before);
  });
});

describe('confusionMatrix', () => {
  it('counts (true class, predicted class) pairs with truths as rows', async () => {
    const matrix = confusionMatrix(logitsFor(guess), int(truth));
    expect(matrix.dtype).toBe('int32');
    expect(await matrix.array()).toEqual([
      [2, 1, 0],
      [0, 2, 1],
      [1, 0, 1],
    ]);
  });

  it('is 2 × 2 for binary scores', async () => {
    expect(await confusionMatrix(tensor([0.9, 0.8, 0.1, 0.7]), int([1, 0, 0, 1])).array()).toEqual([
      [1, 1],
      [0, 2],
    ]);
  });
});

describe('precision, recall and F1', () => {
  // Per class: precision = [2/3, 2/3, 1/2], recall = [2/3, 2/3, 1/2], as scikit-learn computes them.
  it('per class with average none', async () => {
    const logits = logitsFor(guess);
    const labels = int(truth);
    expectClose(await precision(logits, labels, { average: 'none' }).array(), [2 / 3, 2 / 3, 1 / 2]);
    expectClose(await recall(logits, labels, { average: 'none' }).array(), [2 / 3, 2 / 3, 1 / 2]);
    expectClose(await f1Score(logits, labels, { average: 'none' }).array(), [2 / 3, 2 / 3, 1 / 2]);
  });

  it('macro, weighted and micro averages (micro equals accuracy for single-label data)', async () => {
    // Unequal supports: truth has 3, 3 and 2 samples.
    const logits = logitsFor([0, 0, 0, 0, 1, 1, 2, 1]);
    const labels = int(truth);
    // precision per class: [3/4, 2/3, 1], recall: [1, 2/3, 1/2]
    expect(await precision(logits, labels).item()).toBeCloseTo((3 / 4 + 2 / 3 + 1) / 3);
    expect(await recall(logits, labels, { average: 'weighted' }).item()).toBeCloseTo((3 * 1 + 3 * (2 / 3) + 2 * 0.5) / 8);
    const f1PerClass = [2 * (3 / 4) / (3 / 4 + 1), 2 / 3, 2 * 0.5 / 1.5];
    expect(await f1Score(logits, labels, { average: 'macro' }).item()).toBeCloseTo(f1PerClass.reduce((a, b) => a + b) / 3);
    expect(await f1Score(logits, labels, { average: 'micro' }).item()).toBeCloseTo(await accuracy(logits, labels).item());
  });

  it('binary scores default to the positive class; a class never predicted has precision 0, not NaN', async () => {
    const scores = tensor([0.8, 0.9, 0.3, 0.6]);
    const labels = int([0, 1, 1, 0]);
    // Predicted positives: samples 0, 1 and 3, of which only 1 is positive; of the 2 positives, 1 was found.
    expect(await precision(scores, labels).item()).toBeCloseTo(1 / 3);
    expect(await recall(scores, labels).item()).toBeCloseTo(0.5);
    expect(await precision(tensor([0.1, 0.2]), int([1, 0])).item()).toBe(0);
  });

  it('macro averages only over classes present in targets or predictions', async () => {
    // numClasses 4, class 3 never appears: the macro mean is over classes 0–2.
    expect(await recall(int(guess), int(truth), { numClasses: 4 }).item()).toBeCloseTo((2 / 3 + 2 / 3 + 1 / 2) / 3);
  });

  it("rejects average 'binary' for more than two classes", () => {
    expect(() => precision(logitsFor(guess), int(truth), { average: 'binary' })).toThrow(/needs 2 classes, got 3/);
  });
});

describe('logLoss', () => {
  it('is the course\'s −(1/N) Σ [y ln p + (1 − y) ln(1 − p)] for binary probabilities', async () => {
    const value = await logLoss(tensor([0.9, 0.2, 0.6]), tensor([1, 0, 1])).item();
    expect(value).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.6)) / 3, 5);
  });

  it('gives the same value from logits as from their sigmoid, and stays finite for large logits', async () => {
    const logits = tensor([2, -1, 0.3]);
    const labels = tensor([1, 0, 0]);
    expect(await logLoss(logits, labels).item()).toBeCloseTo(await logLoss(logits.sigmoid(), labels).item(), 5);
    expect(await logLoss(tensor([200, -200]), tensor([0, 1])).item()).toBeCloseTo(200, 3);
  });

  it('clips probabilities so a confident mistake costs ln(1/eps), not infinity', async () => {
    expect(await logLoss(tensor([0]), tensor([1])).item()).toBeCloseTo(-Math.log(1e-7), 3);
    expect(Number.isFinite(await logLoss(tensor([1]), tensor([0])).item())).toBe(true);
  });

  it("reproduces the course's cross-entropy example: −ln 0.6 − ln 0.2 − ln 0.1 − ln 0.7 ≈ 4.8", async () => {
    // Four independent events with the probabilities the model gave to what happened.
    const probabilities = tensor([[0.4, 0.6], [0.8, 0.2], [0.9, 0.1], [0.3, 0.7]]);
    const value = await logLoss(probabilities, int([1, 1, 1, 1]), { reduction: 'sum' }).item();
    expect(value).toBeCloseTo(-(Math.log(0.6) + Math.log(0.2) + Math.log(0.1) + Math.log(0.7)), 5);
    expect(value).toBeCloseTo(4.8, 1);
  });

  it('multi-class: probabilities or logits, class indices or one-hot targets', async () => {
    const logits = tensor([[1, 2, 0.5], [0.1, -1, 3]]);
    const labels = int([1, 2]);
    const expected = -(await logits.logSoftmax(1).gather(1, labels.unsqueeze(1)).mean().item());
    expect(await logLoss(logits, labels).item()).toBeCloseTo(expected, 5);
    expect(await logLoss(logits.softmax(1), labels).item()).toBeCloseTo(expected, 5);
    expect(await logLoss(logits, tensor([[0, 1, 0], [0, 0, 1]])).item()).toBeCloseTo(expected, 5);
    expect(await logLoss(logits, labels, { reduction: 'none' }).array()).toHaveLength(2);
  });

  it('names the shapes on a mismatch', () => {
    expect(() => logLoss(tensor([[0.5, 0.5]]), int([0, 1]))).toThrow(/predictions \[1, 2\] need targets of shape \[1\]/);
    expect(() => logLoss(tensor([0.5, 0.5]), tensor([1]))).toThrow(ShapeError);
  });
});

describe('streaming metrics for fit', () => {
  it('accumulate over batches: the epoch value equals the value over all samples', async () => {
    const metric = createMetric('f1');
    metric.reset();
    await metric.update(logitsFor(guess.slice(0, 5)), int(truth.slice(0, 5)));
    await metric.update(logitsFor(guess.slice(5)), int(truth.slice(5)));
    expect(await metric.compute()).toBeCloseTo(await f1Score(logitsFor(guess), int(truth)).item(), 5);
    expect((metric as ConfusionMatrixMetric).matrix()).toEqual([[2, 1, 0], [0, 2, 1], [1, 0, 1]]);
  });

  it('log-loss is a mean over samples, not over batches', async () => {
    const metric = new LogLossMetric();
    await metric.update(tensor([0.9]), tensor([1]));
    await metric.update(tensor([0.2, 0.6]), tensor([0, 1]));
    expect(metric.compute()).toBeCloseTo(await logLoss(tensor([0.9, 0.2, 0.6]), tensor([1, 0, 1])).item(), 5);
  });

  it('reset starts a new epoch', async () => {
    const metric = createMetric('accuracy');
    await metric.update(tensor([0.9]), tensor([0]));
    metric.reset();
    await metric.update(tensor([0.9]), tensor([1]));
    expect(await metric.compute()).toBe(1);
  });
});

function expectClose(actual: unknown, expected: number[]) {
  const values = actual as number[];
  expect(values).toHaveLength(expected.length);
  values.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
}
