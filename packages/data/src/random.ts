/**
 * Seeded shuffling for the data pipeline, built on core's Philox4x32-10 block function.
 *
 * Data code needs permutations on the host (to pick rows), not random tensors, so it runs Philox
 * locally: key = the seed as two uint32 words, block `b` of stream `stream` is
 * `philox4x32([lo(b), hi(b), stream, 0x7e55e7a], key)`. Nothing here touches the global generator except
 * {@link resolveSeed} when no seed is given, which draws one block from it (so `manualSeed` still makes
 * an unseeded program reproducible).
 */
import { ValueError, getRngState, mulHi32, philox4x32, setRngState } from '@tessera/core';

const TWO_32 = 4294967296;
/** Marks the counter's last word so these streams never coincide with core's tensor streams (which use 0). */
const DATA_DOMAIN = 0x7e55e7a;

/** Throws unless `seed` is a non-negative safe integer (the same rule as core's `manualSeed`). */
export function checkSeed(op: string, seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ValueError(`${op}: seed must be a non-negative safe integer, got ${seed}`);
}

/**
 * The seed to use: `seed` itself when given, otherwise one drawn from core's global generator
 * (advancing it by one block, exactly as `randomBits([4])` would).
 * @example
 * manualSeed(1); resolveSeed(undefined, 'demo'); // the same number every run
 */
export function resolveSeed(seed: number | undefined, op: string): number {
  if (seed !== undefined) {
    checkSeed(op, seed);
    return seed;
  }
  const state = getRngState();
  const key = [state.seed % TWO_32, Math.floor(state.seed / TWO_32)];
  const words = philox4x32([state.offset % TWO_32, Math.floor(state.offset / TWO_32), 0, 0], key);
  setRngState({ seed: state.seed, offset: state.offset + 1 });
  // 53 bits: a safe integer.
  return (words[1] & 0x1fffff) * TWO_32 + words[0];
}

/**
 * A small seeded generator of uint32 words and bounded integers, independent of the global one.
 * @example
 * const rng = new SeededRandom(42);
 * rng.nextInt(10); // an integer in [0, 10), the same for seed 42 every time
 */
export class SeededRandom {
  private readonly key: [number, number];
  private readonly stream: number;
  private block = 0;
  private readonly words = new Uint32Array(4);
  private used = 4;

  /** `stream` selects an independent sequence for the same seed (the DataLoader uses the epoch). */
  constructor(seed: number, stream = 0) {
    checkSeed('SeededRandom', seed);
    this.key = [seed % TWO_32, Math.floor(seed / TWO_32)];
    this.stream = stream >>> 0;
  }

  /** The next uint32 word of the stream. */
  nextUint32(): number {
    if (this.used === 4) {
      philox4x32([this.block % TWO_32, Math.floor(this.block / TWO_32), this.stream, DATA_DOMAIN], this.key, this.words);
      this.block++;
      this.used = 0;
    }
    return this.words[this.used++];
  }

  /** An integer in `[0, bound)` (`bound` ≤ 2³²), by the high word of `word · bound` as core's randint does. */
  nextInt(bound: number): number {
    return mulHi32(this.nextUint32(), bound);
  }

  /** Shuffle `values` in place (Fisher–Yates) and return it. */
  shuffle<T extends { length: number; [index: number]: any }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const held = values[i];
      values[i] = values[j];
      values[j] = held;
    }
    return values;
  }
}

/**
 * A random permutation of `0 … n−1`, reproducible from `seed` (and `stream`, e.g. an epoch number).
 * @example
 * randomPermutation(5, 42); // Int32Array of 0..4 in an order fixed by seed 42
 */
export function randomPermutation(n: number, seed: number, stream = 0): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`randomPermutation: n must be a non-negative integer, got ${n}`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return new SeededRandom(seed, stream).shuffle(order);
}
