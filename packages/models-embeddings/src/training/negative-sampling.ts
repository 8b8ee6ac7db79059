/**
 * Negative sampling's noise distribution: word w is drawn with probability ∝ count(w)^0.75 (word2vec's
 * smoothed unigram distribution, which draws rare words more often than their frequency). Drawn in
 * constant time with Vose's alias method — exact, where word2vec.c's 10⁸-entry table rounds each
 * probability to a multiple of 10⁻⁸ and gensim's cumulative table needs a binary search per draw.
 */
import type { TrainingRandom } from './random';

/**
 * A sampler of word ids from counts^power.
 * @example
 * const noise = new NegativeSampler(vocabulary.counts, 0.75);
 * noise.draw(rng); // a word id
 */
export class NegativeSampler {
  private readonly threshold: Float64Array;
  private readonly alias: Int32Array;

  constructor(counts: Float64Array, power = 0.75) {
    const size = counts.length;
    const weights = Float64Array.from(counts, (count) => count ** power);
    const total = weights.reduce((a, b) => a + b, 0);
    this.threshold = new Float64Array(size);
    this.alias = new Int32Array(size);
    const scaled = Float64Array.from(weights, (weight) => (weight * size) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((value, i) => (value < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const less = small.pop()!;
      const more = large.pop()!;
      this.threshold[less] = scaled[less];
      this.alias[less] = more;
      scaled[more] += scaled[less] - 1;
      (scaled[more] < 1 ? small : large).push(more);
    }
    for (const i of [...small, ...large]) {
      this.threshold[i] = 1;
      this.alias[i] = i;
    }
  }

  /** How many words it draws from. */
  get size(): number {
    return this.threshold.length;
  }

  /** One word id. */
  draw(rng: TrainingRandom): number {
    const u = rng.float() * this.threshold.length;
    const column = Math.floor(u);
    return u - column < this.threshold[column] ? column : this.alias[column];
  }

  /** The probability of drawing `id` (for tests and inspection). */
  probability(id: number): number {
    const size = this.threshold.length;
    let p = this.threshold[id] / size;
    for (let i = 0; i < size; i++) if (this.alias[i] === id && i !== id) p += (1 - this.threshold[i]) / size;
    return p;
  }
}
