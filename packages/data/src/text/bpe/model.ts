/**
 * The BPE model: a vocabulary (id ↔ token) and merge priorities, applied to one pre-tokenized piece
 * at a time. Two kinds of symbol alphabet:
 * - byte-level (GPT-2, tiktoken, Llama 3): a piece is turned into UTF-8 bytes, each byte is a symbol;
 *   tokens are shown in GPT-2's byte ↔ character alphabet (`'Ġhello'`).
 * - character-level: each code point is a symbol; characters missing from the vocabulary become the
 *   unknown token (or an error when there is none).
 *
 * Merging applies the lowest-ranked adjacent pair first, leftmost on ties — what tiktoken, Hugging
 * Face tokenizers and GPT-2's encoder all do. Ranks live in a `PairMap` keyed by (left id, right id):
 * for merges files the rank is the line number; for tiktoken rank files the pair table is built from
 * every split of every token, which makes "merge the pair whose concatenation has the lowest rank"
 * (tiktoken's rule) the same lookup.
 */
import { BYTE_TO_UNICODE, TokenizerError, decodeUtf8, unicodeToByte, type LoneSurrogatePolicy } from '../byte-level';
import { PairMap } from './pair-map';

const NO_RANK = 0x7fffffff;
/** Pieces longer than this use the O(n log n) heap merge instead of the O(n²) scan. */
const LONG_PIECE = 96;

/** How a `BPEModel` is built; see `BPEModel.fromMerges` and `BPEModel.fromTokenBytes`. */
export interface BPEModelOptions {
  /** Symbols are UTF-8 bytes (true) or code points (false). */
  byteLevel: boolean;
  /**
   * Look a whole piece up in the vocabulary before merging (tiktoken does; Hugging Face calls it
   * `ignore_merges`). Default true for tiktoken rank files, false for merges files.
   */
  ignoreMerges?: boolean;
  /** Token for characters missing from a character-level vocabulary. */
  unkToken?: string;
  /** What to do with lone surrogates (byte-level models). Default `'replace'`. */
  loneSurrogates?: LoneSurrogatePolicy;
}

/**
 * Vocabulary + merge ranks + the merge algorithm. `BPETokenizer` adds pre-tokenization, special
 * tokens and a cache on top.
 * @example
 * const model = BPEModel.fromMerges(new Map([['a', 0], ['b', 1], ['ab', 2]]), [['a', 'b']], { byteLevel: false });
 * model.encodePiece('abab', []); // [2, 2]
 */
export class BPEModel {
  readonly byteLevel: boolean;
  readonly ignoreMerges: boolean;
  readonly loneSurrogates: LoneSurrogatePolicy;
  readonly unkId: number;

  private vocabCache: (string | undefined)[] | undefined;
  private tokenToIdCache: Map<string, number> | undefined;
  private mergesCache: Int32Array | undefined;

  /** Merges-file mode: (left id, right id) → rank and merged id. */
  private readonly pairs: PairMap | undefined;
  private readonly pairRank: Int32Array;
  private readonly pairMerged: Int32Array;
  /** Rank-file mode (tiktoken): binary string of a token's bytes → rank (= id). */
  private readonly ranks: Map<string, number> | undefined;
  /** Byte-level: byte → id of its single-byte token, or -1. */
  private readonly byteIds = new Int32Array(256).fill(-1);
  /** id → bytes (byte-level) for decoding. */
  private readonly tokenBytes: (Uint8Array | undefined)[];
  /** Whole-piece lookup for `ignoreMerges` in merges-file mode: binary string of the bytes, or the text. */
  private readonly wholeTokens: Map<string, number> | undefined;
  private readonly idCount: number;

  // Scratch buffers reused across pieces.
  private bytes = new Uint8Array(256);
  private symbols = new Int32Array(256);
  private rankBuffer = new Int32Array(256);
  private slots = new Int32Array(256);

  private constructor(
    parts: { vocab?: (string | undefined)[]; merges?: Int32Array; tokenBytes?: (Uint8Array | undefined)[]; ranks?: Map<string, number> },
    options: BPEModelOptions,
  ) {
    this.byteLevel = options.byteLevel;
    this.ignoreMerges = options.ignoreMerges ?? false;
    this.loneSurrogates = options.loneSurrogates ?? 'replace';
    this.vocabCache = parts.vocab;
    this.ranks = parts.ranks;
    this.tokenBytes = parts.tokenBytes ?? [];
    this.idCount = parts.vocab?.length ?? this.tokenBytes.length;
    const merges = parts.merges ?? new Int32Array(0);
    const count = merges.length / 3;
    this.pairRank = new Int32Array(count);
    this.pairMerged = new Int32Array(count);
    if (parts.merges !== undefined) {
      this.mergesCache = merges;
      this.pairs = new PairMap(count);
      for (let m = 0; m < count; m++) {
        const before = this.pairs.size;
        const slot = this.pairs.insert(merges[3 * m]!, merges[3 * m + 1]!);
        if (this.pairs.size === before) continue; // a duplicate merge line: the first one wins
        this.pairRank[slot] = m;
        this.pairMerged[slot] = merges[3 * m + 2]!;
      }
    }
    if (options.unkToken !== undefined && !this.tokenToId.has(options.unkToken)) {
      throw new TokenizerError(`BPEModel: unknown token ${JSON.stringify(options.unkToken)} is not in the vocabulary`);
    }
    this.unkId = options.unkToken === undefined ? -1 : this.tokenToId.get(options.unkToken)!;
    if (this.byteLevel && parts.tokenBytes === undefined) {
      parts.vocab!.forEach((token, id) => {
        if (token === undefined) return;
        const bytes = new Uint8Array(token.length);
        for (let i = 0; i < token.length; i++) {
          const byte = unicodeToByte(token[i]!);
          if (byte < 0) return; // not a byte-level token (e.g. an added special token)
          bytes[i] = byte;
        }
        this.tokenBytes[id] = bytes;
      });
    }
    this.tokenBytes.forEach((bytes, id) => {
      if (bytes !== undefined && bytes.length === 1 && this.byteIds[bytes[0]!]! < 0) this.byteIds[bytes[0]!] = id;
    });
    if (this.ignoreMerges && this.ranks === undefined) {
      const whole = new Map<string, number>();
      this.vocab.forEach((token, id) => {
        if (token === undefined) return;
        const key = this.byteLevel ? binaryString(this.tokenBytes[id]) : token;
        if (key !== undefined && !whole.has(key)) whole.set(key, id);
      });
      this.wholeTokens = whole;
    }
  }

  /**
   * A model from a vocabulary and a merges list (GPT-2's `vocab.bpe`, Hugging Face `merges`): merge
   * `i` has rank `i`. Tokens of byte-level models are in GPT-2's byte alphabet.
   * @example
   * BPEModel.fromMerges(new Map([['a', 0], ['b', 1], ['ab', 2]]), [['a', 'b']], { byteLevel: false });
   */
  static fromMerges(vocab: Map<string, number> | Record<string, number>, merges: readonly (readonly [string, string])[], options: BPEModelOptions): BPEModel {
    const entries = vocab instanceof Map ? [...vocab] : Object.entries(vocab);
    const tokens: (string | undefined)[] = [];
    const ids = new Map<string, number>();
    for (const [token, id] of entries) {
      if (!Number.isInteger(id) || id < 0) throw new TokenizerError(`BPEModel.fromMerges: token ${JSON.stringify(token)} has id ${String(id)}; ids must be non-negative integers`);
      tokens[id] = token;
      ids.set(token, id);
    }
    const triples = new Int32Array(merges.length * 3);
    merges.forEach(([left, right], m) => {
      const leftId = ids.get(left);
      const rightId = ids.get(right);
      const mergedId = ids.get(left + right);
      if (leftId === undefined || rightId === undefined || mergedId === undefined) {
        const missing = leftId === undefined ? left : rightId === undefined ? right : left + right;
        throw new TokenizerError(`BPEModel.fromMerges: merge ${m} (${JSON.stringify(left)} ${JSON.stringify(right)}) uses ${JSON.stringify(missing)}, which is not in the vocabulary`);
      }
      triples[3 * m] = leftId;
      triples[3 * m + 1] = rightId;
      triples[3 * m + 2] = mergedId;
    });
    return new BPEModel({ vocab: tokens, merges: triples }, options);
  }

  /**
   * A byte-level model from tiktoken-style ranks: `tokenBytes[rank]` are the bytes of the token with
   * that rank (= id). Adjacent parts merge in the order of the rank of their concatenation (tiktoken's
   * rule), and a piece that is itself a token is that token.
   * @example
   * BPEModel.fromTokenBytes([Uint8Array.of(97), Uint8Array.of(98), Uint8Array.of(97, 98)]);
   */
  static fromTokenBytes(tokenBytes: readonly (Uint8Array | undefined)[], options: Partial<BPEModelOptions> = {}): BPEModel {
    const ranks = new Map<string, number>();
    tokenBytes.forEach((bytes, rank) => {
      if (bytes !== undefined) ranks.set(binaryString(bytes)!, rank);
    });
    return new BPEModel({ tokenBytes: [...tokenBytes], ranks }, { byteLevel: true, ignoreMerges: true, loneSurrogates: options.loneSurrogates });
  }

  /** One more than the largest id. */
  get size(): number {
    return this.idCount;
  }

  /** id → token string (GPT-2 alphabet for byte-level models); `undefined` for unused ids. */
  get vocab(): readonly (string | undefined)[] {
    if (this.vocabCache === undefined) {
      const vocab = new Array<string | undefined>(this.tokenBytes.length);
      this.tokenBytes.forEach((bytes, id) => {
        if (bytes === undefined) return;
        let token = '';
        for (let i = 0; i < bytes.length; i++) token += BYTE_TO_UNICODE[bytes[i]!]!;
        vocab[id] = token;
      });
      this.vocabCache = vocab;
    }
    return this.vocabCache;
  }

  /** token string → id. */
  get tokenToId(): ReadonlyMap<string, number> {
    if (this.tokenToIdCache === undefined) {
      const map = new Map<string, number>();
      this.vocab.forEach((token, id) => {
        if (token !== undefined && !map.has(token)) map.set(token, id);
      });
      this.tokenToIdCache = map;
    }
    return this.tokenToIdCache;
  }

  /**
   * Merges in rank order as id triples `[left, right, merged, …]`. For rank-file models these are
   * derived (every split of every token into two tokens), which is equivalent for encoding.
   */
  get merges(): Int32Array {
    if (this.mergesCache === undefined) {
      const triples: number[] = [];
      this.tokenBytes.forEach((bytes, rank) => {
        if (bytes === undefined || bytes.length < 2) return;
        const binary = binaryString(bytes)!;
        for (let split = 1; split < binary.length; split++) {
          const left = this.ranks!.get(binary.slice(0, split));
          const right = this.ranks!.get(binary.slice(split));
          if (left !== undefined && right !== undefined) triples.push(left, right, rank);
        }
      });
      this.mergesCache = Int32Array.from(triples);
    }
    return this.mergesCache;
  }

  /** The merges as token strings, in rank order (what a merges file lists). */
  mergeStrings(): [string, string][] {
    const merges = this.merges;
    const vocab = this.vocab;
    const out: [string, string][] = [];
    for (let m = 0; m < merges.length; m += 3) out.push([vocab[merges[m]!]!, vocab[merges[m + 1]!]!]);
    return out;
  }

  /**
   * Appends the ids of one pre-tokenized piece to `out` and returns `out`.
   * @example
   * model.encodePiece(' hello', []); // [23748] for GPT-2
   */
  encodePiece(piece: string, out: number[]): number[] {
    return this.byteLevel ? this.encodeBytePiece(piece, out) : this.encodeCharPiece(piece, out);
  }

  private encodeBytePiece(piece: string, out: number[]): number[] {
    const length = this.utf8Into(piece);
    const bytes = this.bytes;
    if (this.ranks !== undefined) {
      const binary = length === piece.length ? piece : binaryString(bytes.subarray(0, length))!;
      const id = this.ranks.get(binary);
      if (id !== undefined) {
        out.push(id);
        return out;
      }
      for (let i = 0; i < length; i++) {
        if (this.byteIds[bytes[i]!]! < 0) throw new TokenizerError(`BPEModel.encode: byte 0x${bytes[i]!.toString(16)} of ${JSON.stringify(piece)} has no token`);
      }
      return length > LONG_PIECE ? this.mergeRanksLong(binary, out) : this.mergeRanks(binary, out);
    }
    if (this.wholeTokens !== undefined) {
      const id = this.wholeTokens.get(length === piece.length ? piece : binaryString(bytes.subarray(0, length))!);
      if (id !== undefined) {
        out.push(id);
        return out;
      }
    }
    const symbols = this.symbols;
    for (let i = 0; i < length; i++) {
      const id = this.byteIds[bytes[i]!]!;
      if (id < 0) {
        if (this.unkId < 0) throw new TokenizerError(`BPEModel.encode: byte 0x${bytes[i]!.toString(16)} of ${JSON.stringify(piece)} has no token and the model has no unknown token`);
        symbols[i] = this.unkId;
      } else symbols[i] = id;
    }
    return this.merge(length, out);
  }

  private encodeCharPiece(piece: string, out: number[]): number[] {
    if (this.wholeTokens !== undefined) {
      const id = this.wholeTokens.get(piece);
      if (id !== undefined) {
        out.push(id);
        return out;
      }
    }
    this.reserve(piece.length);
    let count = 0;
    const tokenToId = this.tokenToId;
    for (const char of piece) {
      const id = tokenToId.get(char);
      if (id === undefined) {
        if (this.unkId < 0) throw new TokenizerError(`BPEModel.encode: character ${JSON.stringify(char)} is not in the vocabulary and the model has no unknown token`);
        this.symbols[count++] = this.unkId;
      } else this.symbols[count++] = id;
    }
    return this.merge(count, out);
  }

  /** tiktoken's rule on `binary` (one character per byte): merge the adjacent parts whose concatenation has the lowest rank. */
  private mergeRanks(binary: string, out: number[]): number[] {
    const ranks = this.ranks!;
    const starts = this.symbols;
    const rankOf = this.rankBuffer;
    let parts = binary.length;
    for (let i = 0; i <= parts; i++) starts[i] = i;
    for (let i = 0; i + 1 < parts; i++) rankOf[i] = ranks.get(binary.slice(i, i + 2)) ?? NO_RANK;
    while (parts > 1) {
      let best = NO_RANK;
      let at = -1;
      for (let i = 0; i + 1 < parts; i++) {
        if (rankOf[i]! < best) {
          best = rankOf[i]!;
          at = i;
        }
      }
      if (at < 0) break;
      for (let i = at + 1; i < parts; i++) starts[i] = starts[i + 1]!;
      for (let i = at + 1; i + 1 < parts; i++) rankOf[i] = rankOf[i + 1]!;
      parts--;
      if (at + 1 < parts) rankOf[at] = ranks.get(binary.slice(starts[at]!, starts[at + 2]!)) ?? NO_RANK;
      if (at > 0) rankOf[at - 1] = ranks.get(binary.slice(starts[at - 1]!, starts[at + 1]!)) ?? NO_RANK;
    }
    for (let i = 0; i < parts; i++) out.push(ranks.get(binary.slice(starts[i]!, starts[i + 1]!))!);
    return out;
  }

  /** `mergeRanks` for long pieces: linked list of parts and a lazily invalidated heap. */
  private mergeRanksLong(binary: string, out: number[]): number[] {
    const ranks = this.ranks!;
    const n = binary.length;
    const next = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1; // n = end
      prev[i] = i - 1;
    }
    const spanRank = (i: number): number => {
      const j = next[i]!;
      return j >= n ? NO_RANK : (ranks.get(binary.slice(i, next[j]!)) ?? NO_RANK);
    };
    const heap = new MinHeap(n);
    const push = (i: number): void => {
      const rank = spanRank(i);
      if (rank !== NO_RANK) heap.push(rank, i, 0, 0);
    };
    for (let i = 0; i + 1 < n; i++) push(i);
    while (heap.size > 0) {
      const { rank, position } = heap.pop();
      if (!alive[position] || spanRank(position) !== rank) continue; // stale
      const j = next[position]!;
      alive[j] = 0;
      next[position] = next[j]!;
      if (next[j]! < n) prev[next[j]!] = position;
      if (prev[position]! >= 0) push(prev[position]!);
      push(position);
    }
    for (let i = 0; i < n; i = next[i]!) out.push(ranks.get(binary.slice(i, next[i]!))!);
    return out;
  }

  /** Merges `this.symbols[0…n)` (ids) by merge rank and appends the result. */
  private merge(n: number, out: number[]): number[] {
    if (n > LONG_PIECE) return this.mergeLong(n, out);
    const { symbols, rankBuffer: ranks, slots, pairRank } = this;
    const pairs = this.pairs!;
    for (let i = 0; i < n - 1; i++) {
      const slot = pairs.get(symbols[i]!, symbols[i + 1]!);
      slots[i] = slot;
      ranks[i] = slot < 0 ? NO_RANK : pairRank[slot]!;
    }
    while (n > 1) {
      let best = NO_RANK;
      let at = -1;
      for (let i = 0; i < n - 1; i++) {
        if (ranks[i]! < best) {
          best = ranks[i]!;
          at = i;
        }
      }
      if (at < 0) break;
      symbols[at] = this.pairMerged[slots[at]!]!;
      for (let i = at + 1; i < n - 1; i++) {
        symbols[i] = symbols[i + 1]!;
        ranks[i] = ranks[i + 1]!;
        slots[i] = slots[i + 1]!;
      }
      n--;
      if (at < n - 1) this.rankAt(at);
      if (at > 0) this.rankAt(at - 1);
    }
    for (let i = 0; i < n; i++) out.push(symbols[i]!);
    return out;
  }

  private rankAt(i: number): void {
    const slot = this.pairs!.get(this.symbols[i]!, this.symbols[i + 1]!);
    this.slots[i] = slot;
    this.rankBuffer[i] = slot < 0 ? NO_RANK : this.pairRank[slot]!;
  }

  /** Heap-based merge for long pieces: linked list of symbols, lazily invalidated heap of pairs. */
  private mergeLong(n: number, out: number[]): number[] {
    const pairs = this.pairs!;
    const symbols = this.symbols.slice(0, n);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const heap = new MinHeap(n);
    const push = (i: number): void => {
      const j = next[i]!;
      if (j < 0) return;
      const slot = pairs.get(symbols[i]!, symbols[j]!);
      if (slot >= 0) heap.push(this.pairRank[slot]!, i, symbols[i]!, symbols[j]!);
    };
    for (let i = 0; i < n - 1; i++) push(i);
    while (heap.size > 0) {
      const { position, left, right } = heap.pop();
      const j = next[position]!;
      // Stale entry: the symbol or its right neighbour changed since it was pushed.
      if (!alive[position] || j < 0 || symbols[position] !== left || symbols[j] !== right) continue;
      symbols[position] = this.pairMerged[pairs.get(left, right)]!;
      alive[j] = 0;
      next[position] = next[j]!;
      if (next[j]! >= 0) prev[next[j]!] = position;
      if (prev[position]! >= 0) push(prev[position]!);
      push(position);
    }
    for (let i = 0; i >= 0 && i < n; i = next[i]!) out.push(symbols[i]!);
    return out;
  }

  /** UTF-8 of `piece` into `this.bytes`; returns the length. Lone surrogates follow the policy. */
  private utf8Into(piece: string): number {
    this.reserve(piece.length * 3 + 1);
    const bytes = this.bytes;
    let length = 0;
    for (let i = 0; i < piece.length; i++) {
      let code = piece.charCodeAt(i);
      if (code < 0x80) {
        bytes[length++] = code;
        continue;
      }
      if (code < 0x800) {
        bytes[length++] = 0xc0 | (code >> 6);
        bytes[length++] = 0x80 | (code & 0x3f);
        continue;
      }
      if (code >= 0xd800 && code <= 0xdfff) {
        const low = code <= 0xdbff && i + 1 < piece.length ? piece.charCodeAt(i + 1) : 0;
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          i++;
          bytes[length++] = 0xf0 | (code >> 18);
          bytes[length++] = 0x80 | ((code >> 12) & 0x3f);
          bytes[length++] = 0x80 | ((code >> 6) & 0x3f);
          bytes[length++] = 0x80 | (code & 0x3f);
          continue;
        }
        if (this.loneSurrogates === 'error') {
          throw new TokenizerError(`BPEModel.encode: lone surrogate U+${code.toString(16).toUpperCase()} at index ${i} of ${JSON.stringify(piece)} (use loneSurrogates: 'replace' or 'wtf8')`);
        }
        if (this.loneSurrogates === 'replace') code = 0xfffd;
      }
      bytes[length++] = 0xe0 | (code >> 12);
      bytes[length++] = 0x80 | ((code >> 6) & 0x3f);
      bytes[length++] = 0x80 | (code & 0x3f);
    }
    return length;
  }

  private reserve(size: number): void {
    if (size <= this.bytes.length) return;
    let capacity = this.bytes.length;
    while (capacity < size) capacity *= 2;
    this.bytes = new Uint8Array(capacity);
    this.symbols = new Int32Array(capacity);
    this.rankBuffer = new Int32Array(capacity);
    this.slots = new Int32Array(capacity);
  }

  /** Bytes of token `id` (byte-level models), or undefined. */
  bytesOf(id: number): Uint8Array | undefined {
    return this.tokenBytes[id];
  }

  /** Whether `id` is a token of this model. */
  has(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.idCount && (this.byteLevel ? this.tokenBytes[id] !== undefined || this.vocab[id] !== undefined : this.vocab[id] !== undefined);
  }

  /**
   * Text of a sequence of ids: bytes are joined first, so characters split across tokens decode
   * whole; an incomplete sequence decodes to U+FFFD. Unknown ids are skipped.
   * @example
   * model.decode([15496, 995]); // 'Hello world' for GPT-2
   */
  decode(ids: readonly number[]): string {
    if (!this.byteLevel) return ids.map((id) => this.vocab[id] ?? '').join('');
    let buffer = new Uint8Array(Math.max(16, ids.length * 4));
    let length = 0;
    for (const id of ids) {
      const bytes = this.tokenBytes[id];
      if (bytes === undefined) continue;
      if (length + bytes.length > buffer.length) {
        const grown = new Uint8Array(Math.max(buffer.length * 2, length + bytes.length));
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      buffer.set(bytes, length);
      length += bytes.length;
    }
    return decodeUtf8(buffer.subarray(0, length), this.loneSurrogates === 'wtf8' ? 'wtf8' : 'replace');
  }
}

/** Bytes as a one-byte-per-character string (a cheap, exact Map key). */
function binaryString(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  if (bytes.length < 4096) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  return out;
}

/** Min-heap of (rank, position) with the pair it was computed for, for lazy invalidation. */
class MinHeap {
  private rank: Int32Array;
  private position: Int32Array;
  private left: Int32Array;
  private right: Int32Array;
  size = 0;
  constructor(capacity: number) {
    const cap = Math.max(16, capacity * 2);
    this.rank = new Int32Array(cap);
    this.position = new Int32Array(cap);
    this.left = new Int32Array(cap);
    this.right = new Int32Array(cap);
  }
  private less(a: number, b: number): boolean {
    return this.rank[a]! < this.rank[b]! || (this.rank[a] === this.rank[b] && this.position[a]! < this.position[b]!);
  }
  private swap(a: number, b: number): void {
    for (const array of [this.rank, this.position, this.left, this.right]) {
      const t = array[a]!;
      array[a] = array[b]!;
      array[b] = t;
    }
  }
  push(rank: number, position: number, left: number, right: number): void {
    if (this.size === this.rank.length) {
      const grow = (a: Int32Array): Int32Array => {
        const g = new Int32Array(a.length * 2);
        g.set(a);
        return g;
      };
      this.rank = grow(this.rank);
      this.position = grow(this.position);
      this.left = grow(this.left);
      this.right = grow(this.right);
    }
    let i = this.size++;
    this.rank[i] = rank;
    this.position[i] = position;
    this.left[i] = left;
    this.right[i] = right;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): { rank: number; position: number; left: number; right: number } {
    const top = { rank: this.rank[0]!, position: this.position[0]!, left: this.left[0]!, right: this.right[0]! };
    this.size--;
    if (this.size > 0) {
      this.swap(0, this.size);
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < this.size && this.less(l, smallest)) smallest = l;
        if (r < this.size && this.less(r, smallest)) smallest = r;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  }
}

