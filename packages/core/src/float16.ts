/**
 * IEEE-754 binary16 (half precision) conversions.
 *
 * float16 tensors cross the Backend boundary as `Uint16Array`s of bit patterns (Node 20 has no
 * `Float16Array`), and users see them as numbers. These functions are the one place that converts:
 * rounding is to nearest, ties to even (as every GPU and PyTorch do), overflow gives ±Infinity,
 * values below 2⁻¹⁴ become subnormals, and NaN stays a (quiet) NaN.
 */

const TWO_POW_24 = 2 ** 24;
/** Smallest magnitude that rounds to Infinity: 65504 + half an ulp (16), a tie that goes to the even Infinity. */
const OVERFLOW_THRESHOLD = 65520;
/** Smallest normal float16, 2⁻¹⁴. */
const MIN_NORMAL = 2 ** -14;
/** The canonical quiet NaN. */
const QUIET_NAN = 0x7e00;

/** Round a non-negative number to an integer, ties to even (`x` must be < 2⁵², so `x − floor(x)` is exact). */
function roundHalfEvenNonNegative(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The binary16 bit pattern nearest to `value` (round to nearest even, overflow → ±Inf, subnormals kept,
 * NaN → quiet NaN 0x7e00). Any JS number is rounded once, exactly (no double rounding through float32).
 * @example
 * float32ToFloat16Bits(1 / 3);  // 0x3555
 * float32ToFloat16Bits(65520);  // 0x7c00 (Infinity)
 * float32ToFloat16Bits(-0);     // 0x8000
 */
export function float32ToFloat16Bits(value: number): number {
  if (Number.isNaN(value)) return QUIET_NAN;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude >= OVERFLOW_THRESHOLD) return sign | 0x7c00;
  if (magnitude < MIN_NORMAL) {
    // Subnormal: a multiple of 2⁻²⁴. Scaling by a power of two is exact; 1024 rounds up to the first normal.
    return sign | roundHalfEvenNonNegative(magnitude * TWO_POW_24);
  }
  let exponent = Math.floor(Math.log2(magnitude));
  // log2 can be off by one next to powers of two; fix it exactly.
  if (2 ** exponent > magnitude) exponent--;
  else if (2 ** (exponent + 1) <= magnitude) exponent++;
  const significand = roundHalfEvenNonNegative(magnitude * 2 ** (10 - exponent)); // in [1024, 2048]
  // A significand of 2048 carries into the exponent, which is the correct encoding of the next power of two.
  return sign | (((exponent + 15) << 10) + significand - 1024);
}

let widenTable: Float32Array | null = null;
let widenWords: Uint32Array | null = null;

/** Every binary16 pattern's float32 value (256 KiB, built on first use): widening is one lookup. */
function float16Table(): Float32Array {
  if (widenTable) return widenTable;
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let half = 0; half < 65536; half++) {
    const sign = (half & 0x8000) << 16;
    const exponent = (half >> 10) & 0x1f;
    let mantissa = half & 0x3ff;
    if (exponent === 0x1f) {
      bits[half] = sign | 0x7f800000 | (mantissa << 13); // Infinity or NaN (payload kept)
    } else if (exponent !== 0) {
      bits[half] = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
    } else if (mantissa === 0) {
      bits[half] = sign; // signed zero
    } else {
      // Subnormal: value = mantissa · 2⁻²⁴; normalise so the leading 1 becomes implicit.
      let unbiased = -14;
      while ((mantissa & 0x400) === 0) {
        mantissa <<= 1;
        unbiased--;
      }
      bits[half] = sign | ((unbiased + 127) << 23) | ((mantissa & 0x3ff) << 13);
    }
  }
  widenTable = table;
  widenWords = bits;
  return table;
}

/**
 * The value of a binary16 bit pattern (exact: every float16 is a float32).
 * @example
 * float16BitsToFloat32(0x3c00); // 1
 * float16BitsToFloat32(0x0001); // 5.960464477539063e-8 (2⁻²⁴)
 */
export function float16BitsToFloat32(bits: number): number {
  return float16Table()[bits & 0xffff];
}

/**
 * Round float32 bits (as uint32) to binary16 bits, ties to even. The fast path for Float32Array inputs:
 * integer arithmetic only, and identical to {@link float32ToFloat16Bits} on every float32 except NaN, whose
 * payload keeps its top mantissa bits (still a quiet NaN).
 */
function roundFloat32Bits(word: number): number {
  const sign = (word >>> 16) & 0x8000;
  const magnitude = word & 0x7fffffff;
  if (magnitude >= 0x7f800000) return magnitude === 0x7f800000 ? sign | 0x7c00 : sign | 0x7e00 | ((magnitude >>> 13) & 0x3ff);
  if (magnitude >= 0x477ff000) return sign | 0x7c00; // ≥ 65520
  if (magnitude >= 0x38800000) {
    // Normal: rebias the exponent (127 → 15) and round the 13 dropped mantissa bits to even.
    return sign | ((magnitude - 0x38000000 + 0xfff + ((magnitude >>> 13) & 1)) >>> 13);
  }
  const biased = magnitude >>> 23;
  if (biased < 102) return sign; // below 2⁻²⁵: rounds to zero
  const significand = (magnitude & 0x7fffff) | 0x800000;
  const shift = 126 - biased; // 14 … 24
  let quotient = significand >>> shift;
  const remainder = significand & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (remainder > half || (remainder === half && (quotient & 1) === 1)) quotient++;
  return sign | quotient;
}

/**
 * Round every value to binary16 bits (see {@link float32ToFloat16Bits}); writes into `out` when given.
 * @example
 * toFloat16Bits([1, 0.1, 65504]); // Uint16Array [0x3c00, 0x2e66, 0x7bff]
 */
export function toFloat16Bits(values: ArrayLike<number>, out: Uint16Array = new Uint16Array(values.length)): Uint16Array {
  if (values instanceof Float32Array) {
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
    for (let i = 0; i < words.length; i++) out[i] = roundFloat32Bits(words[i]);
  } else {
    for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]);
  }
  return out;
}

/**
 * Widen binary16 bits to float32 values (exact); writes into `out` when given.
 * @example
 * fromFloat16Bits(new Uint16Array([0x3c00, 0xc000])); // Float32Array [1, -2]
 */
export function fromFloat16Bits(bits: Uint16Array, out: Float32Array = new Float32Array(bits.length)): Float32Array {
  float16Table();
  // Copy float32 bit patterns as integers: no float conversions, and NaN payloads survive.
  const table = widenWords!;
  const words = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < bits.length; i++) words[i] = table[bits[i]];
  return out;
}

/**
 * `value` rounded to the nearest float16 and widened back: what a float16 store keeps of it.
 * @example
 * roundToFloat16(0.1); // 0.0999755859375
 */
export function roundToFloat16(value: number): number {
  return float16BitsToFloat32(float32ToFloat16Bits(value));
}
