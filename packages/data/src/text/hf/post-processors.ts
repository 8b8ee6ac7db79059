/**
 * Hugging Face post-processors: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel
 * (offset trimming) and Sequence. They add special tokens around one or two encoded sequences and set
 * the token type ids.
 */
import { type JsonObject, JsonReader, MAX_TOKEN_ID, TokenizerJSONError, checkSequenceDepth, isTokenId, joinPath } from './json';

/** A sequence under construction: parallel arrays, one entry per token. */
export interface EncodingParts {
  ids: number[];
  tokens: string[];
  starts: number[];
  ends: number[];
  typeIds: number[];
  specialTokensMask: number[];
}

export function emptyParts(): EncodingParts {
  return { ids: [], tokens: [], starts: [], ends: [], typeIds: [], specialTokensMask: [] };
}

function pushAll(target: unknown[], source: readonly unknown[]): void {
  for (let i = 0; i < source.length; i++) target.push(source[i]); // no spread: long arrays overflow the stack
}

/** Appends `source` to `target`, with every type id set to `typeId` unless it is null. */
export function appendParts(target: EncodingParts, source: EncodingParts, typeId: number | null): void {
  pushAll(target.ids, source.ids);
  pushAll(target.tokens, source.tokens);
  pushAll(target.starts, source.starts);
  pushAll(target.ends, source.ends);
  if (typeId === null) pushAll(target.typeIds, source.typeIds);
  else for (let i = 0; i < source.ids.length; i++) target.typeIds.push(typeId);
  pushAll(target.specialTokensMask, source.specialTokensMask);
}

function appendSpecial(target: EncodingParts, ids: number[], tokens: string[], typeId: number): void {
  for (let i = 0; i < ids.length; i++) {
    target.ids.push(ids[i]!);
    target.tokens.push(tokens[i] ?? '');
    target.starts.push(0);
    target.ends.push(0);
    target.typeIds.push(typeId);
    target.specialTokensMask.push(1);
  }
}

/** One post-processing step. `text` is the original input, for offset trimming. */
export interface PostProcessor {
  process(first: EncodingParts, second: EncodingParts | null, addSpecialTokens: boolean, texts: [string, string | null]): EncodingParts;
  /** How many special tokens `process` adds (0 for none). */
  added(pair: boolean): number;
  toJSON(): JsonObject;
}

type TemplatePiece = { kind: 'sequence'; sequence: 'A' | 'B'; typeId: number } | { kind: 'special'; name: string; typeId: number };

function readTemplate(reader: JsonReader, key: string, specials: Map<string, { ids: number[]; tokens: string[] }>): TemplatePiece[] {
  const path = reader.fieldPath(key);
  return reader.array(key).map((item, index): TemplatePiece => {
    const piece = JsonReader.of(item, joinPath(path, index));
    if (piece.has('Sequence')) {
      const sequence = piece.object('Sequence');
      const id = sequence.string('id');
      if (id !== 'A' && id !== 'B') sequence.fail('id', '"A" or "B"');
      return { kind: 'sequence', sequence: id as 'A' | 'B', typeId: sequence.integer('type_id', 0) };
    }
    if (piece.has('SpecialToken')) {
      const special = piece.object('SpecialToken');
      const name = special.string('id');
      if (!specials.has(name)) throw new TokenizerJSONError(special.fieldPath('id'), `unknown special token ${JSON.stringify(name)} (not in post_processor.special_tokens)`);
      return { kind: 'special', name, typeId: special.integer('type_id', 0) };
    }
    throw new TokenizerJSONError(piece.path, 'expected {"Sequence": …} or {"SpecialToken": …}');
  });
}

/** Moves offsets past whitespace at either end of each token's span in the original text. */
function trimOffsets(parts: EncodingParts, text: string): void {
  for (let i = 0; i < parts.ids.length; i++) {
    if (parts.specialTokensMask[i] === 1) continue;
    let start = parts.starts[i]!;
    let end = parts.ends[i]!;
    while (start < end && /\s/.test(text[start]!)) start++;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    parts.starts[i] = start;
    parts.ends[i] = end;
  }
}

const POST_PROCESSOR_TYPES = ['TemplateProcessing', 'BertProcessing', 'RobertaProcessing', 'ByteLevel', 'Sequence'] as const;

function readTokenPair(reader: JsonReader, key: string): [string, number] {
  const value = reader.raw(key);
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string' || typeof value[1] !== 'number') reader.fail(key, '[token, id]');
  return [value[0], value[1]];
}

/**
 * Builds a post-processor from its `tokenizer.json` config.
 * @example
 * postProcessorFromJSON({ type: 'BertProcessing', cls: ['[CLS]', 101], sep: ['[SEP]', 102] }, 'post_processor')
 */
export function postProcessorFromJSON(value: unknown, path: string, depth = 0): PostProcessor {
  checkSequenceDepth(depth, path);
  const reader = JsonReader.of(value, path);
  const type = reader.type(POST_PROCESSOR_TYPES, 'post-processor');
  const json = reader.value;
  switch (type) {
    case 'TemplateProcessing': {
      const specials = new Map<string, { ids: number[]; tokens: string[] }>();
      const specialsReader = reader.object('special_tokens');
      for (const name of Object.keys(specialsReader.value)) {
        const special = specialsReader.object(name);
        const ids = special.array('ids').map((id, index) => {
          if (!isTokenId(id)) throw new TokenizerJSONError(`${special.fieldPath('ids')}[${index}]`, `expected a token id (an integer from 0 to ${MAX_TOKEN_ID})`);
          return id;
        });
        const tokens = special.stringArray('tokens');
        if (tokens.length !== ids.length) special.fail('tokens', `${ids.length} tokens (one per id in ${special.fieldPath('ids')})`);
        specials.set(name, { ids, tokens });
      }
      const single = readTemplate(reader, 'single', specials);
      const pair = reader.has('pair') ? readTemplate(reader, 'pair', specials) : null;
      const apply = (template: TemplatePiece[], first: EncodingParts, second: EncodingParts | null, addSpecialTokens: boolean): EncodingParts => {
        const out = emptyParts();
        for (const piece of template) {
          if (piece.kind === 'sequence') {
            const source = piece.sequence === 'A' ? first : second;
            if (source !== null) appendParts(out, source, piece.typeId);
          } else if (addSpecialTokens) {
            const special = specials.get(piece.name)!;
            appendSpecial(out, special.ids, special.tokens, piece.typeId);
          }
        }
        return out;
      };
      const count = (template: TemplatePiece[]): number =>
        template.reduce((sum, piece) => sum + (piece.kind === 'special' ? specials.get(piece.name)!.ids.length : 0), 0);
      return {
        process(first, second, addSpecialTokens) {
          if (second !== null && pair === null) throw new TokenizerJSONError(reader.fieldPath('pair'), 'this tokenizer has no pair template, so it cannot encode a pair');
          return apply(second === null ? single : pair!, first, second, addSpecialTokens);
        },
        added: (isPair) => count(isPair ? (pair ?? single) : single),
        toJSON: () => json,
      };
    }
    case 'BertProcessing':
    case 'RobertaProcessing': {
      const [sepToken, sepId] = readTokenPair(reader, 'sep');
      const [clsToken, clsId] = readTokenPair(reader, 'cls');
      const roberta = type === 'RobertaProcessing';
      const trim = roberta && reader.boolean('trim_offsets', true);
      return {
        process(first, second, addSpecialTokens, texts) {
          if (trim) {
            trimOffsets(first, texts[0]);
            if (second !== null) trimOffsets(second, texts[1] ?? '');
          }
          if (!addSpecialTokens) {
            const out = emptyParts();
            appendParts(out, first, 0);
            if (second !== null) appendParts(out, second, roberta ? 0 : 1);
            return out;
          }
          const out = emptyParts();
          appendSpecial(out, [clsId], [clsToken], 0);
          appendParts(out, first, 0);
          appendSpecial(out, [sepId], [sepToken], 0);
          if (second !== null) {
            const typeId = roberta ? 0 : 1;
            if (roberta) appendSpecial(out, [sepId], [sepToken], typeId);
            appendParts(out, second, typeId);
            appendSpecial(out, [sepId], [sepToken], typeId);
          }
          return out;
        },
        added: (isPair) => (isPair ? (roberta ? 4 : 3) : 2),
        toJSON: () => json,
      };
    }
    case 'ByteLevel': {
      const trim = reader.boolean('trim_offsets', true);
      return {
        process(first, second, addSpecialTokens, texts) {
          if (trim) {
            trimOffsets(first, texts[0]);
            if (second !== null) trimOffsets(second, texts[1] ?? '');
          }
          if (second === null) return first;
          const out = emptyParts();
          appendParts(out, first, 0);
          appendParts(out, second, 1);
          return out;
        },
        added: () => 0,
        toJSON: () => json,
      };
    }
    case 'Sequence': {
      const listPath = reader.fieldPath('processors');
      const steps = reader.array('processors').map((item, index) => postProcessorFromJSON(item, `${listPath}[${index}]`, depth + 1));
      return {
        process(first, second, addSpecialTokens, texts) {
          // Each step sees the previous result; the pair is merged by the first step that adds tokens.
          let current = first;
          let pending = second;
          for (const step of steps) {
            current = step.process(current, pending, addSpecialTokens, texts);
            pending = null;
          }
          return current;
        },
        added: (isPair) => steps.reduce((sum, step) => sum + step.added(isPair), 0),
        toJSON: () => ({ type, processors: steps.map((step) => step.toJSON()) }),
      };
    }
  }
  throw new TokenizerJSONError(reader.fieldPath('type'), 'unsupported post-processor type');
}
