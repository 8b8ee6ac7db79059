/**
 * The Hugging Face BPE model: a word's characters (with `continuing_subword_prefix` /
 * `end_of_word_suffix`) are merged pair by pair, lowest merge rank first and leftmost first among
 * equal ranks, exactly as `tokenizers`' `Word::merge_all` does. Unknown characters become byte tokens
 * `<0xNN>` (`byte_fallback`) or the unknown token (fused when `fuse_unk`); `ignore_merges` emits a
 * word found whole in the vocabulary directly. Results are cached per word.
 */
import type { TokenSink } from '../wordpiece/model';
import { TokenizerJSONError } from './json';

/** The configuration of a BPE model, as in `tokenizer.json`. */
export interface BpeModelConfig {
  vocab: Map<string, number>;
  merges: [string, string][];
  unkToken: string | null;
  continuingSubwordPrefix: string | null;
  endOfWordSuffix: string | null;
  fuseUnk: boolean;
  byteFallback: boolean;
  ignoreMerges: boolean;
}

interface CachedWord {
  ids: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
}

const CACHE_LIMIT = 200_000;

/** Byte-fallback token text of a byte: `<0x0A>`. */
export function byteToken(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

const textEncoder = new TextEncoder();

/**
 * Byte-pair encoding with a `tokenizer.json`'s vocabulary and merges.
 * @example
 * const model = new BpeModel({ vocab: new Map([['a', 0], ['b', 1], ['ab', 2]]), merges: [['a', 'b']], unkToken: null,
 *   continuingSubwordPrefix: null, endOfWordSuffix: null, fuseUnk: false, byteFallback: false, ignoreMerges: false }, 'model');
 * const sink = { ids: [], starts: null, ends: null }; model.tokenize('ab', sink); sink.ids // [2]
 */
export class BpeModel {
  readonly config: BpeModelConfig;
  private readonly idBase: number;
  /** (left id · idBase + right id) → rank · idBase + merged id. */
  private readonly mergeTable = new Map<number, number>();
  private readonly idToTokenList: string[] = [];
  private readonly cache = new Map<string, CachedWord>();
  private readonly unkId: number;

  constructor(config: BpeModelConfig, path: string) {
    this.config = config;
    let maxId = -1;
    for (const [token, id] of config.vocab) {
      this.idToTokenList[id] = token;
      if (id > maxId) maxId = id;
    }
    this.idBase = maxId + 1;
    const prefixLength = config.continuingSubwordPrefix?.length ?? 0;
    config.merges.forEach(([left, right], rank) => {
      const leftId = config.vocab.get(left);
      const rightId = config.vocab.get(right);
      const merged = left + right.slice(prefixLength);
      const mergedId = config.vocab.get(merged);
      const missing = leftId === undefined ? left : rightId === undefined ? right : mergedId === undefined ? merged : null;
      if (missing !== null) throw new TokenizerJSONError(`${path}.merges[${rank}]`, `merge ${JSON.stringify(`${left} ${right}`)} uses ${JSON.stringify(missing)}, which is not in model.vocab`);
      const key = leftId! * this.idBase + rightId!;
      if (!this.mergeTable.has(key)) this.mergeTable.set(key, rank * this.idBase + mergedId!);
    });
    if (config.unkToken !== null) {
      const unkId = config.vocab.get(config.unkToken);
      if (unkId === undefined) throw new TokenizerJSONError(`${path}.unk_token`, `${JSON.stringify(config.unkToken)} is not in model.vocab`);
      this.unkId = unkId;
    } else this.unkId = -1;
  }

  get vocabSize(): number {
    return this.config.vocab.size;
  }

  tokenToId(token: string): number | undefined {
    return this.config.vocab.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.idToTokenList[id];
  }

  /** Appends the tokens of `word` to `sink`. */
  tokenize(word: string, sink: TokenSink): void {
    if (word.length === 0) return;
    if (this.config.ignoreMerges) {
      const id = this.config.vocab.get(word);
      if (id !== undefined) {
        sink.ids.push(id);
        sink.starts?.push(0);
        sink.ends?.push(word.length);
        return;
      }
    }
    let cached = this.cache.get(word);
    if (cached === undefined) {
      cached = this.merge(word);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, cached);
    }
    const ids = cached.ids;
    for (let i = 0; i < ids.length; i++) sink.ids.push(ids[i]!);
    if (sink.starts !== null) {
      for (let i = 0; i < ids.length; i++) {
        sink.starts.push(cached.starts[i]!);
        sink.ends!.push(cached.ends[i]!);
      }
    }
  }

  private merge(word: string): CachedWord {
    const { vocab, continuingSubwordPrefix: prefix, endOfWordSuffix: suffix, byteFallback, fuseUnk } = this.config;
    const ids: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    let unkStart = -1;
    let unkEnd = -1;
    const flushUnk = (): void => {
      if (unkStart < 0) return;
      ids.push(this.unkId);
      starts.push(unkStart);
      ends.push(unkEnd);
      unkStart = -1;
    };
    for (let i = 0; i < word.length; ) {
      const code = word.codePointAt(i)!;
      const end = i + (code > 0xffff ? 2 : 1);
      let symbol = word.slice(i, end);
      if (prefix !== null && i > 0) symbol = prefix + symbol;
      if (suffix !== null && end === word.length) symbol += suffix;
      const id = vocab.get(symbol);
      if (id !== undefined) {
        flushUnk();
        ids.push(id);
        starts.push(i);
        ends.push(end);
        i = end;
        continue;
      }
      if (byteFallback) {
        const bytes = textEncoder.encode(symbol);
        const byteIds: number[] = [];
        for (const byte of bytes) {
          const byteId = vocab.get(byteToken(byte));
          if (byteId === undefined) break;
          byteIds.push(byteId);
        }
        if (byteIds.length === bytes.length) {
          flushUnk();
          for (const byteId of byteIds) {
            ids.push(byteId);
            starts.push(i);
            ends.push(end);
          }
          i = end;
          continue;
        }
      }
      if (this.unkId >= 0) {
        if (unkStart >= 0 && fuseUnk) unkEnd = end;
        else {
          flushUnk();
          unkStart = i;
          unkEnd = end;
        }
      }
      i = end;
    }
    flushUnk();

    // Merge the lowest-ranked adjacent pair (leftmost among equals) until none is left.
    const table = this.mergeTable;
    const base = this.idBase;
    let length = ids.length;
    while (length > 1) {
      let best = Infinity;
      let bestAt = -1;
      for (let i = 0; i + 1 < length; i++) {
        const value = table.get(ids[i]! * base + ids[i + 1]!);
        if (value !== undefined && value < best) {
          best = value;
          bestAt = i;
        }
      }
      if (bestAt < 0) break;
      ids[bestAt] = best % base;
      ends[bestAt] = ends[bestAt + 1]!;
      ids.splice(bestAt + 1, 1);
      starts.splice(bestAt + 1, 1);
      ends.splice(bestAt + 1, 1);
      length--;
    }
    return { ids: Int32Array.from(ids), starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
  }
}
