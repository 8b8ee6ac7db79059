/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011) and the exact
 * stream Tessera draws from it. This file is the reference every backend reproduces bit for bit.
 *
 * The stream:
 * - key = the seed as two uint32 words `[lo, hi]` (`manualSeed(s)` → `[s mod 2³², floor(s / 2³²)]`);
 * - block `c` (a 64-bit index) is Philox4x32-10 of counter `[lo(c), hi(c), 0, 0]` under that key,
 *   giving four uint32 words; element `i` of a request starting at block `c₀` uses word `i mod 4`
 *   of block `c₀ + floor(i / 4)`;
 * - each request advances the generator by `ceil(n / 4)` blocks, so consecutive calls never overlap;
 * - conversions (see {@link uniformFromWord}, {@link normalPairFromWords}, {@link randintFromWord}).
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/**
 * The 2⁻²⁴ scale that turns a 24-bit integer into a float in [0, 1), exact in float32.
 * @example
 * (0xffffffff >>> 8) * UNIFORM_SCALE; // 0.99999994
 */
export const UNIFORM_SCALE = 1 / 16777216;

/** High and low 32 bits of the 64-bit product of two uint32 values, without BigInt. */
function mulHiLo(a: number, b: number, out: Uint32Array, hiIndex: number, loIndex: number): void {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const loLo = aLo * bLo;
  const hiLo = aHi * bLo;
  const loHi = aLo * bHi;
  const hiHi = aHi * bHi;
  const cross = (loLo >>> 16) + (hiLo & 0xffff) + loHi;
  out[hiIndex] = hiHi + (hiLo >>> 16) + Math.floor(cross / 65536);
  out[loIndex] = ((cross & 0xffff) << 16) | (loLo & 0xffff);
}

/**
 * One Philox4x32-10 block: four uint32 output words for a 128-bit counter and 64-bit key.
 * @example
 * philox4x32([0, 0, 0, 0], [0, 0]); // Uint32Array [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
 */
export function philox4x32(counter: readonly number[], key: readonly number[], out = new Uint32Array(4)): Uint32Array {
  let c0 = counter[0] >>> 0;
  let c1 = counter[1] >>> 0;
  let c2 = counter[2] >>> 0;
  let c3 = counter[3] >>> 0;
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  const products = new Uint32Array(4);
  for (let round = 0; round < 10; round++) {
    mulHiLo(M0, c0, products, 0, 1);
    mulHiLo(M1, c2, products, 2, 3);
    const next0 = (products[2] ^ c1 ^ k0) >>> 0;
    const next2 = (products[0] ^ c3 ^ k1) >>> 0;
    c1 = products[3];
    c3 = products[1];
    c0 = next0;
    c2 = next2;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

/**
 * The high 32 bits of `word · range` (both uint32): an unbiased-enough map of a word onto `[0, range)`.
 * @example
 * mulHi32(0xffffffff, 10); // 9
 */
export function mulHi32(word: number, range: number): number {
  const out = new Uint32Array(4);
  mulHiLo(word >>> 0, range >>> 0, out, 0, 1);
  return out[0];
}

/**
 * A uniform float in [0, 1) from one word: `(word >>> 8) · 2⁻²⁴`.
 * @example
 * uniformFromWord(0xffffffff); // 0.99999994
 */
export function uniformFromWord(word: number): number {
  return (word >>> 8) * UNIFORM_SCALE;
}

/**
 * Two standard normals from two words by Box–Muller:
 * `u1 = ((w0 >>> 8) + 1) · 2⁻²⁴ ∈ (0, 1]`, `u2 = (w1 >>> 8) · 2⁻²⁴`,
 * `r = √(−2 ln u1)`, returns `[r cos 2πu2, r sin 2πu2]` (computed in float64).
 * @example
 * normalPairFromWords(0x80000000, 0); // [≈1.1774, 0]
 */
export function normalPairFromWords(w0: number, w1: number): [number, number] {
  const u1 = ((w0 >>> 8) + 1) * UNIFORM_SCALE;
  const u2 = (w1 >>> 8) * UNIFORM_SCALE;
  const radius = Math.sqrt(-2 * Math.log(u1));
  const angle = 2 * Math.PI * u2;
  return [radius * Math.cos(angle), radius * Math.sin(angle)];
}

/**
 * An integer in `[low, high)` from one word: `low + mulHi32(word, high − low)`.
 * @example
 * randintFromWord(0, 0, 10); // 0
 */
export function randintFromWord(word: number, low: number, high: number): number {
  return low + mulHi32(word, high - low);
}

/** The Philox stream parameters of one request (same as the backend's `RandomRequest`). */
export interface PhiloxStreamRequest {
  readonly distribution: 'bits' | 'uniform' | 'normal' | 'randint';
  readonly key: readonly [number, number];
  readonly counter: readonly [number, number];
  readonly low?: number;
  readonly high?: number;
}

/**
 * Fill `out` with the reference stream. Backends may call this directly (the CPU backend does) or
 * reimplement it; the conformance suite checks they agree bit for bit.
 * @example
 * const out = new Float32Array(8);
 * fillPhiloxStream(out, { distribution: 'uniform', key: [42, 0], counter: [0, 0] });
 */
export function fillPhiloxStream(out: Float32Array | Float64Array | Int32Array, request: PhiloxStreamRequest): void {
  const words = new Uint32Array(4);
  const counter = [request.counter[0] >>> 0, request.counter[1] >>> 0, 0, 0];
  const low = request.low ?? 0;
  const range = (request.high ?? 0) - low;
  const n = out.length;
  for (let base = 0; base < n; base += 4) {
    philox4x32(counter, request.key, words);
    const count = Math.min(4, n - base);
    switch (request.distribution) {
      case 'bits':
        for (let j = 0; j < count; j++) out[base + j] = words[j] | 0;
        break;
      case 'uniform':
        for (let j = 0; j < count; j++) out[base + j] = (words[j] >>> 8) * UNIFORM_SCALE;
        break;
      case 'normal':
        for (let j = 0; j < count; j += 2) {
          const [z0, z1] = normalPairFromWords(words[j], words[j + 1]);
          out[base + j] = z0;
          if (j + 1 < count) out[base + j + 1] = z1;
        }
        break;
      case 'randint':
        for (let j = 0; j < count; j++) out[base + j] = low + mulHi32(words[j], range);
        break;
    }
    // 64-bit block counter increment.
    counter[0] = (counter[0] + 1) >>> 0;
    if (counter[0] === 0) counter[1] = (counter[1] + 1) >>> 0;
  }
}

/**
 * Blocks a request of `n` elements consumes (four words per block).
 * @example
 * blocksFor(9); // 3
 */
export function blocksFor(n: number): number {
  return Math.ceil(n / 4);
}
