/**
 * `CharTokenizer`: one token per character — a code point, or a user-perceived character (grapheme
 * cluster: an emoji with ZWJ, a letter with combining accents) with `unit: 'grapheme'`.
 */
import { TokenizerError, assertString } from './byte-level';
import type { Vocab } from './vocab';
import { VocabTokenizer } from './vocab-tokenizer';

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
export class CharTokenizer extends VocabTokenizer {
  readonly unit: 'codepoint' | 'grapheme';
  readonly lowercase: boolean;
  private segmenter: Intl.Segmenter | undefined;

  constructor(options: CharTokenizerOptions = {}) {
    super('CharTokenizer', '', options.vocab);
    this.unit = options.unit ?? 'codepoint';
    if (this.unit !== 'codepoint' && this.unit !== 'grapheme') throw new TokenizerError(`CharTokenizer: unit must be 'codepoint' or 'grapheme', got ${JSON.stringify(this.unit)}`);
    this.lowercase = options.lowercase ?? false;
  }

  /** The characters of `text`. */
  tokenize(text: string): string[] {
    assertString(text, 'CharTokenizer.tokenize');
    const source = this.lowercase ? text.toLowerCase() : text;
    if (this.unit === 'codepoint') return Array.from(source);
    this.segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    return Array.from(this.segmenter.segment(source), (part) => part.segment);
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


}
