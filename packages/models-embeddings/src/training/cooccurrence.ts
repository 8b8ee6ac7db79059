/**
 * GloVe's co-occurrence counts: for every pair of words at most `window` apart in a sentence, both
 * X[a][b] and X[b][a] grow by 1/distance (glove.c's symmetric, distance-weighted window), so close
 * neighbours count more than distant ones.
 */
import type { EncodedCorpus } from './vocabulary';

/** The non-zero entries of X, in coordinate form. */
export interface Cooccurrences {
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly values: Float64Array;
}

/**
 * Count co-occurrences over an encoded corpus of `vocabularySize` words.
 * @example
 * const x = countCooccurrences(encoded, vocabulary.words.length, 10);
 */
export function countCooccurrences(encoded: EncodedCorpus, vocabularySize: number, window: number): Cooccurrences {
  const counts = new Map<number, number>();
  const add = (a: number, b: number, weight: number) => {
    const key = a * vocabularySize + b;
    counts.set(key, (counts.get(key) ?? 0) + weight);
  };
  const { ids, starts } = encoded;
  for (let s = 0; s + 1 < starts.length; s++) {
    for (let i = starts[s]; i < starts[s + 1]; i++) {
      for (let j = i + 1; j < Math.min(starts[s + 1], i + window + 1); j++) {
        const weight = 1 / (j - i);
        add(ids[i], ids[j], weight);
        add(ids[j], ids[i], weight);
      }
    }
  }
  const rows = new Int32Array(counts.size), cols = new Int32Array(counts.size), values = new Float64Array(counts.size);
  let k = 0;
  for (const [key, value] of counts) {
    rows[k] = Math.floor(key / vocabularySize);
    cols[k] = key - rows[k] * vocabularySize;
    values[k++] = value;
  }
  return { rows, cols, values };
}
