/**
 * Accuracy: the fraction of samples whose predicted class is the true class.
 */
import { tidy, type Tensor } from '@tessera/core';
import { classIndices, type ClassificationOptions } from './classification-inputs';

/**
 * The fraction of correct predictions, as a 0-d float32 tensor. Predictions may be logits or probabilities
 * `[N, C]` (argmax), binary scores `[N]` / `[N, 1]` (probabilities, or logits when outside [0, 1],
 * thresholded at `threshold`), or class indices; targets are class indices, binary labels or one-hot rows.
 * @example
 * await accuracy(tensor([[2, 1], [0, 3]]), tensor([0, 0], { dtype: 'int32' })).item(); // 0.5
 * await accuracy(tensor([0.9, 0.2, 0.6]), tensor([1, 0, 0])).item(); // 2/3 (binary, threshold 0.5)
 */
export function accuracy(prediction: Tensor, target: Tensor, options: ClassificationOptions = {}): Tensor {
  return tidy(() => {
    const { predicted, actual } = classIndices('accuracy', prediction, target, options);
    if (predicted.size === 0) return predicted.float().sum(); // 0 for no samples, like an empty mean without NaN
    return predicted.eq(actual).float().mean();
  });
}
