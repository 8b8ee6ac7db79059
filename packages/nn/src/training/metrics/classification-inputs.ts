/**
 * How the classification metrics read predictions and targets (shared by accuracy, the confusion
 * matrix, precision/recall/F1). Internal: not exported from the package.
 *
 * Predictions may be
 * - scores over classes, shape `[N, C, …]` with `C > 1` (logits or probabilities: the class is the argmax over dim 1);
 * - one binary score per sample, shape `[N]` or `[N, 1]`: probabilities when every value lies in [0, 1],
 *   otherwise logits (passed through a sigmoid) — then thresholded (default 0.5);
 * - class indices (`int32` or `bool`), the same shape as the target.
 * Targets are class indices (`int32`, or whole-valued floats), binary labels, or one-hot / probability rows
 * with the prediction's shape (the class is their argmax).
 */
import { ShapeError, ValueError, isFloating, formatShape, where, type Tensor } from '@tessera/core';

/** Options shared by the classification metrics. */
export interface ClassificationOptions {
  /** Decision threshold on probabilities for binary predictions (default 0.5). */
  threshold?: number;
  /** Number of classes; needed when predictions are class indices (defaults to 2 for binary inputs). */
  numClasses?: number;
}

/** Predicted and true class indices as flat int32 tensors, with the number of classes. */
export interface ClassIndices {
  predicted: Tensor;
  actual: Tensor;
  numClasses: number;
  binary: boolean;
}


/** Probabilities from binary scores: values already in [0, 1] are kept, anything else is treated as logits. */
export function binaryProbabilities(scores: Tensor): Tensor {
  const inUnitInterval = scores.min().ge(0).logicalAnd(scores.max().le(1));
  return where(inUnitInterval, scores, scores.sigmoid());
}

function toIndices(values: Tensor): Tensor {
  if (values.dtype === 'int32') return values;
  if (values.dtype === 'bool') return values.int();
  return values.round().int();
}

/**
 * Turn predictions and targets into flat class indices. Call inside `tidy`: it makes temporaries.
 * @example
 * tidy(() => classIndices('accuracy', logits, labels, {}));
 */
export function classIndices(op: string, prediction: Tensor, target: Tensor, options: ClassificationOptions): ClassIndices {
  const threshold = options.threshold ?? 0.5;
  if (!(threshold > 0 && threshold < 1)) throw new ValueError(`${op}: threshold must lie strictly between 0 and 1, got ${threshold}`);
  const predShape = prediction.shape;
  const scoresOverClasses = isFloating(prediction.dtype) && prediction.ndim >= 2 && predShape[1] > 1;
  let predicted: Tensor;
  let numClasses: number;
  let binary = false;
  let sampleShape: readonly number[];
  if (scoresOverClasses) {
    predicted = prediction.argmax(1);
    numClasses = predShape[1];
    sampleShape = predicted.shape;
    if (options.numClasses != null && options.numClasses !== numClasses) {
      throw new ValueError(`${op}: numClasses is ${options.numClasses} but the predictions ${formatShape(predShape)} score ${numClasses} classes along dim 1`);
    }
  } else if (isFloating(prediction.dtype)) {
    if (prediction.ndim >= 2 && predShape[1] !== 1) {
      throw new ShapeError(`${op}: predictions of shape ${formatShape(predShape)} are neither scores [N, C, …] nor binary scores [N] / [N, 1]`);
    }
    const scores = prediction.ndim >= 2 ? prediction.squeeze(1) : prediction;
    predicted = binaryProbabilities(scores).ge(threshold).int();
    numClasses = 2;
    binary = true;
    sampleShape = scores.shape;
  } else {
    predicted = toIndices(prediction);
    binary = prediction.dtype === 'bool';
    if (options.numClasses == null && !binary) {
      throw new ValueError(`${op}: predictions are class indices (${prediction.dtype} ${formatShape(predShape)}); pass { numClasses }`);
    }
    numClasses = options.numClasses ?? 2;
    sampleShape = predShape;
  }

  let actual: Tensor;
  if (target.ndim === prediction.ndim && scoresOverClasses && isFloating(target.dtype) && target.shape[1] === predShape[1]) {
    actual = target.argmax(1); // one-hot or probability rows
  } else if (binary && isFloating(target.dtype)) {
    actual = target.ge(0.5).int();
  } else {
    actual = toIndices(target);
  }
  if (binary && actual.ndim === sampleShape.length + 1 && actual.shape[1] === 1) actual = actual.squeeze(1);
  if (actual.size !== predicted.size || actual.ndim !== sampleShape.length || actual.shape.some((size, i) => size !== sampleShape[i])) {
    throw new ShapeError(
      `${op}: predictions ${formatShape(predShape)} (${prediction.dtype}) and targets ${formatShape(target.shape)} (${target.dtype}) do not match: ` +
        `expected targets of shape ${formatShape(sampleShape)} (class indices)` +
        (scoresOverClasses ? ` or ${formatShape(predShape)} (one-hot or probabilities)` : ''),
    );
  }
  return { predicted: predicted.reshape([-1]), actual: actual.reshape([-1]), numClasses, binary };
}
