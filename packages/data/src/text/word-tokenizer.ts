/**
 * `WordTokenizer`: words, numbers and punctuation with Unicode-aware rules, optional lowercasing and
 * stop-word removal, and (after `fit` or with a given `Vocab`) ids.
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
}

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
  readonly options: Readonly<Required<Omit<WordTokenizerOptions, 'vocab' | 'stopWords'>>>;
  readonly stopWords: ReadonlySet<string>;
  private readonly regex: RegExp;

  constructor(options: WordTokenizerOptions = {}) {
    super('WordTokenizer', ' ', options.vocab);
    this.options = {
      lowercase: options.lowercase ?? true,
      punctuation: options.punctuation ?? 'split',
      contractions: options.contractions ?? 'keep',
      hyphenated: options.hyphenated ?? 'keep',
      numbers: options.numbers ?? 'keep',
      numberToken: options.numberToken ?? '<num>',
    };
    const check = (name: string, value: string, allowed: string[]): void => {
      if (!allowed.includes(value)) throw new TokenizerError(`WordTokenizer: ${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`);
    };
    check('punctuation', this.options.punctuation, ['split', 'remove']);
    check('contractions', this.options.contractions, ['keep', 'split']);
    check('hyphenated', this.options.hyphenated, ['keep', 'split']);
    check('numbers', this.options.numbers, ['keep', 'remove', 'replace']);
    const stop = options.stopWords ?? false;
    this.stopWords = stop === true ? ENGLISH_STOP_WORDS : stop === false ? new Set() : new Set([...stop].map((word) => (this.options.lowercase ? word.toLowerCase() : word)));
    // A word: letters (+ marks, digits, _), with inner apostrophes ("don't", "o'clock") and, when kept,
    // inner hyphens joining words ("state-of-the-art"). Then numbers, then any other non-space character.
    const wordWithApostrophes = `${WORD}(?:[${APOSTROPHES}]${WORD})*`;
    const word = this.options.hyphenated === 'keep' ? `${wordWithApostrophes}(?:-${wordWithApostrophes})*` : wordWithApostrophes;
    const number = '\\p{N}+(?:[.,]\\p{N}+)*';
    this.regex = new RegExp(`(${word})|(${number})|([^\\s\\p{L}\\p{M}\\p{N}])`, 'gu');
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
      if (match[1] !== undefined) {
        const word = match[1].normalize('NFC');
        if (contractions === 'split') {
          const suffix = /(n['\u2019]t|['\u2019](?:s|re|ve|m|ll|d))$/iu.exec(word);
          if (suffix !== null && suffix.index > 0) {
            push(word.slice(0, suffix.index), start);
            push(word.slice(suffix.index), start + suffix.index);
            continue;
          }
        }
        push(word, start, match[1].length);
      } else if (match[2] !== undefined) {
        if (numbers === 'keep') push(match[2], start);
        else if (numbers === 'replace') out.push({ token: numberToken, start, end: start + match[2].length });
      } else if (punctuation === 'split') {
        push(match[3]!, start);
      }
    }
    return out;
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
