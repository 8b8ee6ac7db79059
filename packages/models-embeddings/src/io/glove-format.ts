/**
 * GloVe's text format: "word v1 … vdim" lines with no header; dim comes from the first line and the
 * word count from the end of the file, so the matrix grows geometrically while reading and is trimmed.
 */
import type { WordVectors, WordVectorsOptions } from '../vectors/word-vectors';
import type { VectorFileSource } from './byte-source';
import { knownSize, parseAll, readAll } from './read-vectors';
import { TextVectorParser, type VectorParserOptions } from './text-vector-parser';
import { concat, textLines } from './write-vectors';

const FORMAT = 'GloVe text';

/** Options of {@link readGlove} and {@link parseGlove}. */
export interface ReadGloveOptions extends VectorParserOptions, WordVectorsOptions {}

/**
 * Read a GloVe file from any source (a Node stream, an async iterable of chunks, bytes or a string).
 * Pass `sizeHint` (the file's size in bytes) for a stream to bound the memory reserved while growing.
 * @example
 * const wv = await readGlove(createReadStream('glove.6B.50d.txt'), { sizeHint: statSync('glove.6B.50d.txt').size });
 */
export function readGlove(source: VectorFileSource, options: ReadGloveOptions = {}): Promise<WordVectors> {
  return readAll(new TextVectorParser(FORMAT, false, { sizeHint: knownSize(source), ...options }), source, options);
}

/**
 * Parse a GloVe file held in memory.
 * @example
 * const wv = parseGlove('king 1 0 0\nqueen 0.9 0.1 0\n');
 */
export function parseGlove(source: VectorFileSource, options: ReadGloveOptions = {}): WordVectors {
  return parseAll(FORMAT, new TextVectorParser(FORMAT, false, { sizeHint: knownSize(source), ...options }), source, options);
}

/**
 * The GloVe text file of `wv` as byte chunks of about 1 MB.
 * @example
 * Readable.from(gloveChunks(wv)).pipe(createWriteStream('vectors.txt'));
 */
export function gloveChunks(wv: WordVectors): Generator<Uint8Array> {
  return textLines(FORMAT, wv, undefined);
}

/**
 * The GloVe text file of `wv` as one byte array.
 * @example
 * writeFileSync('vectors.txt', writeGlove(wv));
 */
export function writeGlove(wv: WordVectors): Uint8Array {
  return concat([...gloveChunks(wv)]);
}
