/**
 * The k largest scores of each row of a `[Q, N]` score matrix when k ≪ N, exactly, without sorting
 * all N: split each row into blocks of S, keep the k blocks with the largest maxima, and take the
 * top k of their k·S scores. Exact because a block holding one of the k largest scores has a
 * maximum at least that score, and at most k − 1 other blocks can beat it. The sorts shrink from
 * N log N to about (N/S) log(N/S) + kS log(kS) per row; S = √(N/k) balances the two. (Among exactly
 * equal scores the winners may differ from a full sort's.)
 */
import { pad, tidy, type Tensor } from '@tessera/core';

/** The top k of each row: scores best first, and each one's column. */
export interface RowTopk {
  scores: Float32Array | Float64Array;
  columns: Int32Array;
  /** Entries per row (min(k, N)). */
  k: number;
}

/** Below this many columns per selected entry a plain topk is as cheap. */
const DIRECT_RATIO = 16;

/** The top `k` of each row of `scores` (`[Q, N]`, float32 or float64), read back to the host. */
export async function blockTopk(scores: Tensor, k: number): Promise<RowTopk> {
  const [rows, columns] = scores.shape;
  const take = Math.min(k, columns);
  if (take === 0) return { scores: new Float32Array(0), columns: new Int32Array(0), k: 0 };
  if (columns <= take * DIRECT_RATIO) {
    const { values, indices } = scores.topk(take);
    const result = { scores: (await values.data()) as Float32Array | Float64Array, columns: (await indices.data()) as Int32Array, k: take };
    values.dispose();
    indices.dispose();
    return result;
  }
  const size = Math.max(1, Math.round(Math.sqrt(columns / take)));
  const blocks = Math.ceil(columns / size);
  const { values, positions, chosen } = tidy(() => {
    const padded = blocks * size === columns ? scores : pad(scores, [0, blocks * size - columns], 'constant', -Infinity);
    const grouped = padded.reshape([rows, blocks, size]);
    const best = grouped.max(2).values; // [Q, blocks]
    const chosenBlocks = best.topk(take).indices; // [Q, take]
    const candidates = grouped.gather(1, chosenBlocks.unsqueeze(2).expand([rows, take, size])).reshape([rows, take * size]);
    const top = candidates.topk(take);
    return { values: top.values, positions: top.indices, chosen: chosenBlocks };
  });
  const [scoreData, positionData, blockData] = await Promise.all([values.data(), positions.data(), chosen.data()]);
  values.dispose();
  positions.dispose();
  chosen.dispose();
  const out = new Int32Array(rows * take);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < take; j++) {
      const position = positionData[r * take + j];
      const block = blockData[r * take + Math.floor(position / size)];
      out[r * take + j] = block * size + (position % size);
    }
  }
  return { scores: scoreData as Float32Array | Float64Array, columns: out, k: take };
}
