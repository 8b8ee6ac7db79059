/**
 * Weight initialisation (`torch.nn.init` in camelCase, without the trailing underscore). Every function
 * fills its tensor in place (with `assign`, outside autograd) from core's seeded Philox stream, so
 * `manualSeed` makes initial weights reproducible on every backend, and returns the tensor.
 * @example
 * import { init } from '@tessera/nn';
 * init.kaimingNormal(layer.weight, { nonlinearity: 'relu' });
 * init.zeros(layer.bias!);
 */
import { noGrad, rand, randn, tidy, ShapeError, ValueError, type Tensor } from '@tessera/core';

/** Nonlinearities known to {@link calculateGain} (PyTorch's names; camelCase `leakyRelu` also accepted). */
export type Nonlinearity =
  | 'linear'
  | 'identity'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'leakyRelu'
  | 'selu';

/**
 * The recommended gain for a nonlinearity (PyTorch's table): 1 for linear/conv/sigmoid, 5/3 for tanh,
 * √2 for relu, √(2/(1 + a²)) for leaky relu with slope `param` (default 0.01), 3/4 for selu.
 * @example
 * calculateGain('relu'); // 1.4142…
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'identity':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ValueError(`calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/**
 * `[fanIn, fanOut]` of a weight: for `[out, in, …kernel]`, fanIn = in·∏kernel and fanOut = out·∏kernel.
 * @example
 * calculateFanInAndFanOut(zeros([16, 3, 5, 5])); // [75, 400]
 */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new ShapeError(`init: fan in and fan out need a tensor with at least 2 dims, got shape [${t.shape.join(', ')}]`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

function fill(t: Tensor, make: () => Tensor): Tensor {
  noGrad(() => tidy(() => t.assign(make())));
  return t;
}

function floatOptions(t: Tensor) {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') {
    throw new ValueError(`init: random initialisation needs a floating-point tensor, got ${t.dtype} of shape [${t.shape.join(', ')}]`);
  }
  return { dtype: t.dtype, device: t.device };
}

/**
 * Fill with U(a, b) (default U(0, 1)).
 * @example
 * uniform(w, -0.1, 0.1);
 */
export function uniform(t: Tensor, a = 0, b = 1): Tensor {
  return fill(t, () => rand(t.shape, floatOptions(t)).mul(b - a).add(a));
}

/**
 * Fill with N(mean, std²) (default N(0, 1)).
 * @example
 * normal(w, 0, 0.01);
 */
export function normal(t: Tensor, mean = 0, std = 1): Tensor {
  return fill(t, () => randn(t.shape, floatOptions(t)).mul(std).add(mean));
}

/**
 * Fill with a constant.
 * @example
 * constant(bias, 0.1);
 */
export function constant(t: Tensor, value: number): Tensor {
  noGrad(() => t.assign(value));
  return t;
}

/** Fill with 0. @example zeros(bias) */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** Fill with 1. @example ones(norm.weight) */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/**
 * Glorot/Xavier uniform: U(−bound, bound), bound = gain·√(6/(fanIn + fanOut)).
 * @example
 * xavierUniform(w, calculateGain('tanh'));
 */
export function xavierUniform(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound);
}

/**
 * Glorot/Xavier normal: N(0, std²), std = gain·√(2/(fanIn + fanOut)).
 * @example
 * xavierNormal(w);
 */
export function xavierNormal(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** Options of the Kaiming initialisers (PyTorch's defaults). */
export interface KaimingOptions {
  /** Negative slope of the leaky relu that follows (default 0). */
  a?: number;
  /** Preserve the variance of the forward pass (`'fanIn'`, default) or of the backward pass (`'fanOut'`); `'fan_in'`/`'fan_out'` also accepted. */
  mode?: 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';
  /** Default `'leaky_relu'` (with slope `a`). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, options: KaimingOptions): number {
  const mode = options.mode ?? 'fanIn';
  if (!['fanIn', 'fanOut', 'fan_in', 'fan_out'].includes(mode)) throw new ValueError(`init: mode must be 'fanIn' or 'fanOut', got '${mode}'`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = mode === 'fanIn' || mode === 'fan_in' ? fanIn : fanOut;
  const gain = calculateGain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0);
  return gain / Math.sqrt(fan);
}

/**
 * He/Kaiming uniform: U(−bound, bound), bound = gain·√(3/fan). With `{ a: √5 }` this is PyTorch's default
 * for Linear and Conv2d weights, U(−1/√fanIn, 1/√fanIn).
 * @example
 * kaimingUniform(w, { nonlinearity: 'relu' });
 */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform(t, -bound, bound);
}

/**
 * He/Kaiming normal: N(0, std²), std = gain/√fan.
 * @example
 * kaimingNormal(w, { mode: 'fanOut', nonlinearity: 'relu' });
 */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, options));
}
