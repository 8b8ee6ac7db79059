/**
 * Precision, recall and F1, per class or averaged, from a confusion matrix.
 *
 * For class k: precision = TPₖ / (TPₖ + FPₖ) (of the samples predicted k, how many are k),
 * recall = TPₖ / (TPₖ + FNₖ) (of the samples that are k, how many were found), and
 * F1 = 2·precision·recall / (precision + recall). A 0/0 counts as 0, as in scikit-learn.
 */
import { ValueError, eye, tidy, where, type Tensor } from '@tessera/core';
import { classIndices, type ClassificationOptions } from './classification-inputs';
import { confusionMatrix } from './confusion-matrix';

/**
 * How per-class scores are combined:
 * - `'binary'`: the score of the positive class 1 (the default for binary predictions);
 * - `'macro'`: the unweighted mean over the classes that occur in the targets or predictions (the default otherwise);
 * - `'weighted'`: the mean weighted by each class's number of true samples;
 * - `'micro'`: from the summed counts (for single-label data it equals accuracy);
 * - `'none'`: a `[C]` tensor, one score per class.
 */
export type Average = 'binary' | 'macro' | 'micro' | 'weighted' | 'none';

/** Options of {@link precision}, {@link recall} and {@link f1Score}. */
export interface PrecisionRecallOptions extends ClassificationOptions {
  average?: Average;
}

type Score = 'precision' | 'recall' | 'f1';

function safeDivide(numerator: Tensor, denominator: Tensor): Tensor {
  const positive = denominator.gt(0);
  return where(positive, numerator.div(where(positive, denominator, 1)), 0);
}

/** Per-class scores and support from a float confusion matrix (rows truths, columns predictions). */
function perClass(score: Score, matrix: Tensor): Tensor {
  const truePositives = diagonal(matrix);
  const predictedCounts = matrix.sum(0);
  const actualCounts = matrix.sum(1);
  const precisionPerClass = safeDivide(truePositives, predictedCounts);
  const recallPerClass = safeDivide(truePositives, actualCounts);
  if (score === 'precision') return precisionPerClass;
  if (score === 'recall') return recallPerClass;
  return safeDivide(precisionPerClass.mul(recallPerClass).mul(2), precisionPerClass.add(recallPerClass));
}

/** The diagonal (true positives per class) of a square matrix. */
function diagonal(matrix: Tensor): Tensor {
  return matrix.mul(eye(matrix.shape[0], matrix.shape[0], { device: matrix.device })).sum(1);
}

/**
 * Combine per-class scores from a confusion matrix (int32 or float, `[C, C]`) as `average` says.
 * @example
 * scoreFromConfusionMatrix(confusion, 'f1', 'macro');
 */
export function scoreFromConfusionMatrix(score: Score, matrix: Tensor, average: Average): Tensor {
  return tidy(() => {
    const counts = matrix.float();
    if (counts.ndim !== 2 || counts.shape[0] !== counts.shape[1]) {
      throw new ValueError(`${score}: a confusion matrix must be square [C, C], got [${counts.shape.join(', ')}]`);
    }
    if (average === 'micro') {
      // Single-label data: every false positive of one class is a false negative of another, so P = R = F1.
      return safeDivide(diagonal(counts).sum(), counts.sum());
    }
    const scores = perClass(score, counts);
    if (average === 'none') return scores;
    if (average === 'binary') {
      if (counts.shape[0] !== 2) throw new ValueError(`${score}: average 'binary' needs 2 classes, got ${counts.shape[0]}; use 'macro', 'micro', 'weighted' or 'none'`);
      return scores.select(0, 1);
    }
    if (average === 'weighted') {
      const support = counts.sum(1);
      return safeDivide(scores.mul(support).sum(), support.sum());
    }
    if (average === 'macro') {
      const present = counts.sum(1).add(counts.sum(0)).gt(0).float();
      return safeDivide(scores.mul(present).sum(), present.sum());
    }
    throw new ValueError(`${score}: unknown average '${String(average)}'; expected 'binary', 'macro', 'micro', 'weighted' or 'none'`);
  });
}

function computeScore(score: Score, prediction: Tensor, target: Tensor, options: PrecisionRecallOptions): Tensor {
  return tidy(() => {
    const { binary } = classIndices(score, prediction, target, options);
    const average = options.average ?? (binary ? 'binary' : 'macro');
    return scoreFromConfusionMatrix(score, confusionMatrix(prediction, target, options), average);
  });
}

/**
 * Precision: of the samples predicted as a class, the fraction that belong to it. Inputs are read as by
 * `accuracy`; `average` picks per-class (`'none'`) or an average (see {@link Average}).
 * @example
 * const labels = tensor([0, 1, 1, 0], { dtype: 'int32' });
 * await precision(tensor([0.8, 0.9, 0.3, 0.6]), labels).item(); // 1/3: of 3 predicted positives, 1 is right
 */
export function precision(prediction: Tensor, target: Tensor, options: PrecisionRecallOptions = {}): Tensor {
  return computeScore('precision', prediction, target, options);
}

/**
 * Recall: of the samples of a class, the fraction predicted as it. Inputs and `average` as in {@link precision}.
 * @example
 * await recall(tensor([0.8, 0.9, 0.3, 0.6]), tensor([0, 1, 1, 0], { dtype: 'int32' })).item(); // 0.5
 */
export function recall(prediction: Tensor, target: Tensor, options: PrecisionRecallOptions = {}): Tensor {
  return computeScore('recall', prediction, target, options);
}

/**
 * F1: the harmonic mean of precision and recall, per class, then averaged as `average` says.
 * @example
 * await f1Score(logits, labels, { average: 'macro' }).item();
 */
export function f1Score(prediction: Tensor, target: Tensor, options: PrecisionRecallOptions = {}): Tensor {
  return computeScore('f1', prediction, target, options);
}
