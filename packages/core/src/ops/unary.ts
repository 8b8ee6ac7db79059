/**
 * Element-wise unary math and its gradients.
 */
import type { UnaryOp } from '../backend/backend';
import { recordOp } from '../autograd/record';
import { autocastNeedsFloat32, autocastOp } from '../autograd/autocast';
import { isFloating } from '../dtype';
import { DTypeError } from '../errors';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { castTo } from './cast';
import { zerosLike } from './creation';
import { backendOf, broadcastView, runKernel, scalarOn, viewOf } from './dispatch';
import type { GradientRule } from '../autograd/node';

/** Ops defined only on floating point: integer inputs are converted to float32 first (as PyTorch). */
const FLOAT_ONLY = new Set<UnaryOp>(['exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'erf', 'reciprocal']);

/** The unary ops on PyTorch's autocast float32 list (exp, log, rsqrt, reciprocal; Tessera has no expm1, log1p, …). */
const AUTOCAST_FLOAT32 = new Set<UnaryOp>(['exp', 'log', 'rsqrt', 'reciprocal']);

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** Gradient of each differentiable unary op, from the input `x` and output `y`. */
const UNARY_GRADIENTS: Partial<Record<UnaryOp, (grad: Tensor, x: Tensor, y: Tensor) => Tensor>> = {
  neg: (g) => g.neg(),
  abs: (g, x) => g.mul(x.sign()),
  sign: (g) => zerosLike(g),
  floor: (g) => zerosLike(g),
  ceil: (g) => zerosLike(g),
  round: (g) => zerosLike(g),
  exp: (g, _x, y) => g.mul(y),
  log: (g, x) => g.div(x),
  sqrt: (g, _x, y) => g.div(y.mul(2)),
  rsqrt: (g, _x, y) => g.mul(y.pow(3)).mul(-0.5),
  sin: (g, x) => g.mul(x.cos()),
  cos: (g, x) => g.mul(x.sin()).neg(),
  tanh: (g, _x, y) => g.mul(y.mul(y).neg().add(1)),
  sigmoid: (g, _x, y) => g.mul(y.mul(y.neg().add(1))),
  relu: (g, _x, y) => g.mul(y.gt(0)),
  erf: (g, x) => g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI)),
  reciprocal: (g, _x, y) => g.mul(y.mul(y)).neg(),
};

/**
 * @internal ∂y/∂x · grad for relu, sigmoid and tanh, whose derivatives are functions of their
 * output y alone — the rules `unaryOp` records, for ops (fusedMatmul) that keep only the output.
 * @example
 * gradientFromOutput('relu', grad, y); // grad where y > 0, else 0
 */
export function gradientFromOutput(op: 'relu' | 'sigmoid' | 'tanh', grad: Tensor, y: Tensor): Tensor {
  return UNARY_GRADIENTS[op]!(grad, y, y); // these three rules never read x
}

/**
 * Apply a unary op (see the backend's `UnaryOp` list), with its gradient.
 * @example
 * unaryOp('exp', tensor([0, 1])); // [1, 2.718…]
 */
export function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  if (AUTOCAST_FLOAT32.has(op) && autocastNeedsFloat32(x)) return autocastOp(op, 'float32', [x], (input) => unaryOp(op, input));
  const backend = backendOf(op, [x]);
  if (x.dtype === 'bool' && op !== 'logicalNot') {
    throw new DTypeError(`${op}: not defined for bool tensors (shape ${formatShape(x.shape)}); cast with .int() or .float() first`);
  }
  const input = FLOAT_ONLY.has(op) && !isFloating(x.dtype) ? castTo(x, 'float32') : x;
  const dtype = op === 'logicalNot' ? 'bool' : input.dtype;
  const out = runKernel(backend, input.shape, dtype, [viewOf(input)], (output, [view]) => backend.unary(op, view, output));
  if (input !== x) input.dispose();
  const gradient = UNARY_GRADIENTS[op];
  if (gradient && isFloating(dtype)) {
    const rule: GradientRule = (grad, [saved], output) => [gradient(grad, saved, output!)];
    recordOp(op, [x], out, rule, { save: [x], saveOutput: true });
  }
  return out;
}

/**
 * Logical not → bool.
 * @example
 * logicalNot(tensor([true, false])); // [false, true]
 */
export function logicalNot(x: Tensor): Tensor {
  return unaryOp('logicalNot', x);
}

/**
 * Clamp into `[min, max]`; the gradient is 1 inside the range (boundaries included) and 0 outside.
 * @example
 * clamp(tensor([-2, 0.5, 3]), 0, 1); // [0, 0.5, 1]
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  const backend = backendOf('clamp', [x]);
  if (min === undefined && max === undefined) throw new DTypeError('clamp: give at least one of min and max');
  let current = x;
  for (const [op, bound] of [['maximum', min], ['minimum', max]] as const) {
    if (bound === undefined) continue;
    const limit = scalarOn('clamp', backend, bound, current.dtype);
    const next = runKernel(backend, current.shape, current.dtype, [viewOf(current), broadcastView(limit, current.shape)], (output, [a, b]) =>
      backend.binary(op, a, b, output),
    );
    limit.dispose();
    if (current !== x) current.dispose();
    current = next;
  }
  return recordOp('clamp', [x], current, (grad, [saved]) => {
    let mask = min === undefined ? null : saved.ge(min);
    if (max !== undefined) {
      const upper = saved.le(max);
      mask = mask ? mask.logicalAnd(upper) : upper;
    }
    return [grad.mul(mask!)];
  }, { save: [x] });
}
