/**
 * Subsampling of frequent words (word2vec.c's formula, as gensim computes it): with t = sample × the
 * number of word tokens, a word seen c times is kept with probability min(1, (√(c/t) + 1) · t/c), so
 * "the" and "of" are mostly skipped (they say little about their neighbours, and skipping them both
 * speeds training and widens the effective window) while words rarer than t are always kept.
 */

/**
 * Each word's keep probability, as an unsigned 32-bit threshold: keep a token when a uniform 32-bit
 * draw is below it (gensim's `sample_int`). `sample` 0 keeps everything.
 * @example
 * const keep = keepThresholds(vocabulary.counts, 1e-3);
 * if (rng.uint32() < keep[id]) use(id);
 */
export function keepThresholds(counts: Float64Array, sample: number): Float64Array {
  const total = counts.reduce((a, b) => a + b, 0);
  const thresholds = new Float64Array(counts.length);
  if (!(sample > 0)) return thresholds.fill(2 ** 32);
  // gensim: a sample ≥ 1 is an absolute count rather than a fraction.
  const thresholdCount = sample < 1 ? sample * total : sample;
  counts.forEach((count, i) => {
    const probability = Math.min(1, (Math.sqrt(count / thresholdCount) + 1) * (thresholdCount / count));
    thresholds[i] = Math.round(probability * 2 ** 32);
  });
  return thresholds;
}
