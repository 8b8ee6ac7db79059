import type { AdamStepRequest, BufferRange, DataArray, OptimizerStepRequest, SgdStepRequest } from '@tessera/core';
import { toContiguous, type ArrayView } from './strided';

/** The typed array (a view of the backend's memory) behind a buffer id. */
export type BufferLookup = (range: BufferRange) => DataArray;

/**
 * One fused SGD or Adam/AdamW step (PyTorch 1.13's formulas, spelled out on `SgdStepRequest` and
 * `AdamStepRequest` in core): a single pass over the parameter that reads the gradient and updates the
 * parameter and its state in place, with no temporaries (the composite makes about ten). Arithmetic is
 * float64; every state value is stored (rounded to the dtype) and read back before it is used, as
 * PyTorch's in-place ops do.
 * @example
 * const param = new Float32Array([1]), grad = { data: new Float32Array([0.5]), shape: [1], strides: [1], offset: 0 };
 * optimizerStepKernel({ kind: 'sgd', dtype: 'float32', size: 1, param: { id: param, offset: 0 }, grad: { ...grad, id: grad, dtype: 'float32' },
 *   momentumBuffer: null, lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, firstStep: false },
 *   () => param, grad); // param = [0.95]
 */
export function optimizerStepKernel(request: OptimizerStepRequest, lookup: BufferLookup, grad: ArrayView): void {
  const resolve = (range: BufferRange, name: string): DataArray => {
    const data = lookup(range);
    if (range.offset < 0 || range.offset + request.size > data.length) {
      throw new RangeError(`cpu backend: optimizerStep ${name} [${range.offset}, ${range.offset + request.size}) overflows a buffer of ${data.length}`);
    }
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      throw new TypeError(`cpu backend: optimizerStep supports float32 and float64, got ${request.dtype}`);
    }
    return data;
  };
  const gradient = toContiguous(grad);
  if (gradient.length !== request.size) {
    throw new RangeError(`cpu backend: optimizerStep got a gradient of ${gradient.length} elements for a parameter of ${request.size}`);
  }
  if (request.kind === 'sgd') {
    sgd(request, resolve(request.param, 'param'), gradient, request.momentumBuffer ? resolve(request.momentumBuffer, 'momentumBuffer') : null);
  } else {
    const maxExpAvgSq = request.maxExpAvgSq ? resolve(request.maxExpAvgSq, 'maxExpAvgSq') : null;
    adam(request, resolve(request.param, 'param'), gradient, resolve(request.expAvg, 'expAvg'), resolve(request.expAvgSq, 'expAvgSq'), maxExpAvgSq);
  }
}

function sgd(request: SgdStepRequest, param: DataArray, grad: DataArray, buffer: DataArray | null): void {
  const { size, lr, momentum, dampening, nesterov, weightDecay, maximize, firstStep } = request;
  const sign = maximize ? -1 : 1;
  const p0 = request.param.offset;
  const b0 = request.momentumBuffer?.offset ?? 0;
  const keep = 1 - dampening;
  for (let i = 0; i < size; i++) {
    let g = sign * grad[i];
    if (weightDecay !== 0) g += weightDecay * param[p0 + i];
    if (buffer !== null) {
      buffer[b0 + i] = firstStep ? g : momentum * buffer[b0 + i] + keep * g;
      const velocity = buffer[b0 + i];
      g = nesterov ? g + momentum * velocity : velocity;
    }
    param[p0 + i] -= lr * g;
  }
}

function adam(
  request: AdamStepRequest, param: DataArray, grad: DataArray, expAvg: DataArray, expAvgSq: DataArray, maxExpAvgSq: DataArray | null,
): void {
  const { size, lr, beta1, beta2, eps, weightDecay, decoupled, maximize, biasCorrection2Sqrt } = request;
  const sign = maximize ? -1 : 1;
  const decay = decoupled && weightDecay !== 0 ? 1 - lr * weightDecay : 1;
  const l2 = decoupled ? 0 : weightDecay;
  const stepSize = lr / request.biasCorrection1;
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  const p0 = request.param.offset;
  const m0 = request.expAvg.offset;
  const v0 = request.expAvgSq.offset;
  const x0 = request.maxExpAvgSq?.offset ?? 0;
  for (let i = 0; i < size; i++) {
    let g = sign * grad[i];
    if (decay !== 1) param[p0 + i] *= decay;
    const theta = param[p0 + i];
    if (l2 !== 0) g += l2 * theta;
    expAvg[m0 + i] = beta1 * expAvg[m0 + i] + keep1 * g;
    expAvgSq[v0 + i] = beta2 * expAvgSq[v0 + i] + keep2 * g * g;
    let second = expAvgSq[v0 + i];
    if (maxExpAvgSq !== null) {
      const previous = maxExpAvgSq[x0 + i];
      // NaN propagates, as torch.maximum does.
      maxExpAvgSq[x0 + i] = previous >= second || Number.isNaN(previous) ? previous : second;
      second = maxExpAvgSq[x0 + i];
    }
    param[p0 + i] = theta - stepSize * (expAvg[m0 + i] / (Math.sqrt(second) / biasCorrection2Sqrt + eps));
  }
}
