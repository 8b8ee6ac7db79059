/**
 * `WordTokenizer`: words, numbers and punctuation with Unicode-aware rules, optional lowercasing and
 * stop-word removal, and (after `fit` or with a given `Vocab`) ids. Text in scripts written without
 * spaces (Chinese, Japanese, Thai, …) is split into words by `Intl.Segmenter`; patterns such as URLs,
 * e-mail addresses and numbers can be kept whole.
 */
import { TokenizerError, assertString } from './byte-level';
import type { Vocab } from './vocab';
import { VocabTokenizer } from './vocab-tokenizer';

/**
 * English stop words (NLTK's list of 179 words, lowercase, with straight apostrophes).
 * @example
 * ENGLISH_STOP_WORDS.has('the'); // true
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves he him his himself " +
    "she she's her hers herself it it's its itself they them their theirs themselves what which who whom this that that'll " +
    'these those am is are was were be been being have has had having do does did doing a an the and but if or because as ' +
    'until while of at by for with about against between into through during before after above below to from up down in ' +
    'out on off over under again further then once here there when where why how all any both each few more most other some ' +
    "such no nor not only own same so than too very s t can will just don don't should should've now d ll m o re ve y ain " +
    "aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't " +
    "mustn mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't wouldn wouldn't"
  ).split(' '),
);

/** Options of `WordTokenizer`. */
export interface WordTokenizerOptions {
  /** Lowercase (locale-independent, after NFC normalization). Default true. */
  lowercase?: boolean;
  /** Punctuation and symbols: each character its own token (`'split'`, default) or dropped (`'remove'`). */
  punctuation?: 'split' | 'remove';
  /** "don't": one token (`'keep'`, default) or Penn Treebank style `do` + `n't`, `I` + `'m` (`'split'`). */
  contractions?: 'keep' | 'split';
  /** "state-of-the-art": one token (`'keep'`, default) or words and `-` tokens (`'split'`). */
  hyphenated?: 'keep' | 'split';
  /** Numbers such as `3.14` and `1,000`: kept (default), dropped, or replaced by `numberToken`. */
  numbers?: 'keep' | 'remove' | 'replace';
  /** Token that replaces numbers with `numbers: 'replace'`. Default `'<num>'`. */
  numberToken?: string;
  /** Stop words to drop: `true` for `ENGLISH_STOP_WORDS`, or your own list. Default none. */
  stopWords?: boolean | Iterable<string>;
  /** A vocabulary for `encode`/`decode` (or build one with `fit`). */
  vocab?: Vocab;
  /**
   * Text to keep as one token, exactly as written (not lowercased, never a stop word), tried before
   * the word rules: `'url'`, `'email'`, `'number'` (signs, decimals, thousands separators, exponents,
   * a trailing %), or your own `RegExp` (flags other than g, u, y are refused). Default none.
   */
  keepWhole?: readonly (KeepWholePattern | RegExp)[];
  /**
   * Words in scripts written without spaces — Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar — are
   * split with `Intl.Segmenter` at word granularity (`'auto'`, default, where `Intl.Segmenter` exists)
   * or kept as runs of letters (`'off'`).
   */
  segmenter?: 'auto' | 'off';
  /** Locale for `Intl.Segmenter` (e.g. `'ja'`, `'zh'`, `'th'`); default: detected per word from its script. */
  locale?: string;
}

/** Built-in patterns of {@link WordTokenizerOptions.keepWhole}. */
export type KeepWholePattern = 'url' | 'email' | 'number';

/**
 * The sources of the built-in `keepWhole` patterns (JavaScript, `u` flag).
 * @example
 * new RegExp(KEEP_WHOLE_PATTERNS.email, 'u').test('ada@example.org'); // true
 */
export const KEEP_WHOLE_PATTERNS: Readonly<Record<KeepWholePattern, string>> = {
  // scheme:// or www., then anything up to whitespace, not ending in sentence punctuation.
  url: "(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\\.)[^\\s<>\"'`]*[^\\s<>\"'`.,;:!?)\\]}]",
  email: "[\\p{L}\\p{N}._%+-]+@[\\p{L}\\p{N}-]+(?:\\.[\\p{L}\\p{N}-]+)*\\.\\p{L}{2,}",
  // A sign only where no letter or digit comes before it ("3-5" stays 3, -, 5).
  number: '(?<![\\p{L}\\p{N}])[-+\\u2212]?\\p{N}+(?:[.,]\\p{N}+)*(?:[eE][-+]?\\p{N}+)?%?',
};

/** Scripts written without spaces between words, which `Intl.Segmenter` splits. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/** A token and its `[start, end)` UTF-16 offsets in the original text. */
export interface TokenWithOffsets {
  token: string;
  start: number;
  end: number;
}

const APOSTROPHES = "'\u2019";
const WORD = '[\\p{L}\\p{M}][\\p{L}\\p{M}\\p{N}_]*';

/**
 * Splits text into words, numbers and punctuation.
 * @example
 * const words = new WordTokenizer({ stopWords: true });
 * words.tokenize("The cat's state-of-the-art toy costs $3.50!"); // ["cat's", 'state-of-the-art', 'toy', 'costs', '$', '3.50', '!']
 */
export class WordTokenizer extends VocabTokenizer {
  readonly options: Readonly<Required<Omit<WordTokenizerOptions, 'vocab' | 'stopWords' | 'keepWhole' | 'locale'>>> & { readonly locale?: string };
  readonly stopWords: ReadonlySet<string>;
  private readonly regex: RegExp;
  private readonly segmenters = new Map<string, Intl.Segmenter>();

  constructor(options: WordTokenizerOptions = {}) {
    super('WordTokenizer', ' ', options.vocab);
    this.options = {
      lowercase: options.lowercase ?? true,
      punctuation: options.punctuation ?? 'split',
      contractions: options.contractions ?? 'keep',
      hyphenated: options.hyphenated ?? 'keep',
      numbers: options.numbers ?? 'keep',
      numberToken: options.numberToken ?? '<num>',
      segmenter: options.segmenter ?? 'auto',
      locale: options.locale,
    };
    const check = (name: string, value: string, allowed: string[]): void => {
      if (!allowed.includes(value)) throw new TokenizerError(`WordTokenizer: ${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`);
    };
    check('punctuation', this.options.punctuation, ['split', 'remove']);
    check('contractions', this.options.contractions, ['keep', 'split']);
    check('hyphenated', this.options.hyphenated, ['keep', 'split']);
    check('numbers', this.options.numbers, ['keep', 'remove', 'replace']);
    check('segmenter', this.options.segmenter, ['auto', 'off']);
    const stop = options.stopWords ?? false;
    this.stopWords = stop === true ? ENGLISH_STOP_WORDS : stop === false ? new Set() : new Set([...stop].map((word) => (this.options.lowercase ? word.toLowerCase() : word)));
    // A word: letters (+ marks, digits, _), with inner apostrophes ("don't", "o'clock") and, when kept,
    // inner hyphens joining words ("state-of-the-art"). Then numbers, then any other non-space character.
    const wordWithApostrophes = `${WORD}(?:[${APOSTROPHES}]${WORD})*`;
    const word = this.options.hyphenated === 'keep' ? `${wordWithApostrophes}(?:-${wordWithApostrophes})*` : wordWithApostrophes;
    const number = '\\p{N}+(?:[.,]\\p{N}+)*';
    const keep = keepWholeSource(options.keepWhole ?? []);
    this.regex = new RegExp(`(?<keep>${keep})|(?<word>${word})|(?<number>${number})|(?<other>[^\\s\\p{L}\\p{M}\\p{N}])`, 'gu');
  }

  /**
   * Tokens of `text`, with their character offsets in `text`.
   * @example
   * new WordTokenizer().tokenizeWithOffsets('Hi, you'); // [{ token: 'hi', start: 0, end: 2 }, { token: ',', … }, …]
   */
  tokenizeWithOffsets(text: string): TokenWithOffsets[] {
    assertString(text, 'WordTokenizer.tokenize');
    const out: TokenWithOffsets[] = [];
    const { lowercase, punctuation, contractions, numbers, numberToken } = this.options;
    // Offsets refer to `text`; each token is NFC-normalized on its own, so "e\u0301" and "é" are one word.
    const source = text;
    const push = (token: string, start: number, length = token.length): void => {
      const value = lowercase ? token.toLowerCase() : token;
      if (!this.stopWords.has(value)) out.push({ token: value, start, end: start + length });
    };
    for (const match of source.matchAll(this.regex)) {
      const start = match.index;
      const { keep, word: wordMatch, number, other } = match.groups!;
      if (keep !== undefined) {
        out.push({ token: keep, start, end: start + keep.length });
      } else if (wordMatch !== undefined && this.options.segmenter === 'auto' && UNSPACED.test(wordMatch) && typeof Intl.Segmenter === 'function') {
        // No spaces to split at: Intl.Segmenter's dictionary finds the words.
        for (const piece of this.segmenterFor(wordMatch).segment(wordMatch)) {
          if (piece.isWordLike) push(piece.segment.normalize('NFC'), start + piece.index, piece.segment.length);
        }
      } else if (wordMatch !== undefined) {
        const word = wordMatch.normalize('NFC');
        if (contractions === 'split') {
          const suffix = /(n['\u2019]t|['\u2019](?:s|re|ve|m|ll|d))$/iu.exec(word);
          if (suffix !== null && suffix.index > 0) {
            push(word.slice(0, suffix.index), start);
            push(word.slice(suffix.index), start + suffix.index);
            continue;
          }
        }
        push(word, start, wordMatch.length);
      } else if (number !== undefined) {
        if (numbers === 'keep') push(number, start);
        else if (numbers === 'replace') out.push({ token: numberToken, start, end: start + number.length });
      } else if (punctuation === 'split') {
        push(other!, start);
      }
    }
    return out;
  }

  /** A word segmenter for the locale given, or the one a word's script suggests. */
  private segmenterFor(word: string): Intl.Segmenter {
    const locale = this.options.locale ?? scriptLocale(word);
    let segmenter = this.segmenters.get(locale);
    if (!segmenter) this.segmenters.set(locale, (segmenter = new Intl.Segmenter(locale, { granularity: 'word' })));
    return segmenter;
  }

  /**
   * Tokens of `text`.
   * @example
   * new WordTokenizer({ contractions: 'split' }).tokenize("Don't stop"); // ['do', "n't", 'stop']
   */
  tokenize(text: string): string[] {
    return this.tokenizeWithOffsets(text).map((entry) => entry.token);
  }



  /** `encode` with each token's `[start, end)` offsets (for batch encoding). */
  encodeWithOffsets(text: string): { ids: number[]; offsets: [number, number][] } {
    const vocab = this.requireVocab('encodeWithOffsets');
    const tokens = this.tokenizeWithOffsets(text);
    return { ids: tokens.map((entry) => vocab.tokenToId(entry.token)), offsets: tokens.map((entry) => [entry.start, entry.end]) };
  }


}

/** The alternation of the `keepWhole` patterns (a pattern that never matches when there are none). */
function keepWholeSource(patterns: readonly (KeepWholePattern | RegExp)[]): string {
  if (patterns.length === 0) return '(?!)';
  return patterns
    .map((pattern) => {
      if (pattern instanceof RegExp) {
        const extra = pattern.flags.replace(/[guy]/g, '');
        if (extra) throw new TokenizerError(`WordTokenizer: keepWhole pattern /${pattern.source}/${pattern.flags} has flags '${extra}'; only g, u and y are allowed (they are matched with 'gu')`);
        if (new RegExp(`^(?:${pattern.source})$`, 'u').test('')) throw new TokenizerError(`WordTokenizer: keepWhole pattern /${pattern.source}/ matches the empty string`);
        return `(?:${pattern.source})`;
      }
      if (!Object.hasOwn(KEEP_WHOLE_PATTERNS, pattern)) {
        throw new TokenizerError(`WordTokenizer: keepWhole entries must be 'url', 'email', 'number' or a RegExp, got ${JSON.stringify(pattern)}`);
      }
      return `(?:${KEEP_WHOLE_PATTERNS[pattern]})`;
    })
    .join('|');
}

/** A locale for `Intl.Segmenter` from a word's script: kana → ja, Han → zh, Thai → th, …. */
function scriptLocale(word: string): string {
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(word)) return 'ja';
  if (/\p{Script=Thai}/u.test(word)) return 'th';
  if (/\p{Script=Lao}/u.test(word)) return 'lo';
  if (/\p{Script=Khmer}/u.test(word)) return 'km';
  if (/\p{Script=Myanmar}/u.test(word)) return 'my';
  return 'zh';
}
