/**
 * Activation functions (`torch.nn.functional` names in camelCase). Each composite runs inside `tidy`
 * so only its result outlives the call; autograd keeps what backward needs.
 */
import { noGrad, tidy, DTypeError, ValueError, isFloating, type Tensor } from '@tessera/core';

function checkFloating(op: string, x: Tensor): void {
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: expected a floating-point input, got ${x.dtype} of shape [${x.shape.join(', ')}]`);
}

/**
 * The Heaviside step function of the perceptron: 1 where `x ≥ 0`, else 0 (same dtype as `x`).
 * The course writes ŷ = step(w·x + b) and predicts the positive class on the line itself, so 0 maps to 1.
 * Its gradient is zero everywhere (no gradient flows through it).
 * @example
 * step(tensor([-1, 0, 2])); // [0, 1, 1]
 */
export function step(x: Tensor): Tensor {
  return tidy(() => x.ge(0).cast(x.dtype));
}

/**
 * σ(x) = 1 / (1 + e⁻ˣ).
 * @example
 * sigmoid(tensor([0])); // [0.5]
 */
export function sigmoid(x: Tensor): Tensor {
  return x.sigmoid();
}

/**
 * Hyperbolic tangent.
 * @example
 * tanh(tensor([0])); // [0]
 */
export function tanh(x: Tensor): Tensor {
  return x.tanh();
}

/**
 * max(x, 0).
 * @example
 * relu(tensor([-1, 2])); // [0, 2]
 */
export function relu(x: Tensor): Tensor {
  return x.relu();
}

/**
 * x where x > 0, else `negativeSlope`·x (default slope 0.01, as PyTorch).
 * @example
 * leakyRelu(tensor([-2, 3]), 0.1); // [-0.2, 3]
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return tidy(() => x.where(x.gt(0), x.mul(negativeSlope)));
}

/** `min(x, 0)` through `where`, so the gradient is exactly 1 or 0 and exp(·) of it never overflows. */
function negativePart(x: Tensor): Tensor {
  return x.where(x.le(0), 0);
}

/**
 * ELU: x where x > 0, else α(eˣ − 1).
 * @example
 * elu(tensor([-1, 1])); // [-0.6321, 1]
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkFloating('elu', x);
  return tidy(() => x.where(x.gt(0), negativePart(x).exp().sub(1).mul(alpha)));
}

/** SELU's α (Klambauer et al. 2017, the constant PyTorch uses). */
export const SELU_ALPHA = 1.6732632423543772;
/** SELU's scale. */
export const SELU_SCALE = 1.0507009873554805;

/**
 * SELU: scale · ELU(x, α) with the self-normalising constants.
 * @example
 * selu(tensor([1])); // [1.0507]
 */
export function selu(x: Tensor): Tensor {
  return tidy(() => elu(x, SELU_ALPHA).mul(SELU_SCALE));
}

/** Options of {@link gelu}. */
export interface GeluOptions {
  /** `'none'` (default): the exact x·Φ(x) with erf; `'tanh'`: the tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/**
 * GELU: x·Φ(x) = ½x(1 + erf(x/√2)), or with `{ approximate: 'tanh' }` ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
 * @example
 * gelu(tensor([1])); // [0.8413]
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  checkFloating('gelu', x);
  const approximate = options.approximate ?? 'none';
  if (approximate === 'tanh') {
    return tidy(() => {
      const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
      return x.mul(inner.tanh().add(1)).mul(0.5);
    });
  }
  if (approximate !== 'none') throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  return tidy(() => x.mul(x.mul(Math.SQRT1_2).erf().add(1)).mul(0.5));
}

/**
 * log(1 + e) for e = exp(·) ∈ (0, 1], accurate even when 1 + e rounds to 1 (core has no log1p):
 * Goldberg's correction log(u)·e/(u − 1) with u = fl(1 + e), the factor held constant for autograd,
 * and e itself where u rounds to exactly 1.
 */
function logOnePlus(e: Tensor): Tensor {
  const u = e.add(1);
  const rounded = u.eq(1);
  const correction = noGrad(() => e.div(u.sub(1).where(rounded.logicalNot(), 1)));
  return e.where(rounded, u.log().mul(correction));
}

/**
 * log(1 + eˣ) without overflow or cancellation: x + log(1 + e⁻ˣ) for x > 0, log(1 + eˣ) otherwise.
 * The branches go through `where`, so the gradient is σ(x) everywhere (½ at 0).
 */
export function logOnePlusExp(x: Tensor): Tensor {
  return tidy(() => {
    const positive = x.gt(0);
    const positivePart = x.where(positive, 0);
    const upper = positivePart.add(logOnePlus(positivePart.neg().exp()));
    const lower = logOnePlus(negativePart(x).exp());
    return upper.where(positive, lower);
  });
}

/** Options of {@link softplus}. */
export interface SoftplusOptions {
  /** Sharpness β (default 1). */
  beta?: number;
  /** Above β·x > threshold the function is x (default 20). */
  threshold?: number;
}

/**
 * Softplus: (1/β)·log(1 + e^(βx)), and x where βx > threshold (PyTorch's defaults β = 1, threshold = 20).
 * @example
 * softplus(tensor([0])); // [0.6931]
 */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  checkFloating('softplus', x);
  const beta = options.beta ?? 1;
  const threshold = options.threshold ?? 20;
  return tidy(() => {
    const scaled = x.mul(beta);
    const smooth = logOnePlusExp(scaled).div(beta);
    return x.where(scaled.gt(threshold), smooth);
  });
}

/**
 * Softmax along `dim` (default −1): e^(xᵢ) / Σⱼ e^(xⱼ), computed stably.
 * @example
 * softmax(tensor([1, 2, 3])); // [0.0900, 0.2447, 0.6652]
 */
export function softmax(x: Tensor, dim = -1): Tensor {
  return x.softmax(dim);
}

/**
 * log(softmax(x)) along `dim` (default −1), computed stably.
 * @example
 * logSoftmax(tensor([1, 2, 3])); // [-2.4076, -1.4076, -0.4076]
 */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  return x.logSoftmax(dim);
}
