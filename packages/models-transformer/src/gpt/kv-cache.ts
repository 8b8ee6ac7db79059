/**
 * GPT's key/value cache: per block, the keys and values of every position read so far, so decoding
 * one more token costs one position's work instead of the whole context's. Plain nested arrays of
 * tensors (an nn `TensorState`), so beam search can reorder it and `disposeState` free it.
 */
import type { Tensor } from '@tessera/core';

/** One block's cache: keys and values `[batch, nHead, positions, headSize]`. */
export type LayerKeyValue = readonly [key: Tensor, value: Tensor];

/** The cache of every block, in order (an empty array before anything was read). */
export type KVCache = readonly LayerKeyValue[];

/**
 * Positions a cache holds (0 for an empty cache).
 * @example
 * cacheLength(cache); // e.g. 12
 */
export function cacheLength(cache: KVCache | null): number {
  return cache && cache.length ? cache[0][0].shape[2] : 0;
}
