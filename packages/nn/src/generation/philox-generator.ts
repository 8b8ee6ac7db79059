/**
 * A seeded random stream for sampling tokens, apart from core's global generator (PyTorch's
 * `torch.Generator(seed)`): it evaluates core's Philox4x32-10 blocks on the host, so one seed gives
 * the same tokens on every backend and sampling leaves `manualSeed`'s stream untouched.
 */
import { philox4x32, randomBits, ValueError } from '@tessera/core';

const TWO_32 = 4294967296;

/**
 * Uniform numbers from Philox4x32-10 under key = `seed` (as `manualSeed` splits it), block counter
 * 0, 1, 2, …; each `uniform()` takes two words (53 random bits).
 * @example
 * const generator = new PhiloxGenerator(42);
 * generator.uniform(); // the same number for seed 42 everywhere
 */
export class PhiloxGenerator {
  private readonly key: [number, number];
  private readonly block = new Uint32Array(4);
  private blockIndex = 0;
  private wordIndex = 4;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new ValueError(`PhiloxGenerator: seed must be a non-negative safe integer, got ${seed}`);
    this.key = [seed % TWO_32, Math.floor(seed / TWO_32)];
  }

  /**
   * A generator seeded from core's global stream (so `manualSeed` makes unseeded sampling repeatable).
   * @example
   * manualSeed(0);
   * const generator = await PhiloxGenerator.fromGlobalStream();
   */
  static async fromGlobalStream(): Promise<PhiloxGenerator> {
    const bits = randomBits([2]);
    const [low, high] = await bits.data();
    bits.dispose();
    // 53 bits of the two words: a safe integer.
    return new PhiloxGenerator((Number(high) >>> 11) * TWO_32 + (Number(low) >>> 0));
  }

  /** The next uint32 word of the stream. @example generator.nextWord() */
  nextWord(): number {
    if (this.wordIndex === 4) {
      const counter = this.blockIndex++;
      philox4x32([counter % TWO_32, Math.floor(counter / TWO_32), 0, 0], this.key, this.block);
      this.wordIndex = 0;
    }
    return this.block[this.wordIndex++];
  }

  /** A uniform number in [0, 1) with 53 random bits. @example generator.uniform() */
  uniform(): number {
    const high = this.nextWord() >>> 5; // 27 bits
    const low = this.nextWord() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }
}
