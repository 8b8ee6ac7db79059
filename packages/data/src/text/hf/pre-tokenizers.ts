/**
 * Hugging Face pre-tokenizers: ByteLevel, Whitespace, WhitespaceSplit, BertPreTokenizer, Metaspace,
 * Split, Digits, Punctuation, CharDelimiterSplit and Sequence. A pre-tokenizer turns segments into
 * smaller segments (words) that the model then tokenizes one by one.
 */
import { BYTE_TO_UNICODE } from '../byte-level';
import { GPT2_SPLIT_PATTERN } from '../split-patterns';
import { bertPreTokenize, isBertPunctuation } from '../wordpiece/bert';
import { type JsonObject, JsonReader, TokenizerJSONError, checkSequenceDepth } from './json';
import { readPattern } from './normalizers';
import { regexMatches } from './text-pattern';
import { Segment, SegmentBuilder } from './segment';

/** One pre-tokenization step over a list of segments. */
export interface PreTokenizer {
  preTokenize(segments: Segment[], tracked: boolean): Segment[];
  toJSON(): JsonObject;
}

export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';
const BEHAVIORS: readonly SplitBehavior[] = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];

/**
 * Splits `segment` at `matches` (flat `[start, end, start, end, …]` in its text) with a Hugging Face
 * split behaviour, appending the non-empty pieces to `out`.
 */
export function splitAt(segment: Segment, matches: number[], behavior: SplitBehavior, invert: boolean, out: Segment[]): void {
  const text = segment.text;
  if (behavior === 'Isolated' || (behavior === 'Removed' && !invert)) {
    // Fast path: matches (and, when isolated, the gaps between them) are the pieces.
    const keepGaps = behavior === 'Isolated';
    let previous = 0;
    for (let i = 0; i < matches.length; i += 2) {
      const start = matches[i]!;
      const end = matches[i + 1]!;
      if (keepGaps && start > previous) out.push(segment.slice(previous, start));
      if (end > start && (keepGaps || invert)) out.push(segment.slice(start, end));
      if (!keepGaps && start > previous) out.push(segment.slice(previous, start));
      previous = end;
    }
    if (previous < text.length) out.push(segment.slice(previous, text.length));
    return;
  }
  // Every part of the text, in order: [start, end, isMatch].
  const parts: number[] = [];
  let previous = 0;
  for (let i = 0; i < matches.length; i += 2) {
    const start = matches[i]!;
    const end = matches[i + 1]!;
    if (start > previous) parts.push(previous, start, invert ? 1 : 0);
    parts.push(start, end, invert ? 0 : 1);
    previous = end;
  }
  if (previous < text.length) parts.push(previous, text.length, invert ? 1 : 0);
  if (parts.length === 0) parts.push(0, 0, 0);

  const merged: number[] = []; // [start, end] pairs
  if (behavior === 'Removed') {
    for (let i = 0; i < parts.length; i += 3) {
      if (parts[i + 2] === 1) continue;
      merged.push(parts[i]!, parts[i + 1]!);
    }
  } else if (behavior === 'MergedWithPrevious') {
    let previousMatch = false;
    for (let i = 0; i < parts.length; i += 3) {
      const isMatch = parts[i + 2] === 1;
      if (isMatch && !previousMatch && merged.length > 0) merged[merged.length - 1] = parts[i + 1]!;
      else merged.push(parts[i]!, parts[i + 1]!);
      previousMatch = isMatch;
    }
  } else if (behavior === 'MergedWithNext') {
    let previousMatch = false;
    const reversed: number[] = [];
    for (let i = parts.length - 3; i >= 0; i -= 3) {
      const isMatch = parts[i + 2] === 1;
      if (isMatch && !previousMatch && reversed.length > 0) reversed[reversed.length - 2] = parts[i]!;
      else reversed.push(parts[i]!, parts[i + 1]!);
      previousMatch = isMatch;
    }
    for (let i = reversed.length - 2; i >= 0; i -= 2) merged.push(reversed[i]!, reversed[i + 1]!);
  } else {
    let previousMatch = false;
    for (let i = 0; i < parts.length; i += 3) {
      const isMatch = parts[i + 2] === 1;
      if (isMatch === previousMatch && merged.length > 0) merged[merged.length - 1] = parts[i + 1]!;
      else merged.push(parts[i]!, parts[i + 1]!);
      previousMatch = isMatch;
    }
  }
  for (let i = 0; i < merged.length; i += 2) {
    if (merged[i + 1]! > merged[i]!) out.push(segment.slice(merged[i]!, merged[i + 1]!));
  }
}

/** Flat ranges of single code points (or runs of them when `runs`) for which `test` holds. */
function charMatches(text: string, test: (char: string) => boolean, runs: boolean): number[] {
  const ranges: number[] = [];
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    if (test(width === 1 ? text[i]! : text.slice(i, i + 2))) {
      if (runs && ranges.length > 0 && ranges[ranges.length - 1] === i) ranges[ranges.length - 1] = i + width;
      else ranges.push(i, i + width);
    }
    i += width;
  }
  return ranges;
}

/** Per-segment split with `matcher`, over every segment. */
function splitEach(segments: Segment[], matcher: (text: string) => number[], behavior: SplitBehavior, invert: boolean): Segment[] {
  const out: Segment[] = [];
  for (const segment of segments) splitAt(segment, matcher(segment.text), behavior, invert, out);
  return out;
}

const byteLevelCache = new Map<string, string>();

/**
 * The GPT-2 byte-level form of a segment: one character per UTF-8 byte, each aligned to its code point.
 * @example
 * byteLevelSegment(Segment.verbatim(' é'), false).text // 'ĠÃ©'
 */
export function byteLevelSegment(segment: Segment, tracked: boolean): Segment {
  const text = segment.text;
  if (!tracked) {
    // Words repeat: remember their byte-level form (bounded).
    let cached = byteLevelCache.get(text);
    if (cached === undefined) {
      cached = byteLevelSegment(segment, true).text;
      if (byteLevelCache.size >= 100_000) byteLevelCache.clear();
      byteLevelCache.set(text, cached);
    }
    return new Segment(cached, null, null, segment.base);
  }
  let out = '';
  const starts: number[] | null = tracked ? [] : null;
  const ends: number[] | null = tracked ? [] : null;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    const from = i;
    if (code < 0x80) {
      out += BYTE_TO_UNICODE[code]!;
    } else if (code < 0x800) {
      out += BYTE_TO_UNICODE[0xc0 | (code >> 6)]! + BYTE_TO_UNICODE[0x80 | (code & 0x3f)]!;
    } else {
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd; // lone surrogate: U+FFFD, as TextEncoder
      if (code < 0x10000) {
        out += BYTE_TO_UNICODE[0xe0 | (code >> 12)]! + BYTE_TO_UNICODE[0x80 | ((code >> 6) & 0x3f)]! + BYTE_TO_UNICODE[0x80 | (code & 0x3f)]!;
      } else {
        out +=
          BYTE_TO_UNICODE[0xf0 | (code >> 18)]! +
          BYTE_TO_UNICODE[0x80 | ((code >> 12) & 0x3f)]! +
          BYTE_TO_UNICODE[0x80 | ((code >> 6) & 0x3f)]! +
          BYTE_TO_UNICODE[0x80 | (code & 0x3f)]!;
      }
    }
    if (starts !== null) {
      const start = segment.startOf(from);
      const end = segment.endOf(i);
      while (starts.length < out.length) {
        starts.push(start);
        ends!.push(end);
      }
    }
  }
  if (starts === null) return new Segment(out, null, null, segment.base);
  return new Segment(out, Int32Array.from(starts), Int32Array.from(ends!), segment.startOf(0));
}

/** Prepends `prefix` to a segment, aligned to its first code unit. */
function prepend(segment: Segment, prefix: string, tracked: boolean): Segment {
  const builder = new SegmentBuilder(segment, tracked);
  builder.replace(0, 0, prefix);
  builder.copy(0, segment.text.length);
  return builder.build();
}

const WORD_OR_SYMBOLS = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]+|[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}\p{White_Space}]+/gu;
const WHITESPACE_CHAR = /\p{White_Space}/u;
const NUMERIC = /\p{N}/u;

const PRE_TOKENIZER_TYPES = [
  'ByteLevel',
  'Whitespace',
  'WhitespaceSplit',
  'BertPreTokenizer',
  'Metaspace',
  'Split',
  'Digits',
  'Punctuation',
  'CharDelimiterSplit',
  'Sequence',
] as const;

/** Options of the ByteLevel pre-tokenizer, also read by its post-processor and decoder. */
export interface ByteLevelOptions {
  addPrefixSpace: boolean;
  trimOffsets: boolean;
  useRegex: boolean;
}

/** Reads ByteLevel options with Hugging Face's defaults (`add_prefix_space` true, the others true). */
export function readByteLevelOptions(reader: JsonReader): ByteLevelOptions {
  return {
    addPrefixSpace: reader.boolean('add_prefix_space', true),
    trimOffsets: reader.boolean('trim_offsets', true),
    useRegex: reader.boolean('use_regex', true),
  };
}

/** The Metaspace `prepend_scheme` of a config, including the legacy `add_prefix_space` flag. */
export function readPrependScheme(reader: JsonReader): 'always' | 'first' | 'never' {
  if (reader.has('prepend_scheme')) {
    const scheme = reader.string('prepend_scheme');
    if (scheme !== 'always' && scheme !== 'first' && scheme !== 'never') reader.fail('prepend_scheme', '"always", "first" or "never"');
    return scheme;
  }
  return reader.boolean('add_prefix_space', true) ? 'always' : 'never';
}

/**
 * Builds a pre-tokenizer from its `tokenizer.json` config.
 * @example
 * preTokenizerFromJSON({ type: 'WhitespaceSplit' }, 'pre_tokenizer').preTokenize([Segment.verbatim('a b')], false).length // 2
 */
export function preTokenizerFromJSON(value: unknown, path: string, depth = 0): PreTokenizer {
  checkSequenceDepth(depth, path);
  const reader = JsonReader.of(value, path);
  const type = reader.type(PRE_TOKENIZER_TYPES, 'pre-tokenizer');
  const json = reader.value;
  switch (type) {
    case 'ByteLevel': {
      const options = readByteLevelOptions(reader);
      const regex = new RegExp(GPT2_SPLIT_PATTERN, 'gu');
      return {
        preTokenize(segments, tracked) {
          const out: Segment[] = [];
          for (let segment of segments) {
            if (options.addPrefixSpace && !segment.text.startsWith(' ')) segment = prepend(segment, ' ', tracked);
            if (options.useRegex) {
              const pieces: Segment[] = [];
              splitAt(segment, regexMatches(regex, segment.text), 'Isolated', false, pieces);
              for (const piece of pieces) out.push(byteLevelSegment(piece, tracked));
            } else if (segment.text.length > 0) out.push(byteLevelSegment(segment, tracked));
          }
          return out;
        },
        toJSON: () => json,
      };
    }
    case 'Whitespace':
      return { preTokenize: (segments) => splitEach(segments, (text) => regexMatches(WORD_OR_SYMBOLS, text), 'Removed', true), toJSON: () => json };
    case 'WhitespaceSplit':
      return {
        preTokenize: (segments) => splitEach(segments, (text) => charMatches(text, (char) => WHITESPACE_CHAR.test(char), true), 'Removed', false),
        toJSON: () => json,
      };
    case 'BertPreTokenizer':
      return {
        preTokenize(segments) {
          const out: Segment[] = [];
          for (const segment of segments) bertPreTokenize(segment, out);
          return out;
        },
        toJSON: () => json,
      };
    case 'Metaspace': {
      const replacement = reader.string('replacement', '▁');
      if ([...replacement].length !== 1) reader.fail('replacement', 'a single character');
      const scheme = readPrependScheme(reader);
      const split = reader.boolean('split', true);
      return {
        preTokenize(segments, tracked) {
          const out: Segment[] = [];
          for (let segment of segments) {
            if (segment.text.includes(' ')) {
              const builder = new SegmentBuilder(segment, tracked);
              let last = 0;
              for (let i = segment.text.indexOf(' '); i >= 0; i = segment.text.indexOf(' ', i + 1)) {
                builder.copy(last, i);
                builder.replace(i, i + 1, replacement);
                last = i + 1;
              }
              builder.copy(last, segment.text.length);
              segment = builder.build();
            }
            if (!segment.text.startsWith(replacement) && (scheme === 'always' || (scheme === 'first' && segment.startOf(0) === 0))) {
              segment = prepend(segment, replacement, tracked);
            }
            if (!split) {
              if (segment.text.length > 0) out.push(segment);
              continue;
            }
            const matches: number[] = [];
            for (let i = segment.text.indexOf(replacement); i >= 0; i = segment.text.indexOf(replacement, i + replacement.length)) matches.push(i, i + replacement.length);
            splitAt(segment, matches, 'MergedWithNext', false, out);
          }
          return out;
        },
        toJSON: () => json,
      };
    }
    case 'Split': {
      const { pattern } = readPattern(reader, 'pattern');
      const behavior = reader.string('behavior', 'Isolated') as SplitBehavior;
      if (!BEHAVIORS.includes(behavior)) reader.fail('behavior', `one of ${BEHAVIORS.join(', ')}`);
      const invert = reader.boolean('invert', false);
      return { preTokenize: (segments) => splitEach(segments, (text) => pattern.matches(text), behavior, invert), toJSON: () => json };
    }
    case 'Digits': {
      const individual = reader.boolean('individual_digits', false);
      return {
        preTokenize: (segments) => splitEach(segments, (text) => charMatches(text, (char) => NUMERIC.test(char), !individual), 'Isolated', false),
        toJSON: () => json,
      };
    }
    case 'Punctuation': {
      const behavior = reader.string('behavior', 'Isolated') as SplitBehavior;
      if (!BEHAVIORS.includes(behavior)) reader.fail('behavior', `one of ${BEHAVIORS.join(', ')}`);
      return { preTokenize: (segments) => splitEach(segments, (text) => charMatches(text, isBertPunctuation, false), behavior, false), toJSON: () => json };
    }
    case 'CharDelimiterSplit': {
      const delimiter = reader.string('delimiter');
      if ([...delimiter].length !== 1) reader.fail('delimiter', 'a single character');
      return {
        preTokenize: (segments) => splitEach(segments, (text) => charMatches(text, (char) => char === delimiter, false), 'Removed', false),
        toJSON: () => json,
      };
    }
    case 'Sequence': {
      const listPath = reader.fieldPath('pretokenizers');
      const steps = reader.array('pretokenizers').map((item, index) => preTokenizerFromJSON(item, `${listPath}[${index}]`, depth + 1));
      return {
        preTokenize(segments, tracked) {
          let current = segments;
          for (const step of steps) current = step.preTokenize(current, tracked);
          return current;
        },
        toJSON: () => ({ type, pretokenizers: steps.map((step) => step.toJSON()) }),
      };
    }
  }
  throw new TokenizerJSONError(reader.fieldPath('type'), 'unsupported pre-tokenizer type');
}
