/**
 * FastText (Bojanowski et al. 2017): Word2Vec whose input side is a word plus its character n-grams
 * (hashed into `bucket` shared rows), so the vector of a word is the mean of its own row and its
 * n-grams' rows, and a word never seen in training still gets one from its n-grams — misspellings and
 * rare inflections land near the words they resemble. Trained by the same loop as Word2Vec (core's
 * `word2vecStep`): skip-gram examples predict each context word from the centre's rows (as fastText),
 * CBOW examples average every row of the window's words.
 */
import { ValueError } from '@tessera/core';
import { WordVectors } from '../vectors/word-vectors';
import type { Corpus } from './corpus';
import { subwordBuckets } from './subwords';
import { trainingLoop, type TrainingStats } from './training-loop';
import { readCorpus, type Vocabulary } from './vocabulary';
import { buildModel, disposeModel, loopSettings, resolveWord2VecOptions, type ResolvedWord2VecOptions, type Word2VecOptions } from './word2vec';

/** Options of {@link FastText.train}: Word2Vec's, plus the n-gram range and the bucket count (gensim's defaults). */
export interface FastTextOptions extends Word2VecOptions {
  /** Shortest character n-gram (default 3). */
  minN?: number;
  /** Longest character n-gram (default 6; below minN: no n-grams, plain Word2Vec). */
  maxN?: number;
  /** Hash buckets shared by all n-grams (default 2,000,000 as fastText and gensim: 800 MB of float32 at dim 100 — smaller suits small corpora). */
  bucket?: number;
}

/** The options with every default filled in. */
export type ResolvedFastTextOptions = ResolvedWord2VecOptions & { minN: number; maxN: number; bucket: number };

/**
 * A trained FastText model. Its `wv` answers words outside the vocabulary from their n-grams.
 * @example
 * import '@tessera/backend-cpu';
 * const ft = await FastText.train(mobyDick, { mode: 'skipgram', bucket: 200_000 });
 * await ft.wv.mostSimilar('whael', { topN: 1 }); // [{ word: 'whale', … }]
 */
export class FastText {
  private constructor(
    /** Word vectors: each vocabulary word's mean of its row and n-gram rows; other words by {@link FastText.subwordVector}. */
    readonly wv: WordVectors,
    readonly vocabulary: Vocabulary,
    /** The input matrix: the vocabulary's rows, then the `bucket` n-gram rows, row-major. */
    readonly inputVectors: Float32Array,
    readonly options: ResolvedFastTextOptions,
    readonly stats: TrainingStats,
  ) {}

  /**
   * Train on a corpus (as Word2Vec.train).
   * @example
   * const ft = await FastText.train(sentences, { minN: 3, maxN: 5, bucket: 100_000, minCount: 2 });
   */
  static async train(corpus: Corpus, options: FastTextOptions = {}): Promise<FastText> {
    const resolved = resolveFastTextOptions(options);
    const { vocabulary, encoded } = await readCorpus(corpus, resolved);
    const words = vocabulary.words.length;
    const rows = vocabulary.words.map((word, id) => {
      const buckets = subwordBuckets(word, resolved.minN, resolved.maxN, resolved.bucket);
      const all = new Int32Array(buckets.length + 1);
      all[0] = id;
      for (let k = 0; k < buckets.length; k++) all[k + 1] = words + buckets[k];
      return all;
    });
    const model = { ...buildModel(vocabulary, resolved, resolved.bucket), rowsOf: (id: number) => rows[id], inputIsCenter: true };
    try {
      const stats = await trainingLoop(encoded, vocabulary, model, loopSettings(resolved));
      const input = Float32Array.from((await model.input.data()) as Float32Array);
      const dim = resolved.dim;
      const vectors = new Float32Array(words * dim);
      rows.forEach((indices, id) => meanOfRows(input, indices, dim, vectors.subarray(id * dim, (id + 1) * dim)));
      const holder: { model?: FastText } = {};
      const wv = new WordVectors(vocabulary.words, vectors, dim, { oov: (word) => holder.model!.subwordVector(word) });
      holder.model = new FastText(wv, vocabulary, input, resolved, stats);
      return holder.model;
    } finally {
      disposeModel(model);
    }
  }

  /**
   * The vector FastText gives a word from its n-grams alone (the mean of their rows; zeros when the
   * word has none), as for a word outside the vocabulary.
   * @example
   * ft.subwordVector('captian'); // close to ft.wv.get('captain')
   */
  subwordVector(word: string): Float32Array {
    const { minN, maxN, bucket, dim } = this.options;
    const words = this.vocabulary.words.length;
    const rows = Int32Array.from(subwordBuckets(word, minN, maxN, bucket), (b) => words + b);
    return meanOfRows(this.inputVectors, rows, dim, new Float32Array(dim));
  }
}

/** Fill in the defaults (Word2Vec's, minN 3, maxN 6, bucket 2,000,000) and check them. */
export function resolveFastTextOptions(options: FastTextOptions): ResolvedFastTextOptions {
  const base = resolveWord2VecOptions(options);
  const minN = options.minN ?? 3, maxN = options.maxN ?? 6, bucket = options.bucket ?? 2_000_000;
  for (const [name, value] of [['minN', minN], ['maxN', maxN], ['bucket', bucket]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new ValueError(`FastText: ${name} must be an integer ≥ 0, got ${String(value)}`);
  }
  if (minN < 1 && maxN >= minN) throw new ValueError(`FastText: minN must be ≥ 1 when n-grams are used, got ${minN}`);
  return { ...base, minN, maxN, bucket };
}

/** out ← mean of `matrix` rows `rows` (zeros when there are none). */
function meanOfRows(matrix: Float32Array, rows: Int32Array, dim: number, out: Float32Array): Float32Array {
  out.fill(0);
  if (rows.length === 0) return out;
  for (const row of rows) for (let d = 0; d < dim; d++) out[d] += matrix[row * dim + d];
  for (let d = 0; d < dim; d++) out[d] /= rows.length;
  return out;
}
