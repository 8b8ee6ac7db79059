/**
 * The index policy: Tessera has no int64. Index and token-id tensors are int32, so ids must be
 * integers in [−2³¹, 2³¹) — every place an index enters (gather, indexSelect, scatterAdd, oneHot,
 * embedding lookups, sort/topk indices, advanced indexing) checks it here and says so when it fails.
 */
import { DTypeError, ValueError } from '../errors';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';

/**
 * The exclusive upper bound of an index or token id (2³¹): what fits an int32.
 * @example
 * INDEX_LIMIT; // 2147483648
 */
export const INDEX_LIMIT = 2 ** 31;

const POLICY = 'Tessera index and token-id tensors are int32 (there is no int64): ids must be integers below 2^31';

/**
 * Throw a DTypeError naming `op` unless `index` is an int32 tensor.
 * @example
 * checkIndexTensor('gather', tensor([0.5])); // throws: index must be int32
 */
export function checkIndexTensor(op: string, index: Tensor, what = 'index'): void {
  if (index.dtype !== 'int32') {
    const hint = index.dtype === 'bool' ? '; for a mask use maskedSelect/maskedFill or index([mask])' : '; convert integer-valued ids with .int()';
    throw new DTypeError(`${op}: ${what} must be int32, got ${index.dtype} of shape ${formatShape(index.shape)} (${POLICY})${hint}`);
  }
}

/**
 * Throw a ValueError naming `op` unless every value is an integer in [−2³¹, 2³¹) (negative ones are
 * allowed where the op counts from the end; pass `allowNegative: false` otherwise).
 * @example
 * checkIndexValues('index', [0, 2, 3e9]); // throws: 3000000000 is not below 2^31
 */
export function checkIndexValues(op: string, values: ArrayLike<number>, options: { allowNegative?: boolean; what?: string } = {}): void {
  const lowest = options.allowNegative === false ? 0 : -INDEX_LIMIT;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isInteger(value) || value < lowest || value >= INDEX_LIMIT) {
      const problem = !Number.isInteger(value) ? 'is not an integer' : value < lowest ? `is below ${lowest}` : 'does not fit int32 (≥ 2^31)';
      throw new ValueError(`${op}: ${options.what ?? 'index'} ${value} at position ${i} ${problem} (${POLICY})`);
    }
  }
}

/**
 * Throw a ValueError unless `count` is a non-negative integer usable as a size or count (< 2³¹).
 * @example
 * checkCount('topk', 'k', 3);
 */
export function checkCount(op: string, name: string, count: number): void {
  if (!Number.isInteger(count) || count < 0 || count >= INDEX_LIMIT) {
    throw new ValueError(`${op}: ${name} must be a non-negative integer below 2^31, got ${count}`);
  }
}
