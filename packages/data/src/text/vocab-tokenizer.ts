/**
 * What word- and character-level tokenizers share: a vocabulary built from their own token counts,
 * encoding through it, and decoding back with a separator.
 */
import { TokenizerError } from './byte-level';
import { Vocab, type VocabBuildOptions } from './vocab';

/**
 * Base class of tokenizers that split text themselves and map tokens through a {@link Vocab}.
 * @example
 * class Letters extends VocabTokenizer {
 *   constructor() { super('Letters', ''); }
 *   tokenize(text: string) { return [...text]; }
 * }
 */
export abstract class VocabTokenizer {
  /** The vocabulary (from `fit`, or passed in). */
  vocab: Vocab | undefined;

  protected constructor(
    private readonly kind: string,
    private readonly separator: string,
    vocab?: Vocab,
  ) {
    this.vocab = vocab;
  }

  /** The tokens of `text`. */
  abstract tokenize(text: string): string[];

  /**
   * Builds `this.vocab` from the tokens of `corpus` and returns it.
   * @example
   * new WordTokenizer().fit(['a b', 'b c'], { minFrequency: 2 }).tokens; // ['[PAD]', '[UNK]', 'b']
   */
  fit(corpus: Iterable<string>, options: VocabBuildOptions = {}): Vocab {
    if (typeof corpus === 'string') {
      throw new TokenizerError(`${this.kind}.fit: expected an iterable of texts, got a single string (wrap it in an array)`);
    }
    const counts = new Map<string, number>();
    for (const text of corpus) for (const token of this.tokenize(text)) counts.set(token, (counts.get(token) ?? 0) + 1);
    this.vocab = Vocab.fromCounts(counts, options);
    return this.vocab;
  }

  /**
   * Ids of `text`'s tokens (unknown tokens → the unknown token).
   * @example
   * words.encode('the cat'); // [5, 17]
   */
  encode(text: string): number[] {
    return this.requireVocab('encode').encode(this.tokenize(text));
  }

  /** The tokens of `ids` joined with this tokenizer's separator (optionally without special tokens). */
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    const vocab = this.requireVocab('decode');
    const specials = new Set(vocab.specialTokens);
    return vocab
      .decode(ids)
      .filter((token) => !options.skipSpecialTokens || !specials.has(token))
      .join(this.separator);
  }

  /** The vocabulary, or a clear error naming `op` when there is none yet. */
  protected requireVocab(op: string): Vocab {
    if (this.vocab === undefined) throw new TokenizerError(`${this.kind}.${op}: no vocabulary; call fit(corpus) or pass { vocab }`);
    return this.vocab;
  }
}
