/**
 * BPE training (Sennrich et al. 2016; GPT-2's byte-level variant) with incremental pair counts.
 *
 * The corpus is pre-tokenized and reduced to distinct words with counts. Each adjacent symbol pair
 * has a count and the list of words it occurs in; a max-heap orders pairs by count. A merge rewrites
 * only the words that contain the pair and adjusts the counts of the neighbouring pairs it destroys
 * and creates, so one merge costs time proportional to the pair's occurrences, not to the corpus.
 * Counts of existing pairs only go down, so stale heap entries are fixed lazily when popped.
 */
import { BYTE_TO_UNICODE, TokenizerError } from '../byte-level';
import { splitRegex, type SplitPatternName } from '../split-patterns';
import { BPEModel } from './model';
import { IntVector, PairMap } from './pair-map';

/** Options of `BPETokenizer.train`. */
export interface BPETrainOptions {
  /** Final vocabulary size, special tokens and the base alphabet included. */
  vocabSize: number;
  /** Pairs seen fewer times are never merged (training stops early). Default 2. */
  minFrequency?: number;
  /** Special tokens; they get ids 0, 1, … in this order and are never split. Default none. */
  specialTokens?: readonly string[];
  /**
   * Byte-level (true, the default): the alphabet is the 256 bytes, so every string can be encoded.
   * Character-level (false): the alphabet is the corpus's characters; others map to `unkToken`.
   */
  byteLevel?: boolean;
  /** Pre-tokenizer split pattern (name or JavaScript source); default `'gpt2'`. */
  pattern?: SplitPatternName | string;
  /** Unknown token of character-level models; default `'[UNK]'` or `'<unk>'` when among `specialTokens`. */
  unkToken?: string;
  /** Called every 1,000 merges with (merges done, merges wanted). */
  onProgress?: (done: number, total: number) => void;
}

/** What `trainBPE` returns. */
export interface TrainedBPE {
  model: BPEModel;
  specialTokens: Record<string, number>;
  /** The split pattern: a built-in name or a JavaScript source. */
  pattern: SplitPatternName | string;
}

/**
 * Trains a BPE model; `BPETokenizer.train` wraps it.
 * @example
 * const { model } = trainBPE('low lower lowest', { vocabSize: 300 });
 */
export function trainBPE(corpus: string | Iterable<string>, options: BPETrainOptions): TrainedBPE {
  const op = 'BPETokenizer.train';
  if (options === null || typeof options !== 'object') throw new TokenizerError(`${op}: options { vocabSize } are required`);
  const { vocabSize, minFrequency = 2, specialTokens = [], byteLevel = true, pattern = 'gpt2' } = options;
  if (!Number.isInteger(vocabSize) || vocabSize <= 0) throw new TokenizerError(`${op}: vocabSize must be a positive integer, got ${String(vocabSize)}`);
  if (!Number.isFinite(minFrequency) || minFrequency < 0) throw new TokenizerError(`${op}: minFrequency must be a non-negative number, got ${String(minFrequency)}`);
  if (new Set(specialTokens).size !== specialTokens.length) throw new TokenizerError(`${op}: specialTokens has duplicates: ${JSON.stringify(specialTokens)}`);
  const texts = typeof corpus === 'string' ? [corpus] : corpus;
  if (texts === null || typeof texts !== 'object' || typeof (texts as Iterable<string>)[Symbol.iterator] !== 'function') {
    throw new TokenizerError(`${op}: corpus must be a string or an iterable of strings, got ${texts === null ? 'null' : typeof texts}`);
  }

  // 1. Distinct words and their counts.
  const regex = splitRegex(pattern);
  const wordCounts = new Map<string, number>();
  let index = 0;
  for (const text of texts) {
    if (typeof text !== 'string') throw new TokenizerError(`${op}: corpus item ${index} is ${typeof text}, not a string`);
    index++;
    for (const match of text.matchAll(regex)) {
      const word = match[0];
      if (word.length > 0) wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
    }
  }

  // 2. Vocabulary: special tokens, then the alphabet.
  const vocab: string[] = [...specialTokens];
  const ids = new Map<string, number>();
  vocab.forEach((token, id) => ids.set(token, id));
  const addToken = (token: string): number => {
    let id = ids.get(token);
    if (id === undefined) {
      id = vocab.length;
      vocab.push(token);
      ids.set(token, id);
    }
    return id;
  };
  const encoder = new TextEncoder();
  const words: Int32Array[] = [];
  const counts: number[] = [];
  if (byteLevel) {
    for (let byte = 0; byte < 256; byte++) addToken(BYTE_TO_UNICODE[byte]!);
    for (const [word, count] of wordCounts) {
      const bytes = encoder.encode(word);
      const symbols = new Int32Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) symbols[i] = ids.get(BYTE_TO_UNICODE[bytes[i]!]!)!;
      words.push(symbols);
      counts.push(count);
    }
  } else {
    const alphabet = new Set<string>();
    for (const word of wordCounts.keys()) for (const char of word) alphabet.add(char);
    for (const char of [...alphabet].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!)) addToken(char);
    for (const [word, count] of wordCounts) {
      words.push(Int32Array.from(Array.from(word, (char) => ids.get(char)!)));
      counts.push(count);
    }
  }
  const unkToken = options.unkToken ?? (byteLevel ? undefined : specialTokens.includes('[UNK]') ? '[UNK]' : specialTokens.includes('<unk>') ? '<unk>' : undefined);
  if (unkToken !== undefined && !ids.has(unkToken)) throw new TokenizerError(`${op}: unkToken ${JSON.stringify(unkToken)} must be one of specialTokens`);

  // 3. Pair counts, where each pair occurs, and the heap.
  const pairs = new PairMap(1 << 16);
  const pairCount = new IntVector(1 << 16);
  const pairLeft = new IntVector(1 << 16);
  const pairRight = new IntVector(1 << 16);
  const pairWords: number[][] = [];
  const pairIndex = (left: number, right: number): number => {
    const before = pairs.size;
    const at = pairs.insert(left, right);
    if (pairs.size !== before) {
      pairLeft.set(at, left);
      pairRight.set(at, right);
      pairCount.set(at, 0);
      pairWords[at] = [];
    }
    return at;
  };
  words.forEach((symbols, w) => {
    for (let i = 0; i + 1 < symbols.length; i++) {
      const at = pairIndex(symbols[i]!, symbols[i + 1]!);
      pairCount.data[at] += counts[w]!;
      const list = pairWords[at]!;
      if (list[list.length - 1] !== w) list.push(w);
    }
  });
  const heap = new PairHeap(pairCount, pairLeft, pairRight);
  for (let at = 0; at < pairs.size; at++) if (pairCount.data[at]! > 0) heap.push(at, pairCount.data[at]!);

  // 4. Merge until the vocabulary is full.
  const merges: [string, string][] = [];
  const lengths = Int32Array.from(words, (symbols) => symbols.length);
  const seen = new Int32Array(words.length).fill(-1);
  const touched: number[] = [];
  const wanted = Math.max(0, vocabSize - vocab.length);
  while (vocab.length < vocabSize && heap.size > 0) {
    const at = heap.pop();
    const count = pairCount.data[at]!;
    if (count !== heap.poppedCount) {
      if (count > 0) heap.push(at, count); // stale: counts only go down, so re-queue with the true count
      continue;
    }
    if (count < minFrequency || count <= 0) break;
    const left = pairLeft.data[at]!;
    const right = pairRight.data[at]!;
    const merged = addToken(vocab[left]! + vocab[right]!);
    merges.push([vocab[left]!, vocab[right]!]);
    const step = merges.length;
    touched.length = 0;
    const bump = (a: number, b: number, delta: number, w: number): void => {
      const p = pairIndex(a, b);
      pairCount.data[p] += delta;
      if (delta > 0) {
        const list = pairWords[p]!;
        if (list[list.length - 1] !== w) list.push(w);
        if (a === merged || b === merged) touched.push(p);
      }
    };
    for (const w of pairWords[at]!) {
      if (seen[w] === step) continue;
      seen[w] = step;
      const symbols = words[w]!;
      const n = lengths[w]!;
      const wordCount = counts[w]!;
      let write = 0;
      for (let read = 0; read < n; read++) {
        if (read + 1 < n && symbols[read] === left && symbols[read + 1] === right) {
          if (write > 0) {
            bump(symbols[write - 1]!, left, -wordCount, w);
            bump(symbols[write - 1]!, merged, wordCount, w);
          }
          if (read + 2 < n) {
            bump(right, symbols[read + 2]!, -wordCount, w);
            bump(merged, symbols[read + 2]!, wordCount, w);
          }
          symbols[write++] = merged;
          read++;
        } else {
          symbols[write++] = symbols[read]!;
        }
      }
      lengths[w] = write;
    }
    pairCount.data[at] = 0;
    pairWords[at] = [];
    for (const p of new Set(touched)) if (pairCount.data[p]! > 0) heap.push(p, pairCount.data[p]!);
    if (options.onProgress && step % 1000 === 0) options.onProgress(step, wanted);
  }

  const vocabMap = new Map<string, number>();
  vocab.forEach((token, id) => vocabMap.set(token, id));
  const model = BPEModel.fromMerges(vocabMap, merges, { byteLevel, ignoreMerges: false, unkToken });
  const specials: Record<string, number> = {};
  specialTokens.forEach((token, id) => (specials[token] = id));
  return { model, specialTokens: specials, pattern };
}

/** Max-heap of pair indices by (count desc, left id asc, right id asc): deterministic, like Hugging Face. */
class PairHeap {
  private items = new Int32Array(1 << 16);
  private keys = new Int32Array(1 << 16);
  size = 0;
  /** Count the last popped item was pushed with. */
  poppedCount = 0;
  constructor(
    private readonly counts: IntVector,
    private readonly lefts: IntVector,
    private readonly rights: IntVector,
  ) {}
  private before(i: number, j: number): boolean {
    const ki = this.keys[i]!;
    const kj = this.keys[j]!;
    if (ki !== kj) return ki > kj;
    const a = this.items[i]!;
    const b = this.items[j]!;
    const la = this.lefts.data[a]!;
    const lb = this.lefts.data[b]!;
    return la !== lb ? la < lb : this.rights.data[a]! < this.rights.data[b]!;
  }
  private swap(i: number, j: number): void {
    const item = this.items[i]!;
    this.items[i] = this.items[j]!;
    this.items[j] = item;
    const key = this.keys[i]!;
    this.keys[i] = this.keys[j]!;
    this.keys[j] = key;
  }
  push(item: number, key: number): void {
    if (this.size === this.items.length) {
      const items = new Int32Array(this.size * 2);
      items.set(this.items);
      this.items = items;
      const keys = new Int32Array(this.size * 2);
      keys.set(this.keys);
      this.keys = keys;
    }
    let i = this.size++;
    this.items[i] = item;
    this.keys[i] = key;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): number {
    const top = this.items[0]!;
    this.poppedCount = this.keys[0]!;
    this.size--;
    if (this.size > 0) {
      this.items[0] = this.items[this.size]!;
      this.keys[0] = this.keys[this.size]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.size && this.before(l, best)) best = l;
        if (r < this.size && this.before(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
  get countsVector(): IntVector {
    return this.counts;
  }
}
