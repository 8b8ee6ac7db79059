/**
 * Reductions: sum, mean, prod, max/min (with indices), amax/amin, var/std, argmax/argmin, logsumexp.
 */
import type { DType, ReduceOp } from '../backend/backend';
import { recordOp } from '../autograd/record';
import { autocastNeedsFloat32, autocastOp } from '../autograd/autocast';
import { noGrad } from '../autograd/grad-mode';
import { tidy } from '../memory/scope';
import { isFloating } from '../dtype';
import { DTypeError, ShapeError } from '../errors';
import { formatShape, normalizeDim, normalizeDims } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { castIfNeeded, disposeIfTemp } from './cast';
import { zeros } from './creation';
import { backendOf, runKernel, viewOf } from './dispatch';

/** The shape after reducing `dims`, with or without kept size-1 dims. */
function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((dim, i) => (dims.includes(i) ? 1 : dim)) : shape.filter((_, i) => !dims.includes(i));
}

/** Run a reduce kernel over `dims` (non-empty) and return the result with kept dims if asked. */
function reduceKernel(op: ReduceOp, x: Tensor, dims: readonly number[], keepdim: boolean, dtype: DType): Tensor {
  const backend = backendOf(op, [x]);
  const out = runKernel(backend, reducedShape(x.shape, dims, false), dtype, [viewOf(x)], (output, [view]) =>
    backend.reduce(op, view, dims, output),
  );
  if (!keepdim) return out;
  const kept = out.reshape(reducedShape(x.shape, dims, true));
  out.dispose();
  return kept;
}

/** The gradient of a reduction, reshaped to kept dims and broadcast back to the input's shape. */
function expandBack(grad: Tensor, inputShape: readonly number[], dims: readonly number[]): Tensor {
  return grad.reshape(reducedShape(inputShape, dims, true)).expand(inputShape);
}

function checkNotEmpty(op: string, x: Tensor, dims: readonly number[]): void {
  for (const dim of dims) {
    if (x.shape[dim] === 0) {
      throw new ShapeError(`${op}: cannot reduce over dim ${dim} of size 0 (input shape ${formatShape(x.shape)}); the result has no identity`);
    }
  }
}

/** Sum/prod of bool and int32 accumulate in int32; floats keep their dtype. */
function accumulationType(dtype: DType): DType {
  return isFloating(dtype) ? dtype : 'int32';
}

/**
 * Sum over `dim` (every dim when omitted).
 * @example
 * sum(tensor([[1, 2], [3, 4]]), 1); // [3, 7]
 */
export function sum(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  if (autocastNeedsFloat32(x)) return autocastOp('sum', 'float32', [x, dim, keepdim], sum);
  x.assertLive('sum');
  const dims = normalizeDims('sum', dim, x.ndim);
  const dtype = accumulationType(x.dtype);
  const input = castIfNeeded(x, dtype);
  let out: Tensor;
  try {
    out = dims.length === 0 ? input.clone() : reduceKernel('sum', input, dims, keepdim, dtype);
  } finally {
    disposeIfTemp(input, x);
  }
  if (!isFloating(dtype)) return out;
  const shape = x.shape;
  return recordOp('sum', [x], out, (grad) => [expandBack(grad, shape, dims)]);
}

/**
 * Mean over `dim` (floating point only, as PyTorch).
 * @example
 * mean(tensor([1, 2, 3, 4])); // 2.5
 */
export function mean(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  // One op under autocast, as PyTorch's: its inner sum is not moved to float32.
  if (autocastNeedsFloat32(x)) return autocastOp('mean', 'keep', [x, dim, keepdim], mean);
  x.assertLive('mean');
  if (!isFloating(x.dtype)) {
    throw new DTypeError(`mean: expected a floating-point tensor, got ${x.dtype} of shape ${formatShape(x.shape)}; cast with .float() first`);
  }
  const dims = normalizeDims('mean', dim, x.ndim);
  const count = dims.reduce((product, d) => product * x.shape[d], 1);
  const total = sum(x, dims, keepdim);
  const result = total.div(count);
  total.dispose();
  return result;
}

/**
 * Product over `dim`. Its gradient is exact with zeros in the input (one zero: the product of the others).
 * @example
 * prod(tensor([1, 2, 3, 4])); // 24
 */
export function prod(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  if (autocastNeedsFloat32(x)) return autocastOp('prod', 'float32', [x, dim, keepdim], prod);
  x.assertLive('prod');
  const dims = normalizeDims('prod', dim, x.ndim);
  const dtype = accumulationType(x.dtype);
  const input = castIfNeeded(x, dtype);
  let out: Tensor;
  try {
    out = dims.length === 0 ? input.clone() : reduceKernel('prod', input, dims, keepdim, dtype);
  } finally {
    disposeIfTemp(input, x);
  }
  if (!isFloating(dtype)) return out;
  if (dims.length === 0) return recordOp('prod', [x], out, (grad) => [grad]);
  return recordOp(
    'prod',
    [x],
    out,
    (grad, [saved], output) => {
      const isZero = saved.eq(0);
      const zeroCount = isZero.int().sum(dims, true);
      const keptOutput = output!.reshape(reducedShape(saved.shape, dims, true));
      // Where the input is non-zero: out / x. At a zero: the product of the others if it is the only zero, else 0.
      const ofNonZero = keptOutput.div(saved.where(isZero.logicalNot(), 1));
      const othersProduct = prod(saved.where(isZero.logicalNot(), 1), dims, true).where(zeroCount.eq(1), 0);
      const local = ofNonZero.where(isZero.logicalNot(), othersProduct);
      return [expandBack(grad, saved.shape, dims).mul(local)];
    },
    { save: [x], saveOutput: true },
  );
}

/**
 * Maximum or minimum over every element (a 0-d tensor); the gradient is shared among tied maxima.
 * @example
 * extremum('max', tensor([1, 5, 3])); // 5
 */
export function extremum(op: 'max' | 'min', x: Tensor): Tensor {
  return amax(op, x, undefined, false);
}

/**
 * `amax`/`amin` over several dims (values only; tied elements share the gradient evenly).
 * @example
 * amax('max', tensor([[1, 5], [7, 2]]), 1); // [5, 7]
 */
export function amax(op: 'max' | 'min', x: Tensor, dim: number | number[] | undefined, keepdim: boolean): Tensor {
  x.assertLive(op);
  const dims = normalizeDims(op, dim, x.ndim);
  checkNotEmpty(op, x, dims);
  const dtype = x.dtype === 'bool' ? 'int32' : x.dtype;
  const input = castIfNeeded(x, dtype);
  let out: Tensor;
  try {
    out = dims.length === 0 ? input.clone() : reduceKernel(op, input, dims, keepdim, dtype);
  } finally {
    disposeIfTemp(input, x);
  }
  if (!isFloating(dtype)) return out;
  return recordOp(
    op,
    [x],
    out,
    (grad, [saved], output) => {
      const kept = reducedShape(saved.shape, dims, true);
      const mask = saved.eq(output!.reshape(kept)).cast(saved.dtype);
      const share = mask.div(mask.sum(dims, true));
      return [expandBack(grad, saved.shape, dims).mul(share)];
    },
    { save: [x], saveOutput: true },
  );
}

/**
 * Maximum or minimum along one dim with the index of each (first index on ties).
 * The gradient flows to the returned index only, as PyTorch's `max(dim)`.
 * @example
 * const { values, indices } = extremumAlong('max', tensor([[1, 5], [7, 2]]), 1); // [5, 7], [1, 0]
 */
export function extremumAlong(op: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): { values: Tensor; indices: Tensor } {
  x.assertLive(op);
  const axis = normalizeDim(op, dim, x.ndim);
  const dims = x.ndim === 0 ? [] : [axis];
  checkNotEmpty(op, x, dims);
  const dtype = x.dtype === 'bool' ? 'int32' : x.dtype;
  const input = castIfNeeded(x, dtype);
  let values: Tensor;
  let indices: Tensor;
  try {
    if (dims.length === 0) {
      values = input.clone();
      indices = zeros([], { dtype: 'int32', device: x.device });
    } else {
      values = reduceKernel(op, input, dims, keepdim, dtype);
      indices = reduceKernel(op === 'max' ? 'argmax' : 'argmin', input, dims, keepdim, 'int32');
    }
  } finally {
    disposeIfTemp(input, x);
  }
  if (isFloating(dtype) && dims.length > 0) {
    const shape = x.shape;
    recordOp(
      op,
      [x],
      values,
      (grad, [index]) => {
        const kept = reducedShape(shape, dims, true);
        const base = zeros(shape, { dtype: grad.dtype, device: grad.device });
        return [base.scatterAdd(axis, index.reshape(kept), grad.reshape(kept))];
      },
      { save: [indices] },
    );
  } else if (isFloating(dtype)) {
    recordOp(op, [x], values, (grad) => [grad]);
  }
  return { values, indices };
}

/**
 * Index of the maximum/minimum along `dim`, or of the flattened tensor when `dim` is omitted.
 * @example
 * argExtremum('argmax', tensor([[1, 5], [7, 2]]), 1); // int32 [1, 0]
 */
export function argExtremum(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  x.assertLive(op);
  const input = x.dtype === 'bool' ? x.int() : x;
  try {
    if (dim === undefined) {
      const flat = input.reshape([-1]);
      checkNotEmpty(op, flat, [0]);
      const index = noGrad(() => reduceKernel(op, flat, [0], false, 'int32'));
      flat.dispose();
      if (!keepdim) return index;
      const kept = index.reshape(x.shape.map(() => 1));
      index.dispose();
      return kept;
    }
    const axis = normalizeDim(op, dim, x.ndim);
    if (x.ndim === 0) return zeros([], { dtype: 'int32', device: x.device });
    checkNotEmpty(op, input, [axis]);
    return reduceKernel(op, input, [axis], keepdim, 'int32');
  } finally {
    disposeIfTemp(input, x);
  }
}

/**
 * Variance over `dim` with `correction` (1 = Bessel's unbiased estimate, 0 = population).
 * @example
 * variance(tensor([1, 2, 3, 4]), undefined, false, 1); // 1.6667
 */
export function variance(x: Tensor, dim: number | number[] | undefined, keepdim: boolean, correction: number): Tensor {
  if (autocastNeedsFloat32(x)) return autocastOp('var', 'keep', [x, dim, keepdim, correction], variance);
  x.assertLive('var');
  if (!isFloating(x.dtype)) throw new DTypeError(`var: expected a floating-point tensor, got ${x.dtype}`);
  const dims = normalizeDims('var', dim, x.ndim);
  const count = dims.reduce((product, d) => product * x.shape[d], 1);
  const center = mean(x, dims, true);
  const deviation = x.sub(center);
  const squared = deviation.mul(deviation);
  const total = squared.sum(dims, keepdim);
  const result = total.div(Math.max(0, count - correction));
  for (const temp of [center, deviation, squared, total]) temp.dispose();
  return result;
}

/**
 * `log Σ exp(x)` over `dim`, stable for large inputs (subtracts the maximum first; −∞ rows stay −∞).
 * @example
 * logsumexp(tensor([1000, 1000])); // 1000.6931
 */
export function logsumexp(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  if (autocastNeedsFloat32(x)) return autocastOp('logsumexp', 'float32', [x, dim, keepdim], logsumexp);
  x.assertLive('logsumexp');
  const source = isFloating(x.dtype) ? x : x.float();
  const dims = normalizeDims('logsumexp', dim, source.ndim);
  const shift = noGrad(() =>
    tidy(() => {
      const maximum = amax('max', source, dims, true);
      return maximum.where(maximum.abs().lt(Infinity), 0);
    }),
  );
  const shifted = source.sub(shift);
  const exponent = shifted.exp();
  const total = exponent.sum(dims, true);
  const logTotal = total.log();
  const kept = logTotal.add(shift);
  for (const temp of [shifted, exponent, total, logTotal, shift]) temp.dispose();
  disposeIfTemp(source, x);
  if (keepdim) return kept;
  const result = kept.reshape(reducedShape(x.shape, dims, false));
  kept.dispose();
  return result;
}
