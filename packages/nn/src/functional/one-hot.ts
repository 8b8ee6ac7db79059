/**
 * One-hot encoding.
 */
import { oneHot as coreOneHot, type DType, type Tensor } from '@tessera/core';
import { expectIndicesInRange, expectInt } from './checks';

/**
 * One-hot encode int32 class indices: `[...indices.shape, numClasses]` (int32 by default; PyTorch gives
 * int64). Without `numClasses` it is the largest index + 1 (needs a backend with sync reads).
 * @example
 * oneHot(tensor([0, 2], { dtype: 'int32' }), 3); // [[1, 0, 0], [0, 0, 1]]
 * oneHot(labels, 10, { dtype: 'float32' }); // ready to use as probabilities
 */
export function oneHot(indices: Tensor, numClasses = -1, options: { dtype?: DType } = {}): Tensor {
  expectInt('oneHot', 'indices', indices);
  if (numClasses >= 0) expectIndicesInRange('oneHot', 'class index', indices, numClasses);
  return coreOneHot(indices, numClasses, options.dtype ?? 'int32');
}
