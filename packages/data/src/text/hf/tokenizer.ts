/**
 * `Tokenizer`: a Hugging Face `tokenizer.json` — normalizer, pre-tokenizer, model, added tokens,
 * post-processor and decoder — loaded and run in plain TypeScript, with the same ids as
 * `tokenizers`.
 *
 * Pipeline of `encode(text)`: split out the raw-text added tokens (special tokens), normalize the rest,
 * split out the normalized added tokens, pre-tokenize into words, run the model on each word, then let
 * the post-processor add special tokens. Offsets are UTF-16 code-unit ranges of the original text.
 */
import { TokenizerError, assertString } from '../byte-level';
import { AddedTokenMatcher, type AddedToken, addedTokenFromJSON, addedTokenToJSON, indexAddedTokens } from './added-tokens';
import { type Decoder, decoderFromJSON } from './decoders';
import { type JsonObject, JsonReader, TokenizerJSONError } from './json';
import { type LoadedModel, modelFromJSON } from './models';
import { type Normalizer, normalizerFromJSON } from './normalizers';
import { type EncodingParts, type PostProcessor, appendParts, emptyParts, postProcessorFromJSON } from './post-processors';
import { type PreTokenizer, preTokenizerFromJSON } from './pre-tokenizers';
import { Segment } from './segment';
import type { TokenSink } from '../wordpiece/model';

/** Options of {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /** Let the post-processor add special tokens (`[CLS] … [SEP]`, `<s>`). Default true. */
  addSpecialTokens?: boolean;
  /** Second sequence of a pair (e.g. question and context). */
  pair?: string;
}

/** Options of {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /** Leave out added tokens marked `special`. Default false. */
  skipSpecialTokens?: boolean;
}

/**
 * The full result of encoding: ids with their tokens, offsets into the original text (UTF-16 code
 * units; `[0, 0]` for added special tokens), token type ids, special-token mask and attention mask.
 */
export interface Encoding {
  ids: number[];
  tokens: string[];
  offsets: [number, number][];
  typeIds: number[];
  specialTokensMask: number[];
  attentionMask: number[];
}

/**
 * A Hugging Face tokenizer.
 * @example
 * const tokenizer = Tokenizer.fromJSON(readFileSync('tokenizer.json', 'utf8'));
 * tokenizer.encode('Hello world'); // [9906, 1917] with Llama 3's file
 * tokenizer.decode([9906, 1917]); // 'Hello world'
 */
export class Tokenizer {
  private readonly addedById: Map<number, AddedToken>;
  private readonly addedByContent = new Map<string, AddedToken>();
  private readonly rawMatcher: AddedTokenMatcher;
  private readonly normalizedMatcher: AddedTokenMatcher;

  private constructor(
    readonly model: LoadedModel,
    readonly normalizer: Normalizer | null,
    readonly preTokenizer: PreTokenizer | null,
    readonly postProcessor: PostProcessor | null,
    readonly decoder: Decoder | null,
    readonly addedTokens: readonly AddedToken[],
    private readonly extra: JsonObject,
  ) {
    this.addedById = indexAddedTokens([...addedTokens], 'added_tokens');
    for (const token of addedTokens) this.addedByContent.set(token.content, token);
    this.rawMatcher = new AddedTokenMatcher(addedTokens.filter((token) => !token.normalized || normalizer === null));
    this.normalizedMatcher = new AddedTokenMatcher(normalizer === null ? [] : addedTokens.filter((token) => token.normalized));
  }

  /**
   * Loads a `tokenizer.json` (its text, or the parsed object). Errors are `TokenizerJSONError`s that
   * name the JSON path of the bad field.
   * @example
   * const tokenizer = Tokenizer.fromJSON(text);
   */
  static fromJSON(json: string | object): Tokenizer {
    let value: unknown = json;
    if (typeof json === 'string') {
      try {
        value = JSON.parse(json);
      } catch (error) {
        throw new TokenizerJSONError('', `not valid JSON (${(error as Error).message})`);
      }
    } else if (json === null || typeof json !== 'object') {
      throw new TokenizerJSONError('', `expected the text of a tokenizer.json or its parsed object, got ${json === null ? 'null' : typeof json}`);
    }
    const reader = JsonReader.of(value, '');
    const model = modelFromJSON(reader.raw('model'), 'model');
    const normalizer = reader.has('normalizer') ? normalizerFromJSON(reader.raw('normalizer'), 'normalizer') : null;
    const preTokenizer = reader.has('pre_tokenizer') ? preTokenizerFromJSON(reader.raw('pre_tokenizer'), 'pre_tokenizer') : null;
    const postProcessor = reader.has('post_processor') ? postProcessorFromJSON(reader.raw('post_processor'), 'post_processor') : null;
    const decoder = reader.has('decoder') ? decoderFromJSON(reader.raw('decoder'), 'decoder') : null;
    const addedTokens = reader.has('added_tokens') ? reader.array('added_tokens').map((item, index) => addedTokenFromJSON(item, `added_tokens[${index}]`)) : [];
    const extra: JsonObject = {
      version: reader.has('version') ? reader.raw('version') : '1.0',
      truncation: reader.raw('truncation') ?? null,
      padding: reader.raw('padding') ?? null,
    };
    return new Tokenizer(model, normalizer, preTokenizer, postProcessor, decoder, addedTokens, extra);
  }

  /** The `tokenizer.json` object (round-trips through {@link Tokenizer.fromJSON}). */
  toJSONObject(): JsonObject {
    return {
      ...this.extra,
      added_tokens: this.addedTokens.map(addedTokenToJSON),
      normalizer: this.normalizer?.toJSON() ?? null,
      pre_tokenizer: this.preTokenizer?.toJSON() ?? null,
      post_processor: this.postProcessor?.toJSON() ?? null,
      decoder: this.decoder?.toJSON() ?? null,
      model: this.model.toJSON(),
    };
  }

  /**
   * The `tokenizer.json` text.
   * @example
   * Tokenizer.fromJSON(tokenizer.toJSON()).encode(text); // same ids
   */
  toJSON(): string {
    return JSON.stringify(this.toJSONObject());
  }

  /** Vocabulary size including added tokens. */
  get vocabSize(): number {
    let size = this.model.model.vocabSize;
    for (const token of this.addedTokens) if (this.model.model.tokenToId(token.content) === undefined) size++;
    return size;
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.model.model.tokenToId(token);
  }

  idToToken(id: number): string | undefined {
    return this.addedById.get(id)?.content ?? this.model.model.idToToken(id);
  }

  /**
   * Token ids of `text` (and of `options.pair`), with special tokens unless `addSpecialTokens: false`.
   * @example
   * tokenizer.encode('Hello world', { addSpecialTokens: false });
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    assertString(text, 'Tokenizer.encode');
    const first = this.encodeSequence(text, false);
    if (this.postProcessor === null && options.pair === undefined) return first.ids;
    return this.finish(first, text, options, false).ids;
  }

  /**
   * The full {@link Encoding}: ids, tokens, offsets, type ids and masks.
   * @example
   * tokenizer.encodeFull('Hello world').offsets; // [[0, 5], [5, 11]]
   */
  encodeFull(text: string, options: EncodeOptions = {}): Encoding {
    assertString(text, 'Tokenizer.encodeFull');
    const parts = this.finish(this.encodeSequence(text, true), text, options, true);
    return {
      ids: parts.ids,
      tokens: parts.tokens,
      offsets: parts.starts.map((start, i) => [start, parts.ends[i]!]),
      typeIds: parts.typeIds,
      specialTokensMask: parts.specialTokensMask,
      attentionMask: parts.ids.map(() => 1),
    };
  }

  /**
   * Text of `ids`: tokens through the decoder (joined with spaces when there is none).
   * Ids outside the vocabulary are a `TokenizerError`.
   * @example
   * tokenizer.decode(tokenizer.encode('Hello world')); // 'Hello world'
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
      throw new TokenizerError(`Tokenizer.decode: expected an array of token ids, got ${ids === null ? 'null' : typeof ids}`);
    }
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const added = this.addedById.get(id);
      if (added !== undefined) {
        if (!(options.skipSpecialTokens === true && added.special)) tokens.push(added.content);
        continue;
      }
      const token = Number.isInteger(id) ? this.model.model.idToToken(id) : undefined;
      if (token === undefined) throw new TokenizerError(`Tokenizer.decode: id ${String(id)} at index ${i} is not in the vocabulary (size ${this.vocabSize})`);
      tokens.push(token);
    }
    if (this.decoder === null) return tokens.join(' ');
    return this.decoder.decodeChain(tokens).join('');
  }

  /**
   * The words the model would see for `text` (normalized and pre-tokenized, added tokens left out);
   * trainers count these.
   * @example
   * unigramTokenizer.tokenizer.preTokenizeForTraining('a b') // ['▁a', '▁b']
   */
  preTokenizeForTraining(text: string): string[] {
    assertString(text, 'Tokenizer.preTokenizeForTraining');
    const segment = Segment.verbatim(text);
    const normalized = this.normalizer === null ? segment : this.normalizer.normalize(segment, false);
    const words = this.preTokenizer === null ? [normalized] : this.preTokenizer.preTokenize([normalized], false);
    return words.map((word) => word.text);
  }

  private finish(first: EncodingParts, text: string, options: EncodeOptions, tracked: boolean): EncodingParts {
    const addSpecialTokens = options.addSpecialTokens ?? true;
    let second: EncodingParts | null = null;
    if (options.pair !== undefined) {
      assertString(options.pair, 'Tokenizer.encode (pair)');
      second = this.encodeSequence(options.pair, tracked);
      for (let i = 0; i < second.ids.length; i++) second.typeIds[i] = 1;
    }
    if (this.postProcessor === null) {
      if (second === null) return first;
      const out = emptyParts();
      appendParts(out, first, null);
      appendParts(out, second, null);
      return out;
    }
    return this.postProcessor.process(first, second, addSpecialTokens, [text, options.pair ?? null]);
  }

  /** Encodes one sequence without post-processing. */
  private encodeSequence(text: string, tracked: boolean): EncodingParts {
    const parts = emptyParts();
    const sink: TokenSink = { ids: parts.ids, starts: tracked ? [] : null, ends: tracked ? [] : null };
    const pushAdded = (id: number, start: number, end: number): void => {
      parts.ids.push(id);
      if (!tracked) return;
      sink.starts!.push(0);
      sink.ends!.push(0);
      parts.tokens.push(this.addedById.get(id)!.content);
      parts.starts.push(start);
      parts.ends.push(end);
    };
    const encodeNormalized = (segment: Segment): void => {
      const words = this.preTokenizer === null ? [segment] : this.preTokenizer.preTokenize([segment], tracked);
      for (const word of words) {
        const before = parts.ids.length;
        this.model.model.tokenize(word.text, sink);
        if (!tracked) continue;
        for (let i = before; i < parts.ids.length; i++) {
          const [start, end] = word.range(sink.starts![i]!, sink.ends![i]!);
          parts.tokens.push(this.model.model.idToToken(parts.ids[i]!) ?? '');
          parts.starts.push(start);
          parts.ends.push(end);
        }
      }
    };
    const encodeRaw = (segment: Segment): void => {
      if (segment.text.length === 0) return;
      const normalized = this.normalizer === null ? segment : this.normalizer.normalize(segment, tracked);
      if (this.normalizedMatcher.isEmpty) return encodeNormalized(normalized);
      const found = this.normalizedMatcher.find(normalized.text);
      let last = 0;
      for (let i = 0; i < found.length; i += 3) {
        if (found[i]! > last) encodeNormalized(normalized.slice(last, found[i]!));
        const [start, end] = normalized.range(found[i]!, found[i + 1]!);
        pushAdded(found[i + 2]!, start, end);
        last = found[i + 1]!;
      }
      if (last < normalized.text.length) encodeNormalized(normalized.slice(last, normalized.text.length));
    };

    const whole = Segment.verbatim(text);
    const found = this.rawMatcher.find(text);
    let last = 0;
    for (let i = 0; i < found.length; i += 3) {
      if (found[i]! > last) encodeRaw(whole.slice(last, found[i]!));
      pushAdded(found[i + 2]!, found[i]!, found[i + 1]!);
      last = found[i + 1]!;
    }
    if (last < text.length) encodeRaw(whole.slice(last, text.length));
    for (let i = 0; i < parts.ids.length; i++) {
      parts.typeIds.push(0);
      parts.specialTokensMask.push(0);
    }
    if (tracked) for (let i = 0; i < parts.ids.length; i++) if (this.addedById.get(parts.ids[i]!)?.special === true && parts.tokens[i] === this.addedById.get(parts.ids[i]!)!.content) parts.specialTokensMask[i] = 1;
    return parts;
  }
}
