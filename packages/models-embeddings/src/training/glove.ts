/**
 * GloVe (Pennington et al. 2014): word vectors fitted to the logarithm of co-occurrence counts with the
 * weighted least-squares objective
 * ```text
 * J = Σ_{X_ij > 0} f(X_ij) · (w_i·w̃_j + b_i + b̃_j − log X_ij)²,   f(x) = min(1, (x / xMax)^α)
 * ```
 * minimised by AdaGrad over the non-zero entries in a shuffled order, as glove.c does (its update
 * loop runs here on the host: one entry touches only two rows). The vectors are w + w̃.
 */
import { ValueError } from '@tessera/core';
import { WordVectors } from '../vectors/word-vectors';
import { countCooccurrences, type Cooccurrences } from './cooccurrence';
import type { Corpus } from './corpus';
import type { ProgressCallback } from './progress';
import { TrainingRandom } from './random';
import { readCorpus, type Vocabulary } from './vocabulary';

/** Options of {@link GloVe.train} (glove.c's names in camelCase, and its defaults but the epochs). */
export interface GloVeOptions {
  /** Vector length (default 100). */
  dim?: number;
  /** Co-occurrence window on each side (default 10). */
  window?: number;
  /** Counts at or above xMax get full weight (default 100). */
  xMax?: number;
  /** The weighting exponent α (default 0.75). */
  alpha?: number;
  /** AdaGrad's initial learning rate (default 0.05). */
  learningRate?: number;
  /** Passes over the co-occurrences (default 25). */
  epochs?: number;
  /** Ignore words seen fewer times (default 5). */
  minCount?: number;
  /** Keep at most this many of the most frequent words (default unlimited). */
  maxVocab?: number | null;
  /** Seed of the starting vectors and the shuffle (default 1). */
  seed?: number;
  /** Called after each epoch with that epoch's mean loss per co-occurrence. */
  onProgress?: ProgressCallback;
}

/**
 * A trained GloVe model.
 * @example
 * import '@tessera/backend-cpu';
 * const glove = await GloVe.train(mobyDick, { dim: 50, epochs: 15 });
 * glove.losses; // falling, epoch by epoch
 */
export class GloVe {
  private constructor(
    /** The word vectors w + w̃. */
    readonly wv: WordVectors,
    readonly vocabulary: Vocabulary,
    /** The co-occurrence counts it was fitted to. */
    readonly cooccurrences: Cooccurrences,
    /** Mean loss ½·f(X)·(w·w̃ + b + b̃ − log X)² per co-occurrence, for each epoch. */
    readonly losses: readonly number[],
  ) {}

  /**
   * Count co-occurrences in a corpus (a text, sentences, or an iterable of either) and fit the vectors.
   * @example
   * const glove = await GloVe.train([['ice', 'is', 'cold'], ['steam', 'is', 'hot']], { minCount: 1, dim: 10 });
   */
  static async train(corpus: Corpus, options: GloVeOptions = {}): Promise<GloVe> {
    const dim = positive('dim', options.dim ?? 100);
    const window = positive('window', options.window ?? 10);
    const epochs = positive('epochs', options.epochs ?? 25);
    const xMax = options.xMax ?? 100, alpha = options.alpha ?? 0.75, eta = options.learningRate ?? 0.05;
    for (const [name, value] of [['xMax', xMax], ['alpha', alpha], ['learningRate', eta]] as const) {
      if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new ValueError(`GloVe: ${name} must be a positive number, got ${String(value)}`);
    }
    const { vocabulary, encoded } = await readCorpus(corpus, { minCount: options.minCount ?? 5, maxVocab: options.maxVocab ?? null });
    const size = vocabulary.words.length;
    const x = countCooccurrences(encoded, size, window);
    const rng = new TrainingRandom(options.seed ?? 1);
    // Row r of `w` is word r's vector followed by its bias (glove.c's layout); rows size … 2·size−1 are the context side.
    const stride = dim + 1;
    const w = Float64Array.from({ length: 2 * size * stride }, () => (rng.float() - 0.5) / dim);
    const gradSq = new Float64Array(2 * size * stride).fill(1);
    const weights = Float64Array.from(x.values, (value) => (value < xMax ? (value / xMax) ** alpha : 1));
    const logs = Float64Array.from(x.values, Math.log);
    const order = Int32Array.from({ length: x.values.length }, (_, i) => i);
    const losses: number[] = [];
    const started = performance.now();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      shuffle(order, rng);
      let cost = 0;
      for (const k of order) {
        const a = x.rows[k] * stride, b = (size + x.cols[k]) * stride;
        let diff = w[a + dim] + w[b + dim] - logs[k];
        for (let d = 0; d < dim; d++) diff += w[a + d] * w[b + d];
        const fdiff = weights[k] * diff;
        cost += 0.5 * fdiff * diff;
        const step = eta * fdiff;
        for (let d = 0; d < dim; d++) {
          const ga = step * w[b + d], gb = step * w[a + d];
          w[a + d] -= ga / Math.sqrt(gradSq[a + d]);
          w[b + d] -= gb / Math.sqrt(gradSq[b + d]);
          gradSq[a + d] += ga * ga;
          gradSq[b + d] += gb * gb;
        }
        w[a + dim] -= step / Math.sqrt(gradSq[a + dim]);
        w[b + dim] -= step / Math.sqrt(gradSq[b + dim]);
        gradSq[a + dim] += step * step;
        gradSq[b + dim] += step * step;
      }
      losses.push(cost / Math.max(1, order.length));
      if (options.onProgress) {
        const elapsedSeconds = (performance.now() - started) / 1000;
        options.onProgress({
          epoch, epochs, progress: epoch / epochs, words: epoch * encoded.rawWords, wordsPerSecond: (epoch * encoded.rawWords) / Math.max(elapsedSeconds, 1e-9),
          alpha: eta, loss: losses[losses.length - 1], elapsedSeconds,
        });
      }
    }
    const vectors = new Float32Array(size * dim);
    for (let r = 0; r < size; r++) for (let d = 0; d < dim; d++) vectors[r * dim + d] = w[r * stride + d] + w[(size + r) * stride + d];
    return new GloVe(new WordVectors(vocabulary.words, vectors, dim), vocabulary, x, losses);
  }
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ValueError(`GloVe: ${name} must be a positive integer, got ${String(value)}`);
  return value;
}

/** Fisher–Yates, in place. */
function shuffle(order: Int32Array, rng: TrainingRandom): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}
