/**
 * Ops whose output shape depends on the values: nonzero, maskedSelect and unique. Core never reads
 * synchronously, so each has an async form that works on every backend (`nonzeroAsync`,
 * `maskedSelectAsync`, `uniqueAsync`) and PyTorch's name as a sync form on backends that advertise
 * `syncRead` (cpu). Both read one tensor (a mask or the values), compute positions on the host and
 * build the result on the backend; values are gathered on the device, so they keep the input's dtype
 * exactly and maskedSelect passes gradients back.
 */
import type { DataArray } from '../backend/backend';
import { noGrad } from '../autograd/grad-mode';
import { compareSortKeys } from '../backend/sort-order';
import { BackendError, DTypeError, ShapeError } from '../errors';
import { tidy } from '../memory/scope';
import { broadcastShapes, contiguousStrides, formatShape, normalizeDim } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { tensor } from './creation';
import { indexSelect } from './indexing';

/** What to read and how to finish from the host copy; `release` frees what the plan made. */
interface ReadPlan<T> {
  readonly source: Tensor;
  finish(data: DataArray): T;
  release(): void;
}

function runSync<T>(op: string, plan: ReadPlan<T>): T {
  try {
    if (!plan.source.storage.backend.capabilities.syncRead) {
      throw new BackendError(
        `${op}: its output shape depends on the data, and backend '${plan.source.device}' cannot read synchronously; ` +
          `use await ${op}Async(…) (or the tensor method ${op}Async), which works on every backend`,
      );
    }
    return plan.finish(plan.source.dataSync());
  } finally {
    plan.release();
  }
}

async function runAsync<T>(plan: ReadPlan<T>): Promise<T> {
  try {
    return plan.finish(await plan.source.data());
  } finally {
    plan.release();
  }
}

/** Int32 positions (a 1-D tensor on `device`). */
function positionsOn(device: string, positions: readonly number[]): Tensor {
  return tensor(Int32Array.from(positions), { device, shape: [positions.length] });
}

// ------------------------------------------------------------------ nonzero

function nonzeroPlan(x: Tensor): ReadPlan<Tensor> {
  x.assertLive('nonzero');
  const mask = x.dtype === 'bool' ? x : noGrad(() => x.ne(0));
  const shape = x.shape;
  return {
    source: mask,
    finish: (data) => {
      const strides = contiguousStrides(shape);
      const coordinates: number[] = [];
      let count = 0;
      for (let flat = 0; flat < data.length; flat++) {
        if (!data[flat]) continue;
        count++;
        for (let d = 0; d < shape.length; d++) coordinates.push(Math.floor(flat / strides[d]) % shape[d]);
      }
      return tensor(Int32Array.from(coordinates), { device: x.device, shape: [count, shape.length] });
    },
    release: () => {
      if (mask !== x) mask.dispose();
    },
  };
}

/**
 * PyTorch's `nonzero`: the coordinates of the non-zero (true) elements, row-major, as int32
 * `[count, ndim]`. Sync form; only on backends with sync reads — see {@link nonzeroAsync}.
 * @example
 * nonzero(tensor([[0, 1], [2, 0]])); // int32 [[0, 1], [1, 0]]
 */
export function nonzero(x: Tensor): Tensor {
  return runSync('nonzero', nonzeroPlan(x));
}

/**
 * {@link nonzero} on every backend (reads the mask once).
 * @example
 * const coordinates = await nonzeroAsync(scores.gt(0.5));
 */
export function nonzeroAsync(x: Tensor): Promise<Tensor> {
  return runAsync(nonzeroPlan(x));
}

// ------------------------------------------------------------------ maskedSelect

function maskedSelectPlan(x: Tensor, mask: Tensor): ReadPlan<Tensor> {
  x.assertLive('maskedSelect');
  mask.assertLive('maskedSelect');
  if (mask.dtype !== 'bool') {
    throw new DTypeError(`maskedSelect: mask must be bool, got ${mask.dtype} of shape ${formatShape(mask.shape)}; compare first (e.g. x.gt(0))`);
  }
  const shape = broadcastShapes('maskedSelect', x.shape, mask.shape);
  const expandedMask = mask.expand(shape);
  return {
    source: expandedMask,
    finish: (data) => {
      const positions: number[] = [];
      for (let flat = 0; flat < data.length; flat++) if (data[flat]) positions.push(flat);
      return tidy(() => indexSelect(x.expand(shape).reshape([-1]), 0, positionsOn(x.device, positions)));
    },
    release: () => expandedMask.dispose(),
  };
}

/**
 * PyTorch's `masked_select`: the elements of `x` where the bool `mask` (broadcast with `x`) is true,
 * as a 1-D tensor (gradients flow back to `x`). Sync form — see {@link maskedSelectAsync}.
 * @example
 * maskedSelect(tensor([1, -2, 3]), tensor([true, false, true])); // [1, 3]
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  return runSync('maskedSelect', maskedSelectPlan(x, mask));
}

/**
 * {@link maskedSelect} on every backend (reads the mask once).
 * @example
 * const positives = await maskedSelectAsync(x, x.gt(0));
 */
export function maskedSelectAsync(x: Tensor, mask: Tensor): Promise<Tensor> {
  return runAsync(maskedSelectPlan(x, mask));
}

// ------------------------------------------------------------------ unique

/** Options of {@link unique}. */
export interface UniqueOptions {
  /** Accepted for PyTorch compatibility: the values are always returned in ascending order. */
  sorted?: boolean;
  /** Also return, for each input element (or slice along `dim`), the index of its unique value. */
  returnInverse?: boolean;
  /** Also return how often each unique value occurs. */
  returnCounts?: boolean;
  /** Unique slices along this dim (compared lexicographically) instead of unique elements. */
  dim?: number;
}

/** The unique values (ascending; NaN last, all NaNs one value) and, when asked, inverse and counts (int32). */
export interface UniqueResult {
  values: Tensor;
  inverse?: Tensor;
  counts?: Tensor;
}

function uniquePlan(x: Tensor, options: UniqueOptions): ReadPlan<UniqueResult> {
  x.assertLive('unique');
  const axis = options.dim === undefined ? null : normalizeDim('unique', options.dim, x.ndim);
  if (axis !== null && x.ndim === 0) throw new ShapeError('unique: dim needs a tensor with at least one dim, got a 0-d tensor');
  // Rows to deduplicate: the elements (rows of length 1), or the slices along dim flattened.
  const rowsView = noGrad(() =>
    axis === null ? x.reshape([-1, 1]) : tidy(() => x.permute([axis, ...x.shape.keys()].filter((d, i) => i === 0 || d !== axis)).reshape([x.shape[axis], -1])),
  );
  const [rowCount, rowLength] = rowsView.shape;
  return {
    source: rowsView,
    finish: (data) => {
      const compareRows = (a: number, b: number): number => {
        for (let k = 0; k < rowLength; k++) {
          const order = compareSortKeys(data[a * rowLength + k], data[b * rowLength + k]);
          if (order !== 0) return order;
        }
        return 0;
      };
      const order = Array.from({ length: rowCount }, (_, i) => i).sort((a, b) => compareRows(a, b) || a - b);
      const firsts: number[] = [];
      const counts: number[] = [];
      const inverse = new Int32Array(rowCount);
      order.forEach((row, rank) => {
        if (rank === 0 || compareRows(order[rank - 1], row) !== 0) {
          firsts.push(row);
          counts.push(0);
        }
        counts[counts.length - 1]++;
        inverse[row] = firsts.length - 1;
      });
      return noGrad(() =>
        tidy(() => {
          const picked = positionsOn(x.device, firsts);
          const values = axis === null ? indexSelect(x.reshape([-1]), 0, picked) : indexSelect(x, axis, picked);
          const result: UniqueResult = { values };
          if (options.returnInverse) {
            result.inverse = tensor(inverse, { device: x.device, shape: axis === null ? x.shape : [rowCount] });
          }
          if (options.returnCounts) result.counts = positionsOn(x.device, counts);
          return result;
        }),
      );
    },
    release: () => rowsView.dispose(),
  };
}

/**
 * PyTorch's `unique`: the distinct values of `x` in ascending order (or distinct slices along `dim`),
 * with `inverse` (same shape as `x`, or `[x.shape[dim]]`) and `counts` when asked. NaNs count as one
 * value, placed last. Sync form — see {@link uniqueAsync}.
 * @example
 * const { values, counts } = unique(tensor([3, 1, 3, 2]), { returnCounts: true }); // [1, 2, 3], [1, 1, 2]
 */
export function unique(x: Tensor, options: UniqueOptions = {}): UniqueResult {
  return runSync('unique', uniquePlan(x, options));
}

/**
 * {@link unique} on every backend (reads the values once).
 * @example
 * const { values, inverse } = await uniqueAsync(tokenIds, { returnInverse: true });
 */
export function uniqueAsync(x: Tensor, options: UniqueOptions = {}): Promise<UniqueResult> {
  return runAsync(uniquePlan(x, options));
}
