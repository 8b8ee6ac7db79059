/**
 * The one BPE merge loop every tokenizer path uses (`BPEModel` in merges-file, tiktoken-rank and
 * Hugging Face `tokenizer.json` modes). The rule is the same everywhere: repeatedly merge the adjacent
 * pair with the lowest rank, the leftmost one among equal ranks, until no adjacent pair has a rank.
 *
 * As in Hugging Face tokenizers' `Word::merge_all`, the symbols form a doubly linked list over their
 * original positions and every mergeable adjacent pair sits in a binary min-heap ordered by (rank,
 * position of its left symbol). A popped entry whose symbols changed since it was pushed is stale and
 * skipped (lazy invalidation); a merge pushes at most two new pairs. So a piece of n symbols costs
 * O(n log n), whatever its length: a megabyte without a space is fine.
 */

import { PairMap } from './pair-map';

/** Rank meaning "these two symbols do not merge". */
export const NO_MERGE = 0x7fffffff;

/**
 * What the engine asks of a model about two adjacent symbols. `start` and `end` bound the input
 * positions the two cover together: the left symbol starts at original position `start`, the right
 * one ends just before `end` (rank-file models read the bytes there; id-pair tables ignore them).
 */
export interface MergeRules {
  /** The rank of merging `left` then `right` (lower merges first), or {@link NO_MERGE}. */
  rank(left: number, right: number, start: number, end: number): number;
  /** The id of the symbol a merge of rank `rank` (not {@link NO_MERGE}) makes. */
  merged(rank: number): number;
}

/**
 * A growable 4-ary min-heap of candidate merges keyed by (rank, position), each remembering the two
 * symbol ids it was computed for so a stale entry can be recognised when popped. Entries are
 * interleaved (rank, position, left, right) in one Int32Array, so a node's four children are 64
 * contiguous bytes: a sift step costs about one cache miss, and a 4-ary heap has half a binary
 * heap's depth. That is what keeps a heap of millions of entries fast.
 */
class MergeHeap {
  entries = new Int32Array(256);
  size = 0;

  /** Empty the heap and make room for `capacity` entries. */
  reset(capacity: number): void {
    this.size = 0;
    if (capacity * 4 > this.entries.length) this.entries = new Int32Array(capacity * 4);
  }

  /** Append an entry without restoring the heap order (then call {@link heapify}). */
  append(rank: number, position: number, left: number, right: number): void {
    const at = this.size++ * 4;
    const e = this.entries;
    e[at] = rank;
    e[at + 1] = position;
    e[at + 2] = left;
    e[at + 3] = right;
  }

  /** Restore the heap order after {@link append}s: O(size). */
  heapify(): void {
    for (let i = (this.size - 2) >> 2; i >= 0; i--) {
      const e = this.entries;
      this.siftDown(i, e[i * 4]!, e[i * 4 + 1]!, e[i * 4 + 2]!, e[i * 4 + 3]!, this.size);
    }
  }

  push(rank: number, position: number, left: number, right: number): void {
    if ((this.size + 1) * 4 > this.entries.length) {
      const grown = new Int32Array(this.entries.length * 2);
      grown.set(this.entries);
      this.entries = grown;
    }
    const e = this.entries;
    let i = this.size++;
    // Sift up: move parents down until the new entry's slot is found.
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const parentRank = e[parent * 4]!;
      if (parentRank < rank || (parentRank === rank && e[parent * 4 + 1]! < position)) break;
      e[i * 4] = parentRank;
      e[i * 4 + 1] = e[parent * 4 + 1]!;
      e[i * 4 + 2] = e[parent * 4 + 2]!;
      e[i * 4 + 3] = e[parent * 4 + 3]!;
      i = parent;
    }
    e[i * 4] = rank;
    e[i * 4 + 1] = position;
    e[i * 4 + 2] = left;
    e[i * 4 + 3] = right;
  }

  /** Remove the top entry (read it at `entries[0…4)` first). */
  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    const e = this.entries;
    this.siftDown(0, e[last * 4]!, e[last * 4 + 1]!, e[last * 4 + 2]!, e[last * 4 + 3]!, last);
  }

  /** Place (rank, position, left, right) at slot `i` or below, among the first `size` entries. */
  private siftDown(i: number, rank: number, position: number, left: number, right: number, size: number): void {
    const e = this.entries;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= size) break;
      // The smallest of up to four children.
      let child = first;
      let childRank = e[first * 4]!;
      let childPosition = e[first * 4 + 1]!;
      const end = first + 4 < size ? first + 4 : size;
      for (let c = first + 1; c < end; c++) {
        const r = e[c * 4]!;
        if (r < childRank || (r === childRank && e[c * 4 + 1]! < childPosition)) {
          child = c;
          childRank = r;
          childPosition = e[c * 4 + 1]!;
        }
      }
      if (rank < childRank || (rank === childRank && position < childPosition)) break;
      e[i * 4] = childRank;
      e[i * 4 + 1] = childPosition;
      e[i * 4 + 2] = e[child * 4 + 2]!;
      e[i * 4 + 3] = e[child * 4 + 3]!;
      i = child;
    }
    e[i * 4] = rank;
    e[i * 4 + 1] = position;
    e[i * 4 + 2] = left;
    e[i * 4 + 3] = right;
  }
}

/**
 * The merge engine with its scratch buffers (reused across pieces, so short pieces allocate nothing).
 * Fill {@link symbols} through {@link prepare}, call {@link merge}; the merged symbols are then
 * `symbols[0…count)` and `origins[k]` is the original position of symbol k's first input symbol
 * (symbol k covers original positions `origins[k]` up to `origins[k + 1]`, or the input's end).
 * @example
 * const engine = new MergeEngine();
 * const symbols = engine.prepare(3);
 * symbols.set([0, 1, 0]); // 'a', 'b', 'a'
 * const count = engine.merge(3, rules); // with rules merging (0, 1) → 2: symbols [2, 0], origins [0, 2]
 */
export class MergeEngine {
  /** Symbol ids: the input before {@link merge}, the merged symbols after it. */
  symbols = new Int32Array(64);
  /** After {@link merge}: the first original position each merged symbol covers. */
  origins = new Int32Array(64);
  private next = new Int32Array(64);
  private prev = new Int32Array(64);
  private readonly heap = new MergeHeap();

  /**
   * Make room for `n` symbols and return the array to write them into (positions 0…n).
   * @example
   * engine.prepare(4).set([5, 6, 7, 8]);
   */
  prepare(n: number): Int32Array {
    if (n > this.symbols.length) {
      let capacity = this.symbols.length;
      while (capacity < n) capacity *= 2;
      this.symbols = new Int32Array(capacity);
      this.origins = new Int32Array(capacity);
      this.next = new Int32Array(capacity);
      this.prev = new Int32Array(capacity);
    }
    return this.symbols;
  }

  /**
   * Merge `symbols[0…n)` under `rules` (lowest rank first, leftmost among equal ranks) and compact the
   * result to the front of {@link symbols} / {@link origins}; returns the number of merged symbols.
   * @example
   * engine.merge(n, table); // then engine.symbols.subarray(0, count) are the ids
   */
  merge(n: number, rules: MergeRules): number {
    const { symbols, next, prev, heap } = this;
    if (n < 2) {
      if (n === 1) this.origins[0] = 0;
      return n;
    }
    heap.reset(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1; // n: the end
      prev[i] = i - 1;
    }
    for (let i = 0; i + 1 < n; i++) {
      const rank = rules.rank(symbols[i]!, symbols[i + 1]!, i, i + 2 < n ? i + 2 : n);
      if (rank !== NO_MERGE) heap.append(rank, i, symbols[i]!, symbols[i + 1]!);
    }
    heap.heapify();
    while (heap.size > 0) {
      const top = heap.entries;
      const rank = top[0]!;
      const position = top[1]!;
      const left = top[2]!;
      const right = top[3]!;
      heap.pop();
      const j = next[position]!;
      // Stale: `position` was merged into its left neighbour (prev −2), or either symbol changed.
      if (prev[position] === -2 || j >= n || symbols[position] !== left || symbols[j] !== right) continue;
      const after = next[j]!;
      symbols[position] = rules.merged(rank);
      next[position] = after;
      prev[j] = -2;
      if (after < n) prev[after] = position;
      const before = prev[position]!;
      if (before >= 0) {
        const leftRank = rules.rank(symbols[before]!, symbols[position]!, before, after);
        if (leftRank !== NO_MERGE) heap.push(leftRank, before, symbols[before]!, symbols[position]!);
      }
      if (after < n) {
        const rightRank = rules.rank(symbols[position]!, symbols[after]!, position, next[after]!);
        if (rightRank !== NO_MERGE) heap.push(rightRank, position, symbols[position]!, symbols[after]!);
      }
    }
    let count = 0;
    for (let i = 0; i < n; i = next[i]!) {
      symbols[count] = symbols[i]!;
      this.origins[count] = i;
      count++;
    }
    return count;
  }
}

/**
 * Merge rules from a merges list: (left id, right id) → rank and merged id, in an open-addressing
 * {@link PairMap}. A pair listed twice keeps its first (lowest) rank.
 * @example
 * const table = new MergeTable(Int32Array.of(0, 1, 2)); // merge 0: (0, 1) → 2
 * table.rank(0, 1, 0, 2); // 0
 */
export class MergeTable implements MergeRules {
  private readonly pairs: PairMap;
  /** Pair index → rank (the merge's line). */
  private readonly ranks: Int32Array;

  /** `triples` are `[left, right, merged, …]` in rank order. */
  constructor(private readonly triples: Int32Array) {
    const count = triples.length / 3;
    this.pairs = new PairMap(count);
    this.ranks = new Int32Array(count);
    for (let m = 0; m < count; m++) {
      const before = this.pairs.size;
      const index = this.pairs.insert(triples[3 * m]!, triples[3 * m + 1]!);
      if (this.pairs.size === before) continue; // a duplicate merge line: the first one wins
      this.ranks[index] = m;
    }
  }

  rank(left: number, right: number): number {
    const index = this.pairs.get(left, right);
    return index < 0 ? NO_MERGE : this.ranks[index]!;
  }

  merged(rank: number): number {
    return this.triples[3 * rank + 2]!;
  }
}

/**
 * tiktoken's rule over one piece's bytes (`binary`, one character per byte): two adjacent parts merge
 * when their concatenation is a token, in the order of that token's rank, and become that token (its
 * rank is its id).
 * @example
 * const rules = new TokenRankRules(ranks); rules.binary = 'abc';
 * rules.rank(-1, -1, 0, 2); // the rank of 'ab', or NO_MERGE
 */
export class TokenRankRules implements MergeRules {
  /** The bytes of the piece being merged; set before each {@link MergeEngine.merge}. */
  binary = '';

  constructor(private readonly ranks: ReadonlyMap<string, number>) {}

  rank(_left: number, _right: number, start: number, end: number): number {
    return this.ranks.get(this.binary.slice(start, end)) ?? NO_MERGE;
  }

  merged(rank: number): number {
    return rank; // a token's rank is its id
  }
}
