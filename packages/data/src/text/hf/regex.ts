/**
 * Oniguruma (the regex engine of Rust `tokenizers`) → JavaScript `RegExp` (`u` flag) or RE2 syntax,
 * for the constructs that real `tokenizer.json` files use: `(?i:…)` groups (Node 20 has no inline
 * modifiers), possessive quantifiers, `\A \z \Z \h \x{…}`, and Oniguruma's Unicode meanings of
 * `\s \d \w` (JavaScript's `\s` adds U+FEFF and misses U+0085; its `\d` and `\w` are ASCII-only;
 * RE2's are ASCII-only too).
 */
import { TokenizerJSONError } from './json';
export { afterCodePoint } from '../code-point';

/** Target syntax of a translation: V8's `RegExp` with the `u` flag, or RE2 (the `re2js` engine). */
export type RegexDialect = 'v8' | 're2';

const WORD_CHARS = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}';
const SYNTAX = '^$\\.*+?()[]{}|/-';

// Unicode White_Space, spelled out for RE2 (which has no binary properties).
const RE2_SPACE = '\\t\\n\\x{0B}\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}';
// Alphabetic ≈ letters, letter numbers and marks (RE2 has general categories only).
const RE2_WORD = '\\p{L}\\p{Nl}\\p{M}\\p{Nd}\\p{Pc}';

interface EscapeTable {
  /** Outside a character class. */
  readonly plain: Readonly<Record<string, string>>;
  /** Inside a character class (absent: the escape cannot be written there in this dialect). */
  readonly inClass: Readonly<Record<string, string>>;
}

const ESCAPES: Readonly<Record<RegexDialect, EscapeTable>> = {
  v8: {
    plain: {
      s: '\\p{White_Space}',
      S: '\\P{White_Space}',
      d: '\\p{Nd}',
      D: '\\P{Nd}',
      w: `[${WORD_CHARS}]`,
      W: `[^${WORD_CHARS}]`,
      h: '[0-9A-Fa-f]',
      H: '[^0-9A-Fa-f]',
      A: '(?<![\\s\\S])',
      z: '(?![\\s\\S])',
      Z: '(?=\\n?(?![\\s\\S]))',
    },
    inClass: { s: '\\p{White_Space}', S: '\\P{White_Space}', d: '\\p{Nd}', D: '\\P{Nd}', w: WORD_CHARS, h: '0-9A-Fa-f' },
  },
  re2: {
    plain: {
      s: `[${RE2_SPACE}]`,
      S: `[^${RE2_SPACE}]`,
      d: '\\p{Nd}',
      D: '\\P{Nd}',
      w: `[${RE2_WORD}]`,
      W: `[^${RE2_WORD}]`,
      h: '[0-9A-Fa-f]',
      H: '[^0-9A-Fa-f]',
      A: '\\A',
      z: '\\z',
    },
    inClass: { s: RE2_SPACE, d: '\\p{Nd}', D: '\\P{Nd}', w: RE2_WORD, h: '0-9A-Fa-f' },
  },
};

function swapCase(char: string): string {
  const lower = char.toLowerCase();
  return lower === char ? char.toUpperCase() : lower;
}

/**
 * Translates an Oniguruma pattern to JavaScript source for `new RegExp(source, 'gu')` (or, with
 * `dialect: 're2'`, to RE2 syntax). An escape the dialect cannot express is a `RegexSyntaxError`.
 * @example
 * translateOniguruma("(?i:'s|'t)") // "(?:'[sS]|'[tT])"
 */
export function translateOniguruma(pattern: string, dialect: RegexDialect = 'v8'): string {
  const escapes = ESCAPES[dialect];
  let out = '';
  const groups: boolean[] = []; // case-insensitivity of each open group
  let insensitive = false;
  let inClass = false;
  let afterQuantifier = false; // the previous token was a quantifier (`+` after one is possessive)
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    const quantified = afterQuantifier;
    afterQuantifier = false;
    if (char === '\\') {
      const next = pattern[i + 1] ?? '';
      i++;
      if (next === 'x' && pattern[i + 1] === '{') {
        const close = pattern.indexOf('}', i);
        out += `\\u{${pattern.slice(i + 2, close)}}`;
        i = close;
      } else if ((next === 'p' || next === 'P') && pattern[i + 1] === '{') {
        const close = pattern.indexOf('}', i);
        out += pattern.slice(i - 1, close + 1);
        i = close;
      } else if (inClass && escapes.inClass[next] !== undefined) out += escapes.inClass[next];
      else if (!inClass && escapes.plain[next] !== undefined) out += escapes.plain[next];
      else if (dialect === 're2' && next === 'u' && /^[0-9A-Fa-f]{4}/.test(pattern.slice(i + 1, i + 5))) {
        out += `\\x{${pattern.slice(i + 1, i + 5)}}`; // RE2 has no \uXXXX
        i += 4;
      } else if (dialect === 're2' && 'sSwWDhHAzZ'.includes(next)) {
        throw new RegexSyntaxError(`\\${next}${inClass ? ' inside a character class' : ''} has no linear-time form`);
      } else if (/[A-Za-z0-9]/.test(next)) out += `\\${next}`; // \n \t \r \u \x … and back-references
      else if (SYNTAX.includes(next)) out += `\\${next}`;
      else out += next; // identity escape of a non-syntax character: invalid in `u` mode, so unescape
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      if (insensitive && /[A-Za-z]/.test(char)) {
        if (pattern[i + 1] === '-' && /[A-Za-z]/.test(pattern[i + 2] ?? '')) {
          const end = pattern[i + 2]!;
          out += `${char}-${end}${swapCase(char)}-${swapCase(end)}`;
          i += 2;
        } else out += char + swapCase(char);
        continue;
      }
      out += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out += char;
      if (pattern[i + 1] === '^') out += pattern[++i];
      continue;
    }
    if (char === '(') {
      if (pattern.startsWith('(?i:', i)) {
        groups.push(insensitive);
        insensitive = true;
        out += '(?:';
        i += 3;
      } else if (pattern.startsWith('(?>', i)) {
        groups.push(insensitive); // atomic group: ordinary group (same matches for these patterns)
        out += '(?:';
        i += 2;
      } else {
        groups.push(insensitive);
        out += char;
      }
      continue;
    }
    if (char === ')') {
      insensitive = groups.pop() ?? false;
      out += char;
      continue;
    }
    if (quantified && char === '+') continue; // possessive quantifier: same matches for these patterns
    if (quantified && char === '?') {
      out += char; // lazy quantifier
      continue;
    }
    if (char === '*' || char === '+' || char === '?') {
      out += char;
      afterQuantifier = true;
      continue;
    }
    if (char === '{') {
      const bound = /^\{\d*(,\d*)?\}/.exec(pattern.slice(i));
      if (bound !== null) {
        out += bound[0];
        i += bound[0].length - 1;
        afterQuantifier = true;
        continue;
      }
    }
    if (insensitive && /[A-Za-z]/.test(char)) {
      out += `[${char}${swapCase(char)}]`;
      continue;
    }
    out += char;
  }
  return out;
}

/** A construct that a translation target cannot express (caught and re-thrown with the JSON path). */
export class RegexSyntaxError extends Error {}

/**
 * Compiles an Oniguruma pattern to a V8 `RegExp`; a pattern JavaScript cannot take is a
 * `TokenizerJSONError` naming `path`. Only for trusted patterns: V8 backtracks (see `text-pattern.ts`).
 * @example
 * compileOniguruma('\\s+', 'pre_tokenizer.pattern.Regex').flags // 'gu'
 */
export function compileOniguruma(pattern: string, path: string): RegExp {
  const source = translateOniguruma(pattern);
  try {
    return new RegExp(source, 'gu');
  } catch (error) {
    throw new TokenizerJSONError(path, `regex ${JSON.stringify(pattern)} cannot be compiled (${(error as Error).message})`);
  }
}

/** Escapes `text` for use as a literal inside a `RegExp`. */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
