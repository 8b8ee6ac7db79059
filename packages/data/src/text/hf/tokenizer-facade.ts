/**
 * The shared face of tokenizers that are defined by an equivalent Hugging Face `tokenizer.json`
 * (WordPiece, Unigram): they build the JSON, and encoding, decoding and export go through it.
 */
import { assertString } from '../byte-level';
import { Tokenizer, type DecodeOptions, type EncodeOptions, type Encoding } from './tokenizer';

/**
 * Base class of tokenizers backed by a {@link Tokenizer}. Subclasses call `load(json)` in their constructor.
 * @example
 * class Mine extends TokenizerFacade {
 *   constructor(json: object) { super('Mine'); this.load(json); }
 * }
 */
export abstract class TokenizerFacade {
  #tokenizer: Tokenizer | null = null;

  protected constructor(private readonly kind: string) {}

  /** Build the backing tokenizer from its `tokenizer.json` object. */
  protected load(json: object): void {
    this.#tokenizer = Tokenizer.fromJSON(json);
  }

  /** The equivalent Hugging Face tokenizer (used for encoding and `toJSON`). */
  get tokenizer(): Tokenizer {
    if (!this.#tokenizer) throw new Error(`${this.kind}: the tokenizer was not loaded`);
    return this.#tokenizer;
  }

  /** Number of tokens, special tokens included. */
  get vocabSize(): number {
    return this.tokenizer.vocabSize;
  }

  /** The id of a token, if it is in the vocabulary. */
  tokenToId(token: string): number | undefined {
    return this.tokenizer.tokenToId(token);
  }

  /** The token of an id, if there is one. */
  idToToken(id: number): string | undefined {
    return this.tokenizer.idToToken(id);
  }

  /** Ids of `text` (with the special tokens of the post-processor unless `addSpecialTokens: false`). */
  encode(text: string, options: EncodeOptions = {}): number[] {
    assertString(text, `${this.kind}.encode`);
    return this.tokenizer.encode(text, options);
  }

  /** Ids with tokens, offsets, type ids and masks. */
  encodeFull(text: string, options: EncodeOptions = {}): Encoding {
    assertString(text, `${this.kind}.encodeFull`);
    return this.tokenizer.encodeFull(text, options);
  }

  /** Text of `ids`. */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    return this.tokenizer.decode(ids, options);
  }

  /** The Hugging Face `tokenizer.json` text. */
  toJSON(): string {
    return this.tokenizer.toJSON();
  }
}
