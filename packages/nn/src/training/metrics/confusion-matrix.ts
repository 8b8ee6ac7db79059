/**
 * The confusion matrix: counts of (true class, predicted class) pairs.
 */
import { oneHot, tidy, type Tensor } from '@tessera/core';
import { classIndices, type ClassificationOptions } from './classification-inputs';

/**
 * A `[C, C]` int32 tensor whose entry `[i, j]` counts samples of true class `i` predicted as class `j`
 * (rows are truths, columns predictions, as in scikit-learn and torchmetrics). Inputs are read as by
 * {@link accuracy}; pass `numClasses` when predictions are class indices.
 * @example
 * const matrix = confusionMatrix(tensor([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]]), tensor([0, 1, 1], { dtype: 'int32' }));
 * await matrix.array(); // [[1, 0], [1, 1]]
 */
export function confusionMatrix(prediction: Tensor, target: Tensor, options: ClassificationOptions = {}): Tensor {
  return tidy(() => {
    const { predicted, actual, numClasses } = classIndices('confusionMatrix', prediction, target, options);
    // Counts are sums of 0/1 products: exact in float32 up to 2^24 samples per cell.
    const truths = oneHot(actual, numClasses, 'float32');
    const guesses = oneHot(predicted, numClasses, 'float32');
    return truths.T.matmul(guesses).round().int();
  });
}
