/**
 * Writing vectors as text lines ("word v1 … vdim\n", shortest float32 decimals) or word2vec binary
 * records, as a stream of byte chunks of about 1 MB, so a large vocabulary never needs one giant
 * string or buffer.
 */
import { ValueError } from '@tessera/core';
import type { WordVectors } from '../vectors/word-vectors';
import { formatFloat32 } from './decimal-text';

/** Bytes per yielded chunk (roughly). */
const CHUNK_BYTES = 1 << 20;

/** Throws unless `word` can be a field of a vector file (non-empty, no space, tab or line break). */
export function checkWritableWord(format: string, word: string, index: number): void {
  if (word.length === 0 || /[ \t\r\n]/.test(word)) {
    throw new ValueError(`${format}: word ${index} (${JSON.stringify(word)}) cannot be written: words in this format must be non-empty, with no space, tab or line break`);
  }
}

/** Text lines, after an optional header line, as UTF-8 chunks. */
export function* textLines(format: string, wv: WordVectors, header: string | undefined): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  let pending: string[] = header === undefined ? [] : [header];
  let size = 0;
  const row = new Float32Array(wv.dim);
  const fields = new Array<string>(wv.dim + 1);
  for (let i = 0; i < wv.count; i++) {
    const word = wv.words[i];
    checkWritableWord(format, word, i);
    wv.vectorAt(i, row);
    fields[0] = word;
    for (let j = 0; j < wv.dim; j++) fields[j + 1] = formatFloat32(row[j]);
    const line = `${fields.join(' ')}\n`;
    pending.push(line);
    size += line.length;
    if (size >= CHUNK_BYTES) {
      yield encoder.encode(pending.join(''));
      [pending, size] = [[], 0];
    }
  }
  if (pending.length > 0) yield encoder.encode(pending.join(''));
}

/** word2vec binary: the header line, then "word " + dim little-endian float32 + "\n" per word (as word2vec.c). */
export function* binaryRecords(wv: WordVectors): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [encoder.encode(`${wv.count} ${wv.dim}\n`)];
  let size = parts[0].length;
  const row = new Float32Array(wv.dim);
  const view = new DataView(row.buffer);
  const rowBytes = new Uint8Array(row.buffer);
  for (let i = 0; i < wv.count; i++) {
    checkWritableWord('word2vec binary', wv.words[i], i);
    const word = encoder.encode(`${wv.words[i]} `);
    const record = new Uint8Array(word.length + 4 * wv.dim + 1);
    record.set(word);
    wv.vectorAt(i, row);
    // Store little-endian whatever the host's order.
    for (let j = 0; j < wv.dim; j++) view.setFloat32(4 * j, row[j], true);
    record.set(rowBytes, word.length);
    record[record.length - 1] = 0x0a;
    parts.push(record);
    size += record.length;
    if (size >= CHUNK_BYTES) {
      yield concat(parts, size);
      [parts.length, size] = [0, 0];
    }
  }
  if (parts.length > 0) yield concat(parts, size);
}

/** Chunks joined into one array. */
export function concat(parts: readonly Uint8Array[], size = parts.reduce((sum, part) => sum + part.length, 0)): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
