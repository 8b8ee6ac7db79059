/**
 * sort, argsort and topk. A backend's optional `argsort` kernel gives the permutation when it has one;
 * otherwise a composite every backend runs: a bitonic sorting network built from compare, `where` and
 * reshaped views (log₂N·(log₂N+1)/2 stages over the dim padded to a power of
 * two N). Each element carries its position, and ties are broken by it, so the order is total and
 * the sort stable. NaN sorts above +∞ (last ascending, first descending), as PyTorch.
 * The values are gathered from the input by the sorted indices, so gradients flow through `gather`.
 */
import { noGrad } from '../autograd/grad-mode';
import { isFloating } from '../dtype';
import { ValueError } from '../errors';
import { tidy } from '../memory/scope';
import { formatShape, normalizeDim } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { where } from './binary';
import { arange, full } from './creation';
import { backendOf, runKernel, viewOf } from './dispatch';
import { gather } from './indexing';
import { checkCount } from './index-policy';
import { cat, stack } from './join';

/** Options of {@link sort} and {@link argsort}. */
export interface SortOptions {
  /** Largest first (default false). Ties keep their input order either way. */
  descending?: boolean;
  /** Accepted for PyTorch compatibility: Tessera's sort is always stable. */
  stable?: boolean;
}

/** Options of {@link topk}. */
export interface TopkOptions {
  /** The dim to select along (default −1). */
  dim?: number;
  /** The k largest (default true) or the k smallest. */
  largest?: boolean;
  /** Accepted for PyTorch compatibility: the result is always sorted (largest first when `largest`). */
  sorted?: boolean;
}

/** Values and int32 indices, as PyTorch's `torch.return_types.sort`/`topk`. */
export interface ValuesAndIndices {
  values: Tensor;
  indices: Tensor;
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

/**
 * Whether element `lo` must move behind `hi`: compared by value, then by position (positions are
 * distinct, so the order is total and the network stable). NaN was encoded away before the network.
 */
function outOfOrder(lo: Tensor, hi: Tensor, loIndex: Tensor, hiIndex: Tensor, descending: boolean): Tensor {
  const beats = descending ? lo.lt(hi) : lo.gt(hi);
  return beats.logicalOr(lo.eq(hi).logicalAnd(loIndex.gt(hiIndex)));
}

/**
 * One compare-exchange layer: pairs are `[..., 0, :]` and `[..., 1, :]` of `[..., blocks, 2, width]`
 * (the second half read backwards when `mirror`, which turns two sorted runs into a bitonic one).
 */
function compareExchange(keys: Tensor, positions: Tensor, width: number, mirror: boolean, descending: boolean): [Tensor, Tensor] {
  const lead = keys.shape.slice(0, -1);
  const length = keys.shape[keys.ndim - 1];
  const split = [...lead, length / (2 * width), 2, width];
  const pair = (t: Tensor): [Tensor, Tensor] => {
    const blocks = t.reshape(split);
    const hi = blocks.select(-2, 1);
    return [blocks.select(-2, 0), mirror ? hi.flip(-1) : hi];
  };
  const [lo, hi] = pair(keys);
  const [loIndex, hiIndex] = pair(positions);
  const swap = outOfOrder(lo, hi, loIndex, hiIndex, descending);
  const merge = (a: Tensor, b: Tensor) => {
    const first = where(swap, b, a);
    const second = where(swap, a, b);
    return stack([first, mirror ? second.flip(-1) : second], -2).reshape([...lead, length]);
  };
  return [merge(lo, hi), merge(loIndex, hiIndex)];
}

/** The stable sorting permutation along the last dim of `keys` by core's composite (int32, same shape). */
function bitonicPermutation(keys: Tensor, descending: boolean): Tensor {
  return noGrad(() =>
    tidy(() => {
      const length = keys.shape[keys.ndim - 1];
      const lead = keys.shape.slice(0, -1);
      const padded = 2 ** Math.ceil(Math.log2(Math.max(length, 1)));
      const device = keys.device;
      let values = keys.dtype === 'bool' ? keys.int() : keys;
      let positions = arange(length, undefined, 1, { device }).expand([...lead, length]);
      if (isFloating(keys.dtype)) {
        // NaN becomes +∞ with its position moved past every real one (ascending) or before them (descending),
        // so the network compares plain values; positions are mapped back at the end.
        const isNaN = values.ne(values);
        values = where(isNaN, Infinity, values);
        positions = where(isNaN, positions.add(descending ? -padded : padded), positions);
      }
      if (padded > length) {
        // Padding sorts after every real element: the last value in the order, and the latest positions.
        const sentinel = isFloating(keys.dtype) ? (descending ? -Infinity : Infinity) : descending ? INT32_MIN : INT32_MAX;
        values = cat([values, full([...lead, padded - length], sentinel, { dtype: values.dtype, device })], -1);
        const padPositions = arange(length + 2 * padded, 3 * padded, 1, { device }).expand([...lead, padded - length]);
        positions = cat([positions, padPositions], -1);
      }
      const layer = (width: number, mirror: boolean) => {
        const next = tidy(() => compareExchange(values, positions, width, mirror, descending));
        // Free each layer's inputs as soon as the next exist (never the caller's keys).
        if (values !== keys) values.dispose();
        positions.dispose();
        [values, positions] = next;
      };
      for (let block = 2; block <= padded; block *= 2) {
        layer(block / 2, true);
        for (let width = block / 4; width >= 1; width /= 2) layer(width, false);
      }
      const encoded = positions.narrow(-1, 0, length);
      return where(encoded.lt(0), encoded.add(padded), where(encoded.ge(padded), encoded.sub(padded), encoded));
    }),
  );
}

/**
 * The stable sorting permutation along the last dim of `keys` (int32, same shape), by the backend's
 * `argsort` kernel when it has one, else by the bitonic composite. No gradient.
 */
function sortingPermutation(keys: Tensor, descending: boolean): Tensor {
  const backend = backendOf('sort', [keys]);
  if (!backend.argsort || keys.ndim === 0) return bitonicPermutation(keys, descending);
  return noGrad(() =>
    tidy(() => {
      const input = keys.dtype === 'bool' ? keys.int() : keys;
      return runKernel(backend, input.shape, 'int32', [viewOf(input)], (out, [view]) => backend.argsort!(view, input.ndim - 1, descending, out));
    }),
  );
}

function checkSortable(op: string, x: Tensor, dim: number): number {
  x.assertLive(op);
  return normalizeDim(op, dim, x.ndim);
}

/**
 * The stable sorting permutation along `dim`: int32 indices such that gathering by them sorts `x`.
 * @example
 * argsort(tensor([3, 1, 2])); // int32 [1, 2, 0]
 */
export function argsort(x: Tensor, dim = -1, options: SortOptions = {}): Tensor {
  const axis = checkSortable('argsort', x, dim);
  if (x.ndim === 0) return full([], 0, { dtype: 'int32', device: x.device });
  return tidy(() => {
    const moved = x.transpose(axis, -1);
    return sortingPermutation(moved, options.descending ?? false).transpose(axis, -1).contiguous();
  });
}

/**
 * Sort along `dim` (default −1), stably: equal elements keep their order. Returns `{ values, indices }`;
 * gradients flow to the input through the indices.
 * @example
 * const { values, indices } = sort(tensor([2, 1, 2, 0]), -1, { descending: true }); // [2, 2, 1, 0], [0, 2, 1, 3]
 */
export function sort(x: Tensor, dim = -1, options: SortOptions = {}): ValuesAndIndices {
  const axis = checkSortable('sort', x, dim);
  const indices = argsort(x, axis, options);
  if (x.ndim === 0) return { values: x.clone(), indices };
  return { values: gather(x, axis, indices), indices };
}

/**
 * The `k` largest (or smallest) elements along `dim`, sorted, with their int32 indices.
 * Ties keep input order; NaN counts as the largest value (as PyTorch).
 * @example
 * const { values, indices } = topk(tensor([1, 5, 3, 4]), 2); // [5, 4], [1, 3]
 */
export function topk(x: Tensor, k: number, options: TopkOptions = {}): ValuesAndIndices {
  const axis = checkSortable('topk', x, options.dim ?? -1);
  checkCount('topk', 'k', k);
  const size = x.ndim === 0 ? 1 : x.shape[axis];
  if (k > size) {
    throw new ValueError(`topk: k = ${k} is larger than dim ${options.dim ?? -1} of size ${size} (input ${formatShape(x.shape)})`);
  }
  if (x.ndim === 0) return sort(x);
  const indices = tidy(() => argsort(x, axis, { descending: options.largest ?? true }).narrow(axis, 0, k).contiguous());
  return { values: gather(x, axis, indices), indices };
}

