/**
 * How alike two embeddings of one vocabulary are, independent of rotation and scale: the mean overlap
 * of their k nearest-neighbour lists. Two runs of the same trainer with different seeds set the bar
 * another implementation should reach (the measurement behind Tessera's comparison with gensim).
 */
import type { WordVectors } from '../vectors/word-vectors';

/** Nearest-neighbour lists: word → its neighbours, nearest first. */
export type NeighbourLists = Readonly<Record<string, readonly string[]>>;

/**
 * The `topN` nearest neighbours (cosine, the word itself excluded) of each of `words`.
 * @example
 * const lists = await neighbourLists(model.wv, model.wv.words.slice(0, 500), 10);
 */
export async function neighbourLists(wv: WordVectors, words: readonly string[], topN = 10): Promise<Record<string, string[]>> {
  const lists: Record<string, string[]> = {};
  for (const word of words) lists[word] = (await wv.mostSimilar(word, { topN })).map((neighbour) => neighbour.word);
  return lists;
}

/**
 * The mean, over the words both sides list, of |A(w) ∩ B(w)| / k, with k the length of A(w).
 * @example
 * neighbourOverlap({ sea: ['ocean', 'water'] }, { sea: ['water', 'wave'] }); // 0.5
 */
export function neighbourOverlap(a: NeighbourLists, b: NeighbourLists): number {
  let total = 0, count = 0;
  for (const [word, list] of Object.entries(a)) {
    const other = b[word];
    if (!other || list.length === 0) continue;
    const set = new Set(other);
    total += list.filter((neighbour) => set.has(neighbour)).length / list.length;
    count++;
  }
  return count === 0 ? 0 : total / count;
}
