/**
 * Patterns of `Split`, `Replace` (normalizer and decoder) read from a `tokenizer.json`, and the policy
 * that keeps an attacker-controlled pattern from hanging the process.
 *
 * V8's `RegExp` backtracks: `(a+)+$` on 40 `a`s and a `!` runs for hours inside one `exec`, which no
 * time budget can interrupt. So only the split patterns Tessera ships (GPT-2, cl100k_base, o200k_base,
 * Llama 3) and literal `{"String": …}` patterns run on V8; every other `{"Regex": …}` runs on RE2
 * (`re2js`), whose matching time is linear in the text. RE2 has no look-around, back-references or
 * atomic groups: a pattern that needs them is a `TokenizerJSONError` saying so.
 */
import { RE2JS } from 're2js';
import { REFERENCE_SPLIT_PATTERNS } from '../split-patterns';
import { TokenizerJSONError } from './json';
import { RegexSyntaxError, afterCodePoint, compileOniguruma, escapeRegExp, translateOniguruma } from './regex';

/** Which engine runs a pattern: V8 for literals and the built-in patterns, RE2 for the rest. */
export type PatternEngine = 'literal' | 'builtin' | 're2';

/** A compiled `tokenizer.json` pattern. */
export interface TextPattern {
  readonly engine: PatternEngine;
  /** Flat `[start, end, …]` of the non-empty matches in `text`, left to right, non-overlapping. */
  matches(text: string): number[];
}

/** The Oniguruma sources that run on V8: the split patterns of the encodings Tessera ships. */
const TRUSTED_PATTERNS: ReadonlySet<string> = new Set(Object.values(REFERENCE_SPLIT_PATTERNS));

/**
 * Non-empty matches of a global `u` regex as flat `[start, end, …]`; an empty match resumes at the
 * next code point.
 * @example
 * regexMatches(new RegExp('x*', 'gu'), 'ax😀x') // [1, 2, 4, 5]
 */
export function regexMatches(regex: RegExp, text: string): number[] {
  const ranges: number[] = [];
  regex.lastIndex = 0;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
    const length = match[0].length;
    if (length === 0) {
      regex.lastIndex = afterCodePoint(text, match.index);
      continue;
    }
    ranges.push(match.index, match.index + length);
  }
  return ranges;
}

function v8Pattern(regex: RegExp, engine: PatternEngine): TextPattern {
  return { engine, matches: (text) => regexMatches(regex, text) };
}

/**
 * GPT-style patterns end in `\\s+(?!\\S)|\\s+` ("a whitespace run, less its last character when a word
 * follows"). RE2 has no look-ahead, so that tail runs as a named group whose match is trimmed after.
 */
const TRAILING_WHITESPACE_IDIOM = '|\\s+(?!\\S)|\\s+';
const WHITESPACE_GROUP = 'tessera_ws';

function re2Pattern(pattern: string, path: string): TextPattern {
  let compiled: RE2JS;
  const idiom = pattern.endsWith(TRAILING_WHITESPACE_IDIOM);
  const body = idiom ? pattern.slice(0, -TRAILING_WHITESPACE_IDIOM.length) : pattern;
  try {
    const source = translateOniguruma(body, 're2');
    compiled = RE2JS.compile(idiom ? `${source}|(?P<${WHITESPACE_GROUP}>${translateOniguruma('\\s+', 're2')})` : source);
  } catch (error) {
    if (!(error instanceof RegexSyntaxError) && !(error instanceof Error && error.name.startsWith('RE2JS'))) throw error;
    throw new TokenizerJSONError(
      path,
      `regex ${JSON.stringify(pattern)} cannot run on the linear-time engine (${error.message}); ` +
        'patterns from files run on RE2, which has no look-around, back-references or atomic groups',
    );
  }
  return {
    engine: 're2',
    matches(text) {
      const ranges: number[] = [];
      const matcher = compiled.matcher(text);
      let found = matcher.find();
      while (found) {
        const start = matcher.start();
        let end = matcher.end();
        // The look-ahead of the idiom: a run followed by a word gives its last space to that word.
        const trimmed = idiom && matcher.start(WHITESPACE_GROUP) === start && end < text.length && end - start >= 2;
        if (trimmed) end--;
        if (end > start) ranges.push(start, end);
        found = trimmed ? matcher.find(end) : matcher.find();
      }
      return ranges;
    },
  };
}

/**
 * Compiles the Oniguruma source of a `{"Regex": …}` field under the engine policy above.
 * @example
 * regexPattern('(a+)+$', 'pre_tokenizer.pattern.Regex').engine // 're2'
 */
export function regexPattern(pattern: string, path: string): TextPattern {
  if (TRUSTED_PATTERNS.has(pattern)) return v8Pattern(compileOniguruma(pattern, path), 'builtin');
  return re2Pattern(pattern, path);
}

/**
 * A `{"String": …}` pattern: the literal text (no backtracking).
 * @example
 * literalPattern('▁').matches('a▁b') // [1, 2]
 */
export function literalPattern(literal: string): TextPattern {
  return v8Pattern(new RegExp(escapeRegExp(literal), 'gu'), 'literal');
}

/**
 * `text` with every match of `pattern` replaced by `content`.
 * @example
 * replaceMatches(literalPattern('▁'), 'a▁b', ' ') // 'a b'
 */
export function replaceMatches(pattern: TextPattern, text: string, content: string): string {
  const ranges = pattern.matches(text);
  if (ranges.length === 0) return text;
  let out = '';
  let last = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    out += text.slice(last, ranges[i]) + content;
    last = ranges[i + 1]!;
  }
  return out + text.slice(last);
}
