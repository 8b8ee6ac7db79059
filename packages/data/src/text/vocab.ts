/**
 * `Vocab`: token ↔ id for word- and character-level models, built from counts with `minFrequency` and
 * `maxSize`, with special tokens first.
 */
import { TokenizerError, assertString } from './byte-level';

/**
 * Conventional special tokens.
 * @example
 * new Vocab([PAD_TOKEN]);
 */
export const PAD_TOKEN = '[PAD]';
/**
 * The unknown-token placeholder.
 * @example
 * new Vocab([UNK_TOKEN]);
 */
export const UNK_TOKEN = '[UNK]';
/**
 * BERT's classification token.
 * @example
 * new Vocab([CLS_TOKEN]);
 */
export const CLS_TOKEN = '[CLS]';
/**
 * BERT's separator token.
 * @example
 * new Vocab([SEP_TOKEN]);
 */
export const SEP_TOKEN = '[SEP]';
/**
 * BERT's mask token.
 * @example
 * new Vocab([MASK_TOKEN]);
 */
export const MASK_TOKEN = '[MASK]';
/**
 * The beginning-of-sequence token.
 * @example
 * new Vocab([BOS_TOKEN]);
 */
export const BOS_TOKEN = '[BOS]';
/**
 * The end-of-sequence token.
 * @example
 * new Vocab([EOS_TOKEN]);
 */
export const EOS_TOKEN = '[EOS]';
/**
 * BERT's five special tokens, in BERT's order of importance.
 * @example
 * new Vocab([BERT_SPECIAL_TOKENS]);
 */
export const BERT_SPECIAL_TOKENS: readonly string[] = Object.freeze([PAD_TOKEN, UNK_TOKEN, CLS_TOKEN, SEP_TOKEN, MASK_TOKEN]);

/** Options of `Vocab` and `Vocab.fromCounts`. */
export interface VocabOptions {
  /** Special tokens; they take ids 0, 1, … in this order. Default `['[PAD]', '[UNK]']`. */
  specialTokens?: readonly string[];
  /** Token that unknown tokens map to (must be a special token or in the vocabulary); `null` for none. Default `'[UNK]'` when present. */
  unkToken?: string | null;
  /** Role names of the other special tokens (looked up when present). */
  padToken?: string;
  clsToken?: string;
  sepToken?: string;
  maskToken?: string;
  bosToken?: string;
  eosToken?: string;
}

/** Options of `Vocab.fromCounts`. */
export interface VocabBuildOptions extends VocabOptions {
  /** Tokens seen fewer times are left out. Default 1. */
  minFrequency?: number;
  /** Largest vocabulary size, special tokens included; the most frequent tokens are kept. */
  maxSize?: number;
}

/** The JSON form of a `Vocab` (`toJSON` / `fromJSON`). */
export interface VocabJSON {
  tokens: string[];
  specialTokens: string[];
  unkToken: string | null;
  roles: Partial<Record<'pad' | 'cls' | 'sep' | 'mask' | 'bos' | 'eos', string>>;
}

/**
 * Token ↔ id. Ids are dense: special tokens first, then the other tokens.
 * @example
 * const vocab = Vocab.fromCounts({ the: 10, cat: 3, sat: 1 }, { minFrequency: 2 });
 * vocab.tokens; // ['[PAD]', '[UNK]', 'the', 'cat']
 * vocab.encode(['the', 'dog']); // [2, 1]
 */
export class Vocab {
  /** id → token. */
  readonly tokens: readonly string[];
  readonly specialTokens: readonly string[];
  readonly unkToken: string | null;
  private readonly ids = new Map<string, number>();
  private readonly roles: VocabJSON['roles'];

  constructor(tokens: Iterable<string>, options: VocabOptions = {}) {
    const specials = options.specialTokens ?? [PAD_TOKEN, UNK_TOKEN];
    const all: string[] = [];
    for (const token of [...specials, ...tokens]) {
      if (typeof token !== 'string') throw new TokenizerError(`Vocab: tokens must be strings, got ${typeof token}`);
      if (this.ids.has(token)) continue;
      this.ids.set(token, all.length);
      all.push(token);
    }
    this.tokens = all;
    this.specialTokens = [...new Set(specials)];
    const unk = options.unkToken === undefined ? (this.ids.has(UNK_TOKEN) ? UNK_TOKEN : null) : options.unkToken;
    if (unk !== null && !this.ids.has(unk)) throw new TokenizerError(`Vocab: unkToken ${JSON.stringify(unk)} is not in the vocabulary`);
    this.unkToken = unk;
    const roles: VocabJSON['roles'] = {};
    const role = (name: keyof VocabJSON['roles'], given: string | undefined, fallback: string): void => {
      if (given !== undefined && !this.ids.has(given)) throw new TokenizerError(`Vocab: ${name}Token ${JSON.stringify(given)} is not in the vocabulary`);
      const token = given ?? fallback;
      if (this.ids.has(token)) roles[name] = token;
    };
    role('pad', options.padToken, PAD_TOKEN);
    role('cls', options.clsToken, CLS_TOKEN);
    role('sep', options.sepToken, SEP_TOKEN);
    role('mask', options.maskToken, MASK_TOKEN);
    role('bos', options.bosToken, BOS_TOKEN);
    role('eos', options.eosToken, EOS_TOKEN);
    this.roles = roles;
  }

  /**
   * A vocabulary of the tokens counted in `counts` (a Map, an object, or token lists to count), most
   * frequent first (ties in code-unit order), keeping those seen at least `minFrequency` times, at
   * most `maxSize` in all.
   * @example
   * Vocab.fromCounts([['a', 'b', 'a']], { specialTokens: [] }).tokens; // ['a', 'b']
   */
  static fromCounts(counts: ReadonlyMap<string, number> | Readonly<Record<string, number>> | Iterable<Iterable<string>>, options: VocabBuildOptions = {}): Vocab {
    const { minFrequency = 1, maxSize } = options;
    if (maxSize !== undefined && (!Number.isInteger(maxSize) || maxSize < 0)) throw new TokenizerError(`Vocab.fromCounts: maxSize must be a non-negative integer, got ${String(maxSize)}`);
    let entries: [string, number][];
    if (counts instanceof Map) entries = [...counts];
    else if (counts !== null && typeof counts === 'object' && typeof (counts as Iterable<unknown>)[Symbol.iterator] === 'function') {
      const tally = new Map<string, number>();
      for (const document of counts as Iterable<Iterable<string>>) {
        if (typeof document === 'string') throw new TokenizerError('Vocab.fromCounts: expected token lists (string[][]), got a string; tokenize the texts first');
        for (const token of document) tally.set(token, (tally.get(token) ?? 0) + 1);
      }
      entries = [...tally];
    } else if (counts !== null && typeof counts === 'object') entries = Object.entries(counts as Record<string, number>);
    else throw new TokenizerError(`Vocab.fromCounts: expected counts (Map, object or token lists), got ${counts === null ? 'null' : typeof counts}`);
    const specials = new Set(options.specialTokens ?? [PAD_TOKEN, UNK_TOKEN]);
    entries = entries.filter(([token, count]) => count >= minFrequency && !specials.has(token));
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const room = maxSize === undefined ? entries.length : Math.max(0, maxSize - specials.size);
    return new Vocab(
      entries.slice(0, room).map(([token]) => token),
      options,
    );
  }

  /** Number of tokens, special tokens included. */
  get size(): number {
    return this.tokens.length;
  }

  get unkId(): number | undefined {
    return this.unkToken === null ? undefined : this.ids.get(this.unkToken);
  }
  get padId(): number | undefined {
    return this.roleId('pad');
  }
  get clsId(): number | undefined {
    return this.roleId('cls');
  }
  get sepId(): number | undefined {
    return this.roleId('sep');
  }
  get maskId(): number | undefined {
    return this.roleId('mask');
  }
  get bosId(): number | undefined {
    return this.roleId('bos');
  }
  get eosId(): number | undefined {
    return this.roleId('eos');
  }
  private roleId(role: keyof VocabJSON['roles']): number | undefined {
    const token = this.roles[role];
    return token === undefined ? undefined : this.ids.get(token);
  }

  /** Whether `token` is in the vocabulary. */
  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** Id of `token`, or undefined (no unknown-token fallback). */
  get(token: string): number | undefined {
    return this.ids.get(token);
  }

  /**
   * Id of `token`; an unknown token maps to the unknown token's id, or is a `TokenizerError` without one.
   * @example
   * vocab.tokenToId('cat'); // 3
   */
  tokenToId(token: string): number {
    assertString(token, 'Vocab.tokenToId');
    const id = this.ids.get(token) ?? this.unkId;
    if (id === undefined) throw new TokenizerError(`Vocab.tokenToId: ${JSON.stringify(token)} is not in the vocabulary and there is no unknown token`);
    return id;
  }

  /**
   * Token of `id`; an id outside `[0, size)` is a `TokenizerError`.
   * @example
   * vocab.idToToken(0); // '[PAD]'
   */
  idToToken(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.tokens.length) {
      throw new TokenizerError(`Vocab.idToToken: id ${String(id)} is out of range [0, ${this.tokens.length})`);
    }
    return this.tokens[id]!;
  }

  /** Ids of `tokens` (see `tokenToId`). */
  encode(tokens: readonly string[]): number[] {
    return tokens.map((token) => this.tokenToId(token));
  }

  /** Tokens of `ids` (see `idToToken`). */
  decode(ids: readonly number[]): string[] {
    return Array.from(ids, (id) => this.idToToken(id));
  }

  /**
   * One-hot rows (`size` columns) of `tokens`: row i has a 1 at `tokenToId(tokens[i])`.
   * @example
   * Vocab.fromCounts({ a: 2, b: 1 }, { specialTokens: [] }).oneHot(['b']); // [[0, 1]]
   */
  oneHot(tokens: readonly string[]): number[][] {
    return tokens.map((token) => {
      const row = new Array<number>(this.size).fill(0);
      row[this.tokenToId(token)] = 1;
      return row;
    });
  }

  /** A JSON-ready object; `Vocab.fromJSON` restores it. */
  toJSON(): VocabJSON {
    return { tokens: [...this.tokens], specialTokens: [...this.specialTokens], unkToken: this.unkToken, roles: { ...this.roles } };
  }

  /**
   * The vocabulary saved by `toJSON` (the object, or its JSON text).
   * @example
   * Vocab.fromJSON(JSON.stringify(vocab)).tokens; // same as vocab.tokens
   */
  static fromJSON(json: string | VocabJSON): Vocab {
    let data: unknown = json;
    if (typeof json === 'string') {
      try {
        data = JSON.parse(json);
      } catch (error) {
        throw new TokenizerError(`Vocab.fromJSON: not valid JSON (${(error as Error).message})`);
      }
    }
    const value = data as Partial<VocabJSON> | null;
    if (value === null || typeof value !== 'object' || !Array.isArray(value.tokens)) throw new TokenizerError('Vocab.fromJSON: expected an object with a "tokens" array');
    if (!Array.isArray(value.specialTokens)) throw new TokenizerError('Vocab.fromJSON: expected a "specialTokens" array');
    const roles = value.roles ?? {};
    return new Vocab(value.tokens, {
      specialTokens: value.specialTokens,
      unkToken: value.unkToken ?? null,
      padToken: roles.pad,
      clsToken: roles.cls,
      sepToken: roles.sep,
      maskToken: roles.mask,
      bosToken: roles.bos,
      eosToken: roles.eos,
    });
  }
}
