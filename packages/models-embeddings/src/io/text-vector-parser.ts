/**
 * A push parser for the text vector formats: word2vec text (a header line "<count> <dim>", then one
 * "word v1 … vdim" line per word) and GloVe text (the same lines, no header). Bytes go in a chunk at
 * a time and are consumed as they come — a token buffer of one word or number is all that is
 * carried between chunks — and values go straight into the matrix: preallocated from the header's
 * count, or (GloVe) grown geometrically and trimmed at the end. Fields are separated by spaces or
 * tabs; "\r\n" line ends and blank lines are accepted.
 */
import { ValueError } from '@tessera/core';
import { VectorFileError } from '../errors';
import { parseDecimal, isNotANumber, latin1 } from './decimal-text';
import { GrowableFloats } from './growable-floats';

/** How bytes that are not UTF-8 in a word are handled: an error (default) or U+FFFD. */
export type UnicodeErrors = 'strict' | 'replace';

/** What a parser produced: the words, their rows (word → row) and the row-major `[words.length, dim]` values. */
export interface ParsedVectors {
  words: string[];
  lookup: Map<string, number>;
  values: Float32Array;
  dim: number;
}

/** Options shared by the text and binary parsers. */
export interface VectorParserOptions {
  /** Read only the first `limit` words (as gensim's `limit`). */
  limit?: number;
  /** Words that are not UTF-8: `'strict'` (default) throws, `'replace'` puts U+FFFD. */
  unicodeErrors?: UnicodeErrors;
  /** The input's size in bytes, when known: bounds the memory GloVe reserves. */
  sizeHint?: number;
}

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const NEWLINE = 0x0a;

/** Text vectors, parsed a chunk at a time. */
export class TextVectorParser {
  private line = 1;
  private field = 0;
  private token = new Uint8Array(256);
  private tokenLength = 0;
  private readonly headerFields: string[] = [];
  private headerDone: boolean;
  private count = -1;
  private dim = -1;
  private rows = 0;
  private matrix: Float32Array | undefined;
  private growable: GrowableFloats | undefined;
  private firstRow: number[] = [];
  private word = '';
  private readonly words: string[] = [];
  private readonly lookup = new Map<string, number>();
  /** The line of each row (for duplicate-word errors): blank lines make it more than row + header. */
  private rowLines = new Int32Array(1024);
  private readonly decoder: TextDecoder;
  private readonly limit: number;
  private done = false;

  constructor(
    private readonly format: string,
    private readonly hasHeader: boolean,
    private readonly options: VectorParserOptions = {},
  ) {
    this.headerDone = !hasHeader;
    this.limit = checkLimit(format, options.limit);
    this.decoder = new TextDecoder('utf-8', { fatal: (options.unicodeErrors ?? 'strict') === 'strict' });
  }

  /** Consume a chunk; false once `limit` words are read (the rest of the input is not needed). */
  push(chunk: Uint8Array): boolean {
    for (let i = 0; i < chunk.length && !this.done; i++) {
      const byte = chunk[i];
      if (byte === SPACE || byte === TAB || byte === CR) {
        if (this.tokenLength > 0) this.endToken();
      } else if (byte === NEWLINE) {
        if (this.tokenLength > 0) this.endToken();
        this.endLine();
      } else {
        if (this.tokenLength === this.token.length) this.growToken();
        this.token[this.tokenLength++] = byte;
      }
    }
    return !this.done;
  }

  /** The vectors read; checks that the file ended where its header said. */
  finish(): ParsedVectors {
    if (!this.done) {
      if (this.tokenLength > 0) this.endToken();
      if (this.field > 0) this.endLine();
    }
    if (!this.headerDone) throw this.error(`the file is empty; expected a header line "<count> <dim>"`);
    if (this.dim < 0) throw this.error('the file holds no vectors');
    if (this.hasHeader && !this.done && this.rows < this.count) {
      throw this.error(`the header says ${this.count} words but the file ends after ${this.rows} (is it truncated, or the count wrong?)`);
    }
    const values = this.growable ? this.growable.finish() : this.matrix!;
    return { words: this.words, lookup: this.lookup, values, dim: this.dim };
  }

  private endToken(): void {
    const length = this.tokenLength;
    this.tokenLength = 0;
    const field = this.field++;
    if (!this.headerDone) {
      this.headerFields.push(latin1(this.token, 0, length));
      return;
    }
    if (field === 0) {
      this.word = this.decodeWord(length);
      if (this.growable && this.dim > 0) this.growable.reserve(this.dim);
      return;
    }
    const value = parseDecimal(this.token, 0, length);
    if (Number.isNaN(value) && !isNotANumber(this.token, 0, length)) {
      throw this.error(`value ${field} of word ${JSON.stringify(this.word)} is not a number: ${JSON.stringify(latin1(this.token, 0, length))}`);
    }
    if (this.dim < 0) {
      this.firstRow.push(value);
      return;
    }
    if (field > this.dim) return; // counted; reported at the end of the line
    if (this.growable) this.growable.values[this.growable.length + field - 1] = value;
    else this.matrix![this.rows * this.dim + field - 1] = value;
  }

  private endLine(): void {
    const fields = this.field;
    this.field = 0;
    if (fields === 0) {
      this.line++;
      return; // blank line
    }
    if (!this.headerDone) {
      this.readHeader();
    } else {
      this.endRow(fields - 1);
    }
    this.line++;
  }

  private readHeader(): void {
    const [count, dim] = this.headerFields.map((text) => (/^\d+$/.test(text) ? Number(text) : NaN));
    if (this.headerFields.length !== 2 || !Number.isSafeInteger(count) || !(dim >= 1) || !Number.isSafeInteger(dim)) {
      throw this.error(`the header must be "<count> <dim>" (two integers, dim ≥ 1), got ${JSON.stringify(this.headerFields.join(' '))}`);
    }
    this.count = count;
    this.dim = dim;
    const rows = Math.min(count, this.limit);
    if (rows * dim > 2 ** 31) throw this.error(`the header's ${count} × ${dim} values are too many for one Float32Array`);
    this.matrix = new Float32Array(rows * dim);
    this.headerDone = true;
    if (rows === 0) this.done = true;
  }

  private endRow(values: number): void {
    if (this.dim < 0) {
      // GloVe: the first row sets dim.
      this.dim = values;
      const bound = this.options.sizeHint !== undefined ? Math.ceil(this.options.sizeHint / 2) : undefined;
      this.growable = new GrowableFloats(Math.max(values * 1024, 1 << 12), bound);
      this.growable.reserve(values);
      this.growable.values.set(this.firstRow);
      this.firstRow = [];
    } else if (values !== this.dim) {
      const source = this.hasHeader ? "the header's dim" : "the first row's dim";
      throw this.error(`word ${JSON.stringify(this.word)} has ${values} values, expected ${this.dim} (${source})`);
    }
    if (this.hasHeader && this.rows >= this.count) {
      throw this.error(`the header says ${this.count} words but there are more rows (word ${JSON.stringify(this.word)})`);
    }
    const first = this.lookup.get(this.word);
    if (first !== undefined) throw this.error(`duplicate word ${JSON.stringify(this.word)} (first on line ${this.rowLines[first]})`);
    this.lookup.set(this.word, this.rows);
    if (this.rows === this.rowLines.length) {
      const grown = new Int32Array(this.rowLines.length * 2);
      grown.set(this.rowLines);
      this.rowLines = grown;
    }
    this.rowLines[this.rows] = this.line;
    this.words.push(this.word);
    if (this.growable) this.growable.length += this.dim;
    this.rows++;
    if (this.rows >= this.limit) this.done = true;
  }

  private decodeWord(length: number): string {
    try {
      return this.decoder.decode(this.token.subarray(0, length));
    } catch {
      throw this.error(`the word ${JSON.stringify(latin1(this.token, 0, length))} is not valid UTF-8 (pass unicodeErrors: 'replace' to read it anyway)`);
    }
  }

  private growToken(): void {
    if (this.token.length >= 1 << 20) throw this.error('a field is longer than 1 MB (is this a binary file? pass binary: true)');
    const grown = new Uint8Array(this.token.length * 2);
    grown.set(this.token);
    this.token = grown;
  }

  private error(problem: string): VectorFileError {
    return new VectorFileError(this.format, this.line, problem);
  }
}

/** `limit` checked: a non-negative integer, or Infinity when absent. */
export function checkLimit(format: string, limit: number | undefined): number {
  if (limit === undefined) return Infinity;
  if (!Number.isInteger(limit) || limit < 0) throw new ValueError(`${format}: limit must be a non-negative integer, got ${limit}`);
  return limit;
}
