/**
 * Hugging Face models — BPE, WordPiece and Unigram — read from `tokenizer.json` with every field
 * validated (errors name the path, e.g. `model.merges[12]` or `model.vocab[3][1]`).
 */
import { UnigramModel, type UnigramPiece } from '../unigram/model';
import { type TokenSink, WordPieceModel } from '../wordpiece/model';
import { hfBpeModel } from './bpe-model';
import { type JsonObject, JsonReader, MAX_TOKEN_ID, TokenizerJSONError, describe, isTokenId, joinPath } from './json';

/** What the pipeline needs from a model. */
export interface Model {
  tokenize(word: string, sink: TokenSink): void;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  readonly vocabSize: number;
}

/** A model with its `tokenizer.json` config. */
export interface LoadedModel {
  model: Model;
  type: 'BPE' | 'WordPiece' | 'Unigram';
  toJSON(): JsonObject;
}

function readVocabObject(reader: JsonReader, key: string): Map<string, number> {
  const vocabReader = reader.object(key);
  const vocab = new Map<string, number>();
  const tokenOf = new Map<number, string>();
  for (const [token, id] of Object.entries(vocabReader.value)) {
    if (!isTokenId(id)) {
      throw new TokenizerJSONError(joinPath(vocabReader.path, token), `expected a token id (an integer from 0 to ${MAX_TOKEN_ID}), got ${describe(id)}`);
    }
    const other = tokenOf.get(id);
    if (other !== undefined) throw new TokenizerJSONError(joinPath(vocabReader.path, token), `id ${id} is already used by ${JSON.stringify(other)}`);
    tokenOf.set(id, token);
    vocab.set(token, id);
  }
  return vocab;
}

function readMerges(reader: JsonReader): [string, string][] {
  const path = reader.fieldPath('merges');
  return reader.array('merges').map((merge, index): [string, string] => {
    if (typeof merge === 'string') {
      const parts = merge.split(' ');
      if (parts.length === 2) return [parts[0]!, parts[1]!];
    } else if (Array.isArray(merge) && merge.length === 2 && typeof merge[0] === 'string' && typeof merge[1] === 'string') {
      return [merge[0], merge[1]];
    }
    throw new TokenizerJSONError(joinPath(path, index), `expected a merge "left right" or ["left", "right"], got ${describe(merge)}`);
  });
}

const MODEL_TYPES = ['BPE', 'WordPiece', 'Unigram'] as const;

/**
 * Builds a model from the `model` section of a `tokenizer.json`.
 * @example
 * modelFromJSON({ type: 'WordPiece', vocab: { '[UNK]': 0, a: 1 }, unk_token: '[UNK]' }, 'model').model.vocabSize // 2
 */
export function modelFromJSON(value: unknown, path: string): LoadedModel {
  const reader = JsonReader.of(value, path);
  // Older files omit `type`; infer it from the fields.
  const type = reader.has('type')
    ? reader.type(MODEL_TYPES, 'model')
    : reader.has('merges')
      ? 'BPE'
      : Array.isArray(reader.raw('vocab'))
        ? 'Unigram'
        : reader.has('vocab')
          ? 'WordPiece'
          : reader.fail('type', 'a model type (BPE, WordPiece or Unigram)');
  const json = reader.value;

  if (type === 'BPE') {
    const dropout = reader.value['dropout'];
    if (dropout !== undefined && dropout !== null && dropout !== 0) reader.fail('dropout', 'null (BPE dropout is not supported: encoding is deterministic)');
    const model = hfBpeModel(
      {
        vocab: readVocabObject(reader, 'vocab'),
        merges: readMerges(reader),
        unkToken: reader.optionalString('unk_token'),
        continuingSubwordPrefix: reader.optionalString('continuing_subword_prefix'),
        endOfWordSuffix: reader.optionalString('end_of_word_suffix'),
        fuseUnk: reader.boolean('fuse_unk', false),
        byteFallback: reader.boolean('byte_fallback', false),
        ignoreMerges: reader.boolean('ignore_merges', false),
      },
      path,
    );
    return { model, type: 'BPE', toJSON: () => json };
  }
  if (type === 'WordPiece') {
    const vocab = readVocabObject(reader, 'vocab');
    const unkToken = reader.string('unk_token', '[UNK]');
    if (!vocab.has(unkToken)) throw new TokenizerJSONError(reader.fieldPath('unk_token'), `${JSON.stringify(unkToken)} is not in ${reader.fieldPath('vocab')}`);
    const model = new WordPieceModel(vocab, {
      unkToken,
      continuingSubwordPrefix: reader.string('continuing_subword_prefix', '##'),
      maxInputCharsPerWord: reader.integer('max_input_chars_per_word', 100),
    });
    return { model, type: 'WordPiece', toJSON: () => json };
  }
  const vocabPath = reader.fieldPath('vocab');
  const pieces = reader.array('vocab').map((entry, index): UnigramPiece => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new TokenizerJSONError(joinPath(vocabPath, index), `expected [piece, score], got ${describe(entry)}`);
    if (typeof entry[0] !== 'string') throw new TokenizerJSONError(`${vocabPath}[${index}][0]`, `expected a string piece, got ${describe(entry[0])}`);
    if (typeof entry[1] !== 'number' || !Number.isFinite(entry[1])) throw new TokenizerJSONError(`${vocabPath}[${index}][1]`, `expected a number score, got ${describe(entry[1])}`);
    return [entry[0], entry[1]];
  });
  const unkId = reader.optionalInteger('unk_id');
  if (unkId !== null && unkId >= pieces.length) throw new TokenizerJSONError(reader.fieldPath('unk_id'), `${unkId} is outside the ${pieces.length} pieces of ${vocabPath}`);
  const model = new UnigramModel(pieces, { unkId, byteFallback: reader.boolean('byte_fallback', false) });
  return { model, type: 'Unigram', toJSON: () => json };
}
