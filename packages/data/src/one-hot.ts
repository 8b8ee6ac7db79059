import { BackendError, ValueError, isTensor, oneHot as coreOneHot, tensor, type DType, type Tensor } from '@tessera/core';

/**
 * One-hot encoding of class indices: a `[…, numClasses]` tensor with a single 1 per row (core's
 * `oneHot`, which PyTorch calls `one_hot`). Also takes plain arrays of labels, and checks that every
 * label is an integer in `[0, numClasses)` — an out-of-range label is a ValueError rather than a row of
 * zeros. (Tensors on a backend without synchronous reads are passed to core unchecked.)
 * `numClasses = -1` uses the largest label + 1.
 *
 * @example
 * oneHot([0, 2, 1], 3);                  // int32 [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
 * oneHot(labels, 10, 'float32');         // float targets for a probability cross-entropy
 */
export function oneHot(labels: Tensor | ArrayLike<number>, numClasses = -1, dtype: DType = 'int32'): Tensor {
  if (!Number.isInteger(numClasses) || numClasses < -1 || numClasses === 0) {
    throw new ValueError(`oneHot: numClasses must be a positive integer (or -1 to infer it), got ${numClasses}`);
  }
  let values: ArrayLike<number> | undefined;
  if (isTensor(labels)) {
    try {
      values = labels.dataSync();
    } catch (error) {
      if (!(error instanceof BackendError)) throw error;
    }
  } else {
    values = labels;
  }
  if (values !== undefined) {
    let largest = -1;
    for (let i = 0; i < values.length; i++) {
      const label = values[i];
      if (!Number.isInteger(label) || label < 0 || (numClasses > 0 && label >= numClasses)) {
        const range = numClasses > 0 ? `[0, ${numClasses})` : '[0, ∞)';
        throw new ValueError(`oneHot: label ${label} at position ${i} is not a class index in ${range}`);
      }
      largest = Math.max(largest, label);
    }
    if (numClasses === -1) numClasses = largest + 1;
  }
  if (isTensor(labels)) return coreOneHot(labels, numClasses, dtype);
  const indices = tensor(Int32Array.from(values!));
  try {
    return coreOneHot(indices, numClasses, dtype);
  } finally {
    indices.dispose();
  }
}
