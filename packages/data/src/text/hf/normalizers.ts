/**
 * Hugging Face normalizers: NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, BertNormalizer, Replace,
 * Prepend, Strip and Sequence. Each keeps its JSON config (for `toJSON`) and maps a segment to a new
 * one with alignments to the original text.
 */
import { bertNormalize, lowercase, removeNonSpacingMarks } from '../wordpiece/bert';
import { type JsonObject, JsonReader, TokenizerJSONError, checkSequenceDepth } from './json';
import { type TextPattern, literalPattern, regexPattern } from './text-pattern';
import { Segment, SegmentBuilder } from './segment';

/** One normalization step. */
export interface Normalizer {
  normalize(segment: Segment, tracked: boolean): Segment;
  toJSON(): JsonObject;
}

const NORMALIZER_TYPES = ['NFC', 'NFD', 'NFKC', 'NFKD', 'Lowercase', 'StripAccents', 'BertNormalizer', 'Replace', 'Prepend', 'Strip', 'Sequence'] as const;

// A character that never starts a new normalization chunk: combining marks and Hangul medial/final jamo.
const CONTINUES_CLUSTER = /[\p{M}\u1160-\u11ff\ud7b0-\ud7ff]/u;

/** Unicode normalization, aligned per cluster (a base character with its following marks). */
function unicodeNormalize(segment: Segment, form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD', tracked: boolean): Segment {
  const text = segment.text;
  const normalized = text.normalize(form);
  if (normalized === text) return segment;
  if (!tracked) return new Segment(normalized, null, null, segment.base);
  const builder = new SegmentBuilder(segment, true);
  let clusterStart = 0;
  const flush = (end: number): void => {
    if (end <= clusterStart) return;
    const cluster = text.slice(clusterStart, end);
    const mapped = cluster.normalize(form);
    if (mapped === cluster) builder.copy(clusterStart, end);
    else builder.replace(clusterStart, end, mapped);
    clusterStart = end;
  };
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    if (i > 0 && !CONTINUES_CLUSTER.test(text.slice(i, i + width))) flush(i);
    i += width;
  }
  flush(text.length);
  return builder.build();
}

/** Replaces every match of `pattern` with `content`, keeping alignments. */
export function replaceSegment(segment: Segment, pattern: TextPattern, content: string, tracked: boolean): Segment {
  const text = segment.text;
  const ranges = pattern.matches(text);
  if (ranges.length === 0) return segment;
  const builder = new SegmentBuilder(segment, tracked);
  let last = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    builder.copy(last, ranges[i]!);
    builder.replace(ranges[i]!, ranges[i + 1]!, content);
    last = ranges[i + 1]!;
  }
  builder.copy(last, text.length);
  return builder.build();
}

/** Reads a `{"String": …}` or `{"Regex": …}` pattern (engine policy: `text-pattern.ts`). */
export function readPattern(reader: JsonReader, key: string): { pattern: TextPattern; json: JsonObject } {
  const pattern = reader.object(key);
  if (typeof pattern.value['String'] === 'string') {
    return { pattern: literalPattern(pattern.value['String']), json: { String: pattern.value['String'] } };
  }
  if (typeof pattern.value['Regex'] === 'string') {
    return { pattern: regexPattern(pattern.value['Regex'], pattern.fieldPath('Regex')), json: { Regex: pattern.value['Regex'] } };
  }
  throw new TokenizerJSONError(pattern.path, 'expected {"String": "…"} or {"Regex": "…"}');
}

const STRIP_WHITESPACE = /\p{White_Space}/u;

/**
 * Builds a normalizer from its `tokenizer.json` config.
 * @example
 * normalizerFromJSON({ type: 'Lowercase' }, 'normalizer').normalize(Segment.verbatim('Hi'), false).text // 'hi'
 */
export function normalizerFromJSON(value: unknown, path: string, depth = 0): Normalizer {
  checkSequenceDepth(depth, path);
  const reader = JsonReader.of(value, path);
  const type = reader.type(NORMALIZER_TYPES, 'normalizer');
  const json = reader.value;
  switch (type) {
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = type;
      return { normalize: (segment, tracked) => unicodeNormalize(segment, form, tracked), toJSON: () => ({ type }) };
    }
    case 'Lowercase':
      return { normalize: lowercase, toJSON: () => ({ type }) };
    case 'StripAccents':
      return { normalize: removeNonSpacingMarks, toJSON: () => ({ type }) };
    case 'BertNormalizer': {
      const options = {
        cleanText: reader.boolean('clean_text', true),
        handleChineseChars: reader.boolean('handle_chinese_chars', true),
        stripAccents: reader.optionalBoolean('strip_accents'),
        lowercase: reader.boolean('lowercase', true),
      };
      return { normalize: (segment, tracked) => bertNormalize(segment, options, tracked), toJSON: () => json };
    }
    case 'Replace': {
      const { pattern } = readPattern(reader, 'pattern');
      const content = reader.string('content');
      return { normalize: (segment, tracked) => replaceSegment(segment, pattern, content, tracked), toJSON: () => json };
    }
    case 'Prepend': {
      const prepend = reader.string('prepend');
      return {
        normalize(segment, tracked) {
          if (segment.text.length === 0) return segment;
          const builder = new SegmentBuilder(segment, tracked);
          builder.replace(0, 0, prepend);
          builder.copy(0, segment.text.length);
          return builder.build();
        },
        toJSON: () => json,
      };
    }
    case 'Strip': {
      const left = reader.boolean('strip_left', true);
      const right = reader.boolean('strip_right', true);
      return {
        normalize(segment) {
          const text = segment.text;
          let start = 0;
          let end = text.length;
          if (left) while (start < end && STRIP_WHITESPACE.test(text[start]!)) start++;
          if (right) while (end > start && STRIP_WHITESPACE.test(text[end - 1]!)) end--;
          return segment.slice(start, end);
        },
        toJSON: () => json,
      };
    }
    case 'Sequence': {
      const path = reader.fieldPath('normalizers');
      const steps = reader.array('normalizers').map((item, index) => normalizerFromJSON(item, `${path}[${index}]`, depth + 1));
      return {
        normalize(segment, tracked) {
          let current = segment;
          for (const step of steps) current = step.normalize(current, tracked);
          return current;
        },
        toJSON: () => ({ type, normalizers: steps.map((step) => step.toJSON()) }),
      };
    }
  }
  throw new TokenizerJSONError(reader.fieldPath('type'), `unsupported normalizer type`);
}
