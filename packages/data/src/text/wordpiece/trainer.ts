/**
 * WordPiece vocabulary training: byte-pair-style merges of adjacent pieces, where pieces after a
 * word's first carry the continuation prefix (`##`). The merges are not kept — a WordPiece model
 * only needs the vocabulary. Which pair merges next:
 *
 * - `'frequency'` (default, as Hugging Face's `WordPieceTrainer`): the most frequent pair;
 * - `'likelihood'` (WordPiece as Schuster & Nakajima and Google describe it): the pair whose merge
 *   most raises the corpus likelihood under a unigram model of the pieces,
 *   score(a, b) = count(ab) / (count(a) · count(b)) — pieces that occur together more than their own
 *   frequencies predict. Merging changes count(a) and count(b), so every pair containing a or b is
 *   re-scored (pushed afresh into the heap; outdated entries are skipped when popped).
 */

import { TokenizerError } from '../byte-level';

/** Options of {@link trainWordPieceVocab}. */
export interface WordPieceTrainOptions {
  /** Size of the final vocabulary, special tokens included. */
  vocabSize: number;
  /** Pairs seen fewer times are never merged. Default 2. */
  minFrequency?: number;
  /** Tokens placed first, in order (default `['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']`). */
  specialTokens?: string[];
  /** Default `'##'`. */
  continuingSubwordPrefix?: string;
  /** Characters kept in the alphabet, most frequent first; rarer characters are dropped. Default 1000. */
  limitAlphabet?: number;
  /**
   * How the next merge is chosen: `'frequency'` (default: the most frequent pair) or `'likelihood'`
   * (count(ab) / (count(a)·count(b)), among pairs seen at least `minFrequency` times).
   */
  scoring?: 'frequency' | 'likelihood';
}

/** Binary max-heap of (score, key) with lazy deletion; ties go to the smaller key. */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The top entry as [count, key], removed. */
  pop(): [number, number] {
    const top: [number, number] = [this.counts[0]!, this.keys[0]!];
    const lastCount = this.counts.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.counts.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let best = i;
        if (left < this.counts.length && this.before(left, best)) best = left;
        if (right < this.counts.length && this.before(right, best)) best = right;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    return this.counts[a]! > this.counts[b]! || (this.counts[a] === this.counts[b] && this.keys[a]! < this.keys[b]!);
  }

  private swap(a: number, b: number): void {
    [this.counts[a], this.counts[b]] = [this.counts[b]!, this.counts[a]!];
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
  }
}

const PAIR_BASE = 1 << 22;

/**
 * Learns a WordPiece vocabulary from word counts. Returns the tokens in id order: special tokens,
 * then the alphabet (sorted), then merged pieces in the order they were learned.
 * @example
 * trainWordPieceVocab(new Map([['hug', 10], ['hugs', 5]]), { vocabSize: 12, specialTokens: ['[UNK]'] })
 * // ['[UNK]', 'g', 'h', 'u', '##g', '##s', '##u', 'hu', 'hug', …]
 */
export function trainWordPieceVocab(wordCounts: Map<string, number>, options: WordPieceTrainOptions): string[] {
  const prefix = options.continuingSubwordPrefix ?? '##';
  const minFrequency = options.minFrequency ?? 2;
  const specialTokens = options.specialTokens ?? ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const limitAlphabet = options.limitAlphabet ?? 1000;
  const scoring = options.scoring ?? 'frequency';
  if (scoring !== 'frequency' && scoring !== 'likelihood') {
    throw new TokenizerError(`WordPiece training: scoring must be 'frequency' or 'likelihood', got ${JSON.stringify(scoring)}`);
  }
  const likelihood = scoring === 'likelihood';

  // Alphabet: the most frequent characters.
  const charCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) for (const char of word) charCounts.set(char, (charCounts.get(char) ?? 0) + count);
  const alphabet = [...charCounts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limitAlphabet)
    .map(([char]) => char)
    .sort();
  const keep = new Set(alphabet);

  const tokens: string[] = [];
  const tokenIds = new Map<string, number>();
  const intern = (token: string): number => {
    let id = tokenIds.get(token);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(token);
      tokenIds.set(token, id);
    }
    return id;
  };
  for (const token of specialTokens) intern(token);
  for (const char of alphabet) intern(char);

  // Each word as symbol ids; words with a dropped character are skipped.
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [word, count] of wordCounts) {
    const chars = [...word];
    if (!chars.every((char) => keep.has(char))) continue;
    words.push(chars.map((char, i) => intern(i === 0 ? char : prefix + char)));
    counts.push(count);
  }

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const changed = new Set<number>();
  // For 'likelihood': each piece's count in the current segmentation, and the pairs it is part of.
  const symbolCounts = new Map<number, number>();
  const symbolPairs = new Map<number, Set<number>>();
  const linkPair = (symbol: number, key: number): void => {
    let set = symbolPairs.get(symbol);
    if (set === undefined) symbolPairs.set(symbol, (set = new Set()));
    set.add(key);
  };
  const addPairs = (index: number, sign: number): void => {
    const symbols = words[index]!;
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = symbols[i]! * PAIR_BASE + symbols[i + 1]!;
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * counts[index]!);
      changed.add(key);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (set === undefined) pairWords.set(key, (set = new Set()));
        set.add(index);
        if (likelihood) [symbols[i]!, symbols[i + 1]!].forEach((symbol) => linkPair(symbol, key));
      }
    }
  };
  const countSymbols = (index: number, sign: number): void => {
    for (const symbol of words[index]!) symbolCounts.set(symbol, (symbolCounts.get(symbol) ?? 0) + sign * counts[index]!);
  };
  const score = (key: number): number => {
    const count = pairCounts.get(key) ?? 0;
    if (!likelihood) return count;
    if (count < minFrequency) return -1; // never merged; kept out of the heap
    return count / (symbolCounts.get(Math.floor(key / PAIR_BASE))! * symbolCounts.get(key % PAIR_BASE)!);
  };
  for (let index = 0; index < words.length; index++) {
    addPairs(index, 1);
    if (likelihood) countSymbols(index, 1);
  }
  const heap = new PairHeap();
  for (const key of pairCounts.keys()) if (score(key) >= 0) heap.push(score(key), key);

  while (tokens.length < options.vocabSize && heap.size > 0) {
    const [best, key] = heap.pop();
    if (score(key) !== best) continue; // stale entry
    const count = pairCounts.get(key)!;
    if (count < minFrequency) break; // 'frequency': every other pair is rarer
    const left = Math.floor(key / PAIR_BASE);
    const right = key % PAIR_BASE;
    const rightText = tokens[right]!;
    const merged = intern(tokens[left]! + (rightText.startsWith(prefix) ? rightText.slice(prefix.length) : rightText));
    changed.clear();
    for (const index of pairWords.get(key) ?? []) {
      const symbols = words[index]!;
      let found = false;
      for (let i = 0; i + 1 < symbols.length; i++) if (symbols[i] === left && symbols[i + 1] === right) found = true;
      if (!found) continue;
      addPairs(index, -1);
      if (likelihood) countSymbols(index, -1);
      const next: number[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
          next.push(merged);
          i++;
        } else next.push(symbols[i]!);
      }
      words[index] = next;
      addPairs(index, 1);
      if (likelihood) countSymbols(index, 1);
    }
    pairCounts.delete(key);
    changed.delete(key);
    // count(left) and count(right) fell: every pair containing them scores anew.
    if (likelihood) for (const symbol of [left, right]) for (const other of symbolPairs.get(symbol) ?? []) if (other !== key) changed.add(other);
    // Every pair whose score moved gets a fresh heap entry; the old ones are skipped as stale.
    for (const changedKey of changed) {
      if ((pairCounts.get(changedKey) ?? 0) <= 0) continue;
      const changedScore = score(changedKey);
      if (changedScore >= 0) heap.push(changedScore, changedKey);
    }
  }
  return tokens;
}
