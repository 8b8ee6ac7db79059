/**
 * The seeded random stream the trainers draw from (window reductions, negative samples, subsampling,
 * initial vectors): xoshiro128** — fast in JavaScript's 32-bit integer arithmetic, and one seed gives
 * the same training run on every machine (on one thread).
 */

/**
 * A seeded 32-bit generator (xoshiro128**, seeded through splitmix32).
 * @example
 * const rng = new TrainingRandom(1);
 * rng.below(5); // an integer in [0, 5)
 */
export class TrainingRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let state = seed >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() || 1;
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform integer in `[0, limit)` (limit ≤ 2³²; the tiny modulo bias is irrelevant here). */
  below(limit: number): number {
    return this.uint32() % limit;
  }

  /** A uniform float in `[0, 1)`. */
  float(): number {
    return this.uint32() / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
