/**
 * T5's relative position bias: every (query, key) pair falls into a bucket by the key's offset from
 * the query — exact buckets for small offsets, logarithmically wider ones up to `maxDistance`, one
 * last bucket beyond — and each head learns one scalar per bucket, added to the attention scores.
 * The encoder's buckets are bidirectional (half for keys before the query, half after); the decoder's
 * are causal (only keys at or before the query). Bucket ids depend on the config alone, so they are
 * computed on the host, with float32 rounding exactly as Hugging Face's `_relative_position_bucket`
 * (which takes the log in float32), and looked up in the learned `[buckets, heads]` table.
 */
import { tensor, tidy, ValueError, type Tensor } from '@tessera/core';
import type { Embedding } from '@tessera/nn';

/** How positions map to buckets. */
export interface RelativeBucketOptions {
  /** Keys on both sides of the query (encoder) or only before it (decoder). */
  bidirectional: boolean;
  /** Buckets (T5: 32). */
  numBuckets: number;
  /** Offsets at or beyond this share the last bucket (T5: 128). */
  maxDistance: number;
}

/**
 * The bucket of a key `relativePosition` = key position − query position away from the query, as
 * Hugging Face's `T5Attention._relative_position_bucket` computes it (float32 log included).
 * @example
 * relativePositionBucket(-3, { bidirectional: true, numBuckets: 32, maxDistance: 128 }); // 3
 * relativePositionBucket(3, { bidirectional: true, numBuckets: 32, maxDistance: 128 });  // 19
 */
export function relativePositionBucket(relativePosition: number, options: RelativeBucketOptions): number {
  let numBuckets = options.numBuckets;
  let bucket = 0;
  let distance: number;
  if (options.bidirectional) {
    numBuckets = Math.floor(numBuckets / 2);
    if (relativePosition > 0) bucket += numBuckets;
    distance = Math.abs(relativePosition);
  } else {
    distance = -Math.min(relativePosition, 0);
  }
  const maxExact = Math.floor(numBuckets / 2);
  if (distance < maxExact) return bucket + distance;
  // float32 throughout, as torch: log(d / maxExact) / log(maxDistance / maxExact) · (buckets − maxExact), truncated.
  const f = Math.fround;
  const logRatio = f(Math.log(f(distance / maxExact)));
  const scaled = f(f(logRatio / f(Math.log(options.maxDistance / maxExact))) * (numBuckets - maxExact));
  return bucket + Math.min(maxExact + Math.trunc(scaled), numBuckets - 1);
}

/**
 * Bucket ids `[queries, keys]` (row-major) for queries at positions `queryOffset …` and keys at `0 …`.
 * @example
 * relativePositionBuckets(1, 5, { bidirectional: false, numBuckets: 32, maxDistance: 128 }, 4); // the last decoder position
 */
export function relativePositionBuckets(queries: number, keys: number, options: RelativeBucketOptions, queryOffset = 0): Int32Array {
  if (options.numBuckets < 2) throw new ValueError(`relativePositionBuckets: numBuckets must be at least 2, got ${options.numBuckets}`);
  const buckets = new Int32Array(queries * keys);
  // One bucket per distinct offset: rows differ only by a shift.
  const cache = new Map<number, number>();
  for (let q = 0; q < queries; q++) {
    for (let k = 0; k < keys; k++) {
      const offset = k - (q + queryOffset);
      let bucket = cache.get(offset);
      if (bucket === undefined) {
        bucket = relativePositionBucket(offset, options);
        cache.set(offset, bucket);
      }
      buckets[q * keys + k] = bucket;
    }
  }
  return buckets;
}

/**
 * The additive position bias `[1, heads, queries, keys]` from the learned table `[buckets, heads]`
 * (`relative_attention_bias`), differentiable in the table.
 * @example
 * const bias = relativePositionBias(attention.relative_attention_bias, 7, 7, { bidirectional: true, numBuckets: 32, maxDistance: 128 });
 */
export function relativePositionBias(table: Embedding, queries: number, keys: number, options: RelativeBucketOptions, queryOffset = 0): Tensor {
  return tidy(() => {
    const buckets = tensor(relativePositionBuckets(queries, keys, options, queryOffset), { dtype: 'int32', shape: [queries, keys], device: table.weight.device });
    return table.forward(buckets).permute([2, 0, 1]).unsqueeze(0);
  });
}
