/**
 * Monomorphic float32 loops: the fast paths behind the element-wise, reduction and normalisation
 * kernels.
 *
 * Why a separate file: V8 keeps type feedback per source function, so a loop shared by
 * Float32Array, Float64Array, Int32Array and Uint8Array operands compiles to polymorphic (or
 * megamorphic) element accesses that run several times slower than a loop that only ever sees one
 * typed-array class. Every function here is called with Float32Array operands only (bool masks and
 * int32/float64 cast targets are separate parameters of one fixed class each), so each element
 * access stays monomorphic. The dtype-generic loops in the kernel files remain the fallback for every
 * other dtype. The loops compute exactly what the generic ones do, in the same order, so results are
 * bit-identical.
 *
 * A "row" is `n` elements: operand k starts at its own offset and steps by 0 (broadcast) or more.
 */
import { floatToInt32 } from './cast';
import { erf, roundHalfEven, sigmoid } from './unary';
import type { BinaryOp, UnaryOp } from '@tessera/core/backend';
import { ValueError } from '@tessera/core';

/** The binary ops with a float32 result that {@link binaryRowF32} implements. */
export function isFloat32BinaryOp(op: BinaryOp): boolean {
  return op === 'add' || op === 'sub' || op === 'mul' || op === 'div' || op === 'pow' || op === 'maximum' || op === 'minimum';
}

/**
 * One row of `out = x op y` (float32 arithmetic). `out` is contiguous from `o`; `x`, `y` step
 * `sx`, `sy` (0 for a broadcast scalar).
 * @example
 * const out = new Float32Array(2);
 * binaryRowF32('add', out, 0, new Float32Array([1, 2]), 0, 1, new Float32Array([10]), 0, 0, 2); // [11, 12]
 */
export function binaryRowF32(
  op: BinaryOp, out: Float32Array, o: number, x: Float32Array, i: number, sx: number, y: Float32Array, j: number, sy: number, n: number,
): void {
  if (sx === 1 && sy === 1) {
    binaryContiguousF32(op, out, o, x, i, y, j, n);
    return;
  }
  if (sx === 1 && sy === 0) {
    binaryScalarF32(op, out, o, x, i, y[j], n);
    return;
  }
  const end = o + n;
  switch (op) {
    case 'add': for (; o < end; o++, i += sx, j += sy) out[o] = x[i] + y[j]; break;
    case 'sub': for (; o < end; o++, i += sx, j += sy) out[o] = x[i] - y[j]; break;
    case 'mul': for (; o < end; o++, i += sx, j += sy) out[o] = x[i] * y[j]; break;
    case 'div': for (; o < end; o++, i += sx, j += sy) out[o] = x[i] / y[j]; break;
    case 'pow': for (; o < end; o++, i += sx, j += sy) out[o] = Math.pow(x[i], y[j]); break;
    case 'maximum':
      for (; o < end; o++, i += sx, j += sy) {
        const p = x[i], q = y[j];
        out[o] = p !== p || q !== q ? NaN : p > q ? p : q;
      }
      break;
    case 'minimum':
      for (; o < end; o++, i += sx, j += sy) {
        const p = x[i], q = y[j];
        out[o] = p !== p || q !== q ? NaN : p < q ? p : q;
      }
      break;
    default:
      throw new ValueError(`cpu backend: unknown binary op '${String(op)}'`);
  }
}

/** Both operands contiguous. add/sub/mul are unrolled by 4 (≈2× faster in V8 on long rows). */
function binaryContiguousF32(op: BinaryOp, out: Float32Array, o: number, x: Float32Array, i: number, y: Float32Array, j: number, n: number): void {
  const end = o + n;
  const unrolledEnd = o + (n & ~3);
  switch (op) {
    case 'add':
      for (; o < unrolledEnd; o += 4, i += 4, j += 4) {
        out[o] = x[i] + y[j];
        out[o + 1] = x[i + 1] + y[j + 1];
        out[o + 2] = x[i + 2] + y[j + 2];
        out[o + 3] = x[i + 3] + y[j + 3];
      }
      for (; o < end; o++, i++, j++) out[o] = x[i] + y[j];
      break;
    case 'sub':
      for (; o < unrolledEnd; o += 4, i += 4, j += 4) {
        out[o] = x[i] - y[j];
        out[o + 1] = x[i + 1] - y[j + 1];
        out[o + 2] = x[i + 2] - y[j + 2];
        out[o + 3] = x[i + 3] - y[j + 3];
      }
      for (; o < end; o++, i++, j++) out[o] = x[i] - y[j];
      break;
    case 'mul':
      for (; o < unrolledEnd; o += 4, i += 4, j += 4) {
        out[o] = x[i] * y[j];
        out[o + 1] = x[i + 1] * y[j + 1];
        out[o + 2] = x[i + 2] * y[j + 2];
        out[o + 3] = x[i + 3] * y[j + 3];
      }
      for (; o < end; o++, i++, j++) out[o] = x[i] * y[j];
      break;
    case 'div': for (; o < end; o++, i++, j++) out[o] = x[i] / y[j]; break;
    case 'pow': for (; o < end; o++, i++, j++) out[o] = Math.pow(x[i], y[j]); break;
    case 'maximum':
      for (; o < end; o++, i++, j++) {
        const p = x[i], q = y[j];
        out[o] = p !== p || q !== q ? NaN : p > q ? p : q;
      }
      break;
    case 'minimum':
      for (; o < end; o++, i++, j++) {
        const p = x[i], q = y[j];
        out[o] = p !== p || q !== q ? NaN : p < q ? p : q;
      }
      break;
    default:
      throw new ValueError(`cpu backend: unknown binary op '${String(op)}'`);
  }
}

/** `x` contiguous, `y` one scalar `q` (as `x.mul(0.1)`). */
function binaryScalarF32(op: BinaryOp, out: Float32Array, o: number, x: Float32Array, i: number, q: number, n: number): void {
  const end = o + n;
  const unrolledEnd = o + (n & ~3);
  switch (op) {
    case 'add':
      for (; o < unrolledEnd; o += 4, i += 4) {
        out[o] = x[i] + q;
        out[o + 1] = x[i + 1] + q;
        out[o + 2] = x[i + 2] + q;
        out[o + 3] = x[i + 3] + q;
      }
      for (; o < end; o++, i++) out[o] = x[i] + q;
      break;
    case 'sub': for (; o < end; o++, i++) out[o] = x[i] - q; break;
    case 'mul':
      for (; o < unrolledEnd; o += 4, i += 4) {
        out[o] = x[i] * q;
        out[o + 1] = x[i + 1] * q;
        out[o + 2] = x[i + 2] * q;
        out[o + 3] = x[i + 3] * q;
      }
      for (; o < end; o++, i++) out[o] = x[i] * q;
      break;
    case 'div': for (; o < end; o++, i++) out[o] = x[i] / q; break;
    case 'pow': for (; o < end; o++, i++) out[o] = Math.pow(x[i], q); break;
    case 'maximum':
      for (; o < end; o++, i++) {
        const p = x[i];
        out[o] = p !== p || q !== q ? NaN : p > q ? p : q;
      }
      break;
    case 'minimum':
      for (; o < end; o++, i++) {
        const p = x[i];
        out[o] = p !== p || q !== q ? NaN : p < q ? p : q;
      }
      break;
    default:
      throw new ValueError(`cpu backend: unknown binary op '${String(op)}'`);
  }
}

/**
 * One row of `out = x op y` for the comparison and logical ops of float32 operands (bool `out`).
 * @example
 * const out = new Uint8Array(2);
 * compareRowF32('gt', out, 0, new Float32Array([1, -1]), 0, 1, new Float32Array([0]), 0, 0, 2); // [1, 0]
 */
export function compareRowF32(
  op: BinaryOp, out: Uint8Array, o: number, x: Float32Array, i: number, sx: number, y: Float32Array, j: number, sy: number, n: number,
): void {
  const end = o + n;
  switch (op) {
    case 'eq': for (; o < end; o++, i += sx, j += sy) out[o] = x[i] === y[j] ? 1 : 0; break;
    case 'ne': for (; o < end; o++, i += sx, j += sy) out[o] = x[i] !== y[j] ? 1 : 0; break;
    case 'lt': for (; o < end; o++, i += sx, j += sy) out[o] = x[i] < y[j] ? 1 : 0; break;
    case 'le': for (; o < end; o++, i += sx, j += sy) out[o] = x[i] <= y[j] ? 1 : 0; break;
    case 'gt': for (; o < end; o++, i += sx, j += sy) out[o] = x[i] > y[j] ? 1 : 0; break;
    case 'ge': for (; o < end; o++, i += sx, j += sy) out[o] = x[i] >= y[j] ? 1 : 0; break;
    case 'logicalAnd': for (; o < end; o++, i += sx, j += sy) out[o] = x[i] !== 0 && y[j] !== 0 ? 1 : 0; break;
    case 'logicalOr': for (; o < end; o++, i += sx, j += sy) out[o] = x[i] !== 0 || y[j] !== 0 ? 1 : 0; break;
    default:
      throw new ValueError(`cpu backend: unknown binary op '${String(op)}'`);
  }
}

/**
 * One row of `out = op(x)` (float32 result; every unary op except logicalNot). `out` is contiguous
 * from `o`; `x` steps `sx`.
 * @example
 * const out = new Float32Array(2);
 * unaryRowF32('relu', out, 0, new Float32Array([-1, 2]), 0, 1, 2); // [0, 2]
 */
export function unaryRowF32(op: UnaryOp, out: Float32Array, o: number, x: Float32Array, j: number, sx: number, n: number): void {
  const end = o + n;
  switch (op) {
    case 'neg': for (; o < end; o++, j += sx) out[o] = -x[j]; break;
    case 'abs': for (; o < end; o++, j += sx) out[o] = Math.abs(x[j]); break;
    case 'sign': for (; o < end; o++, j += sx) out[o] = Math.sign(x[j]); break;
    case 'exp': for (; o < end; o++, j += sx) out[o] = Math.exp(x[j]); break;
    case 'log': for (; o < end; o++, j += sx) out[o] = Math.log(x[j]); break;
    case 'sqrt': for (; o < end; o++, j += sx) out[o] = Math.sqrt(x[j]); break;
    case 'rsqrt': for (; o < end; o++, j += sx) out[o] = 1 / Math.sqrt(x[j]); break;
    case 'sin': for (; o < end; o++, j += sx) out[o] = Math.sin(x[j]); break;
    case 'cos': for (; o < end; o++, j += sx) out[o] = Math.cos(x[j]); break;
    case 'tanh': for (; o < end; o++, j += sx) out[o] = Math.tanh(x[j]); break;
    case 'sigmoid': for (; o < end; o++, j += sx) out[o] = sigmoid(x[j]); break;
    case 'relu':
      if (n >= 32) reluBitsF32(out, o, x, j, sx, n);
      // `v < 0 ? 0 : v` keeps NaN (a NaN compares false) and −0.
      else for (; o < end; o++, j += sx) out[o] = x[j] < 0 ? 0 : x[j];
      break;
    case 'erf': for (; o < end; o++, j += sx) out[o] = erf(x[j]); break;
    case 'reciprocal': for (; o < end; o++, j += sx) out[o] = 1 / x[j]; break;
    case 'floor': for (; o < end; o++, j += sx) out[o] = Math.floor(x[j]); break;
    case 'ceil': for (; o < end; o++, j += sx) out[o] = Math.ceil(x[j]); break;
    case 'round': for (; o < end; o++, j += sx) out[o] = roundHalfEven(x[j]); break;
    default:
      throw new ValueError(`cpu backend: unknown unary op '${String(op)}'`);
  }
}

/**
 * relu on the float32 bit patterns, without a branch per element: a data-dependent `v < 0 ? 0 : v`
 * mispredicts half the time on activations and runs ~3× slower. Zeroes exactly the values that
 * compare `< 0` (sign bit set, neither −0 nor NaN), so −0 and NaN pass through unchanged.
 */
function reluBitsF32(out: Float32Array, o: number, x: Float32Array, j: number, sx: number, n: number): void {
  const bits = new Int32Array(x.buffer, x.byteOffset, x.length);
  const outBits = new Int32Array(out.buffer, out.byteOffset, out.length);
  for (const end = o + n; o < end; o++, j += sx) {
    const b = bits[j];
    // As int32: −0 is −2³¹, −∞ is −8388608, negative NaNs lie in (−8388608, 0). Zero b in [−2³¹ + 1, −8388608].
    const negative = b >> 31;
    const atMostMinusInfinity = (b + 8388607) >> 31;
    const notMinusZero = ~(((b ^ -2147483648) - 1) >> 31);
    outBits[o] = b & ~(negative & atMostMinusInfinity & notMinusZero);
  }
}

/**
 * One row of a float32 → `to` conversion (cast's rules: float→int32 via {@link floatToInt32},
 * →bool is `x ≠ 0`, →float64 exact).
 * @example
 * const out = new Int32Array(2);
 * castRowFromF32(out, null, null, 0, new Float32Array([1.7, NaN]), 0, 1, 2); // [1, 0]
 */
export function castRowFromF32(
  toInt: Int32Array | null, toBool: Uint8Array | null, toFloat64: Float64Array | null, o: number,
  x: Float32Array, j: number, sx: number, n: number,
): void {
  const end = o + n;
  if (toInt) {
    for (; o < end; o++, j += sx) {
      const v = x[j];
      // In range, `v | 0` truncates toward zero exactly as Math.trunc (much faster in V8).
      toInt[o] = v > -2147483649 && v < 2147483648 ? v | 0 : floatToInt32(v);
    }
  }
  else if (toBool) for (; o < end; o++, j += sx) toBool[o] = x[j] !== 0 ? 1 : 0;
  else if (toFloat64) for (; o < end; o++, j += sx) toFloat64[o] = x[j];
}

/**
 * One strided row copy between float32 arrays (assign, contiguous()).
 * @example
 * const out = new Float32Array(2);
 * copyRowF32(out, 0, 1, new Float32Array([1, 2, 3]), 2, -2, 2); // [3, 1]
 */
export function copyRowF32(out: Float32Array, o: number, so: number, x: Float32Array, j: number, sx: number, n: number): void {
  for (let k = 0; k < n; k++, o += so, j += sx) out[o] = x[j];
}

/**
 * One row of `out = cond ? x : y` for float32 `x`, `y` and a bool mask.
 * @example
 * const out = new Float32Array(2);
 * whereRowF32(out, 0, new Uint8Array([1, 0]), 0, 1, new Float32Array([1, 2]), 0, 1, new Float32Array([9]), 0, 0, 2); // [1, 9]
 */
export function whereRowF32(
  out: Float32Array, o: number, cond: Uint8Array, h: number, sc: number,
  x: Float32Array, i: number, sx: number, y: Float32Array, j: number, sy: number, n: number,
): void {
  for (const end = o + n; o < end; o++, h += sc, i += sx, j += sy) out[o] = cond[h] !== 0 ? x[i] : y[j];
}

/**
 * Fold a row into one float64 accumulator: sum (float64 accumulation) or max/min (NaN wins).
 * @example
 * foldRowF32('sum', 0, new Float32Array([1, 2, 3]), 0, 1, 3); // 6
 */
export function foldRowF32(op: 'sum' | 'max' | 'min', value: number, x: Float32Array, j: number, sx: number, n: number): number {
  const end = j + n * sx;
  if (op === 'sum') {
    if (sx === 1) {
      // Four-way unrolled, still summing strictly left to right (same rounding as the plain loop).
      const unrolledEnd = j + (n & ~3);
      for (; j < unrolledEnd; j += 4) value = value + x[j] + x[j + 1] + x[j + 2] + x[j + 3];
      for (; j < end; j++) value += x[j];
    } else {
      for (let k = 0; k < n; k++, j += sx) value += x[j];
    }
  } else if (op === 'max') {
    for (let k = 0; k < n; k++, j += sx) {
      const v = x[j];
      if (v > value || v !== v) value = v;
      if (value !== value) break;
    }
  } else {
    for (let k = 0; k < n; k++, j += sx) {
      const v = x[j];
      if (v < value || v !== v) value = v;
      if (value !== value) break;
    }
  }
  return value;
}

/**
 * Accumulate a row element-wise into float64 accumulators `acc[a + k·sa]` (reductions over leading
 * dims, e.g. a bias gradient `grad.sum(0)`).
 * @example
 * const acc = new Float64Array(2);
 * accumulateRowF32('sum', acc, 0, 1, new Float32Array([1, 2]), 0, 1, 2); // acc = [1, 2]
 */
export function accumulateRowF32(
  op: 'sum' | 'max' | 'min', acc: Float64Array, a: number, sa: number, x: Float32Array, j: number, sx: number, n: number,
): void {
  if (op === 'sum') {
    if (sa === 1 && sx === 1) for (const end = a + n; a < end; a++, j++) acc[a] += x[j];
    else for (let k = 0; k < n; k++, a += sa, j += sx) acc[a] += x[j];
  } else if (op === 'max') {
    for (let k = 0; k < n; k++, a += sa, j += sx) {
      const v = x[j];
      if (v > acc[a] || v !== v) acc[a] = v;
    }
  } else {
    for (let k = 0; k < n; k++, a += sa, j += sx) {
      const v = x[j];
      if (v < acc[a] || v !== v) acc[a] = v;
    }
  }
}

/**
 * Softmax or log-softmax of one line of `n` elements (x steps `sx`, out steps `so`). `scratch` (at
 * least `n` long) keeps each `exp(x − max)` in float64 so exp runs once per element and the result
 * rounds exactly as `exp(x − max) · (1/sum)` computed in one go.
 * @example
 * const out = new Float32Array(2);
 * softmaxLineF32(out, 0, 1, new Float32Array([0, 0]), 0, 1, 2, false, new Float64Array(2)); // [0.5, 0.5]
 */
export function softmaxLineF32(
  out: Float32Array, o: number, so: number, x: Float32Array, j: number, sx: number, n: number, log: boolean, scratch: Float64Array,
): void {
  let max = -Infinity;
  for (let k = 0, at = j; k < n; k++, at += sx) {
    const v = x[at];
    if (v > max || v !== v) max = v;
  }
  let sum = 0;
  if (log) {
    for (let k = 0, at = j; k < n; k++, at += sx) sum += Math.exp(x[at] - max);
    const shift = max + Math.log(sum);
    for (let k = 0, at = j; k < n; k++, at += sx, o += so) out[o] = x[at] - shift;
    return;
  }
  for (let k = 0, at = j; k < n; k++, at += sx) {
    const e = Math.exp(x[at] - max);
    scratch[k] = e;
    sum += e;
  }
  const scale = 1 / sum;
  for (let k = 0; k < n; k++, o += so) out[o] = scratch[k] * scale;
}

/**
 * Layer normalisation of contiguous float32 rows (see layerNormKernel for the maths).
 * @example
 * const out = new Float32Array(2), mean = new Float32Array(1), rstd = new Float32Array(1);
 * layerNormF32(new Float32Array([1, 3]), 0, null, 0, null, 0, 2, 2, 0, out, mean, rstd); // out ≈ [-1, 1]
 */
export function layerNormF32(
  x: Float32Array, xOffset: number, weight: Float32Array | null, weightOffset: number, bias: Float32Array | null, biasOffset: number,
  size: number, normalizedSize: number, eps: number, out: Float32Array, mean: Float32Array, rstd: Float32Array,
): void {
  const rows = size / normalizedSize;
  for (let row = 0; row < rows; row++) {
    const base = row * normalizedSize;
    const start = xOffset + base;
    const end = start + normalizedSize;
    let sum = 0;
    for (let j = start; j < end; j++) sum += x[j];
    const rowMean = sum / normalizedSize;
    let squares = 0;
    for (let j = start; j < end; j++) {
      const centered = x[j] - rowMean;
      squares += centered * centered;
    }
    const rowRstd = 1 / Math.sqrt(squares / normalizedSize + eps);
    mean[row] = rowMean;
    rstd[row] = rowRstd;
    let o = base;
    if (weight && bias) {
      for (let j = start, w = weightOffset, b = biasOffset; j < end; j++, o++, w++, b++) out[o] = (x[j] - rowMean) * rowRstd * weight[w] + bias[b];
    } else if (weight) {
      for (let j = start, w = weightOffset; j < end; j++, o++, w++) out[o] = (x[j] - rowMean) * rowRstd * weight[w];
    } else if (bias) {
      for (let j = start, b = biasOffset; j < end; j++, o++, b++) out[o] = (x[j] - rowMean) * rowRstd + bias[b];
    } else {
      for (let j = start; j < end; j++, o++) out[o] = (x[j] - rowMean) * rowRstd;
    }
  }
}
