import { toContiguous, type ArrayView } from './strided';
import type { AdamStepRequest, BufferRange, DataArray, OptimizerStepRequest, SgdStepRequest } from '@tessera/core/backend';
import { BackendError, DTypeError, ShapeError } from '@tessera/core';

/** The typed array (a view of the backend's memory) behind a buffer id. */
export type BufferLookup = (range: BufferRange) => DataArray;

/**
 * One fused SGD or Adam/AdamW step (PyTorch 1.13's formulas, spelled out on `SgdStepRequest` and
 * `AdamStepRequest` in core): a single pass over the parameter that reads the gradient and updates the
 * parameter and its state in place, with no temporaries (the composite makes about ten). Arithmetic is
 * float64; every state value is rounded to the dtype before it is used, as PyTorch's in-place ops store it.
 * @example
 * const param = new Float32Array([1]), grad = { data: new Float32Array([0.5]), shape: [1], strides: [1], offset: 0 };
 * optimizerStepKernel({ kind: 'sgd', dtype: 'float32', size: 1, param: { id: param, offset: 0 }, grad: { ...grad, id: grad, dtype: 'float32' },
 *   momentumBuffer: null, lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, firstStep: false },
 *   () => param, grad); // param = [0.95]
 */
export function optimizerStepKernel(request: OptimizerStepRequest, lookup: BufferLookup, grad: ArrayView): void {
  const first = lookup(request.param);
  if (!(first instanceof Float32Array || first instanceof Float64Array)) {
    throw new DTypeError(`cpu backend: optimizerStep supports float32 and float64, got ${request.dtype}`);
  }
  // Every in-place buffer and the gradient hold the parameter's array class (core checks the dtypes).
  const resolve = (range: BufferRange, name: string): DataArray => {
    const data = lookup(range);
    if (range.offset < 0 || range.offset + request.size > data.length) {
      throw new BackendError(`cpu backend: optimizerStep ${name} [${range.offset}, ${range.offset + request.size}) overflows a buffer of ${data.length}`);
    }
    if (data.constructor !== first.constructor) {
      throw new DTypeError(`cpu backend: optimizerStep ${name} is a ${data.constructor.name}, the parameter a ${first.constructor.name}`);
    }
    return data;
  };
  const gradient = toContiguous(grad);
  if (gradient.length !== request.size || gradient.constructor !== first.constructor) {
    throw new ShapeError(`cpu backend: optimizerStep got a gradient of ${gradient.length} ${gradient.constructor.name} elements for a parameter of ${request.size} (${request.dtype})`);
  }
  const param = resolve(request.param, 'param');
  // One monomorphic loop per array class (see float32.ts for why): float32 rounds each stored state
  // value with Math.fround, so it is used exactly as stored.
  if (request.kind === 'sgd') {
    const buffer = request.momentumBuffer ? resolve(request.momentumBuffer, 'momentumBuffer') : null;
    if (param instanceof Float32Array) sgdF32(request, param, gradient as Float32Array, buffer as Float32Array | null);
    else sgdF64(request, param as Float64Array, gradient as Float64Array, buffer as Float64Array | null);
    return;
  }
  const expAvg = resolve(request.expAvg, 'expAvg');
  const expAvgSq = resolve(request.expAvgSq, 'expAvgSq');
  const maxExpAvgSq = request.maxExpAvgSq ? resolve(request.maxExpAvgSq, 'maxExpAvgSq') : null;
  // Views from each range's offset: the loops index every operand by i alone (about 15 % faster).
  const range = (data: DataArray, offset: number) => data.subarray(offset, offset + request.size);
  const operands = [range(param, request.param.offset), gradient, range(expAvg, request.expAvg.offset), range(expAvgSq, request.expAvgSq.offset)] as const;
  const maximum = maxExpAvgSq && request.maxExpAvgSq ? range(maxExpAvgSq, request.maxExpAvgSq.offset) : null;
  const constants = adamConstants(request);
  if (param instanceof Float32Array) {
    const [theta, g, m, v] = operands as unknown as Float32Array[];
    if (maximum) adamAmsgradF32(constants, theta, g, m, v, maximum as Float32Array);
    else adamF32(constants, theta, g, m, v);
  } else {
    // Without AMSGrad the running maximum is v itself: max(v, v) = v rewrites the value just stored.
    const [theta, g, m, v] = operands as unknown as Float64Array[];
    adamF64(constants, theta, g, m, v, (maximum ?? v) as Float64Array);
  }
}

function sgdF32(request: SgdStepRequest, param: Float32Array, grad: Float32Array, buffer: Float32Array | null): void {
  const { size, lr, momentum, dampening, nesterov, weightDecay, maximize, firstStep } = request;
  const sign = maximize ? -1 : 1;
  const p0 = request.param.offset;
  const b0 = request.momentumBuffer?.offset ?? 0;
  const keep = 1 - dampening;
  for (let i = 0; i < size; i++) {
    let g = sign * grad[i];
    if (weightDecay !== 0) g += weightDecay * param[p0 + i];
    if (buffer !== null) {
      const velocity = Math.fround(firstStep ? g : momentum * buffer[b0 + i] + keep * g);
      buffer[b0 + i] = velocity;
      g = nesterov ? g + momentum * velocity : velocity;
    }
    param[p0 + i] -= lr * g;
  }
}

/** {@link sgdF32} for Float64Array operands (no rounding of stored values needed). */
function sgdF64(request: SgdStepRequest, param: Float64Array, grad: Float64Array, buffer: Float64Array | null): void {
  const { size, lr, momentum, dampening, nesterov, weightDecay, maximize, firstStep } = request;
  const sign = maximize ? -1 : 1;
  const p0 = request.param.offset;
  const b0 = request.momentumBuffer?.offset ?? 0;
  const keep = 1 - dampening;
  for (let i = 0; i < size; i++) {
    let g = sign * grad[i];
    if (weightDecay !== 0) g += weightDecay * param[p0 + i];
    if (buffer !== null) {
      const velocity = firstStep ? g : momentum * buffer[b0 + i] + keep * g;
      buffer[b0 + i] = velocity;
      g = nesterov ? g + momentum * velocity : velocity;
    }
    param[p0 + i] -= lr * g;
  }
}

/** Adam's per-step scalars, folded once on the host (shared with simd-optimizer-step.ts). */
export interface AdamConstants {
  readonly size: number;
  readonly sign: number;
  /** θ's decoupled (AdamW) decay factor 1 − lr·λ, or 1. */
  readonly decay: number;
  /** The L2 coefficient (Adam), or 0. */
  readonly l2: number;
  readonly beta1: number;
  readonly keep1: number;
  readonly beta2: number;
  readonly keep2: number;
  /** lr / (1 − β₁ᵗ). */
  readonly stepSize: number;
  /** 1 / √(1 − β₂ᵗ): a multiply instead of a divide per element. */
  readonly inverseCorrection2: number;
  readonly eps: number;
}

/**
 * Fold an Adam request's hyperparameters into the per-element loop's scalars.
 * @example
 * adamConstants(request).stepSize; // lr / (1 − β₁ᵗ)
 */
export function adamConstants(request: AdamStepRequest): AdamConstants {
  const { size, lr, beta1, beta2, eps, weightDecay, decoupled, maximize } = request;
  return {
    size, eps, beta1, beta2,
    sign: maximize ? -1 : 1,
    decay: decoupled && weightDecay !== 0 ? 1 - lr * weightDecay : 1,
    l2: decoupled ? 0 : weightDecay,
    keep1: 1 - beta1,
    keep2: 1 - beta2,
    stepSize: lr / request.biasCorrection1,
    inverseCorrection2: 1 / request.biasCorrection2Sqrt,
  };
}

/*
 * The Adam loops. Loop-invariant tests (decay, l2) stay inside — they predict perfectly — but AMSGrad's
 * extra load, compare and store gets its own float32 loop (it cost about 25 % when merged).
 */

function adamF32(c: AdamConstants, param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array): void {
  const { size, sign, decay, l2, beta1, keep1, beta2, keep2, stepSize, inverseCorrection2, eps } = c;
  for (let i = 0; i < size; i++) {
    let g = sign * grad[i];
    let theta = param[i];
    if (decay !== 1) theta = Math.fround(theta * decay);
    if (l2 !== 0) g += l2 * theta;
    const m = Math.fround(beta1 * expAvg[i] + keep1 * g);
    expAvg[i] = m;
    const v = Math.fround(beta2 * expAvgSq[i] + keep2 * g * g);
    expAvgSq[i] = v;
    param[i] = theta - (stepSize * m) / (Math.sqrt(v) * inverseCorrection2 + eps);
  }
}

/** {@link adamF32} with AMSGrad's running maximum v̂ ← max(v̂, v) in the denominator. */
function adamAmsgradF32(
  c: AdamConstants, param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, maxExpAvgSq: Float32Array,
): void {
  const { size, sign, decay, l2, beta1, keep1, beta2, keep2, stepSize, inverseCorrection2, eps } = c;
  for (let i = 0; i < size; i++) {
    let g = sign * grad[i];
    let theta = param[i];
    if (decay !== 1) theta = Math.fround(theta * decay);
    if (l2 !== 0) g += l2 * theta;
    const m = Math.fround(beta1 * expAvg[i] + keep1 * g);
    expAvg[i] = m;
    const v = Math.fround(beta2 * expAvgSq[i] + keep2 * g * g);
    expAvgSq[i] = v;
    const previous = maxExpAvgSq[i];
    // NaN propagates, as torch.maximum does.
    const second = previous >= v || previous !== previous ? previous : v;
    maxExpAvgSq[i] = second;
    param[i] = theta - (stepSize * m) / (Math.sqrt(second) * inverseCorrection2 + eps);
  }
}

/** Adam and AMSGrad for Float64Array operands (`maxExpAvgSq` is `expAvgSq` itself without AMSGrad). */
function adamF64(
  c: AdamConstants, param: Float64Array, grad: Float64Array, expAvg: Float64Array, expAvgSq: Float64Array, maxExpAvgSq: Float64Array,
): void {
  const { size, sign, decay, l2, beta1, keep1, beta2, keep2, stepSize, inverseCorrection2, eps } = c;
  for (let i = 0; i < size; i++) {
    let g = sign * grad[i];
    let theta = param[i];
    if (decay !== 1) theta *= decay;
    if (l2 !== 0) g += l2 * theta;
    const m = beta1 * expAvg[i] + keep1 * g;
    expAvg[i] = m;
    const v = beta2 * expAvgSq[i] + keep2 * g * g;
    expAvgSq[i] = v;
    const previous = maxExpAvgSq[i];
    const second = previous >= v || previous !== previous ? previous : v;
    maxExpAvgSq[i] = second;
    param[i] = theta - (stepSize * m) / (Math.sqrt(second) * inverseCorrection2 + eps);
  }
}
