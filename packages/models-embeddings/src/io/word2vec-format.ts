/**
 * word2vec's two file formats, as written by word2vec.c and by gensim's `save_word2vec_format`:
 * text ("<count> <dim>" then "word v1 … vdim" lines) and binary (the same header, then each word, a
 * space and dim little-endian float32).
 */
import type { WordVectors, WordVectorsOptions } from '../vectors/word-vectors';
import type { VectorFileSource } from './byte-source';
import { parseAll, readAll, type PushParser } from './read-vectors';
import { TextVectorParser, type VectorParserOptions } from './text-vector-parser';
import { Word2VecBinaryParser } from './word2vec-binary-parser';
import { binaryRecords, concat, textLines } from './write-vectors';

/** Options of {@link readWord2Vec} and {@link parseWord2Vec}. */
export interface ReadWord2VecOptions extends Omit<VectorParserOptions, 'sizeHint'>, WordVectorsOptions {
  /** The binary format (default false: text). */
  binary?: boolean;
}

/** Options of {@link writeWord2Vec} and {@link word2VecChunks}. */
export interface WriteWord2VecOptions {
  /** The binary format (default false: text). */
  binary?: boolean;
}

function parserFor(options: ReadWord2VecOptions): PushParser {
  return options.binary ? new Word2VecBinaryParser(options) : new TextVectorParser('word2vec text', true, options);
}

function formatName(options: { binary?: boolean }): string {
  return options.binary ? 'word2vec binary' : 'word2vec text';
}

/**
 * Read a word2vec file from any source — a Node stream, a `fetch` body, an async iterable of chunks,
 * bytes or a string — a chunk at a time, into a matrix allocated once from the header. A malformed
 * file throws a `VectorFileError` naming the line.
 * @example
 * import { createReadStream } from 'node:fs';
 * const wv = await readWord2Vec(createReadStream('vectors.bin'), { binary: true });
 */
export function readWord2Vec(source: VectorFileSource, options: ReadWord2VecOptions = {}): Promise<WordVectors> {
  return readAll(parserFor(options), source, options);
}

/**
 * Parse a word2vec file held in memory (bytes, a string, or a synchronous iterable of chunks).
 * @example
 * const wv = parseWord2Vec('2 3\nking 1 0 0\nqueen 0.9 0.1 0\n');
 */
export function parseWord2Vec(source: VectorFileSource, options: ReadWord2VecOptions = {}): WordVectors {
  return parseAll(formatName(options), parserFor(options), source, options);
}

/**
 * The word2vec file of `wv` as byte chunks of about 1 MB (text: shortest float32 decimals, which
 * read back exactly; binary: as word2vec.c writes it).
 * @example
 * import { Readable } from 'node:stream';
 * Readable.from(word2VecChunks(wv, { binary: true })).pipe(createWriteStream('vectors.bin'));
 */
export function word2VecChunks(wv: WordVectors, options: WriteWord2VecOptions = {}): Generator<Uint8Array> {
  return options.binary ? binaryRecords(wv) : textLines('word2vec text', wv, `${wv.count} ${wv.dim}\n`);
}

/**
 * The word2vec file of `wv` as one byte array.
 * @example
 * writeFileSync('vectors.txt', writeWord2Vec(wv));
 */
export function writeWord2Vec(wv: WordVectors, options: WriteWord2VecOptions = {}): Uint8Array {
  return concat([...word2VecChunks(wv, options)]);
}
