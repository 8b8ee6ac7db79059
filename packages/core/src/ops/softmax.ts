/**
 * Softmax and log-softmax: the backend's fused kernel when it has one, else a stable composite.
 * Either way the gradient comes from the output alone.
 */
import { noGrad } from '../autograd/grad-mode';
import { autocastNeedsFloat32, autocastOp } from '../autograd/autocast';
import { recordOp } from '../autograd/record';
import { isFloating } from '../dtype';
import { tidy } from '../memory/scope';
import { normalizeDim } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { castIfNeeded, disposeIfTemp } from './cast';
import { backendOf, runKernel, viewOf } from './dispatch';
import { contiguous } from './view';

function forward(kind: 'softmax' | 'logSoftmax', x: Tensor, axis: number): Tensor {
  const backend = backendOf(kind, [x]);
  const kernel = backend[kind];
  if (kernel && x.ndim > 0) {
    const input = contiguous(x);
    const out = runKernel(backend, input.shape, input.dtype, [viewOf(input)], (output, [view]) => kernel.call(backend, view, axis, output));
    input.dispose();
    return out;
  }
  return tidy(() => {
    const maximum = x.amax(axis, true);
    const shift = maximum.where(maximum.abs().lt(Infinity), 0);
    const shifted = x.sub(shift);
    if (kind === 'softmax') {
      const exponent = shifted.exp();
      return exponent.div(exponent.sum(axis, true));
    }
    return shifted.sub(shifted.exp().sum(axis, true).log());
  });
}

/**
 * Softmax along `dim`: `exp(x − max) / Σ exp(x − max)`; integer inputs become float32.
 * @example
 * softmax(tensor([1, 2, 3]), 0); // [0.090, 0.245, 0.665]
 */
export function softmax(x: Tensor, dim = -1): Tensor {
  if (autocastNeedsFloat32(x)) return autocastOp('softmax', 'float32', [x, dim], softmax);
  x.assertLive('softmax');
  const axis = normalizeDim('softmax', dim, x.ndim);
  const input = castIfNeeded(x, isFloating(x.dtype) ? x.dtype : 'float32');
  const out = noGrad(() => forward('softmax', input, axis));
  recordOp(
    'softmax',
    [input],
    out,
    (grad, _saved, y) => {
      const weighted = grad.mul(y!);
      return [weighted.sub(y!.mul(weighted.sum(axis, true)))];
    },
    { saveOutput: true },
  );
  disposeIfTemp(input, x);
  return out;
}

/**
 * Log-softmax along `dim`, stable for any logits: `x − max − log Σ exp(x − max)`.
 * @example
 * logSoftmax(tensor([0, 0]), 0); // [−0.693, −0.693]
 */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  if (autocastNeedsFloat32(x)) return autocastOp('logSoftmax', 'float32', [x, dim], logSoftmax);
  x.assertLive('logSoftmax');
  const axis = normalizeDim('logSoftmax', dim, x.ndim);
  const input = castIfNeeded(x, isFloating(x.dtype) ? x.dtype : 'float32');
  const out = noGrad(() => forward('logSoftmax', input, axis));
  recordOp('logSoftmax', [input], out, (grad, _saved, y) => [grad.sub(y!.exp().mul(grad.sum(axis, true)))], { saveOutput: true });
  disposeIfTemp(input, x);
  return out;
}
