/**
 * `BagOfWords`: texts → fixed-length vectors over a vocabulary, ignoring word order — the
 * bag-of-words model: tokenize, lowercase, drop stop words, map tokens to ids, and set the id's
 * position (binary), count it (counts) or weight it by rarity (tf-idf).
 */
import { TokenizerError } from './byte-level';
import { Vocab } from './vocab';
import { WordTokenizer } from './word-tokenizer';

/** A sparse row: the non-zero columns in increasing order and their values. */
export interface SparseVector {
  indices: number[];
  values: number[];
  /** Number of columns (the vocabulary size). */
  size: number;
}

/** Options of `BagOfWords`. */
export interface BagOfWordsOptions {
  /** `'binary'` (default: 1 if the word occurs), `'counts'`, or `'tfidf'`. */
  mode?: 'binary' | 'counts' | 'tfidf';
  /** Tokenizer; default `new WordTokenizer({ stopWords: true, punctuation: 'remove' })` (the course's steps). */
  tokenizer?: { tokenize(text: string): string[] };
  /** A fixed vocabulary (columns = its ids); otherwise `fit` builds one with no special tokens. */
  vocab?: Vocab;
  /** Words in fewer documents are left out of the vocabulary `fit` builds. Default 1. */
  minFrequency?: number;
  /** At most this many columns (the most frequent words). */
  maxSize?: number;
  /** tf-idf: `idf = ln((1 + n) / (1 + df)) + 1` (true, default) or `ln(n / df) + 1`, as scikit-learn. */
  smoothIdf?: boolean;
  /** tf-idf: use `1 + ln(tf)` for the term frequency. Default false. */
  sublinearTf?: boolean;
  /** tf-idf rows are scaled to unit L2 norm (`'l2'`, default) or not (`null`). */
  norm?: 'l2' | null;
}

/**
 * Bag-of-words vectors.
 * @example
 * const bow = new BagOfWords({ mode: 'counts' }).fit(['the cat sat', 'the cat ate the fish']);
 * bow.vocab.tokens; // ['cat', 'ate', 'fish', 'sat']
 * bow.transform(['a cat, a fish and a cat']); // [[2, 0, 1, 0]]
 */
export class BagOfWords {
  readonly mode: 'binary' | 'counts' | 'tfidf';
  readonly tokenizer: { tokenize(text: string): string[] };
  private vocabulary: Vocab | undefined;
  /** tf-idf weights per column (after `fit`). */
  idf: Float64Array | undefined;
  private readonly options: BagOfWordsOptions;

  constructor(options: BagOfWordsOptions = {}) {
    this.mode = options.mode ?? 'binary';
    if (!['binary', 'counts', 'tfidf'].includes(this.mode)) throw new TokenizerError(`BagOfWords: mode must be 'binary', 'counts' or 'tfidf', got ${JSON.stringify(this.mode)}`);
    this.tokenizer = options.tokenizer ?? new WordTokenizer({ stopWords: true, punctuation: 'remove' });
    this.vocabulary = options.vocab;
    this.options = options;
  }

  /** The vocabulary: column `j` is `vocab.idToToken(j)`. */
  get vocab(): Vocab {
    if (this.vocabulary === undefined) throw new TokenizerError('BagOfWords: not fitted; call fit(texts) or pass { vocab }');
    return this.vocabulary;
  }

  /** Column names (the vocabulary's tokens). */
  featureNames(): string[] {
    return [...this.vocab.tokens];
  }

  /**
   * Learns the vocabulary (unless one was given; words ranked by document frequency) and, for tf-idf,
   * the idf weights.
   */
  fit(texts: readonly string[]): this {
    const documents = this.tokenizeAll(texts, 'fit');
    if (this.options.vocab === undefined) {
      this.vocabulary = Vocab.fromCounts(
        documents.map((tokens) => new Set(tokens)),
        { specialTokens: [], unkToken: null, minFrequency: this.options.minFrequency, maxSize: this.options.maxSize },
      );
    }
    const vocab = this.vocab;
    const df = new Float64Array(vocab.size);
    for (const tokens of documents) {
      for (const token of new Set(tokens)) {
        const id = vocab.get(token);
        if (id !== undefined) df[id]!++;
      }
    }
    const n = documents.length;
    const smooth = this.options.smoothIdf ?? true;
    this.idf = df.map((count) => (smooth ? Math.log((1 + n) / (1 + count)) + 1 : count === 0 ? 1 : Math.log(n / count) + 1));
    return this;
  }

  /** Dense rows, one per text (`size` columns). Words outside the vocabulary are ignored. */
  transform(texts: readonly string[]): number[][];
  /** Sparse rows, one per text. */
  transform(texts: readonly string[], options: { sparse: true }): SparseVector[];
  transform(texts: readonly string[], options: { sparse?: boolean } = {}): number[][] | SparseVector[] {
    const vocab = this.vocab;
    if (this.mode === 'tfidf' && this.idf === undefined) throw new TokenizerError('BagOfWords.transform: tf-idf needs fit(texts) first');
    const rows = this.tokenizeAll(texts, 'transform').map((tokens) => this.sparseRow(tokens, vocab));
    if (options.sparse) return rows;
    return rows.map((row) => {
      const dense = new Array<number>(row.size).fill(0);
      row.indices.forEach((column, k) => (dense[column] = row.values[k]!));
      return dense;
    });
  }

  /** `fit(texts)` then `transform(texts)`. */
  fitTransform(texts: readonly string[]): number[][] {
    return this.fit(texts).transform(texts);
  }

  private sparseRow(tokens: string[], vocab: Vocab): SparseVector {
    const counts = new Map<number, number>();
    for (const token of tokens) {
      const id = vocab.get(token);
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const indices = [...counts.keys()].sort((a, b) => a - b);
    let values = indices.map((id) => counts.get(id)!);
    if (this.mode === 'binary') values = values.map(() => 1);
    else if (this.mode === 'tfidf') {
      values = values.map((tf, k) => (this.options.sublinearTf ? 1 + Math.log(tf) : tf) * this.idf![indices[k]!]!);
      if ((this.options.norm === undefined ? 'l2' : this.options.norm) === 'l2') {
        const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
        if (norm > 0) values = values.map((v) => v / norm);
      }
    }
    return { indices, values, size: vocab.size };
  }

  private tokenizeAll(texts: readonly string[], op: string): string[][] {
    if (!Array.isArray(texts)) throw new TokenizerError(`BagOfWords.${op}: expected an array of texts, got ${typeof texts === 'string' ? 'a single string (wrap it in an array)' : typeof texts}`);
    return texts.map((text, i) => {
      if (typeof text !== 'string') throw new TokenizerError(`BagOfWords.${op}: text ${i} is ${typeof text}, not a string`);
      return this.tokenizer.tokenize(text);
    });
  }
}

/**
 * One-hot rows of `tokens` over `vocab` (unknown tokens → the unknown token, or an error).
 * @example
 * oneHotTokens(['b', 'a'], Vocab.fromCounts({ a: 2, b: 1 }, { specialTokens: [] })); // [[0, 1], [1, 0]]
 */
export function oneHotTokens(tokens: readonly string[], vocab: Vocab): number[][] {
  return vocab.oneHot(tokens);
}
