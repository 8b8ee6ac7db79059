/**
 * `CharTokenizer`: one token per character — a code point, or a user-perceived character (grapheme
 * cluster: an emoji with ZWJ, a letter with combining accents) with `unit: 'grapheme'`.
 */
import { TokenizerError, assertString } from './byte-level';
import { Vocab, type VocabBuildOptions } from './vocab';

/** Options of `CharTokenizer`. */
export interface CharTokenizerOptions {
  /** `'codepoint'` (default) or `'grapheme'` (`Intl.Segmenter`). */
  unit?: 'codepoint' | 'grapheme';
  /** Lowercase first. Default false. */
  lowercase?: boolean;
  /** A vocabulary for `encode`/`decode` (or build one with `fit`). */
  vocab?: Vocab;
}

/**
 * Characters as tokens.
 * @example
 * const chars = new CharTokenizer();
 * chars.fit(['hello']);
 * chars.decode(chars.encode('hello')); // 'hello'
 * new CharTokenizer({ unit: 'grapheme' }).tokenize('e\u0301👍🏽'); // ['é', '👍🏽']
 */
export class CharTokenizer {
  readonly unit: 'codepoint' | 'grapheme';
  readonly lowercase: boolean;
  vocab: Vocab | undefined;
  private segmenter: Intl.Segmenter | undefined;

  constructor(options: CharTokenizerOptions = {}) {
    this.unit = options.unit ?? 'codepoint';
    if (this.unit !== 'codepoint' && this.unit !== 'grapheme') throw new TokenizerError(`CharTokenizer: unit must be 'codepoint' or 'grapheme', got ${JSON.stringify(this.unit)}`);
    this.lowercase = options.lowercase ?? false;
    this.vocab = options.vocab;
  }

  /** The characters of `text`. */
  tokenize(text: string): string[] {
    assertString(text, 'CharTokenizer.tokenize');
    const source = this.lowercase ? text.toLowerCase() : text;
    if (this.unit === 'codepoint') return Array.from(source);
    this.segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    return Array.from(this.segmenter.segment(source), (part) => part.segment);
  }

  /**
   * Builds `this.vocab` from the characters of `corpus` and returns it.
   * @example
   * new CharTokenizer().fit(['aab'], { specialTokens: [] }).tokens; // ['a', 'b']
   */
  fit(corpus: Iterable<string>, options: VocabBuildOptions = {}): Vocab {
    if (typeof corpus === 'string') throw new TokenizerError('CharTokenizer.fit: expected an iterable of texts, got a single string (wrap it in an array)');
    const counts = new Map<string, number>();
    for (const text of corpus) for (const char of this.tokenize(text)) counts.set(char, (counts.get(char) ?? 0) + 1);
    this.vocab = Vocab.fromCounts(counts, options);
    return this.vocab;
  }

  /** Ids of the characters of `text` (unknown characters → the unknown token). */
  encode(text: string): number[] {
    return this.requireVocab('encode').encode(this.tokenize(text));
  }

  /** `encode` with each character's `[start, end)` offsets (for batch encoding; exact unless `lowercase` changes lengths). */
  encodeWithOffsets(text: string): { ids: number[]; offsets: [number, number][] } {
    const tokens = this.tokenize(text);
    const offsets: [number, number][] = [];
    let position = 0;
    for (const token of tokens) {
      offsets.push([position, position + token.length]);
      position += token.length;
    }
    return { ids: this.requireVocab('encodeWithOffsets').encode(tokens), offsets };
  }

  /** The characters of `ids`, joined. */
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    const vocab = this.requireVocab('decode');
    const specials = new Set(vocab.specialTokens);
    return vocab
      .decode(ids)
      .filter((token) => !options.skipSpecialTokens || !specials.has(token))
      .join('');
  }

  private requireVocab(op: string): Vocab {
    if (this.vocab === undefined) throw new TokenizerError(`CharTokenizer.${op}: no vocabulary; call fit(corpus) or pass { vocab }`);
    return this.vocab;
  }
}
