/**
 * clamp with tensor bounds (clampMin, clampMax, clamp(min, max)) — PyTorch's `clamp_min`/`clamp_max`
 * and `clamp(Tensor min, Tensor max)`: bounds broadcast with the input, NaN in either propagates, and
 * the gradient goes to the input where it is inside the bound (boundary included) and to the bound
 * where the bound was taken.
 */
import { recordOp } from '../autograd/record';
import { resultType } from '../dtype';
import { DTypeError } from '../errors';
import { tidy } from '../memory/scope';
import { Tensor, type TensorOrScalar } from '../tensor/tensor';
import { maximum, minimum } from './binary';
import { castIfNeeded } from './cast';
import { sumToShape } from './reduce-to-shape';
import { clamp as clampByNumbers } from './unary';

type Side = 'min' | 'max';

function checkBound(op: string, x: Tensor, bound: TensorOrScalar): void {
  x.assertLive(op);
  if (!(bound instanceof Tensor) && typeof bound !== 'number') {
    throw new DTypeError(`${op}: the bound must be a Tensor or a number, got ${bound === null ? 'null' : typeof bound}`);
  }
  if (x.dtype === 'bool' || (bound instanceof Tensor && bound.dtype === 'bool')) {
    throw new DTypeError(`${op}: not defined for bool tensors; cast with .int() or .float() first`);
  }
}

function clampSide(side: Side, x: Tensor, bound: TensorOrScalar): Tensor {
  const op = side === 'min' ? 'clampMin' : 'clampMax';
  checkBound(op, x, bound);
  if (!(bound instanceof Tensor)) {
    const limit = bound as number; // checkBound refused booleans
    return clampByNumbers(x, side === 'min' ? limit : undefined, side === 'max' ? limit : undefined);
  }
  const dtype = resultType([x, bound]);
  const out = tidy(() => {
    const extreme = side === 'min' ? maximum : minimum;
    // Values only: the rule below replaces maximum's tie-sharing with PyTorch's clamp rule.
    return extreme(x.detach().cast(dtype), bound.detach().cast(dtype));
  });
  const shapes = [x.shape, bound.shape] as const;
  const dtypes = [x.dtype, bound.dtype] as const;
  return recordOp(
    op,
    [x, bound],
    out,
    (grad, [input, limit]) => {
      const inside = side === 'min' ? input.ge(limit) : input.le(limit);
      const bounded = side === 'min' ? input.lt(limit) : input.gt(limit);
      return [
        input.requiresGrad ? castIfNeeded(sumToShape(grad.mul(inside), shapes[0]), dtypes[0]) : null,
        limit.requiresGrad ? castIfNeeded(sumToShape(grad.mul(bounded), shapes[1]), dtypes[1]) : null,
      ];
    },
    { save: [x, bound] },
  );
}

/**
 * `max(x, min)` element-wise with a tensor (broadcast) or number bound, PyTorch's `clamp_min`.
 * @example
 * clampMin(tensor([-1, 0.5, 2]), tensor([0, 1, 0])); // [0, 1, 2]
 */
export function clampMin(x: Tensor, min: TensorOrScalar): Tensor {
  return clampSide('min', x, min);
}

/**
 * `min(x, max)` element-wise with a tensor (broadcast) or number bound, PyTorch's `clamp_max`.
 * @example
 * clampMax(tensor([-1, 0.5, 2]), 1); // [-1, 0.5, 1]
 */
export function clampMax(x: Tensor, max: TensorOrScalar): Tensor {
  return clampSide('max', x, max);
}

/**
 * Clamp into `[min, max]`; either bound may be a number, a tensor (broadcast) or omitted. Where
 * `min > max` the result is `max`, as PyTorch.
 * @example
 * clamp(x, 0, 1);
 * clamp(x, lower, upper); // tensor bounds
 */
export function clamp(x: Tensor, min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor {
  const hasMin = min !== undefined && min !== null;
  const hasMax = max !== undefined && max !== null;
  if (!(min instanceof Tensor) && !(max instanceof Tensor)) {
    return clampByNumbers(x, hasMin ? (min as number) : undefined, hasMax ? (max as number) : undefined);
  }
  if (!hasMax) return clampMin(x, min!);
  if (!hasMin) return clampMax(x, max);
  const lower = clampMin(x, min);
  const result = clampMax(lower, max);
  lower.dispose();
  return result;
}
