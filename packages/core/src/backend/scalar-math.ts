/**
 * Scalar semantics every backend must reproduce (cast, round, sigmoid, erf, integer power), in one
 * place so the reference backend, the CPU backend and tests agree by construction. Kernels written
 * in another language (WGSL, WebAssembly) port these definitions.
 */

import type { FusedActivation } from './backend';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * float → int32 conversion of `cast`: truncate toward zero, NaN/±∞ → 0, clamp to the int32 range.
 * @example
 * floatToInt32(-1.7); // -1
 */
export function floatToInt32(value: number): number {
  if (!Number.isFinite(value)) return 0;
  const truncated = Math.trunc(value);
  if (truncated < INT32_MIN) return INT32_MIN;
  if (truncated > INT32_MAX) return INT32_MAX;
  return truncated;
}

/**
 * Round half to even (banker's rounding), as PyTorch's `round`.
 * @example
 * roundHalfToEven(2.5); // 2
 */
export function roundHalfToEven(value: number): number {
  if (!Number.isFinite(value)) return value;
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Numerically stable logistic sigmoid: never evaluates `exp` of a large positive number.
 * @example
 * stableSigmoid(-1000); // 0 (no overflow)
 */
export function stableSigmoid(value: number): number {
  if (value >= 0) return 1 / (1 + Math.exp(-value));
  const exp = Math.exp(value);
  return exp / (1 + exp);
}

/**
 * The activation of the optional `matmulBiasActivation` kernel on one value (NaN passes through relu).
 * @example
 * applyFusedActivation('relu', -2); // 0
 */
export function applyFusedActivation(activation: FusedActivation, value: number): number {
  switch (activation) {
    case 'relu':
      return value < 0 ? 0 : value;
    case 'sigmoid':
      return stableSigmoid(value);
    case 'tanh':
      return Math.tanh(value);
    default:
      return value;
  }
}

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969),
// coefficients as in netlib specfun CALERF. Accurate to about 1e-16 relative in float64.
const ERF_A = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
const ERF_B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
const ERF_C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
];
const ERF_D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
];
const ERF_P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275,
  0.0006587491615298378, 0.016315387137302097,
];
const ERF_Q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918];
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/** `exp(−y²)`, split as Cody does so the rounding of `y²` does not cost accuracy for large `y`. */
function expMinusSquare(y: number): number {
  const ySquaredApprox = Math.trunc(y * 16) / 16;
  const remainder = (y - ySquaredApprox) * (y + ySquaredApprox);
  return Math.exp(-ySquaredApprox * ySquaredApprox) * Math.exp(-remainder);
}

/**
 * The error function by Cody's rational approximations (about 1e-16 relative error).
 * @example
 * erf(1); // 0.8427007929497149
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const y = Math.abs(x);
  if (y <= 0.46875) {
    const ySquared = y > 1.11e-16 ? y * y : 0;
    let numerator = ERF_A[4] * ySquared;
    let denominator = ySquared;
    for (let i = 0; i < 3; i++) {
      numerator = (numerator + ERF_A[i]) * ySquared;
      denominator = (denominator + ERF_B[i]) * ySquared;
    }
    return (x * (numerator + ERF_A[3])) / (denominator + ERF_B[3]);
  }
  let complement: number; // erfc(y)
  if (y <= 4) {
    let numerator = ERF_C[8] * y;
    let denominator = y;
    for (let i = 0; i < 7; i++) {
      numerator = (numerator + ERF_C[i]) * y;
      denominator = (denominator + ERF_D[i]) * y;
    }
    complement = ((numerator + ERF_C[7]) / (denominator + ERF_D[7])) * expMinusSquare(y);
  } else if (y >= 26.543) {
    complement = 0;
  } else {
    const inverseSquare = 1 / (y * y);
    let numerator = ERF_P[5] * inverseSquare;
    let denominator = inverseSquare;
    for (let i = 0; i < 4; i++) {
      numerator = (numerator + ERF_P[i]) * inverseSquare;
      denominator = (denominator + ERF_Q[i]) * inverseSquare;
    }
    const tail = (inverseSquare * (numerator + ERF_P[4])) / (denominator + ERF_Q[4]);
    complement = ((ONE_OVER_SQRT_PI - tail) / y) * expMinusSquare(y);
  }
  const result = 0.5 - complement + 0.5;
  return x < 0 ? -result : result;
}

/**
 * `base ** exponent` in wrapping int32 arithmetic (negative exponents truncate toward zero).
 * @example
 * intPow(2, 31); // -2147483648
 */
export function intPow(base: number, exponent: number): number {
  if (exponent < 0) {
    if (base === 1) return 1;
    if (base === -1) return exponent % 2 === 0 ? 1 : -1;
    return 0;
  }
  let result = 1;
  let factor = base | 0;
  let remaining = exponent;
  while (remaining > 0) {
    if (remaining % 2 === 1) result = Math.imul(result, factor);
    factor = Math.imul(factor, factor);
    remaining = Math.floor(remaining / 2);
  }
  return result;
}

/** The math of one unary op on a float64 number. Integer inputs only reach the non-float ops. */
