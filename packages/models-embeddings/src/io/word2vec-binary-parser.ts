/**
 * A push parser for word2vec's binary format: a text header "<count> <dim>\n", then per word its
 * UTF-8 bytes, a space and `dim` little-endian float32 values (word2vec.c adds "\n" after each
 * vector, gensim does not; both are read). Bytes are consumed as they come: the matrix is allocated
 * from the header and each vector's bytes are copied straight into their row, so a record may span
 * any number of chunks.
 *
 * Lines in errors: the header is line 1 and record r (0-based) is line r + 2, as in a file written
 * by word2vec.c; each message also names the record and its byte offset.
 */
import { VectorFileError } from '../errors';
import { latin1 } from './decimal-text';
import { checkLimit, type ParsedVectors, type VectorParserOptions } from './text-vector-parser';

const FORMAT = 'word2vec binary';
const SPACE = 0x20;
const NEWLINE = 0x0a;
const CR = 0x0d;
const MAX_HEADER_BYTES = 256;
const MAX_WORD_BYTES = 1 << 16;
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** word2vec binary vectors, parsed a chunk at a time. */
export class Word2VecBinaryParser {
  private header = new Uint8Array(MAX_HEADER_BYTES);
  private headerLength = 0;
  private headerDone = false;
  private count = 0;
  private dim = 0;
  private rows = 0;
  private matrix = new Float32Array(0);
  private matrixBytes = new Uint8Array(0);
  private inVector = false;
  private vectorBytes = 0;
  private wordBytes = new Uint8Array(64);
  private wordLength = 0;
  private word = '';
  private readonly words: string[] = [];
  private readonly lookup = new Map<string, number>();
  private readonly decoder: TextDecoder;
  private readonly limit: number;
  private offset = 0; // bytes consumed before the current chunk
  private position = 0; // index in the current chunk
  private done = false;

  constructor(options: VectorParserOptions = {}) {
    this.limit = checkLimit(FORMAT, options.limit);
    this.decoder = new TextDecoder('utf-8', { fatal: (options.unicodeErrors ?? 'strict') === 'strict' });
  }

  /** Consume a chunk; false once every word (or `limit` words) is read. */
  push(chunk: Uint8Array): boolean {
    let i = 0;
    while (i < chunk.length && !this.done) {
      this.position = i;
      if (!this.headerDone) i = this.readHeader(chunk, i);
      else if (this.inVector) i = this.readVector(chunk, i);
      else i = this.readWord(chunk, i);
    }
    this.offset += chunk.length;
    return !this.done;
  }

  /** The vectors read; a file that ends early is an error naming the record it ends in. */
  finish(): ParsedVectors {
    this.position = 0;
    if (!this.headerDone) {
      throw this.error(1, this.headerLength === 0 ? 'the file is empty; expected a header line "<count> <dim>"' : 'the header line never ends (is this a word2vec binary file?)');
    }
    if (!this.done) {
      const record = this.rows;
      if (this.inVector) {
        throw this.error(record + 2, `truncated: record ${record} (${JSON.stringify(this.word)}) has ${this.vectorBytes} of its ${4 * this.dim} vector bytes`);
      }
      const partial = this.wordLength > 0 ? ` (the file ends inside record ${record}'s word)` : '';
      throw this.error(record + 2, `truncated: the header says ${this.count} words but the file ends after ${this.rows}${partial}`);
    }
    return { words: this.words, lookup: this.lookup, values: this.matrix, dim: this.dim };
  }

  private readHeader(chunk: Uint8Array, start: number): number {
    for (let i = start; i < chunk.length; i++) {
      if (chunk[i] === NEWLINE) {
        this.startMatrix();
        return i + 1;
      }
      if (this.headerLength === MAX_HEADER_BYTES) throw this.error(1, 'no header line "<count> <dim>" in the first 256 bytes (is this a word2vec binary file?)');
      this.header[this.headerLength++] = chunk[i];
    }
    return chunk.length;
  }

  private startMatrix(): void {
    const text = latin1(this.header, 0, this.headerLength);
    const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
    if (!match || Number(match[2]) < 1) throw this.error(1, `the header must be "<count> <dim>" (two integers, dim ≥ 1), got ${JSON.stringify(text)}`);
    this.count = Number(match[1]);
    this.dim = Number(match[2]);
    const rows = Math.min(this.count, this.limit);
    if (rows * this.dim > 2 ** 31) throw this.error(1, `the header's ${this.count} × ${this.dim} values are too many for one Float32Array`);
    this.matrix = new Float32Array(rows * this.dim);
    this.matrixBytes = new Uint8Array(this.matrix.buffer);
    this.headerDone = true;
    if (rows === 0) this.done = true;
  }

  private readWord(chunk: Uint8Array, start: number): number {
    for (let i = start; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === SPACE) {
        this.position = i;
        this.endWord();
        return i + 1;
      }
      // word2vec.c ends each vector with "\n"; it belongs to no word.
      if ((byte === NEWLINE || byte === CR) && this.wordLength === 0) continue;
      if (this.wordLength === this.wordBytes.length) {
        if (this.wordLength >= MAX_WORD_BYTES) {
          this.position = i;
          throw this.error(this.rows + 2, `record ${this.rows}'s word runs over 64 KB without the space that ends it (wrong dim in the header, or a text file?)`);
        }
        const grown = new Uint8Array(this.wordLength * 2);
        grown.set(this.wordBytes);
        this.wordBytes = grown;
      }
      this.wordBytes[this.wordLength++] = byte;
    }
    return chunk.length;
  }

  private endWord(): void {
    const line = this.rows + 2;
    if (this.wordLength === 0) throw this.error(line, `record ${this.rows} has an empty word`);
    try {
      this.word = this.decoder.decode(this.wordBytes.subarray(0, this.wordLength));
    } catch {
      throw this.error(line, `record ${this.rows}'s word ${JSON.stringify(latin1(this.wordBytes, 0, this.wordLength))} is not valid UTF-8 (pass unicodeErrors: 'replace' to read it anyway)`);
    }
    this.wordLength = 0;
    const first = this.lookup.get(this.word);
    if (first !== undefined) throw this.error(line, `duplicate word ${JSON.stringify(this.word)} (first on line ${first + 2})`);
    this.lookup.set(this.word, this.rows);
    this.inVector = true;
    this.vectorBytes = 0;
  }

  private readVector(chunk: Uint8Array, start: number): number {
    const rowBytes = 4 * this.dim;
    const take = Math.min(rowBytes - this.vectorBytes, chunk.length - start);
    this.matrixBytes.set(chunk.subarray(start, start + take), this.rows * rowBytes + this.vectorBytes);
    this.vectorBytes += take;
    if (this.vectorBytes === rowBytes) {
      if (!HOST_IS_LITTLE_ENDIAN) swapRow(this.matrixBytes, this.rows * rowBytes, rowBytes);
      this.words.push(this.word);
      this.rows++;
      this.inVector = false;
      if (this.rows >= Math.min(this.count, this.limit)) this.done = true;
    }
    return start + take;
  }

  private error(line: number, problem: string): VectorFileError {
    return new VectorFileError(FORMAT, line, `${problem} [byte ${this.offset + this.position}]`);
  }
}

/** float32 little-endian → host order, in place (big-endian hosts only). */
function swapRow(bytes: Uint8Array, start: number, length: number): void {
  for (let i = start; i < start + length; i += 4) {
    [bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]] = [bytes[i + 3], bytes[i + 2], bytes[i + 1], bytes[i]];
  }
}
