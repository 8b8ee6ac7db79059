/**
 * `WordVectors`: a vocabulary and one vector per word, with the questions people ask of them —
 * similarity, nearest neighbours, analogies, the odd one out — in the spirit of gensim's KeyedVectors.
 *
 * The vectors live in host memory (float32, or float16 / int8 after `quantize`), so looking up one
 * word or comparing two is synchronous. Questions about the whole vocabulary go to the backend: the
 * unit-normalised matrix is uploaded once (on first use, per backend) and each batch of queries is
 * one matmul plus a `topk`, so they are `async`.
 */
import { ShapeError, ValueError, getBackend, tensor, type Tensor } from '@tessera/core';
import { OutOfVocabularyError } from '../errors';
import { closeSpellings } from './close-spellings';
import type { OovPolicy } from './oov';
import { SearchMatrix, unitInto, type SearchHit } from './search-matrix';
import { Float32Storage, Float16Storage, Int8Storage, decodeAll, encodeStorage, type VectorDType, type VectorStorage } from './vector-storage';

/** Options of the {@link WordVectors} constructor. */
export interface WordVectorsOptions {
  /** What a word outside the vocabulary gets (default `'error'`). */
  oov?: OovPolicy;
}

/**
 * Internal: options with a word → row map built by a reader, adopted instead of building a second
 * one (a map entry per word costs about a tenth of a 100-dim row). Not exported from the package.
 */
export interface AdoptedLookup extends WordVectorsOptions {
  lookup: Map<string, number>;
}

/** A word found by a search, with its score (a cosine similarity, or the 3CosMul score). */
export interface Neighbor {
  word: string;
  index: number;
  similarity: number;
}

/** A word, or a vector of `dim` values, as a term of a query. */
export type WordOrVector = string | ArrayLike<number>;

/** Options of {@link WordVectors.mostSimilar}. */
export interface MostSimilarOptions {
  /** Terms that count against (subtracted with weight −1, as gensim). */
  negative?: WordOrVector | readonly WordOrVector[];
  /** How many neighbours (default 10). */
  topN?: number;
  /** Search only the first `restrictVocab` words (files list the most frequent first). */
  restrictVocab?: number;
}

/** Options of {@link WordVectors.analogy}. */
export interface AnalogyOptions {
  /**
   * `'3CosAdd'` (default): the word closest to b − a + c (as gensim's `most_similar`);
   * `'3CosMul'`: Levy & Goldberg's cos(d,b)·cos(d,c) / (cos(d,a) + 0.001) with cosines shifted to [0, 1].
   */
  method?: '3CosAdd' | '3CosMul';
  /** How many answers (default 1). */
  topN?: number;
  /** Search only the first `restrictVocab` words. */
  restrictVocab?: number;
}

/** Options of {@link WordVectors.nearest}. */
export interface NearestOptions {
  /** Search only the first `restrictVocab` words. */
  restrictVocab?: number;
}

/** Levy & Goldberg's ε for 3CosMul (gensim uses 1e-6). */
const COSMUL_EPSILON = 0.001;

/**
 * A vocabulary and its vectors (row i is the vector of `words[i]`).
 * @example
 * import '@tessera/backend-cpu';
 * const wv = new WordVectors(['king', 'queen', 'man', 'woman'], matrix, 50);
 * wv.similarity('king', 'queen');
 * (await wv.analogy('man', 'king', 'woman'))[0].word; // 'queen' on good vectors
 */
export class WordVectors {
  /** The vocabulary, in row order. */
  readonly words: readonly string[];
  /** The vectors' length. */
  readonly dim: number;
  /** What a word outside the vocabulary gets; may be changed (e.g. FastText plugs in its subword function). */
  oov: OovPolicy;
  private storage: VectorStorage;
  private readonly lookup: Map<string, number>;
  private search: SearchMatrix | undefined;

  /**
   * @param words the vocabulary, no duplicates.
   * @param vectors `[words.length, dim]` values, row-major: a Float32Array (kept as is, not copied), a
   *   tensor (read synchronously; on a backend without sync reads use {@link WordVectors.fromTensor}),
   *   or another WordVectors' storage.
   * @param dim the vectors' length.
   */
  constructor(words: readonly string[], vectors: Tensor | Float32Array | VectorStorage, dim: number, options: WordVectorsOptions = {}) {
    if (!Number.isInteger(dim) || dim < 1) throw new ValueError(`WordVectors: dim must be a positive integer, got ${dim}`);
    this.words = words;
    this.dim = dim;
    this.oov = checkOov(options.oov ?? 'error');
    this.storage = toStorage(words.length, vectors, dim);
    const adopted = (options as Partial<AdoptedLookup>).lookup;
    if (adopted && adopted.size === words.length) {
      this.lookup = adopted;
      return;
    }
    this.lookup = new Map();
    for (let i = 0; i < words.length; i++) {
      const word = words[i];
      if (typeof word !== 'string') throw new ValueError(`WordVectors: words[${i}] is ${typeof word}, expected a string`);
      const first = this.lookup.get(word);
      if (first !== undefined) throw new ValueError(`WordVectors: duplicate word ${JSON.stringify(word)} at rows ${first} and ${i}`);
      this.lookup.set(word, i);
    }
  }

  /**
   * WordVectors from a `[words.length, dim]` tensor on any backend (reads it asynchronously).
   * @example
   * const wv = await WordVectors.fromTensor(words, embedding.weight);
   */
  static async fromTensor(words: readonly string[], vectors: Tensor, options: WordVectorsOptions = {}): Promise<WordVectors> {
    checkMatrixShape(words.length, vectors);
    const data = await vectors.float().data();
    return new WordVectors(words, data as Float32Array, vectors.shape[1], options);
  }

  /** How many words. */
  get count(): number {
    return this.words.length;
  }

  /** How the vectors are stored: `'float32'`, `'float16'` or `'int8'`. */
  get dtype(): VectorDType {
    return this.storage.dtype;
  }

  /** Host bytes the vectors take (the search matrix on the backend comes on top, once built). */
  get bytes(): number {
    return this.storage.bytes;
  }

  /** Whether `word` is in the vocabulary. @example wv.has('king') */
  has(word: string): boolean {
    return this.lookup.has(word);
  }

  /**
   * The row of `word`; throws an `OutOfVocabularyError` when it is not in the vocabulary.
   * @example wv.index('king') // e.g. 1842
   */
  index(word: string): number {
    const index = this.lookup.get(word);
    if (index === undefined) throw this.unknown('index', word);
    return index;
  }

  /**
   * A copy of the vector of `word` (unit length with `{ norm: true }`); a word outside the
   * vocabulary follows the `oov` policy.
   * @example wv.get('king') // Float32Array(dim)
   */
  get(word: string, options: { norm?: boolean } = {}): Float32Array {
    const vector = this.vectorOf('get', word);
    return options.norm ? unitInto(vector, vector) : vector;
  }

  /**
   * A copy of row `index`'s vector.
   * @example wv.vectorAt(0) // the first word's vector
   */
  vectorAt(index: number, out?: Float32Array): Float32Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new ValueError(`WordVectors.vectorAt: index ${index} is out of range for ${this.count} words`);
    }
    return this.storage.row(index, out);
  }

  /**
   * The cosine similarity of two words (or vectors), in [−1, 1].
   * @example wv.similarity('king', 'queen') // e.g. 0.73
   */
  similarity(a: WordOrVector, b: WordOrVector): number {
    return cosine(this.term('similarity', a), this.term('similarity', b));
  }

  /**
   * The `topN` words closest to the mean of the unit `positive` terms minus the unit `negative`
   * ones (gensim's `most_similar`); the query words themselves are left out. Vectors given as
   * terms count unnormalised, as in gensim.
   * @example
   * await wv.mostSimilar('whale', { topN: 5 });
   * await wv.mostSimilar(['king', 'woman'], { negative: ['man'] }); // queen first on good vectors
   */
  async mostSimilar(positive: WordOrVector | readonly WordOrVector[], options: MostSimilarOptions = {}): Promise<Neighbor[]> {
    const topN = checkTopN('mostSimilar', options.topN ?? 10);
    const positives = asTerms(positive);
    const negatives = options.negative === undefined ? [] : asTerms(options.negative);
    if (positives.length + negatives.length === 0) throw new ValueError('mostSimilar: give at least one positive or negative word');
    const mean = new Float64Array(this.dim);
    const exclude = new Set<number>();
    for (const [terms, weight] of [[positives, 1], [negatives, -1]] as const) {
      for (const term of terms) {
        let vector: Float32Array;
        if (typeof term === 'string') {
          vector = this.get(term, { norm: true });
          const index = this.lookup.get(term);
          if (index !== undefined) exclude.add(index);
        } else {
          vector = this.checkVector('mostSimilar', term);
        }
        for (let j = 0; j < this.dim; j++) mean[j] += weight * vector[j];
      }
    }
    const query = unitInto(mean, new Float32Array(this.dim));
    const [hits] = await this.searchUnit(query, 1, topN, { restrictVocab: options.restrictVocab, exclude: () => exclude });
    return this.neighbors(hits);
  }

  /**
   * "a is to b as c is to ?": the words d that best fit b − a + c, the three question words left out.
   * @example
   * (await wv.analogy('man', 'king', 'woman'))[0].word;                          // 'queen'
   * (await wv.analogy('paris', 'france', 'rome', { method: '3CosMul' }))[0].word; // 'italy'
   */
  async analogy(a: string, b: string, c: string, options: AnalogyOptions = {}): Promise<Neighbor[]> {
    const method = options.method ?? '3CosAdd';
    const topN = checkTopN('analogy', options.topN ?? 1);
    if (method === '3CosAdd') return this.mostSimilar([b, c], { negative: [a], topN, restrictVocab: options.restrictVocab });
    if (method !== '3CosMul') throw new ValueError(`analogy: method must be '3CosAdd' or '3CosMul', got ${JSON.stringify(method)}`);
    const queries = new Float32Array(3 * this.dim);
    const exclude = new Set<number>();
    [a, b, c].forEach((word, q) => {
      queries.set(this.get(word, { norm: true }), q * this.dim);
      const index = this.lookup.get(word);
      if (index !== undefined) exclude.add(index);
    });
    const [hits] = await this.searchUnit(queries, 3, topN, {
      restrictVocab: options.restrictVocab,
      exclude: () => exclude,
      // rows a, b, c of the cosines, each shifted to [0, 1]: b′·c′ / (a′ + ε)
      score: (cosines) => {
        const [shiftedA, shiftedB, shiftedC] = cosines.add(1).mul(0.5).split(1, 0);
        return shiftedB.mul(shiftedC).div(shiftedA.add(COSMUL_EPSILON));
      },
    });
    return this.neighbors(hits);
  }

  /**
   * The word that fits least with the others: the farthest from the mean of their unit vectors
   * (gensim's `doesnt_match`).
   * @example wv.doesntMatch(['breakfast', 'cereal', 'dinner', 'lunch']) // 'cereal'
   */
  doesntMatch(words: readonly string[]): string {
    if (words.length === 0) throw new ValueError('doesntMatch: give at least one word');
    const units = words.map((word) => this.get(word, { norm: true }));
    const mean = new Float64Array(this.dim);
    for (const unit of units) for (let j = 0; j < this.dim; j++) mean[j] += unit[j];
    const center = unitInto(mean, new Float32Array(this.dim));
    let worst = 0;
    let worstScore = Infinity;
    units.forEach((unit, i) => {
      const score = dot(unit, center);
      if (score < worstScore) [worst, worstScore] = [i, score];
    });
    return words[worst];
  }

  /**
   * The `k` nearest words (by cosine) of each query vector: one batched matmul of the unit queries
   * with the unit-normalised vocabulary on the current backend, then `topk`.
   * @param vectors `[Q, dim]` or `[dim]`: a tensor, a Float32Array of Q·dim values, or an array of vectors.
   * @example
   * const [hits] = await wv.nearest(wv.get('whale'), 5); // hits[0].word === 'whale'
   */
  async nearest(vectors: Tensor | Float32Array | readonly ArrayLike<number>[], k: number, options: NearestOptions = {}): Promise<Neighbor[][]> {
    checkTopN('nearest', k);
    let queries: Tensor;
    if (vectors instanceof Float32Array || Array.isArray(vectors)) {
      const flat = vectors instanceof Float32Array ? vectors : flatten(vectors as readonly ArrayLike<number>[], this.dim);
      if (flat.length % this.dim !== 0 || flat.length === 0) {
        throw new ShapeError(`nearest: ${flat.length} values are not a whole number of vectors of dim ${this.dim}`);
      }
      const count = flat.length / this.dim;
      const unit = new Float32Array(flat.length);
      for (let q = 0; q < count; q++) unitInto(flat.subarray(q * this.dim, (q + 1) * this.dim), unit.subarray(q * this.dim, (q + 1) * this.dim));
      queries = tensor(unit, { shape: [count, this.dim] });
    } else {
      const matrix = vectors as Tensor;
      const rows = matrix.ndim === 1 ? matrix.unsqueeze(0) : matrix;
      if (rows.ndim !== 2 || rows.shape[1] !== this.dim) {
        throw new ShapeError(`nearest: query tensor must have shape [Q, ${this.dim}] or [${this.dim}], got [${matrix.shape.join(', ')}]`);
      }
      const float = rows.float();
      queries = float.div(float.norm(2, 1, true).clampMin(1e-30));
    }
    try {
      const matrix = this.searchMatrix();
      const hits = await matrix.search(queries, k, { limit: this.restrict('nearest', options.restrictVocab) });
      return hits.map((list) => this.neighbors(list));
    } finally {
      queries.dispose();
    }
  }

  /**
   * Scale every vector to unit length, in place (gensim's `unit_normalize_all`); zero vectors stay zero.
   * @example wv.normalize().similarity('a', 'b') === dot(wv.get('a'), wv.get('b'))
   */
  normalize(): this {
    const values = decodeAll(this.storage);
    const out = this.storage instanceof Float32Storage ? values : new Float32Array(values.length);
    for (let i = 0; i < this.count; i++) unitInto(values.subarray(i * this.dim, (i + 1) * this.dim), out.subarray(i * this.dim, (i + 1) * this.dim));
    const normalized = new Float32Storage(out, this.count, this.dim);
    this.storage = this.storage.dtype === 'float32' ? normalized : encodeStorage(normalized, this.storage.dtype);
    this.invalidate();
    return this;
  }

  /**
   * A copy stored as float16 (half the memory) or int8 with one scale per row (a quarter, plus 4 bytes
   * a row); `'float32'` decodes back. The vocabulary is shared.
   * @example
   * const small = wv.quantize('int8');
   * await small.mostSimilar('king'); // nearly the same neighbours, a quarter of the memory
   */
  quantize(dtype: VectorDType): WordVectors {
    if (dtype !== 'float32' && dtype !== 'float16' && dtype !== 'int8') {
      throw new ValueError(`WordVectors.quantize: dtype must be 'float32', 'float16' or 'int8', got ${JSON.stringify(dtype)}`);
    }
    return new WordVectors(this.words, encodeStorage(this.storage, dtype), this.dim, { oov: this.oov });
  }

  /**
   * The vectors as one float32 tensor `[count, dim]` (e.g. for `Embedding.fromPretrained`).
   * @example const weight = wv.toTensor();
   */
  toTensor(options: { device?: string } = {}): Tensor {
    return tensor(decodeAll(this.storage), { shape: [this.count, this.dim], device: options.device });
  }

  /** The host storage (for writers and quantised files). */
  get vectorStorage(): VectorStorage {
    return this.storage;
  }

  /** Free the search matrix on the backend (it is rebuilt on the next search). */
  dispose(): void {
    this.invalidate();
  }

  /** The vector of a word, following the oov policy: a fresh array. */
  private vectorOf(op: string, word: string): Float32Array {
    const index = this.lookup.get(word);
    if (index !== undefined) return this.storage.row(index);
    if (this.oov === 'zero') return new Float32Array(this.dim);
    if (this.oov === 'error') throw this.unknown(op, word);
    const vector = this.oov(word);
    if (!(vector instanceof Float32Array) || vector.length !== this.dim) {
      throw new ShapeError(`${op}: the oov function gave ${describe(vector)} for ${JSON.stringify(word)}, expected a Float32Array of dim ${this.dim}`);
    }
    return vector.slice();
  }

  private term(op: string, term: WordOrVector): Float32Array {
    return typeof term === 'string' ? this.vectorOf(op, term) : this.checkVector(op, term);
  }

  private checkVector(op: string, vector: ArrayLike<number>): Float32Array {
    if (vector.length !== this.dim) throw new ShapeError(`${op}: a vector term has ${vector.length} values, expected dim ${this.dim}`);
    return Float32Array.from(vector);
  }

  private unknown(op: string, word: string): OutOfVocabularyError {
    const close = closeSpellings(word, this.words);
    return new OutOfVocabularyError(op, word, close.length > 0 ? ` (close: ${close.map((w) => JSON.stringify(w)).join(', ')})` : '');
  }

  private restrict(op: string, restrictVocab: number | undefined): number {
    if (restrictVocab === undefined) return this.count;
    if (!Number.isInteger(restrictVocab) || restrictVocab < 1) {
      throw new ValueError(`${op}: restrictVocab must be a positive integer, got ${restrictVocab}`);
    }
    return Math.min(restrictVocab, this.count);
  }

  /** The search matrix on the current backend (built on first use, rebuilt after a backend switch). */
  private searchMatrix(): SearchMatrix {
    if (this.count === 0) throw new ValueError('nearest: the vocabulary is empty');
    if (this.search && this.search.device !== getBackend()) this.invalidate();
    this.search ??= SearchMatrix.build(this.storage);
    return this.search;
  }

  private async searchUnit(
    queries: Float32Array,
    count: number,
    k: number,
    options: { restrictVocab?: number; exclude: () => ReadonlySet<number>; score?: (cosines: Tensor) => Tensor },
  ): Promise<SearchHit[][]> {
    const limit = this.restrict('mostSimilar', options.restrictVocab);
    const matrix = this.searchMatrix();
    const q = tensor(queries, { shape: [count, this.dim] });
    try {
      return await matrix.search(q, k, { limit, exclude: options.exclude, score: options.score });
    } finally {
      q.dispose();
    }
  }

  private neighbors(hits: readonly SearchHit[]): Neighbor[] {
    return hits.map(({ index, score }) => ({ word: this.words[index], index, similarity: score }));
  }

  private invalidate(): void {
    this.search?.dispose();
    this.search = undefined;
  }
}

function toStorage(count: number, vectors: Tensor | Float32Array | VectorStorage, dim: number): VectorStorage {
  if (vectors instanceof Float32Storage || vectors instanceof Float16Storage || vectors instanceof Int8Storage) {
    if (vectors.count !== count || vectors.dim !== dim) {
      throw new ShapeError(`WordVectors: the storage holds ${vectors.count}×${vectors.dim} vectors, expected ${count}×${dim}`);
    }
    return vectors;
  }
  if (vectors instanceof Float32Array) {
    if (vectors.length !== count * dim) {
      throw new ShapeError(`WordVectors: ${count} words of dim ${dim} need ${count * dim} values, got a Float32Array of ${vectors.length}`);
    }
    return new Float32Storage(vectors, count, dim);
  }
  const matrix = vectors as Tensor;
  checkMatrixShape(count, matrix);
  if (matrix.shape[1] !== dim) throw new ShapeError(`WordVectors: the tensor has shape [${matrix.shape.join(', ')}] but dim is ${dim}`);
  if (!matrix.canReadSync) {
    throw new ValueError(`WordVectors: the '${matrix.device}' backend reads asynchronously; use await WordVectors.fromTensor(words, vectors)`);
  }
  return new Float32Storage(Float32Array.from(matrix.float().dataSync() as Float32Array), count, dim);
}

function checkMatrixShape(count: number, matrix: Tensor): void {
  if (matrix.ndim !== 2 || matrix.shape[0] !== count) {
    throw new ShapeError(`WordVectors: vectors must have shape [${count}, dim] (one row per word), got [${matrix.shape.join(', ')}]`);
  }
}

function checkOov(oov: OovPolicy): OovPolicy {
  if (oov === 'error' || oov === 'zero' || typeof oov === 'function') return oov;
  throw new ValueError(`WordVectors: oov must be 'error', 'zero' or a function, got ${JSON.stringify(oov)}`);
}

function checkTopN(op: string, topN: number): number {
  if (!Number.isInteger(topN) || topN < 1) throw new ValueError(`${op}: topN must be a positive integer, got ${topN}`);
  return topN;
}

function asTerms(terms: WordOrVector | readonly WordOrVector[]): readonly WordOrVector[] {
  if (typeof terms === 'string' || ArrayBuffer.isView(terms)) return [terms as WordOrVector];
  const list = terms as readonly WordOrVector[];
  // An array of numbers is one vector; an array of words or vectors is a list of terms.
  return list.length > 0 && typeof list[0] === 'number' ? [terms as ArrayLike<number>] : list;
}

function flatten(vectors: readonly ArrayLike<number>[], dim: number): Float32Array {
  const flat = new Float32Array(vectors.length * dim);
  vectors.forEach((vector, q) => {
    if (vector.length !== dim) throw new ShapeError(`nearest: query ${q} has ${vector.length} values, expected dim ${dim}`);
    flat.set(vector, q * dim);
  });
  return flat;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += a[j] * b[j];
  return sum;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < a.length; j++) {
    ab += a[j] * b[j];
    aa += a[j] * a[j];
    bb += b[j] * b[j];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

function describe(value: unknown): string {
  if (value instanceof Float32Array) return `a Float32Array of ${value.length}`;
  return value === null ? 'null' : typeof value;
}
