/**
 * BERT's text normalization and pre-tokenization (Google's `BasicTokenizer`, as Hugging Face's
 * `BertNormalizer` and `BertPreTokenizer` implement it), on alignment-tracking segments so that
 * tokens keep their offsets into the original text.
 */
import { Segment, mapCodePoints } from '../hf/segment';

/** Options of BERT normalization; the defaults are `bert-base-uncased`'s. */
export interface BertNormalizeOptions {
  /** Remove control characters, `\0` and U+FFFD; turn every whitespace character into a space. Default true. */
  cleanText?: boolean;
  /** Put spaces around CJK ideographs so each becomes its own word. Default true. */
  handleChineseChars?: boolean;
  /** Strip accents (NFD, then drop non-spacing marks); `null` follows `lowercase`. Default null. */
  stripAccents?: boolean | null;
  /** Lowercase. Default true. */
  lowercase?: boolean;
}

const CONTROL = /\p{C}/u;
const WHITESPACE = /\p{White_Space}/u;
const NON_SPACING_MARK = /\p{Mn}/u;
const PUNCTUATION = /\p{P}/u;

/** `\t`, `\n`, `\r` and Unicode White_Space (BERT's `_is_whitespace`). */
export function isBertWhitespace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || WHITESPACE.test(char);
}

/** Unicode "other" categories except `\t`, `\n`, `\r` (BERT's `_is_control`). */
export function isBertControl(char: string): boolean {
  if (char === '\t' || char === '\n' || char === '\r') return false;
  return CONTROL.test(char);
}

/** ASCII symbols and Unicode punctuation (BERT's `_is_punctuation`). */
export function isBertPunctuation(char: string): boolean {
  const code = char.codePointAt(0)!;
  if ((code >= 33 && code <= 47) || (code >= 58 && code <= 64) || (code >= 91 && code <= 96) || (code >= 123 && code <= 126)) return true;
  return PUNCTUATION.test(char);
}

/** CJK Unified Ideographs and their extensions and compatibility blocks (BERT's `_is_chinese_char`). */
export function isChineseChar(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x20000 && code <= 0x2a6df) ||
    (code >= 0x2a700 && code <= 0x2b73f) ||
    (code >= 0x2b740 && code <= 0x2b81f) ||
    (code >= 0x2b820 && code <= 0x2ceaf) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x2f800 && code <= 0x2fa1f)
  );
}

/**
 * NFD, then remove non-spacing marks (Mn), tracking alignment.
 * @example
 * stripAccents(Segment.verbatim('Café'), false).text // 'Cafe'
 */
export function stripAccents(segment: Segment, tracked: boolean): Segment {
  return mapCodePoints(
    segment,
    (char) => {
      const decomposed = char.normalize('NFD');
      if (decomposed === char && !NON_SPACING_MARK.test(char)) return char;
      let kept = '';
      for (const part of decomposed) if (!NON_SPACING_MARK.test(part)) kept += part;
      return kept;
    },
    tracked,
  );
}

/** Remove non-spacing marks (Hugging Face's `StripAccents` normalizer, which does not decompose). */
export function removeNonSpacingMarks(segment: Segment, tracked: boolean): Segment {
  return mapCodePoints(segment, (char) => (NON_SPACING_MARK.test(char) ? '' : char), tracked);
}

/** Lowercase each code point (Unicode default lowercasing, as Rust's `to_lowercase`). */
export function lowercase(segment: Segment, tracked: boolean): Segment {
  if (segment.text.toLowerCase() === segment.text) return segment;
  return mapCodePoints(segment, (char) => char.toLowerCase(), tracked);
}

/**
 * BERT normalization: clean text, space around CJK ideographs, strip accents, lowercase — in that order.
 * @example
 * bertNormalize(Segment.verbatim('Héllo\u0000 世界'), {}, false).text // 'hello  世  界 '
 */
export function bertNormalize(segment: Segment, options: BertNormalizeOptions, tracked: boolean): Segment {
  const { cleanText = true, handleChineseChars = true, lowercase: lower = true } = options;
  const strip = options.stripAccents ?? lower;
  let current = segment;
  if (cleanText) {
    current = mapCodePoints(
      current,
      (char) => {
        const code = char.codePointAt(0)!;
        if (code === 0 || code === 0xfffd || isBertControl(char)) return '';
        return isBertWhitespace(char) ? ' ' : char;
      },
      tracked,
    );
  }
  if (handleChineseChars) current = mapCodePoints(current, (char) => (isChineseChar(char.codePointAt(0)!) ? ` ${char} ` : char), tracked);
  if (strip) current = stripAccents(current, tracked);
  if (lower) current = lowercase(current, tracked);
  return current;
}

/**
 * BERT pre-tokenization: split on whitespace (dropped), then isolate every punctuation character.
 * @example
 * bertPreTokenize(Segment.verbatim("don't stop!"), false).map((s) => s.text) // ['don', "'", 't', 'stop', '!']
 */
export function bertPreTokenize(segment: Segment, out: Segment[] = []): Segment[] {
  const text = segment.text;
  let wordStart = -1;
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    const char = width === 1 ? text[i]! : text.slice(i, i + 2);
    if (isBertWhitespace(char)) {
      if (wordStart >= 0) out.push(segment.slice(wordStart, i));
      wordStart = -1;
    } else if (isBertPunctuation(char)) {
      if (wordStart >= 0) out.push(segment.slice(wordStart, i));
      out.push(segment.slice(i, i + width));
      wordStart = -1;
    } else if (wordStart < 0) {
      wordStart = i;
    }
    i += width;
  }
  if (wordStart >= 0) out.push(segment.slice(wordStart, text.length));
  return out;
}

