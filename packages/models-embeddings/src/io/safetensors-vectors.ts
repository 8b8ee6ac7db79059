/**
 * Word vectors as a safetensors file plus a vocabulary JSON file (a JSON array of the words in row
 * order), on core's safetensors format — what Hugging Face tools and PyTorch's `safetensors.torch`
 * read. The tensors are named by storage:
 *
 * | storage | tensors |
 * |---|---|
 * | float32 | `vectors` F32 `[count, dim]` |
 * | float16 | `vectors` F16 `[count, dim]` |
 * | int8    | `codes` F16 `[count, dim]` (the integer codes, exact), `scales` F32 `[count]` |
 *
 * (safetensors writers here have no I8 dtype, so int8 codes travel as exact float16 integers.)
 */
import { ShapeError, ValueError, fromFloat16Bits, toFloat16Bits, parseSafetensors, serializeSafetensors, type SafetensorsEntry } from '@tessera/core';
import { Float16Storage, Float32Storage, Int8Storage, type VectorStorage } from '../vectors/vector-storage';
import { WordVectors, type WordVectorsOptions } from '../vectors/word-vectors';

/** A saved `WordVectors`: the safetensors bytes and the vocabulary JSON text. */
export interface SavedWordVectors {
  safetensors: Uint8Array;
  vocabulary: string;
}

/**
 * Serialise `wv` to safetensors bytes and a vocabulary JSON array (its storage dtype is kept).
 * @example
 * const { safetensors, vocabulary } = saveWordVectors(wv);
 * writeFileSync('vectors.safetensors', safetensors); writeFileSync('vocab.json', vocabulary);
 */
export function saveWordVectors(wv: WordVectors): SavedWordVectors {
  const storage = wv.vectorStorage;
  const shape = [wv.count, wv.dim];
  const entries: Record<string, SafetensorsEntry> = {};
  if (storage instanceof Int8Storage) {
    entries.codes = { dtype: 'float16', shape, data: toFloat16Bits(Float32Array.from(storage.codes)) } // exact: |code| ≤ 127;
    entries.scales = { dtype: 'float32', shape: [wv.count], data: storage.scales };
  } else if (storage instanceof Float16Storage) {
    entries.vectors = { dtype: 'float16', shape, data: storage.bits };
  } else {
    entries.vectors = { dtype: 'float32', shape, data: (storage as Float32Storage).values };
  }
  const metadata = { format: 'tessera-word-vectors', storage: storage.dtype };
  return { safetensors: serializeSafetensors(entries, metadata), vocabulary: JSON.stringify(wv.words) };
}

/**
 * WordVectors from safetensors bytes and a vocabulary (JSON text of an array of words, or of a
 * `{ word: row }` object, or the array itself). A file with one 2-D tensor of any name is read as
 * the vectors, so embedding matrices saved by PyTorch load too.
 * @example
 * const wv = loadWordVectors(readFileSync('vectors.safetensors'), readFileSync('vocab.json', 'utf8'));
 */
export function loadWordVectors(safetensors: Uint8Array | ArrayBuffer, vocabulary: string | readonly string[], options: WordVectorsOptions = {}): WordVectors {
  const words = parseVocabulary(vocabulary);
  const { tensors } = parseSafetensors(safetensors);
  const storage = storageOf(tensors, words.length);
  return new WordVectors(words, storage, storage.dim, options);
}

function storageOf(tensors: Record<string, SafetensorsEntry>, count: number): VectorStorage {
  const names = Object.keys(tensors);
  if (tensors.codes && tensors.scales) {
    const [rows, dim] = matrixShape(tensors.codes, 'codes', count);
    if (tensors.scales.shape.length !== 1 || tensors.scales.shape[0] !== rows) {
      throw new ShapeError(`loadWordVectors: "scales" must have shape [${rows}], got [${tensors.scales.shape.join(', ')}]`);
    }
    const codes = Int8Array.from(floatValues(tensors.codes));
    return new Int8Storage(codes, Float32Array.from(floatValues(tensors.scales)), rows, dim);
  }
  const name = tensors.vectors ? 'vectors' : names.length === 1 ? names[0] : undefined;
  if (name === undefined) {
    throw new ValueError(`loadWordVectors: expected a tensor "vectors" (or "codes" and "scales"), or a file with one tensor; got ${names.map((n) => JSON.stringify(n)).join(', ') || 'none'}`);
  }
  const entry = tensors[name];
  const [rows, dim] = matrixShape(entry, name, count);
  if (entry.dtype === 'float16') return new Float16Storage(entry.data as Uint16Array, rows, dim);
  return new Float32Storage(Float32Array.from(floatValues(entry)), rows, dim);
}

function matrixShape(entry: SafetensorsEntry, name: string, count: number): [number, number] {
  if (entry.shape.length !== 2 || entry.shape[0] !== count) {
    throw new ShapeError(`loadWordVectors: "${name}" must have shape [${count}, dim] for the vocabulary's ${count} words, got [${entry.shape.join(', ')}]`);
  }
  return [entry.shape[0], entry.shape[1]];
}

function floatValues(entry: SafetensorsEntry): ArrayLike<number> {
  return entry.dtype === 'float16' ? fromFloat16Bits(entry.data as Uint16Array) : (entry.data as ArrayLike<number>);
}

function parseVocabulary(vocabulary: string | readonly string[]): string[] {
  let parsed: unknown = vocabulary;
  if (typeof vocabulary === 'string') {
    try {
      parsed = JSON.parse(vocabulary);
    } catch (error) {
      throw new ValueError(`loadWordVectors: the vocabulary is not valid JSON (${(error as Error).message})`);
    }
  }
  if (Array.isArray(parsed)) {
    parsed.forEach((word, i) => {
      if (typeof word !== 'string') throw new ValueError(`loadWordVectors: vocabulary entry ${i} is ${typeof word}, expected a string`);
    });
    return parsed as string[];
  }
  if (parsed !== null && typeof parsed === 'object') {
    const entries = Object.entries(parsed as Record<string, unknown>);
    const words = new Array<string>(entries.length);
    for (const [word, row] of entries) {
      if (!Number.isInteger(row) || (row as number) < 0 || (row as number) >= entries.length || words[row as number] !== undefined) {
        throw new ValueError(`loadWordVectors: vocabulary row of ${JSON.stringify(word)} is ${JSON.stringify(row)}; rows must be 0…${entries.length - 1}, each used once`);
      }
      words[row as number] = word;
    }
    return words;
  }
  throw new ValueError('loadWordVectors: the vocabulary must be a JSON array of words or an object { word: row }');
}
