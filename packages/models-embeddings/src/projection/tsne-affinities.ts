/**
 * t-SNE's input affinities, as scikit-learn computes them: for each point a Gaussian over its squared
 * distances whose precision β is found by bisection until the entropy matches log(perplexity), then
 * P = (P_cond + P_condᵀ) / sum. Exact t-SNE uses every pair (a dense matrix); Barnes–Hut uses only each
 * point's ⌊3·perplexity + 1⌋ nearest neighbours (a sparse, symmetrised matrix).
 */
import { tensor, tidy, resolveBackend } from '@tessera/core';
import { blockTopk } from '../vectors/block-topk';
import type { HostMatrix } from './matrix-input';

/** scikit-learn's MACHINE_EPSILON: the floor of P and Q. */
export const MACHINE_EPSILON = 2 ** -52;
const PERPLEXITY_TOLERANCE = 1e-5;
const STEPS = 100;
const MIN_SUM = 1e-8;

/**
 * One row of conditional probabilities (scikit-learn's `_binary_search_perplexity`): exp(−β·d²)
 * normalised, with β bisected until the row's entropy is log(perplexity). `skip` is the point itself
 * in a dense row (its probability stays 0).
 */
export function conditionalRow(distances: ArrayLike<number>, perplexity: number, out: Float64Array, skip = -1): void {
  const desiredEntropy = Math.log(perplexity);
  let beta = 1;
  let betaMin = -Infinity;
  let betaMax = Infinity;
  for (let step = 0; step < STEPS; step++) {
    let sum = 0;
    for (let j = 0; j < distances.length; j++) {
      out[j] = j === skip ? 0 : Math.exp(-distances[j] * beta);
      sum += out[j];
    }
    if (sum === 0) sum = MIN_SUM;
    let weighted = 0;
    for (let j = 0; j < distances.length; j++) {
      out[j] /= sum;
      weighted += distances[j] * out[j];
    }
    const entropyDifference = Math.log(sum) + beta * weighted - desiredEntropy;
    if (Math.abs(entropyDifference) <= PERPLEXITY_TOLERANCE) break;
    if (entropyDifference > 0) {
      betaMin = beta;
      beta = betaMax === Infinity ? beta * 2 : (beta + betaMax) / 2;
    } else {
      betaMax = beta;
      beta = betaMin === -Infinity ? beta / 2 : (beta + betaMin) / 2;
    }
  }
}

/** Squared Euclidean distances of every pair, `[n, n]` (float64, on the host). */
export function squaredDistances({ values, rows, cols }: HostMatrix): Float64Array {
  const out = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = i + 1; j < rows; j++) {
      let sum = 0;
      for (let d = 0; d < cols; d++) {
        const difference = values[i * cols + d] - values[j * cols + d];
        sum += difference * difference;
      }
      out[i * rows + j] = sum;
      out[j * rows + i] = sum;
    }
  }
  return out;
}

/** Dense joint probabilities `[n, n]`: symmetrised, normalised to sum 1, off-diagonal floored at ε. */
export function denseAffinities(points: HostMatrix, perplexity: number): Float64Array {
  const n = points.rows;
  const distances = squaredDistances(points);
  const P = new Float64Array(n * n);
  for (let i = 0; i < n; i++) conditionalRow(distances.subarray(i * n, (i + 1) * n), perplexity, P.subarray(i * n, (i + 1) * n), i);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const joint = P[i * n + j] + P[j * n + i];
      P[i * n + j] = joint;
      P[j * n + i] = joint;
      sum += 2 * joint;
    }
  }
  sum = Math.max(sum, MACHINE_EPSILON);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) P[i * n + j] = i === j ? 0 : Math.max(P[i * n + j] / sum, MACHINE_EPSILON);
  }
  return P;
}

/** A sparse symmetric matrix in compressed rows. */
export interface SparseRows {
  /** Row i's entries are `columns/values[offsets[i] … offsets[i + 1])`, columns ascending. */
  offsets: Int32Array;
  columns: Int32Array;
  values: Float64Array;
}

/**
 * Sparse joint probabilities from each point's nearest neighbours (found with one matmul per block
 * of points on the backend and an exact top-k): P_cond over the neighbours, then (P + Pᵀ) / sum.
 */
export async function sparseAffinities(points: HostMatrix, perplexity: number): Promise<SparseRows> {
  const n = points.rows;
  const neighbours = Math.min(n - 1, Math.floor(3 * perplexity + 1));
  const { indices, distances } = await nearestNeighbours(points, neighbours);
  const conditional = new Float64Array(n * neighbours);
  for (let i = 0; i < n; i++) {
    conditionalRow(distances.subarray(i * neighbours, (i + 1) * neighbours), perplexity, conditional.subarray(i * neighbours, (i + 1) * neighbours));
  }
  // P + Pᵀ: every (i, j) entry also lands in row j.
  const entries: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < neighbours; k++) {
      const j = indices[i * neighbours + k];
      const value = conditional[i * neighbours + k];
      entries[i].set(j, (entries[i].get(j) ?? 0) + value);
      entries[j].set(i, (entries[j].get(i) ?? 0) + value);
    }
  }
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + entries[i].size;
  const columns = new Int32Array(offsets[n]);
  const values = new Float64Array(offsets[n]);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const sorted = [...entries[i].entries()].sort((a, b) => a[0] - b[0]);
    sorted.forEach(([j, value], k) => {
      columns[offsets[i] + k] = j;
      values[offsets[i] + k] = value;
      sum += value;
    });
  }
  sum = Math.max(sum, MACHINE_EPSILON);
  for (let e = 0; e < values.length; e++) values[e] /= sum;
  return { offsets, columns, values };
}

/**
 * The `k` nearest other points of every point and their squared distances, exactly: ‖x‖² + ‖y‖² − 2x·y
 * by blocks of rows on the backend (float64 where it has it), then the two-stage top-k.
 */
async function nearestNeighbours({ values, rows, cols }: HostMatrix, k: number): Promise<{ indices: Int32Array; distances: Float64Array }> {
  const dtype = resolveBackend(undefined).capabilities.dtypes.includes('float64') ? 'float64' : 'float32';
  const squaredNorms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) for (let d = 0; d < cols; d++) squaredNorms[i] += values[i * cols + d] ** 2;
  const all = tensor(dtype === 'float64' ? values : Float32Array.from(values), { shape: [rows, cols], dtype });
  const norms = tensor(dtype === 'float64' ? squaredNorms : Float32Array.from(squaredNorms), { dtype });
  const indices = new Int32Array(rows * k);
  const distances = new Float64Array(rows * k);
  const blockRows = Math.max(1, Math.floor((1 << 22) / rows));
  try {
    for (let start = 0; start < rows; start += blockRows) {
      const count = Math.min(blockRows, rows - start);
      const negative = tidy(() => {
        const block = all.narrow(0, start, count);
        // −‖x − y‖² = 2x·y − ‖x‖² − ‖y‖²: the nearest are the largest.
        return block.matmul(all.T).mul(2).sub(norms.narrow(0, start, count).unsqueeze(1)).sub(norms.unsqueeze(0));
      });
      const top = await blockTopk(negative, k + 1);
      negative.dispose();
      for (let r = 0; r < count; r++) {
        const i = start + r;
        let written = 0;
        for (let j = 0; j < top.k && written < k; j++) {
          const column = top.columns[r * top.k + j];
          if (column === i) continue; // the point itself (k + 1 were asked for)
          indices[i * k + written] = column;
          distances[i * k + written] = Math.max(0, -top.scores[r * top.k + j]);
          written++;
        }
      }
    }
  } finally {
    all.dispose();
    norms.dispose();
  }
  return { indices, distances };
}
