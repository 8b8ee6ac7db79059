/**
 * Word2Vec (Mikolov et al. 2013) as word2vec.c and gensim train it: skip-gram or CBOW, negative
 * sampling and/or hierarchical softmax, subsampling of frequent words, a randomly reduced window and a
 * linearly decaying learning rate. The updates run in core's `word2vecStep` — the backend's fused
 * kernel where it has one (the CPU backend: WebAssembly SIMD, Hogwild across threads), else core's
 * composite — or, with `engine: 'autograd'`, as an nn model (two sparse Embeddings, a loss, backward, SGD).
 */
import { ValueError, tensor, type Tensor } from '@tessera/core';
import { Embedding } from '@tessera/nn';
import { SGD } from '@tessera/optim';
import { WordVectors } from '../vectors/word-vectors';
import type { Corpus } from './corpus';
import { huffmanCodes } from './huffman';
import { NegativeSampler } from './negative-sampling';
import type { ProgressCallback } from './progress';
import { TrainingRandom } from './random';
import { trainingLoop, type LoopModel, type LoopSettings, type TrainingEngine, type TrainingStats } from './training-loop';
import { readCorpus, type EncodedCorpus, type Vocabulary } from './vocabulary';

/** Options of {@link Word2Vec.train}: gensim's names in camelCase, and its defaults. */
export interface Word2VecOptions {
  /** `'cbow'` (default, as gensim's sg=0) or `'skipgram'`. */
  mode?: 'skipgram' | 'cbow';
  /** Vector length (default 100; gensim's `vector_size`). */
  dim?: number;
  /** Largest distance between the centre and a context word (default 5); each position uses a random 1 … window. */
  window?: number;
  /** Noise words per example for negative sampling (default 5; 0 turns it off). */
  negative?: number;
  /** Hierarchical softmax (default false / 0). */
  hs?: boolean | 0 | 1;
  /** Subsampling threshold for frequent words (default 1e-3; 0 keeps every token). */
  sample?: number;
  /** Ignore words seen fewer times (default 5). */
  minCount?: number;
  /** Keep at most this many words, the most frequent (gensim's `max_final_vocab`; default unlimited). */
  maxVocab?: number | null;
  /** Train exactly these words in this order (e.g. gensim's `index_to_key`) instead of choosing by minCount/maxVocab. */
  vocabulary?: readonly string[] | null;
  /** Passes over the corpus (default 5). */
  epochs?: number;
  /** Initial learning rate (default 0.025). */
  alpha?: number;
  /** Final learning rate, reached linearly (default 0.0001). */
  minAlpha?: number;
  /** CBOW: average the window's vectors (default true, gensim's cbow_mean=1) or sum them. */
  cbowMean?: boolean | 0 | 1;
  /** The exponent of the noise distribution (default 0.75). */
  nsExponent?: number;
  /** Seed of every random choice (default 1); one thread reproduces a run exactly. */
  seed?: number;
  /** Threads for the fused kernel (default 1: deterministic; more run Hogwild, as gensim's workers). */
  threads?: number;
  /** Tokens per job (default 10000, gensim's): one learning rate and one kernel call per job. */
  batchWords?: number;
  /** `'fused'` (default): core's word2vecStep; `'autograd'`: sparse Embeddings + loss + backward + SGD. */
  engine?: TrainingEngine;
  /** Examples per mini-batch of the autograd engine (default 1024). */
  batchSize?: number;
  /** The backend to train on (default: the current one). */
  device?: string;
  /** Called with words/s, loss and learning rate about every `progressInterval` seconds and at the end. */
  onProgress?: ProgressCallback;
  /** Seconds between progress reports (default 1). */
  progressInterval?: number;
}

/** The options with every default filled in. */
export type ResolvedWord2VecOptions = Required<Omit<Word2VecOptions, 'onProgress' | 'device' | 'maxVocab' | 'hs' | 'cbowMean' | 'vocabulary'>> & {
  vocabulary: readonly string[] | null;
  hs: boolean;
  cbowMean: boolean;
  maxVocab: number | null;
  device: string | undefined;
  onProgress: ProgressCallback | undefined;
};

/**
 * A trained Word2Vec model.
 * @example
 * import '@tessera/backend-cpu';
 * const model = await Word2Vec.train(mobyDick, { mode: 'skipgram', minCount: 5, epochs: 5 });
 * await model.wv.mostSimilar('whale', { topN: 5 });
 */
export class Word2Vec {
  private constructor(
    /** The word vectors (the input matrix, word2vec.c's syn0). */
    readonly wv: WordVectors,
    /** The vocabulary with its counts, most frequent first. */
    readonly vocabulary: Vocabulary,
    /** The output matrix (Huffman nodes first when `hs`, then one row per word for negative sampling), row-major. */
    readonly outputVectors: Float32Array,
    readonly options: ResolvedWord2VecOptions,
    /** Words/s, examples and the losses reported while training. */
    readonly stats: TrainingStats,
  ) {}

  /**
   * Train on a corpus: a text (split into sentences and lowercase words), sentences of tokens, or an
   * (async) iterable of either.
   * @example
   * const model = await Word2Vec.train([['the', 'white', 'whale'], ['the', 'sea']], { minCount: 1, mode: 'skipgram' });
   * model.wv.similarity('whale', 'sea');
   */
  static async train(corpus: Corpus, options: Word2VecOptions = {}): Promise<Word2Vec> {
    const resolved = resolveWord2VecOptions(options);
    const { vocabulary, encoded } = await readCorpus(corpus, resolved);
    const model = buildModel(vocabulary, resolved, 0);
    try {
      const stats = await trainingLoop(encoded, vocabulary, model, loopSettings(resolved));
      const vectors = (await model.input.data()) as Float32Array;
      const output = (await model.output.data()) as Float32Array;
      return new Word2Vec(new WordVectors(vocabulary.words, Float32Array.from(vectors), resolved.dim), vocabulary, Float32Array.from(output), resolved, stats);
    } finally {
      disposeModel(model);
    }
  }

  /** The encoded corpus and vocabulary a run would use (for benchmarks that time training alone). */
  static async prepare(corpus: Corpus, options: Word2VecOptions = {}): Promise<{ vocabulary: Vocabulary; encoded: EncodedCorpus }> {
    return readCorpus(corpus, resolveWord2VecOptions(options));
  }
}

/** Fill in gensim's defaults and check every option, naming the bad one. */
export function resolveWord2VecOptions(options: Word2VecOptions): ResolvedWord2VecOptions {
  const positiveInt = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 1) throw new ValueError(`Word2Vec: ${name} must be a positive integer, got ${String(value)}`);
    return value;
  };
  const resolved: ResolvedWord2VecOptions = {
    mode: options.mode ?? 'cbow',
    dim: positiveInt('dim', options.dim ?? 100),
    window: positiveInt('window', options.window ?? 5),
    negative: options.negative ?? 5,
    hs: options.hs === true || options.hs === 1,
    sample: options.sample ?? 1e-3,
    minCount: positiveInt('minCount', options.minCount ?? 5),
    maxVocab: options.maxVocab ?? null,
    vocabulary: options.vocabulary ?? null,
    epochs: positiveInt('epochs', options.epochs ?? 5),
    alpha: options.alpha ?? 0.025,
    minAlpha: options.minAlpha ?? 0.0001,
    cbowMean: options.cbowMean === undefined ? true : options.cbowMean === true || options.cbowMean === 1,
    nsExponent: options.nsExponent ?? 0.75,
    seed: options.seed ?? 1,
    threads: positiveInt('threads', options.threads ?? 1),
    batchWords: positiveInt('batchWords', options.batchWords ?? 10000),
    engine: options.engine ?? 'fused',
    batchSize: positiveInt('batchSize', options.batchSize ?? 1024),
    device: options.device,
    onProgress: options.onProgress,
    progressInterval: options.progressInterval ?? 1,
  };
  if (resolved.mode !== 'skipgram' && resolved.mode !== 'cbow') throw new ValueError(`Word2Vec: mode must be 'skipgram' or 'cbow', got '${String(resolved.mode)}'`);
  if (resolved.engine !== 'fused' && resolved.engine !== 'autograd') throw new ValueError(`Word2Vec: engine must be 'fused' or 'autograd', got '${String(resolved.engine)}'`);
  if (!Number.isInteger(resolved.negative) || resolved.negative < 0) throw new ValueError(`Word2Vec: negative must be an integer ≥ 0, got ${String(resolved.negative)}`);
  if (resolved.negative === 0 && !resolved.hs) throw new ValueError('Word2Vec: with negative 0 and hs off nothing is trained; set negative > 0 or hs: true');
  for (const name of ['alpha', 'minAlpha', 'sample', 'nsExponent'] as const) {
    if (typeof resolved[name] !== 'number' || !(resolved[name] >= 0) || !Number.isFinite(resolved[name])) throw new ValueError(`Word2Vec: ${name} must be a number ≥ 0, got ${String(resolved[name])}`);
  }
  return resolved;
}

/** The loop's view of the options. */
export function loopSettings(options: ResolvedWord2VecOptions): LoopSettings {
  const { mode, window, sample, epochs, alpha, minAlpha, seed, threads, cbowMean, batchWords, engine, batchSize, onProgress, progressInterval } = options;
  return { mode, window, sample, epochs, alpha, minAlpha, seed, threads, cbowMean, batchWords, engine, batchSize, onProgress, progressInterval };
}

/**
 * The matrices and the example plan of a run: input rows `inputRows` (the vocabulary, plus FastText's
 * n-gram buckets) initialised U(−1, 1)/dim as gensim 4 (word2vec.c: U(−0.5, 0.5)/dim), output rows (Huffman nodes, then words
 * for negative sampling) at zero.
 */
export function buildModel(vocabulary: Vocabulary, options: ResolvedWord2VecOptions, extraInputRows: number): LoopModel {
  const words = vocabulary.words.length;
  const dim = options.dim;
  const huffman = options.hs ? huffmanCodes(vocabulary.counts) : null;
  const hsRows = options.hs ? Math.max(words - 1, 0) : 0;
  const outputRows = hsRows + (options.negative > 0 ? words : 0);
  const inputRows = words + extraInputRows;
  // A seed of its own for the starting vectors, so they do not shift the training stream.
  const init = new TrainingRandom(options.seed ^ 0x5bd1e995);
  const start = new Float32Array(inputRows * dim);
  for (let i = 0; i < start.length; i++) start[i] = (2 * init.float() - 1) / dim;
  const plan = { huffman, negative: options.negative, sampler: options.negative > 0 ? new NegativeSampler(vocabulary.counts, options.nsExponent) : null, negativeOffset: hsRows };
  const device = options.device;
  const input: Tensor = tensor(start, { device, shape: [inputRows, dim] });
  const output: Tensor = tensor(new Float32Array(outputRows * dim), { device, shape: [outputRows, dim] });
  if (options.engine === 'autograd') {
    const inputTable = Embedding.fromPretrained(input, { freeze: false, sparse: true });
    const outputTable = Embedding.fromPretrained(output, { freeze: false, sparse: true });
    input.dispose();
    output.dispose();
    const optimizer = new SGD([inputTable.weight, outputTable.weight], { lr: options.alpha });
    return { input: inputTable.weight, output: outputTable.weight, autograd: { input: inputTable, output: outputTable, optimizer }, plan, rowsOf: null, inputIsCenter: false };
  }
  return { input, output, autograd: null, plan, rowsOf: null, inputIsCenter: false };
}

/** Free a run's tensors. */
export function disposeModel(model: LoopModel): void {
  model.input.dispose();
  model.output.dispose();
}
