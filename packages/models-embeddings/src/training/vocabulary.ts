/**
 * The training vocabulary: read the corpus once to count words, keep those seen at least `minCount`
 * times (at most `maxVocab` of them, the most frequent), sorted by count (ties in order of first
 * appearance, so ids are reproducible), then read it again to encode every sentence as word ids.
 */
import { ValueError } from '@tessera/core';
import { isRestartable, sentencesOf, type Corpus, type Sentence } from './corpus';

/** The words kept for training, most frequent first, with their counts. */
export interface Vocabulary {
  readonly words: readonly string[];
  readonly counts: Float64Array;
  /** word → id (its row). */
  readonly index: ReadonlyMap<string, number>;
}

/** The corpus as word ids: sentence s is `ids[starts[s] … starts[s+1])`; `rawLengths[s]` counts its tokens before dropping unknown words. */
export interface EncodedCorpus {
  readonly ids: Int32Array;
  readonly starts: Int32Array;
  readonly rawLengths: Int32Array;
  /** All tokens read, unknown words included (what progress and the learning-rate decay count). */
  readonly rawWords: number;
}

/** Options of {@link readCorpus}. */
export interface VocabularyOptions {
  /** Drop words seen fewer times (default 5, gensim's `min_count`). */
  minCount?: number;
  /** Keep at most this many of the most frequent words (gensim's `max_final_vocab`; default unlimited). */
  maxVocab?: number | null;
  /**
   * Train exactly these words, in this order (e.g. another model's vocabulary), instead of choosing
   * them by `minCount` and `maxVocab`; their counts still come from the corpus. Word order decides
   * ties in the Huffman tree, so gensim's order gives gensim's tree.
   */
  vocabulary?: readonly string[] | null;
}

/**
 * Count, select and encode a corpus.
 * @example
 * const { vocabulary, encoded } = await readCorpus('the whale the sea', { minCount: 1 });
 * vocabulary.words; // ['the', 'whale', 'sea']
 */
export async function readCorpus(corpus: Corpus, options: VocabularyOptions = {}): Promise<{ vocabulary: Vocabulary; encoded: EncodedCorpus }> {
  const minCount = options.minCount ?? 5;
  const maxVocab = options.maxVocab ?? null;
  if (!Number.isInteger(minCount) || minCount < 1) throw new ValueError(`readCorpus: minCount must be an integer ≥ 1, got ${String(minCount)}`);
  if (maxVocab !== null && (!Number.isInteger(maxVocab) || maxVocab < 1)) throw new ValueError(`readCorpus: maxVocab must be a positive integer or null, got ${String(maxVocab)}`);
  const restartable = isRestartable(corpus);
  const kept: Sentence[] = [];
  const counts = new Map<string, number>();
  for await (const sentence of sentencesOf(corpus)) {
    for (const word of sentence) counts.set(word, (counts.get(word) ?? 0) + 1);
    if (!restartable) kept.push(sentence);
  }
  // Map iteration order is first appearance; the stable sort keeps it among equal counts.
  let entries = [...counts].filter(([, count]) => count >= minCount).sort((a, b) => b[1] - a[1]);
  if (maxVocab !== null) entries = entries.slice(0, maxVocab);
  if (options.vocabulary) entries = givenWords(options.vocabulary, counts);
  if (entries.length === 0) {
    throw new ValueError(`readCorpus: no word occurs at least minCount = ${minCount} times in a corpus of ${counts.size} distinct words; lower minCount`);
  }
  const words = entries.map(([word]) => word);
  const index = new Map(words.map((word, i) => [word, i]));
  const vocabulary: Vocabulary = { words, counts: Float64Array.from(entries, ([, count]) => count), index };
  const ids: number[] = [];
  const starts: number[] = [0];
  const rawLengths: number[] = [];
  let rawWords = 0;
  const source = restartable ? sentencesOf(corpus) : (async function* () { yield* kept; })();
  for await (const sentence of source) {
    for (const word of sentence) {
      const id = index.get(word);
      if (id !== undefined) ids.push(id);
    }
    starts.push(ids.length);
    rawLengths.push(sentence.length);
    rawWords += sentence.length;
  }
  return { vocabulary, encoded: { ids: Int32Array.from(ids), starts: Int32Array.from(starts), rawLengths: Int32Array.from(rawLengths), rawWords } };
}

/** The given words with their corpus counts (each must be a distinct string that the corpus contains). */
function givenWords(words: readonly string[], counts: ReadonlyMap<string, number>): [string, number][] {
  const seen = new Set<string>();
  return words.map((word, i) => {
    const count = counts.get(word);
    if (typeof word !== 'string' || seen.has(word)) throw new ValueError(`readCorpus: vocabulary[${i}] is ${JSON.stringify(word)}, a duplicate or not a string`);
    if (count === undefined) throw new ValueError(`readCorpus: vocabulary[${i}] ${JSON.stringify(word)} does not occur in the corpus`);
    seen.add(word);
    return [word, count];
  });
}
