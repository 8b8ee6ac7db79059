/**
 * Trustworthiness (Venna & Kaski): how far an embedding's near neighbours are from being near in the
 * original space. With r(i, j) the rank of j among i's neighbours in the input (1 = nearest) and
 * N_k(i) i's k nearest in the embedding,
 * T(k) = 1 − 2 / (n·k·(2n − 3k − 1)) · Σ_i Σ_{j ∈ N_k(i)} max(0, r(i, j) − k),
 * as scikit-learn's `sklearn.manifold.trustworthiness` (Euclidean distances).
 */
import { ValueError } from '@tessera/core';
import { hostMatrix, type PointsInput } from './matrix-input';
import { squaredDistances } from './tsne-affinities';

/** Options of {@link trustworthiness}. */
export interface TrustworthinessOptions {
  /** Neighbours considered (default 5; below n / 2). */
  neighbors?: number;
  /** Row lengths of flat typed arrays: `[input dim, embedding dim]`. */
  dims?: [number, number];
}

/**
 * How well an embedding keeps local structure, in [0, 1] (1: every embedding neighbour is an input
 * neighbour).
 * @example
 * const { points } = await tsne(vectors);
 * await trustworthiness(vectors, points, { dims: [64, 2] }); // e.g. 0.99
 */
export async function trustworthiness(input: PointsInput, embedding: PointsInput, options: TrustworthinessOptions = {}): Promise<number> {
  const original = await hostMatrix('trustworthiness', input, options.dims?.[0]);
  const embedded = await hostMatrix('trustworthiness', embedding, options.dims?.[1]);
  const n = original.rows;
  const k = options.neighbors ?? 5;
  if (embedded.rows !== n) throw new ValueError(`trustworthiness: ${n} input points but ${embedded.rows} embedded points`);
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) throw new ValueError(`trustworthiness: neighbors must be an integer in 1…${Math.ceil(n / 2) - 1} (below n / 2), got ${k}`);
  const inputDistances = squaredDistances(original);
  const embeddedDistances = squaredDistances(embedded);
  const rank = new Int32Array(n);
  const order = new Int32Array(n);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    // Ranks in the input space (the point itself excluded), ties broken by index.
    sortedNeighbours(inputDistances, n, i, order);
    for (let r = 0; r < n - 1; r++) rank[order[r]] = r + 1;
    sortedNeighbours(embeddedDistances, n, i, order);
    for (let r = 0; r < k; r++) penalty += Math.max(0, rank[order[r]] - k);
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}

/** The other points in increasing distance from `i` (ties by index) into `order[0 … n − 2]`. */
function sortedNeighbours(distances: Float64Array, n: number, i: number, order: Int32Array): void {
  let count = 0;
  for (let j = 0; j < n; j++) if (j !== i) order[count++] = j;
  const row = distances.subarray(i * n, (i + 1) * n);
  order.subarray(0, count).sort((a, b) => row[a] - row[b] || a - b);
}
