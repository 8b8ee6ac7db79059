import { describe, expect, it } from 'vitest';
import {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  fromFloat16Bits,
  roundToFloat16,
  toFloat16Bits,
} from '../src/index';

/** The float64 value of a binary16 pattern, decoded from its fields with no shared code. */
function decodeBySpec(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Positions where `got` and `want` differ (NaN matches NaN), for one cheap assertion over large arrays. */
function mismatches(got: ArrayLike<number>, want: ArrayLike<number>): number[] {
  const found: number[] = [];
  if (got.length !== want.length) return [-1];
  for (let i = 0; i < want.length; i++) {
    if (!(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i])))) found.push(i);
  }
  return found;
}

/** The correctly rounded binary16 of `value` by brute force over the finite halves (reference for the tests). */
function nearestBySearch(value: number): number {
  const magnitude = Math.abs(value);
  let low = 0;
  let high = 0x7c00; // +Infinity's pattern; positive patterns are ordered like their values
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (decodeBySpec(middle) <= magnitude) low = middle;
    else high = middle;
  }
  // low ≤ magnitude < high: pick the nearer, ties to the even pattern; 65520 and above go to Infinity.
  const below = decodeBySpec(low);
  const above = high === 0x7c00 ? 65536 : decodeBySpec(high);
  const pattern = magnitude - below < above - magnitude ? low : magnitude - below > above - magnitude ? high : low % 2 === 0 ? low : high;
  return (value < 0 || Object.is(value, -0) ? 0x8000 : 0) | pattern;
}

describe('float32ToFloat16Bits rounds to nearest, ties to even', () => {
  it('gives the known answers', () => {
    expect(float32ToFloat16Bits(1 / 3)).toBe(0x3555);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });

  it('sends overflow to ±Infinity and keeps NaN a quiet NaN', () => {
    expect(float32ToFloat16Bits(Infinity)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-1e10)).toBe(0xfc00);
    expect(float32ToFloat16Bits(65519.99)).toBe(0x7bff);
    const nan = float32ToFloat16Bits(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x200).toBe(0x200);
  });

  it('makes subnormals, and the largest subnormal rounds up to the smallest normal', () => {
    expect(float32ToFloat16Bits(3 * 2 ** -24)).toBe(0x0003);
    expect(float32ToFloat16Bits(2.5 * 2 ** -24)).toBe(0x0002); // tie to even
    expect(float32ToFloat16Bits(-1.5 * 2 ** -24)).toBe(0x8002);
    expect(float32ToFloat16Bits(2 ** -14 - 2 ** -26)).toBe(0x0400);
    expect(float32ToFloat16Bits(2 ** -25 + 2 ** -40)).toBe(0x0001);
  });

  it('agrees with a brute-force nearest search on 20 000 values across the range', () => {
    let state = 12345;
    const values: number[] = [];
    for (let i = 0; i < 20000; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const exponent = (state % 44) - 28; // 2⁻²⁸ … 2¹⁵
      values.push((state & 1 ? -1 : 1) * (1 + ((state >>> 8) % 1048576) / 1048576) * 2 ** exponent);
    }
    expect(mismatches(values.map(float32ToFloat16Bits), values.map(nearestBySearch))).toEqual([]);
  });

  it('rounds every exact midpoint between neighbouring halves to the even one', () => {
    for (let bits = 0; bits < 0x7bff; bits += 7) {
      const midpoint = (decodeBySpec(bits) + decodeBySpec(bits + 1)) / 2;
      expect(float32ToFloat16Bits(midpoint)).toBe(bits % 2 === 0 ? bits : bits + 1);
    }
  });
});

describe('float16BitsToFloat32 widens exactly', () => {
  it('decodes all 65536 patterns as the binary16 definition says', () => {
    const patterns = Array.from({ length: 65536 }, (_, bits) => bits);
    expect(mismatches(patterns.map(float16BitsToFloat32), patterns.map(decodeBySpec))).toEqual([]);
  });

  it('round-trips every non-NaN pattern through both array forms', () => {
    const patterns = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((bits) => !Number.isNaN(decodeBySpec(bits)));
    const widened = fromFloat16Bits(patterns);
    expect(widened).toBeInstanceOf(Float32Array);
    expect(mismatches(toFloat16Bits(widened), patterns)).toEqual([]); // Float32Array: the integer fast path
    expect(mismatches(toFloat16Bits(Array.from(widened)), patterns)).toEqual([]); // plain numbers: the exact path
  });
});

describe('toFloat16Bits', () => {
  it('rounds Float32Array inputs (fast path) exactly like the number path', () => {
    const words = new Uint32Array(50000);
    let state = 99;
    for (let i = 0; i < words.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      words[i] = state;
    }
    // Bias half of them into float16's range, where the interesting rounding happens.
    for (let i = 0; i < words.length; i += 2) words[i] = (words[i] & 0x807fffff) | ((95 + (words[i] % 50)) << 23);
    const floats = new Float32Array(words.buffer);
    const fast = toFloat16Bits(floats);
    // NaNs keep payload bits on the fast path; both paths must give a quiet NaN.
    const expected = Array.from(floats, (value, i) => (Number.isNaN(value) ? fast[i] : float32ToFloat16Bits(value)));
    expect(mismatches(fast, expected)).toEqual([]);
    expect(Array.from(fast).filter((bits, i) => Number.isNaN(floats[i]) && (bits & 0x7e00) !== 0x7e00)).toEqual([]);
  });

  it('writes into a given array', () => {
    const out = new Uint16Array(3);
    expect(toFloat16Bits([1, -2, 0.5], out)).toBe(out);
    expect([...out]).toEqual([0x3c00, 0xc000, 0x3800]);
    const wide = new Float32Array(2);
    expect(fromFloat16Bits(new Uint16Array([0x7c00, 0x8000]), wide)).toBe(wide);
    expect(Object.is(wide[1], -0)).toBe(true);
  });

  it('roundToFloat16 is what a float16 store keeps', () => {
    expect(roundToFloat16(0.1)).toBe(0.0999755859375);
    expect(roundToFloat16(1e5)).toBe(Infinity);
  });
});
