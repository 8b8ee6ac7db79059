/**
 * The BPE model: a vocabulary (id ↔ token) and merge priorities, applied to one pre-tokenized piece
 * at a time. Two kinds of symbol alphabet:
 * - byte-level (GPT-2, tiktoken, Llama 3): a piece is turned into UTF-8 bytes, each byte is a symbol;
 *   tokens are shown in GPT-2's byte ↔ character alphabet (`'Ġhello'`).
 * - character-level: each code point is a symbol; characters missing from the vocabulary become the
 *   unknown token (or an error when there is none).
 *
 * Character-level models also read Hugging Face `tokenizer.json` BPE models: a continuing-subword
 * prefix, an end-of-word suffix, byte fallback (`<0x0A>` tokens) and fused unknown tokens.
 *
 * Merging applies the lowest-ranked adjacent pair first, leftmost on ties — what tiktoken, Hugging
 * Face tokenizers and GPT-2's encoder all do — in the one merge engine (merge-engine.ts), O(n log n)
 * per piece. For merges files the rank is the line number (a `MergeTable` keyed by id pair); for
 * tiktoken rank files it is the rank of the two parts' concatenation (`TokenRankRules`).
 */
import { BYTE_TO_UNICODE, TokenizerError, decodeUtf8, unicodeToByte, type LoneSurrogatePolicy } from '../byte-level';
import type { TokenSink } from '../wordpiece/model';
import { MergeEngine, MergeTable, TokenRankRules } from './merge-engine';

const textEncoder = new TextEncoder();

/**
 * Byte-fallback token text of a byte (Hugging Face `byte_fallback`).
 * @example
 * byteToken(10); // '<0x0A>'
 */
export function byteToken(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

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
  /** Put before every symbol of a piece but its first (character-level; Hugging Face `continuing_subword_prefix`, e.g. `'##'`). */
  continuingSubwordPrefix?: string | null;
  /** Put after the last symbol of a piece (character-level; Hugging Face `end_of_word_suffix`, e.g. `'</w>'`). */
  endOfWordSuffix?: string | null;
  /** A character missing from the vocabulary becomes its UTF-8 bytes as `<0xNN>` tokens when all exist (character-level). */
  byteFallback?: boolean;
  /** Consecutive unknown characters become one unknown token (character-level). */
  fuseUnk?: boolean;
  /**
   * A character with no token when there is no unknown token: `'error'` (default) or `'skip'` (drop it,
   * as Hugging Face tokenizers do).
   */
  unknownCharacters?: 'error' | 'skip';
}

/**
 * Vocabulary + merge ranks + the merge algorithm: the one BPE model of the package, behind
 * `BPETokenizer` (which adds pre-tokenization, special tokens and a cache) and the Hugging Face
 * `Tokenizer`'s BPE models.
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

  readonly continuingSubwordPrefix: string | null;
  readonly endOfWordSuffix: string | null;
  readonly byteFallback: boolean;
  readonly fuseUnk: boolean;
  readonly unknownCharacters: 'error' | 'skip';

  /** Merges-file mode: (left id, right id) → rank and merged id. */
  private readonly table: MergeTable | undefined;
  /** Rank-file mode (tiktoken): binary string of a token's bytes → rank (= id). */
  private readonly ranks: Map<string, number> | undefined;
  private readonly rankRules: TokenRankRules | undefined;
  private readonly engine = new MergeEngine();
  /** Byte-level: byte → id of its single-byte token, or -1. */
  private readonly byteIds = new Int32Array(256).fill(-1);
  /** id → bytes (byte-level) for decoding. */
  private readonly tokenBytes: (Uint8Array | undefined)[];
  /** Whole-piece lookup for `ignoreMerges` in merges-file mode: binary string of the bytes, or the text. */
  private readonly wholeTokens: Map<string, number> | undefined;
  private readonly idCount: number;

  // Scratch buffers reused across pieces: UTF-8 bytes, and each symbol's first and past-last code unit.
  private bytes = new Uint8Array(256);
  private symbolStart = new Int32Array(256);
  private symbolEnd = new Int32Array(256);

  private constructor(
    parts: { vocab?: (string | undefined)[]; ids?: Map<string, number>; merges?: Int32Array; tokenBytes?: (Uint8Array | undefined)[]; ranks?: Map<string, number> },
    options: BPEModelOptions,
  ) {
    this.byteLevel = options.byteLevel;
    this.ignoreMerges = options.ignoreMerges ?? false;
    this.loneSurrogates = options.loneSurrogates ?? 'replace';
    this.continuingSubwordPrefix = options.continuingSubwordPrefix ?? null;
    this.endOfWordSuffix = options.endOfWordSuffix ?? null;
    this.byteFallback = options.byteFallback ?? false;
    this.fuseUnk = options.fuseUnk ?? false;
    this.unknownCharacters = options.unknownCharacters ?? 'error';
    this.vocabCache = parts.vocab;
    this.tokenToIdCache = parts.ids;
    this.ranks = parts.ranks;
    this.rankRules = parts.ranks && new TokenRankRules(parts.ranks);
    this.tokenBytes = parts.tokenBytes ?? [];
    this.idCount = parts.vocab?.length ?? this.tokenBytes.length;
    if (parts.merges !== undefined) {
      this.mergesCache = parts.merges;
      this.table = new MergeTable(parts.merges);
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
   * `i` has rank `i`. Tokens of byte-level models are in GPT-2's byte alphabet. With a
   * `continuingSubwordPrefix`, merge (left, right) makes `left + right` without right's prefix.
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
    const prefixLength = options.continuingSubwordPrefix?.length ?? 0;
    merges.forEach(([left, right], m) => {
      const leftId = ids.get(left);
      const rightId = ids.get(right);
      const merged = left + right.slice(prefixLength);
      const mergedId = ids.get(merged);
      if (leftId === undefined || rightId === undefined || mergedId === undefined) {
        const missing = leftId === undefined ? left : rightId === undefined ? right : merged;
        throw new TokenizerError(`BPEModel.fromMerges: merge ${m} (${JSON.stringify(left)} ${JSON.stringify(right)}) uses ${JSON.stringify(missing)}, which is not in the vocabulary`);
      }
      triples[3 * m] = leftId;
      triples[3 * m + 1] = rightId;
      triples[3 * m + 2] = mergedId;
    });
    return new BPEModel({ vocab: tokens, ids, merges: triples }, options);
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
    if (this.byteLevel) return this.encodeBytePiece(piece, out);
    this.encodeCharPiece(piece, out, null, null);
    return out;
  }

  /**
   * Appends the tokens of one word to `sink` with their code-unit spans in the word (character-level
   * models: Hugging Face `tokenizer.json` BPE). A merged token spans its first to its last character.
   * @example
   * const sink = { ids: [], starts: [], ends: [] };
   * model.encodeWord('abab', sink); // sink.ids [2, 2], starts [0, 2], ends [2, 4]
   */
  encodeWord(word: string, sink: TokenSink): void {
    if (this.byteLevel) throw new TokenizerError('BPEModel.encodeWord: byte-level models encode pieces (encodePiece); offsets come from BPETokenizer');
    this.encodeCharPiece(word, sink.ids, sink.starts, sink.ends);
  }

  private encodeBytePiece(piece: string, out: number[]): number[] {
    const length = this.utf8Into(piece);
    const bytes = this.bytes;
    const ranks = this.ranks;
    const binary = ranks !== undefined || this.wholeTokens !== undefined ? (length === piece.length ? piece : binaryString(bytes.subarray(0, length))!) : '';
    const whole = (ranks ?? this.wholeTokens)?.get(binary);
    if (whole !== undefined) {
      out.push(whole);
      return out;
    }
    const symbols = this.engine.prepare(length);
    for (let i = 0; i < length; i++) {
      const id = this.byteIds[bytes[i]!]!;
      if (id >= 0) symbols[i] = id;
      else if (ranks === undefined && this.unkId >= 0) symbols[i] = this.unkId;
      else {
        const why = ranks === undefined ? ' and the model has no unknown token' : '';
        throw new TokenizerError(`BPEModel.encode: byte 0x${bytes[i]!.toString(16)} of ${JSON.stringify(piece)} has no token${why}`);
      }
    }
    if (this.rankRules !== undefined) this.rankRules.binary = binary;
    const count = this.engine.merge(length, this.rankRules ?? this.table!);
    for (let k = 0; k < count; k++) out.push(symbols[k]!);
    return out;
  }

  /**
   * The character-level path (and Hugging Face's BPE model): one symbol per code point (with the
   * continuing prefix / end-of-word suffix), byte fallback or the unknown token for missing ones, then
   * the merges. Spans go to `starts`/`ends` when given.
   */
  private encodeCharPiece(piece: string, out: number[], starts: number[] | null, ends: number[] | null): void {
    if (piece.length === 0) return;
    const tokenToId = this.tokenToId;
    const prefix = this.continuingSubwordPrefix;
    const suffix = this.endOfWordSuffix;
    if (this.wholeTokens !== undefined) {
      const id = this.wholeTokens.get(piece);
      if (id !== undefined) {
        out.push(id);
        starts?.push(0);
        ends?.push(piece.length);
        return;
      }
    }
    // Byte fallback can turn a symbol (with its prefix and suffix) into one token per UTF-8 byte.
    const capacity = piece.length * (4 + 3 * (prefix?.length ?? 0)) + 3 * (suffix?.length ?? 0) + 8;
    this.reserve(capacity);
    const symbols = this.engine.prepare(capacity);
    const { symbolStart, symbolEnd } = this;
    let n = 0;
    let pendingUnk = false; // the last symbol is an unknown token that a fused one may extend
    let fallback = 0;
    for (let i = 0; i < piece.length; ) {
      const end = i + (piece.codePointAt(i)! > 0xffff ? 2 : 1);
      let symbol = piece.slice(i, end);
      if (prefix !== null && i > 0) symbol = prefix + symbol;
      if (suffix !== null && end === piece.length) symbol += suffix;
      const id = tokenToId.get(symbol);
      if (id !== undefined) {
        symbols[n] = id;
        symbolStart[n] = i;
        symbolEnd[n++] = end;
        pendingUnk = false;
      } else if (this.byteFallback && (fallback = this.pushByteFallback(symbol, i, end, n)) > 0) {
        n += fallback;
        pendingUnk = false;
      } else if (this.unkId >= 0) {
        if (pendingUnk && this.fuseUnk) symbolEnd[n - 1] = end;
        else {
          symbols[n] = this.unkId;
          symbolStart[n] = i;
          symbolEnd[n++] = end;
          pendingUnk = true;
        }
      } else if (this.unknownCharacters === 'error') {
        throw new TokenizerError(`BPEModel.encode: character ${JSON.stringify(piece.slice(i, end))} is not in the vocabulary and the model has no unknown token`);
      }
      i = end;
    }
    const count = this.engine.merge(n, this.table!);
    const origins = this.engine.origins;
    for (let k = 0; k < count; k++) {
      out.push(symbols[k]!);
      if (starts !== null) {
        starts.push(symbolStart[origins[k]!]!);
        ends!.push(symbolEnd[(k + 1 < count ? origins[k + 1]! : n) - 1]!);
      }
    }
  }

  /** Byte fallback: `symbol`'s UTF-8 bytes as `<0xNN>` tokens at symbol `n` onwards when every one exists; how many (0: none). */
  private pushByteFallback(symbol: string, start: number, end: number, n: number): number {
    const bytes = textEncoder.encode(symbol);
    const tokenToId = this.tokenToId;
    for (let b = 0; b < bytes.length; b++) {
      if (tokenToId.get(byteToken(bytes[b]!)) === undefined) return 0;
    }
    const symbols = this.engine.symbols;
    for (let b = 0; b < bytes.length; b++) {
      symbols[n + b] = tokenToId.get(byteToken(bytes[b]!))!;
      this.symbolStart[n + b] = start;
      this.symbolEnd[n + b] = end;
    }
    return bytes.length;
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
    this.symbolStart = new Int32Array(capacity);
    this.symbolEnd = new Int32Array(capacity);
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
