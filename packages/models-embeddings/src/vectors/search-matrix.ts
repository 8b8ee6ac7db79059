/**
 * Cosine nearest-neighbour search on the backend: the vocabulary's unit-normalised rows live in one
 * `[count, dim]` tensor, and a batch of unit queries is answered by one matmul `Q · Mᵀ` and an exact
 * top-k (block-topk.ts: no full sort of the vocabulary), so the work runs wherever the current
 * backend runs (WASM SIMD, WebGPU). Score blocks are capped at 16M values; a larger vocabulary is
 * searched in blocks of rows whose hits are merged.
 *
 * The matrix follows the host storage's dtype: float32 rows; float16 rows (half the memory, cast to
 * float32 a block at a time so scores keep float32 precision); int8 rows as their integer codes
 * (exact in float16) with a per-row factor 1/‖code‖ applied to the scores.
 */
import { ShapeError, ValueError, resolveBackend, tensor, tidy, type Tensor } from '@tessera/core';
import { blockTopk } from './block-topk';
import { Float16Storage, Int8Storage, type VectorStorage } from './vector-storage';

/** Largest score block (queries × rows) one matmul makes: 16M floats, 64 MB. */
const SCORE_BLOCK_ELEMENTS = 1 << 24;
/** Queries per matmul. */
const QUERY_BATCH = 1024;

/** One search result: a row and its score (the cosine with the query, unless a `score` function changed it). */
export interface SearchHit {
  index: number;
  score: number;
}

/** Options of {@link SearchMatrix.search}. */
export interface SearchOptions {
  /** Search only the first `limit` rows. */
  limit?: number;
  /** Row indices result `r` must not contain. */
  exclude?: (result: number) => ReadonlySet<number>;
  /**
   * Turns the cosines of a query batch with a block of rows, `[queries, rows]`, into the scores that
   * rank them, `[results, rows]` (e.g. 3CosMul combines three queries into one result).
   */
  score?: (cosines: Tensor) => Tensor;
}

const EMPTY: ReadonlySet<number> = new Set();

/** The searchable form of a storage: unit rows (or codes and per-row factors) on one backend. */
export class SearchMatrix {
  private constructor(
    /** `[count, dim]`, float32 or float16. */
    readonly rows: Tensor,
    /** `[count]` float32 factors that turn code · query into a cosine (int8 only). */
    readonly rowScale: Tensor | undefined,
    readonly count: number,
    readonly dim: number,
  ) {}

  /** The search matrix of `storage` on `device` (default: the current backend). */
  static build(storage: VectorStorage, device?: string): SearchMatrix {
    const { count, dim } = storage;
    const halfOk = resolveBackend(device).capabilities.dtypes.includes('float16');
    if (storage instanceof Int8Storage) {
      const factors = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        let squares = 0;
        for (let j = i * dim; j < (i + 1) * dim; j++) squares += storage.codes[j] * storage.codes[j];
        factors[i] = squares > 0 ? 1 / Math.sqrt(squares) : 0;
      }
      return new SearchMatrix(
        tensor(Float32Array.from(storage.codes), { shape: [count, dim], dtype: halfOk ? 'float16' : 'float32', device }),
        tensor(factors, { device }),
        count,
        dim,
      );
    }
    const unit = new Float32Array(count * dim);
    const row = new Float32Array(dim);
    for (let i = 0; i < count; i++) unitInto(storage.row(i, row), unit.subarray(i * dim, (i + 1) * dim));
    const dtype = storage instanceof Float16Storage && halfOk ? 'float16' : 'float32';
    return new SearchMatrix(tensor(unit, { shape: [count, dim], dtype, device }), undefined, count, dim);
  }

  /** The backend the matrix lives on. */
  get device(): string {
    return this.rows.device;
  }

  /** Backend bytes the matrix takes. */
  get bytes(): number {
    return this.rows.numel() * (this.rows.dtype === 'float16' ? 2 : 4) + (this.rowScale ? this.count * 4 : 0);
  }

  dispose(): void {
    this.rows.dispose();
    this.rowScale?.dispose();
  }

  /**
   * The `k` best rows for unit `queries` (`[Q, dim]` float32 on this matrix's backend) among the
   * first `limit` rows, skipping `exclude`d indices, best first. Without a `score` function there is
   * one result per query. A result has fewer than `k` hits when fewer rows qualify.
   */
  async search(queries: Tensor, k: number, options: SearchOptions = {}): Promise<SearchHit[][]> {
    if (queries.ndim !== 2 || queries.shape[1] !== this.dim) {
      throw new ShapeError(`nearest: queries must have shape [Q, ${this.dim}], got [${queries.shape.join(', ')}]`);
    }
    const limit = Math.min(options.limit ?? this.count, this.count);
    if (!(limit >= 1)) throw new ValueError(`nearest: the search needs at least one row, got limit ${options.limit} of ${this.count} rows`);
    // A score function may combine queries, so it sees the whole batch at once.
    const batchSize = options.score ? queries.shape[0] : QUERY_BATCH;
    const results: SearchHit[][] = [];
    for (let start = 0; start < queries.shape[0]; start += batchSize) {
      const batch = Math.min(batchSize, queries.shape[0] - start);
      const part = queries.narrow(0, start, batch);
      const hits = await this.searchBatch(part, k, limit, options, results.length);
      for (const [r, list] of hits.entries()) {
        const excluded = options.exclude?.(results.length + r) ?? EMPTY;
        hits[r] = list.filter((hit) => !excluded.has(hit.index)).slice(0, k);
      }
      results.push(...hits);
      part.dispose();
    }
    return results;
  }

  /** One batch of queries against every block of rows, merged best first. */
  private async searchBatch(queries: Tensor, k: number, limit: number, options: SearchOptions, firstResult: number): Promise<SearchHit[][]> {
    const batch = queries.shape[0];
    const blockRows = Math.max(1, Math.min(limit, Math.floor(SCORE_BLOCK_ELEMENTS / Math.max(batch, 1))));
    let merged: SearchHit[][] | undefined;
    for (let begin = 0; begin < limit; begin += blockRows) {
      const size = Math.min(blockRows, limit - begin);
      const { scores, widest } = tidy(() => {
        let block = this.rows.narrow(0, begin, size);
        if (block.dtype !== 'float32') block = block.float();
        let cosines = queries.matmul(block.T);
        if (this.rowScale) cosines = cosines.mul(this.rowScale.narrow(0, begin, size));
        const ranked = options.score ? options.score(cosines) : cosines;
        // Ask for enough hits that k remain after each result's exclusions.
        let most = 0;
        for (let r = 0; r < ranked.shape[0]; r++) most = Math.max(most, options.exclude?.(firstResult + r).size ?? 0);
        return { scores: ranked, widest: most };
      });
      const results = scores.shape[0];
      const top = await blockTopk(scores, k + widest);
      scores.dispose();
      merged ??= Array.from({ length: results }, () => []);
      for (let r = 0; r < results; r++) {
        for (let j = 0; j < top.k; j++) merged[r].push({ index: begin + top.columns[r * top.k + j], score: top.scores[r * top.k + j] });
      }
    }
    if (!merged) throw new ValueError('nearest: no rows were searched');
    if (limit > blockRows) for (const list of merged) list.sort((a, b) => b.score - a.score || a.index - b.index);
    return merged;
  }
}

/** `vector / ‖vector‖` into `out` (zeros stay zeros); the norm is summed in float64. */
export function unitInto(vector: ArrayLike<number>, out: Float32Array): Float32Array {
  let squares = 0;
  for (let j = 0; j < vector.length; j++) squares += vector[j] * vector[j];
  const scale = squares > 0 ? 1 / Math.sqrt(squares) : 0;
  for (let j = 0; j < vector.length; j++) out[j] = vector[j] * scale;
  return out;
}
