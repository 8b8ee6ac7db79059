/**
 * Oniguruma (the regex engine of Rust `tokenizers`) → JavaScript `RegExp` with the `u` flag, for the
 * constructs that real `tokenizer.json` files use: `(?i:…)` groups (Node 20 has no inline modifiers),
 * possessive quantifiers, `\A \z \Z \h \x{…}`, and Oniguruma's Unicode meanings of `\s \d \w`
 * (JavaScript's `\s` adds U+FEFF and misses U+0085; its `\d` and `\w` are ASCII-only).
 */
import { TokenizerJSONError } from './json';

const WORD_CHARS = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}';
const SYNTAX = '^$\\.*+?()[]{}|/-';

const ESCAPES: Record<string, string> = {
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
};
const CLASS_ESCAPES: Record<string, string> = { s: '\\p{White_Space}', S: '\\P{White_Space}', d: '\\p{Nd}', D: '\\P{Nd}', w: WORD_CHARS, h: '0-9A-Fa-f' };

function swapCase(char: string): string {
  const lower = char.toLowerCase();
  return lower === char ? char.toUpperCase() : lower;
}

/**
 * Translates an Oniguruma pattern to JavaScript source for `new RegExp(source, 'gu')`.
 * @example
 * translateOniguruma("(?i:'s|'t)") // "(?:'[sS]|'[tT])"
 */
export function translateOniguruma(pattern: string): string {
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
      } else if (inClass && CLASS_ESCAPES[next] !== undefined) out += CLASS_ESCAPES[next];
      else if (!inClass && ESCAPES[next] !== undefined) out += ESCAPES[next];
      else if (/[A-Za-z0-9]/.test(next)) out += `\\${next}`; // \n \t \r \u \x … and back-references
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

/**
 * Compiles an Oniguruma pattern from a `tokenizer.json`; a pattern JavaScript cannot take is a
 * `TokenizerJSONError` naming `path`.
 */
export function compileOniguruma(pattern: string, path: string): RegExp {
  const source = translateOniguruma(pattern);
  try {
    return new RegExp(source, 'gu');
  } catch (error) {
    throw new TokenizerJSONError(path, `regex ${JSON.stringify(pattern)} cannot be compiled (${(error as Error).message})`);
  }
}

/**
 * The index just past the code point at `index`: where a global `u` regex must resume after an empty
 * match (one code unit would land inside a surrogate pair, where V8 moves `lastIndex` back — a hang).
 * @example
 * afterCodePoint('😀x', 0) // 2
 */
export function afterCodePoint(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
    const low = text.charCodeAt(index + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return index + 2;
  }
  return index + 1;
}

/** Escapes `text` for use as a literal inside a `RegExp`. */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
