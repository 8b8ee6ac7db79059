/**
 * Element-wise predicates on values: isnan, isinf, isfinite, isclose, and the async allclose.
 * All return bool tensors (no gradient); integer and bool inputs are never NaN or infinite.
 */
import { isFloating, resultType } from '../dtype';
import { ValueError } from '../errors';
import { tidy } from '../memory/scope';
import type { Tensor } from '../tensor/tensor';
import { full } from './creation';
import { backendOf } from './dispatch';
import { broadcastShapes } from '../shape';

/** A bool tensor of `x`'s shape filled with `value` (the answer of a predicate for integer inputs). */
function constantMask(x: Tensor, value: boolean): Tensor {
  return full(x.shape, value, { dtype: 'bool', device: x.device });
}

/**
 * Where `x` is NaN → bool.
 * @example
 * isnan(tensor([1, NaN])); // [false, true]
 */
export function isnan(x: Tensor): Tensor {
  backendOf('isnan', [x]);
  return isFloating(x.dtype) ? x.ne(x) : constantMask(x, false);
}

/**
 * Where `x` is +∞ or −∞ → bool.
 * @example
 * isinf(tensor([1, -Infinity, NaN])); // [false, true, false]
 */
export function isinf(x: Tensor): Tensor {
  backendOf('isinf', [x]);
  return isFloating(x.dtype) ? tidy(() => x.abs().eq(Infinity)) : constantMask(x, false);
}

/**
 * Where `x` is neither NaN nor infinite → bool.
 * @example
 * isfinite(tensor([1, Infinity, NaN])); // [true, false, false]
 */
export function isfinite(x: Tensor): Tensor {
  backendOf('isfinite', [x]);
  // NaN < ∞ is false, so one comparison covers both.
  return isFloating(x.dtype) ? tidy(() => x.abs().lt(Infinity)) : constantMask(x, true);
}

/** Tolerances of {@link isclose} and {@link allclose} (PyTorch's defaults). */
export interface CloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Whether NaN equals NaN (default false). */
  equalNan?: boolean;
}

function checkTolerances(op: string, rtol: number, atol: number): void {
  if (!(rtol >= 0) || !(atol >= 0)) throw new ValueError(`${op}: rtol and atol must be non-negative numbers, got rtol ${rtol}, atol ${atol}`);
}

/**
 * `|a − b| ≤ atol + rtol · |b|` element-wise with broadcasting (equal infinities are close; NaN only
 * with `equalNan`) → bool, as PyTorch's `isclose`.
 * @example
 * isclose(tensor([1, 2]), tensor([1 + 1e-7, 2.1])); // [true, false]
 */
export function isclose(a: Tensor, b: Tensor, options: CloseOptions = {}): Tensor {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = options;
  checkTolerances('isclose', rtol, atol);
  backendOf('isclose', [a, b]);
  broadcastShapes('isclose', a.shape, b.shape);
  return tidy(() => {
    const dtype = resultType([a, b]);
    const exact = a.eq(b);
    if (!isFloating(dtype) && rtol === 0 && atol === 0) return exact;
    const left = isFloating(dtype) ? a.cast(dtype) : a.float();
    const right = isFloating(dtype) ? b.cast(dtype) : b.float();
    const distance = left.sub(right).abs();
    // Infinities are close only to themselves (the exact test): an infinite distance never counts as within.
    const within = distance.le(right.abs().mul(rtol).add(atol)).logicalAnd(distance.lt(Infinity));
    const close = exact.logicalOr(within);
    return equalNan ? close.logicalOr(isnan(left).logicalAnd(isnan(right))) : close;
  });
}

/**
 * Whether every element of `a` is close to `b` (see {@link isclose}); async because it reads the answer.
 * @example
 * await allclose(x.matmul(eye(3)), x); // true
 */
export async function allclose(a: Tensor, b: Tensor, options: CloseOptions = {}): Promise<boolean> {
  const farCount = tidy(() => isclose(a, b, options).logicalNot().int().sum());
  try {
    return (await farCount.item()) === 0;
  } finally {
    farCount.dispose();
  }
}
