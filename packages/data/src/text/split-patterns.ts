/**
 * Pre-tokenizer split patterns of the OpenAI encodings and Llama 3, as JavaScript `RegExp`s (`u` flag).
 *
 * The reference encoders (tiktoken's Rust core, Hugging Face tokenizers) use Rust/Oniguruma regex
 * syntax, and two details differ from a naive JavaScript copy such as js-tiktoken's:
 * - `\s` in Rust is Unicode `White_Space` (includes U+0085 NEXT LINE, excludes U+FEFF); JavaScript's
 *   `\s` is the reverse on those two. The patterns here use `\p{White_Space}` / `\P{White_Space}`, so
 *   they split like tiktoken itself.
 * - `(?i:'s|'t|…)` has no JavaScript form in Node 20; it is expanded to character classes with Unicode
 *   simple case folding (`'s` also matches `'S` and `'ſ` U+017F, as Rust's `(?i)` does).
 * Everything else (`\p{L}`, `\p{N}`, `(?!\S)` backtracking, leftmost-first alternation) behaves the same.
 */

/** Names of the built-in split patterns. */
export type SplitPatternName = 'gpt2' | 'r50k_base' | 'p50k_base' | 'p50k_edit' | 'cl100k_base' | 'o200k_base' | 'llama3';

const WS = '\\p{White_Space}';
const NOT_WS = '\\P{White_Space}';
/** `(?i:'s|'t|'re|'ve|'m|'ll|'d)` with Rust's case folding. */
const CONTRACTIONS = "'(?:[sS\\u017F]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])";

/**
 * GPT-2 (also r50k_base, p50k_base, p50k_edit): `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
 * @example
 * 'Hello world'.match(new RegExp(GPT2_SPLIT_PATTERN, 'gu')); // ['Hello', ' world']
 */
export const GPT2_SPLIT_PATTERN =
  `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${WS}\\p{L}\\p{N}]+|${WS}+(?!${NOT_WS})|${WS}+`;

/**
 * cl100k_base (GPT-3.5/4): `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
 * @example
 * 'I\'M 12345'.match(new RegExp(CL100K_SPLIT_PATTERN, 'gu')); // ['I', "'M", ' ', '123', '45']
 */
export const CL100K_SPLIT_PATTERN =
  `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^${WS}\\p{L}\\p{N}]+[\\r\\n]*|${WS}*[\\r\\n]+|${WS}+(?!${NOT_WS})|${WS}+`;

const UPPER = '[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]';
const LOWER = '[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]';

/**
 * o200k_base (GPT-4o): words split at case changes, contractions attached, `\p{N}{1,3}`, punctuation
 * runs with trailing `\r\n/`, then the cl100k whitespace rules.
 * @example
 * 'HelloWorld'.match(new RegExp(O200K_SPLIT_PATTERN, 'gu')); // ['Hello', 'World']
 */
export const O200K_SPLIT_PATTERN = [
  `[^\\r\\n\\p{L}\\p{N}]?${UPPER}*${LOWER}+(?:${CONTRACTIONS})?`,
  `[^\\r\\n\\p{L}\\p{N}]?${UPPER}+${LOWER}*(?:${CONTRACTIONS})?`,
  `\\p{N}{1,3}`,
  ` ?[^${WS}\\p{L}\\p{N}]+[\\r\\n/]*`,
  `${WS}*[\\r\\n]+`,
  `${WS}+(?!${NOT_WS})`,
  `${WS}+`,
].join('|');

/**
 * Llama 3's byte-level BPE pre-tokenizer (its `tokenizer.json` Split regex): the same as cl100k_base.
 * @example
 * new RegExp(LLAMA3_SPLIT_PATTERN, 'gu');
 */
export const LLAMA3_SPLIT_PATTERN = CL100K_SPLIT_PATTERN;

/**
 * The pattern source of each built-in encoding.
 * @example
 * SPLIT_PATTERNS.cl100k_base === CL100K_SPLIT_PATTERN; // true
 */
export const SPLIT_PATTERNS: Readonly<Record<SplitPatternName, string>> = Object.freeze({
  gpt2: GPT2_SPLIT_PATTERN,
  r50k_base: GPT2_SPLIT_PATTERN,
  p50k_base: GPT2_SPLIT_PATTERN,
  p50k_edit: GPT2_SPLIT_PATTERN,
  cl100k_base: CL100K_SPLIT_PATTERN,
  o200k_base: O200K_SPLIT_PATTERN,
  llama3: LLAMA3_SPLIT_PATTERN,
});

/**
 * The patterns as the reference implementations write them (Rust / Oniguruma syntax: tiktoken's
 * `openai_public.py`, Hugging Face `tokenizer.json` files). `SPLIT_PATTERNS` holds their JavaScript
 * translations.
 * @example
 * REFERENCE_SPLIT_PATTERNS.gpt2; // "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"
 */
export const REFERENCE_SPLIT_PATTERNS: Readonly<Record<SplitPatternName, string>> = (() => {
  const gpt2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
  const contractions = "(?i:'s|'t|'re|'ve|'m|'ll|'d)";
  const cl100k = `${contractions}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`;
  const upper = '[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]';
  const lower = '[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]';
  const o200k = [
    `[^\\r\\n\\p{L}\\p{N}]?${upper}*${lower}+${contractions}?`,
    `[^\\r\\n\\p{L}\\p{N}]?${upper}+${lower}*${contractions}?`,
    '\\p{N}{1,3}',
    ' ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*',
    '\\s*[\\r\\n]+',
    '\\s+(?!\\S)',
    '\\s+',
  ].join('|');
  return Object.freeze({ gpt2, r50k_base: gpt2, p50k_base: gpt2, p50k_edit: gpt2, cl100k_base: cl100k, o200k_base: o200k, llama3: cl100k });
})();

/**
 * A fresh global, Unicode `RegExp` for a built-in pattern name or a JavaScript pattern source.
 * (Fresh because a `g` regex carries `lastIndex` state.)
 * @example
 * splitRegex('cl100k_base').flags; // 'gu'
 */
export function splitRegex(pattern: SplitPatternName | string): RegExp {
  const source = Object.prototype.hasOwnProperty.call(SPLIT_PATTERNS, pattern) ? SPLIT_PATTERNS[pattern as SplitPatternName] : pattern;
  return new RegExp(source, 'gu');
}

/**
 * Splits `text` into the pieces matched by `pattern`, in order. Characters no alternative matches are
 * dropped, as in tiktoken (the built-in patterns match every character).
 * @example
 * splitText("I'm here", 'gpt2'); // ['I', "'m", ' here']
 */
export function splitText(text: string, pattern: SplitPatternName | string | RegExp): string[] {
  const regex = pattern instanceof RegExp ? new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g') : splitRegex(pattern);
  const pieces: string[] = [];
  for (const match of text.matchAll(regex)) {
    if (match[0].length > 0) pieces.push(match[0]);
  }
  return pieces;
}

/** Extra characters that Unicode simple case folding adds to an ASCII letter (Rust's `(?i)`). */
const FOLD_EXTRAS: Readonly<Record<string, string>> = { k: '\\u212A', s: '\\u017F' };

/**
 * Translates a Rust/Oniguruma regex source (tiktoken, Hugging Face `tokenizer.json` Split patterns)
 * into an equivalent JavaScript source for the `u` flag: `\s`/`\S` become `\p{White_Space}` /
 * `\P{White_Space}` (Rust's meaning) and `(?i:…)` groups are expanded into case-folded character
 * classes. Other syntax is passed through. Throws a `SyntaxError` only through `new RegExp` later.
 * @example
 * toJavaScriptPattern("(?i:'s|'t)|\\s+"); // "(?:'[sS\\u017F]|'[tT])|\\p{White_Space}+"
 */
export function toJavaScriptPattern(source: string): string {
  let out = '';
  let inClass = false;
  // Depth stack of open groups: true where the group is a (?i:…) group.
  const groups: boolean[] = [];
  let caseless = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === '\\') {
      const next = source[i + 1] ?? '';
      if (next === 's') out += WS;
      else if (next === 'S') out += NOT_WS;
      else out += char + next;
      i++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      if (caseless > 0 && /[a-zA-Z]/.test(char)) out += foldClassMembers(char);
      else out += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out += char;
      if (source[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (source[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (char === '(') {
      if (source.startsWith('(?i:', i)) {
        groups.push(true);
        caseless++;
        out += '(?:';
        i += 3;
        continue;
      }
      groups.push(false);
      out += char;
      continue;
    }
    if (char === ')') {
      if (groups.pop() === true) caseless--;
      out += char;
      continue;
    }
    if (caseless > 0 && /[a-zA-Z]/.test(char)) {
      out += `[${foldClassMembers(char)}]`;
      continue;
    }
    out += char;
  }
  return out;
}

function foldClassMembers(letter: string): string {
  const lower = letter.toLowerCase();
  return lower + lower.toUpperCase() + (FOLD_EXTRAS[lower] ?? '');
}
