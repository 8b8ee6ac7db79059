/**
 * `BPETokenizer`: pre-tokenization (a split regex), special tokens, a piece cache and a `BPEModel`.
 * Loads OpenAI's tiktoken rank files and GPT-2's original files, or trains its own vocabulary.
 */
import { TokenizerError, assertString, encodeUtf8, type LoneSurrogatePolicy } from '../byte-level';
import { afterCodePoint } from '../code-point';
import { REFERENCE_SPLIT_PATTERNS, SPLIT_PATTERNS, splitRegex, type SplitPatternName } from '../split-patterns';
import { TIKTOKEN_ENCODINGS, parseMergesText, parseTiktokenRanks, type TiktokenEncodingName } from './encodings';
import { BPEModel } from './model';
import { scanCl100k } from './scan-cl100k';
import { trainBPE, type BPETrainOptions } from './train';

/** Which special tokens `encode` recognises in the text. */
export type SpecialTokenSet = 'all' | readonly string[];

/** Options of the `BPETokenizer` constructor (and of the loaders, where they apply). */
export interface BPETokenizerOptions {
  /**
   * Pre-tokenizer: a built-in pattern name, a JavaScript regex source (`u` flag), a `RegExp`, or
   * `null` to treat the whole text (between special tokens) as one piece. Default `'gpt2'`.
   */
  pattern?: SplitPatternName | string | RegExp | null;
  /** Special token text → id (ids may be outside the model's vocabulary, as in tiktoken). */
  specialTokens?: Readonly<Record<string, number>> | ReadonlyMap<string, number>;
  /** Special tokens recognised in the text when `encode` is not told. Default `'all'` (`[]` for the OpenAI loaders, as in tiktoken). */
  allowedSpecial?: SpecialTokenSet;
  /**
   * Special tokens that are an error when they appear in the text but are not allowed. Default `'all'`,
   * as in tiktoken (so a stray `<|endoftext|>` in user text cannot become a control token by accident).
   */
  disallowedSpecial?: SpecialTokenSet;
  /** Pieces whose ids are cached (the cache is cleared when it fills). Default 100,000; 0 disables. */
  cacheSize?: number;
  /** A name shown in errors. */
  name?: string;
}

/** Per-call options of `encode`. */
export interface BPEEncodeOptions {
  /** Special tokens recognised in this text (default: the tokenizer's `allowedSpecial`). */
  allowedSpecial?: SpecialTokenSet;
  /** Special tokens that are an error in this text unless allowed (default: the tokenizer's). */
  disallowedSpecial?: SpecialTokenSet;
  /** Accepted for API symmetry with `Tokenizer.encode`; BPE models add no template tokens. */
  addSpecialTokens?: boolean;
}

/** Options of `decode`. */
export interface BPEDecodeOptions {
  /** Leave special tokens out of the text. Default false. */
  skipSpecialTokens?: boolean;
}

/** Options of `BPETokenizer.fromTiktoken`. */
export interface FromTiktokenOptions extends Omit<BPETokenizerOptions, 'pattern' | 'specialTokens'> {
  encoding: TiktokenEncodingName;
  /** Extra special tokens (text → id) besides the encoding's own. */
  extraSpecialTokens?: Readonly<Record<string, number>>;
  loneSurrogates?: LoneSurrogatePolicy;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Byte-pair-encoding tokenizer: byte-level (GPT-2, tiktoken, trained with `byteLevel: true`) or
 * character-level.
 * @example
 * const enc = BPETokenizer.fromTiktoken(readFileSync('cl100k_base.tiktoken', 'utf8'), { encoding: 'cl100k_base' });
 * enc.encode('hello world'); // [15339, 1917]
 * enc.decode([15339, 1917]); // 'hello world'
 */
export class BPETokenizer {
  readonly model: BPEModel;
  readonly name: string;
  /** Special token text → id. */
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly allowedSpecial: SpecialTokenSet;
  readonly disallowedSpecial: SpecialTokenSet;
  /** Source of the split pattern (JavaScript syntax), or null. */
  readonly pattern: string | null;
  /** Name of the built-in split pattern, when one was used. */
  readonly patternName: SplitPatternName | undefined;
  private readonly regex: RegExp | null;
  /** A hand-written equivalent of the regex (cl100k_base, Llama 3), or null. */
  private readonly scanner: ((text: string, start: number) => number) | null;
  private readonly specialById = new Map<number, string>();
  private readonly specialRegex: RegExp | null;
  private readonly cache = new Map<string, number | number[]>();
  private readonly cacheSize: number;

  constructor(model: BPEModel, options: BPETokenizerOptions = {}) {
    this.model = model;
    this.name = options.name ?? 'BPETokenizer';
    const pattern = options.pattern === undefined ? 'gpt2' : options.pattern;
    this.regex = pattern === null ? null : pattern instanceof RegExp ? new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g') : splitRegex(pattern);
    this.pattern = this.regex?.source ?? null;
    this.patternName = typeof pattern === 'string' && Object.prototype.hasOwnProperty.call(SPLIT_PATTERNS, pattern) ? (pattern as SplitPatternName) : undefined;
    this.scanner = this.pattern !== null && this.pattern === SPLIT_PATTERNS.cl100k_base ? scanCl100k : null;
    const specials = options.specialTokens instanceof Map ? new Map(options.specialTokens) : new Map(Object.entries(options.specialTokens ?? {}));
    for (const [text, id] of specials) {
      if (text.length === 0 || !Number.isInteger(id) || id < 0) throw new TokenizerError(`${this.name}: special token ${JSON.stringify(text)} → ${String(id)} needs a non-empty text and a non-negative integer id`);
      this.specialById.set(id, text);
    }
    this.specialTokens = specials;
    this.specialRegex =
      specials.size === 0
        ? null
        : new RegExp(
            [...specials.keys()]
              .sort((a, b) => b.length - a.length)
              .map(escapeRegExp)
              .join('|'),
            'g',
          );
    this.allowedSpecial = options.allowedSpecial ?? 'all';
    this.disallowedSpecial = options.disallowedSpecial ?? 'all';
    this.checkSpecialSet(this.allowedSpecial, 'allowedSpecial');
    this.checkSpecialSet(this.disallowedSpecial, 'disallowedSpecial');
    this.cacheSize = options.cacheSize ?? 100_000;
  }

  /**
   * A tokenizer from a tiktoken rank file's text, with the encoding's split pattern and special tokens.
   * Special tokens in the text are an error unless `encode` allows them, as in tiktoken.
   * @example
   * const enc = BPETokenizer.fromTiktoken(readFileSync('node_modules/gpt-tokenizer/data/o200k_base.tiktoken', 'utf8'), { encoding: 'o200k_base' });
   */
  static fromTiktoken(rankFileText: string, options: FromTiktokenOptions): BPETokenizer {
    assertString(rankFileText, 'BPETokenizer.fromTiktoken');
    const spec = TIKTOKEN_ENCODINGS[options?.encoding];
    if (spec === undefined) {
      throw new TokenizerError(`BPETokenizer.fromTiktoken: unknown encoding ${JSON.stringify(options?.encoding)}; expected one of ${Object.keys(TIKTOKEN_ENCODINGS).join(', ')}`);
    }
    const model = BPEModel.fromTokenBytes(parseTiktokenRanks(rankFileText), { loneSurrogates: options.loneSurrogates });
    return new BPETokenizer(model, {
      ...options,
      name: options.name ?? `BPETokenizer(${options.encoding})`,
      pattern: spec.pattern,
      specialTokens: { ...spec.specialTokens, ...options.extraSpecialTokens },
      allowedSpecial: options.allowedSpecial ?? [],
    });
  }

  /**
   * A tokenizer from GPT-2's original files: `encoder.json` (token → id) and `vocab.bpe` (merges).
   * `<|endoftext|>` is a special token when the vocabulary has it.
   * @example
   * const gpt2 = BPETokenizer.fromGPT2(readFileSync('encoder.json', 'utf8'), readFileSync('vocab.bpe', 'utf8'));
   * gpt2.encode('Hello world'); // [15496, 995]
   */
  static fromGPT2(encoderJsonText: string, vocabBpeText: string, options: Omit<BPETokenizerOptions, 'specialTokens'> & { loneSurrogates?: LoneSurrogatePolicy } = {}): BPETokenizer {
    assertString(encoderJsonText, 'BPETokenizer.fromGPT2 (encoder.json)');
    assertString(vocabBpeText, 'BPETokenizer.fromGPT2 (vocab.bpe)');
    let encoder: unknown;
    try {
      encoder = JSON.parse(encoderJsonText);
    } catch (error) {
      throw new TokenizerError(`BPETokenizer.fromGPT2: encoder.json is not valid JSON (${(error as Error).message})`);
    }
    if (encoder === null || typeof encoder !== 'object' || Array.isArray(encoder)) throw new TokenizerError('BPETokenizer.fromGPT2: encoder.json must be an object of token → id');
    const vocab = encoder as Record<string, number>;
    const model = BPEModel.fromMerges(vocab, parseMergesText(vocabBpeText), { byteLevel: true, ignoreMerges: false, loneSurrogates: options.loneSurrogates });
    const eot = vocab['<|endoftext|>'];
    return new BPETokenizer(model, {
      name: 'BPETokenizer(gpt2)',
      pattern: 'gpt2',
      allowedSpecial: [],
      ...options,
      specialTokens: eot === undefined ? {} : { '<|endoftext|>': eot },
    });
  }

  /**
   * Trains a tokenizer on `corpus` (a string or strings); see `BPETrainOptions`. Special tokens get the
   * first ids and are recognised in text by default.
   * @example
   * const bpe = BPETokenizer.train(text, { vocabSize: 8000, byteLevel: true, specialTokens: ['<|endoftext|>'] });
   */
  static train(corpus: string | Iterable<string>, options: BPETrainOptions): BPETokenizer {
    const { model, specialTokens, pattern } = trainBPE(corpus, options);
    return new BPETokenizer(model, { pattern, specialTokens, name: 'BPETokenizer(trained)' });
  }

  /** One more than the largest id, special tokens included. */
  get vocabSize(): number {
    let size = this.model.size;
    for (const id of this.specialTokens.values()) size = Math.max(size, id + 1);
    return size;
  }

  /** Id of a token string (model alphabet, e.g. `'Ġhello'`) or special token, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.specialTokens.get(token) ?? this.model.tokenToId.get(token);
  }

  /** Token string of an id (model alphabet), or undefined. */
  idToToken(id: number): string | undefined {
    return this.specialById.get(id) ?? this.model.vocab[id];
  }

  /**
   * Ids of `text`. Special tokens in `allowedSpecial` become their ids; one of `disallowedSpecial`
   * that is not allowed is a `TokenizerError`; others are encoded as plain text.
   * @example
   * enc.encode('<|endoftext|>', { allowedSpecial: 'all' }); // [100257] with cl100k_base
   */
  encode(text: string, options: BPEEncodeOptions = {}): number[] {
    assertString(text, `${this.name}.encode`);
    const out: number[] = [];
    this.encodeInto(text, options, out, undefined);
    return out;
  }

  /**
   * Ids of `text` with each token's `[start, end)` UTF-16 offsets in `text`. A token that starts or
   * ends inside a character (byte-level tokens can) is widened to whole characters.
   * @example
   * enc.encodeWithOffsets('hi there'); // { ids: [6151, 1070], offsets: [[0, 2], [2, 8]] }
   */
  encodeWithOffsets(text: string, options: BPEEncodeOptions = {}): { ids: number[]; offsets: [number, number][] } {
    assertString(text, `${this.name}.encodeWithOffsets`);
    const ids: number[] = [];
    const offsets: [number, number][] = [];
    this.encodeInto(text, options, ids, offsets);
    return { ids, offsets };
  }

  /**
   * Token strings of `text` (model alphabet).
   * @example
   * gpt2.tokenize(' hello world'); // ['Ġhello', 'Ġworld']
   */
  tokenize(text: string, options: BPEEncodeOptions = {}): string[] {
    return this.encode(text, options).map((id) => this.idToToken(id)!);
  }

  private checkSpecialSet(set: SpecialTokenSet, what: string): void {
    if (set === 'all') return;
    if (!Array.isArray(set)) throw new TokenizerError(`${this.name}: ${what} must be 'all' or an array of special tokens, got ${typeof set}`);
    for (const token of set) {
      if (!this.specialTokens.has(token)) {
        throw new TokenizerError(`${this.name}: unknown special token ${JSON.stringify(token)} in ${what}; the special tokens are ${JSON.stringify([...this.specialTokens.keys()])}`);
      }
    }
  }

  private encodeInto(text: string, options: BPEEncodeOptions, out: number[], offsets: [number, number][] | undefined): void {
    let start = 0;
    if (this.specialRegex !== null) {
      const allowed = options.allowedSpecial ?? this.allowedSpecial;
      const disallowed = options.disallowedSpecial ?? this.disallowedSpecial;
      if (options.allowedSpecial !== undefined) this.checkSpecialSet(allowed, 'allowedSpecial');
      if (options.disallowedSpecial !== undefined) this.checkSpecialSet(disallowed, 'disallowedSpecial');
      const isAllowed = (token: string): boolean => allowed === 'all' || allowed.includes(token);
      const isDisallowed = (token: string): boolean => disallowed === 'all' || disallowed.includes(token);
      const regex = this.specialRegex;
      regex.lastIndex = 0;
      for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
        const token = match[0];
        if (isAllowed(token)) {
          this.encodeOrdinary(text, start, match.index, out, offsets);
          out.push(this.specialTokens.get(token)!);
          offsets?.push([match.index, match.index + token.length]);
          start = match.index + token.length;
        } else if (isDisallowed(token)) {
          throw new TokenizerError(
            `${this.name}.encode: the text contains the special token ${JSON.stringify(token)} at index ${match.index}, which is not allowed; pass { allowedSpecial: [${JSON.stringify(token)}] } to encode it as a special token or { disallowedSpecial: [] } to encode it as plain text`,
          );
        } else {
          regex.lastIndex = afterCodePoint(text, match.index); // plain text; a special token may still start inside it
        }
      }
    }
    this.encodeOrdinary(text, start, text.length, out, offsets);
  }

  private encodeOrdinary(text: string, start: number, end: number, out: number[], offsets: [number, number][] | undefined): void {
    if (start >= end) return;
    const segment = start === 0 && end === text.length ? text : text.slice(start, end);
    const regex = this.regex;
    if (regex === null) {
      this.encodePiece(segment, out, offsets, start);
      return;
    }
    regex.lastIndex = 0;
    if (offsets !== undefined) {
      for (let match = regex.exec(segment); match !== null; match = regex.exec(segment)) {
        if (match[0].length === 0) {
          regex.lastIndex = afterCodePoint(segment, regex.lastIndex); // whole code points: a `u` regex cannot resume inside a surrogate pair
          continue;
        }
        this.encodePiece(match[0], out, offsets, start + match.index);
      }
      return;
    }
    const cache = this.cache;
    if (this.scanner !== null) {
      // The hot loop: one scanner step and one cache lookup per piece.
      const scan = this.scanner;
      for (let i = 0; i < segment.length; ) {
        const end = scan(segment, i);
        const piece = segment.slice(i, end);
        i = end;
        const cached = cache.get(piece);
        if (cached === undefined) this.encodePiece(piece, out, undefined, 0);
        else if (typeof cached === 'number') out.push(cached);
        else for (let k = 0; k < cached.length; k++) out.push(cached[k]!);
      }
      return;
    }
    // The hot loop: one regex step and one cache lookup per piece.
    for (let match = regex.exec(segment); match !== null; match = regex.exec(segment)) {
      const piece = match[0];
      const cached = cache.get(piece);
      if (cached !== undefined) {
        if (typeof cached === 'number') out.push(cached);
        else for (let i = 0; i < cached.length; i++) out.push(cached[i]!);
        continue;
      }
      if (piece.length === 0) {
        regex.lastIndex = afterCodePoint(segment, regex.lastIndex);
        continue;
      }
      this.encodePiece(piece, out, undefined, 0);
    }
  }

  private encodePiece(piece: string, out: number[], offsets: [number, number][] | undefined, pieceStart: number): void {
    const before = out.length;
    const cached = this.cache.get(piece);
    if (cached !== undefined) {
      if (typeof cached === 'number') out.push(cached);
      else for (let i = 0; i < cached.length; i++) out.push(cached[i]!);
    } else {
      this.model.encodePiece(piece, out);
      if (this.cacheSize > 0) {
        if (this.cache.size >= this.cacheSize) this.cache.clear();
        this.cache.set(piece, out.length - before === 1 ? out[before]! : out.slice(before));
      }
    }
    if (offsets !== undefined) this.pieceOffsets(piece, out, before, pieceStart, offsets);
  }

  /** Character offsets of the tokens `out[from…]` of one piece. */
  private pieceOffsets(piece: string, out: number[], from: number, pieceStart: number, offsets: [number, number][]): void {
    if (!this.model.byteLevel) {
      let position = 0;
      for (let t = from; t < out.length; t++) {
        const token = this.model.vocab[out[t]!] ?? '';
        const length = out[t] === this.model.unkId ? (piece.codePointAt(position)! > 0xffff ? 2 : 1) : token.length;
        offsets.push([pieceStart + position, pieceStart + position + length]);
        position += length;
      }
      return;
    }
    // byteStart[k] = UTF-16 index of the character that byte k belongs to.
    const bytes = encodeUtf8(piece, this.model.loneSurrogates);
    const charOfByte = new Int32Array(bytes.length + 1);
    let byte = 0;
    for (let i = 0; i < piece.length; i++) {
      const code = piece.codePointAt(i)!;
      const width = this.model.loneSurrogates !== 'wtf8' && code >= 0xd800 && code <= 0xdfff ? 3 : code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      for (let k = 0; k < width; k++) charOfByte[byte++] = i;
      if (code > 0xffff) i++;
    }
    charOfByte[bytes.length] = piece.length;
    const charEnd = (b: number): number => {
      if (b >= bytes.length) return piece.length;
      // The end is the start of the character containing byte b, unless b is inside it (then after it).
      const index = charOfByte[b]!;
      return b > 0 && charOfByte[b - 1] === index ? index + (piece.codePointAt(index)! > 0xffff ? 2 : 1) : index;
    };
    let position = 0;
    for (let t = from; t < out.length; t++) {
      const length = this.model.bytesOf(out[t]!)?.length ?? 1;
      offsets.push([pieceStart + charOfByte[Math.min(position, bytes.length - 1)]!, pieceStart + charEnd(position + length)]);
      position += length;
    }
  }

  /**
   * Text of `ids`. An id that is neither in the vocabulary nor a special token is a `TokenizerError`.
   * Byte-level: bytes of consecutive tokens are joined before UTF-8 decoding, and an incomplete
   * character decodes to U+FFFD.
   * @example
   * enc.decode(enc.encode('héllo 👋')); // 'héllo 👋'
   */
  decode(ids: readonly number[] | Int32Array, options: BPEDecodeOptions = {}): string {
    if (ids === null || typeof ids !== 'object' || typeof (ids as { length?: unknown }).length !== 'number') {
      throw new TokenizerError(`${this.name}.decode: expected an array of ids, got ${ids === null ? 'null' : typeof ids}`);
    }
    let text = '';
    let run: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const special = this.specialById.get(id);
      if (special !== undefined) {
        text += this.model.decode(run);
        run = [];
        if (!options.skipSpecialTokens) text += special;
        continue;
      }
      if (!this.model.has(id)) {
        throw new TokenizerError(`${this.name}.decode: id ${String(id)} at position ${i} is not in the vocabulary (ids 0…${this.model.size - 1} and ${this.specialTokens.size} special tokens)`);
      }
      run.push(id);
    }
    return text + this.model.decode(run);
  }

  /**
   * The tokenizer as a Hugging Face `tokenizer.json` text (model `BPE`, the split pattern as a `Split`
   * pre-tokenizer in Rust syntax, `ByteLevel` pre-tokenizer and decoder for byte-level models, special
   * tokens as added tokens), which `Tokenizer.fromJSON` and `@huggingface/tokenizers` encode
   * identically. Rank-file models export their merges derived from the ranks (large: cl100k has
   * hundreds of thousands) with `ignore_merges: true`.
   * @example
   * writeFileSync('tokenizer.json', BPETokenizer.train(text, { vocabSize: 8000 }).toJSON());
   */
  toJSON(): string {
    const model = this.model;
    const vocab: Record<string, number> = {};
    model.vocab.forEach((token, id) => {
      if (token !== undefined && !Object.prototype.hasOwnProperty.call(vocab, token)) vocab[token] = id;
    });
    const merges = model.mergeStrings();
    const spaced = merges.some(([left, right]) => left.includes(' ') || right.includes(' '));
    const source = this.patternName !== undefined ? REFERENCE_SPLIT_PATTERNS[this.patternName] : this.pattern;
    const split = source === null ? [] : [{ type: 'Split', pattern: { Regex: source }, behavior: 'Isolated', invert: false }];
    const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false };
    const preTokenizer = model.byteLevel
      ? source === REFERENCE_SPLIT_PATTERNS.gpt2
        ? { ...byteLevel, use_regex: true }
        : { type: 'Sequence', pretokenizers: [...split, byteLevel] }
      : (split[0] ?? null);
    const json = {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [...this.specialTokens]
        .sort((a, b) => a[1] - b[1])
        .map(([content, id]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: null,
      pre_tokenizer: preTokenizer,
      post_processor: null,
      decoder: model.byteLevel ? { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true } : { type: 'Fuse' },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: model.unkId >= 0 ? (model.vocab[model.unkId] ?? null) : null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: model.ignoreMerges,
        vocab,
        merges: spaced ? merges : merges.map(([left, right]) => `${left} ${right}`),
      },
    };
    return JSON.stringify(json);
  }

  /** Empties the piece cache (memory; results do not change). */
  clearCache(): void {
    this.cache.clear();
  }
}
