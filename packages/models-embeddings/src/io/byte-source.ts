/**
 * The inputs a vector-file reader takes, as a stream of byte chunks: bytes or a string (browser, or
 * a file already in memory), or an iterable / async iterable of chunks (a Node `fs.createReadStream`,
 * a `fetch` body via `response.body`, a generator). Readers never hold more than one chunk of input.
 */

import { ValueError } from '@tessera/core';

/** Anything a vector-file reader can read. Strings are UTF-8 encoded a slice at a time. */
export type VectorFileSource =
  | Uint8Array
  | ArrayBuffer
  | string
  | Iterable<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>;

/** UTF-16 code units encoded per string slice (a slice never ends inside a surrogate pair). */
const STRING_SLICE = 1 << 20;

/** The source as synchronous chunks, or undefined when it can only be read asynchronously. */
export function syncChunks(source: VectorFileSource): Iterable<Uint8Array> | undefined {
  if (source instanceof Uint8Array) return [source];
  if (source instanceof ArrayBuffer) return [new Uint8Array(source)];
  if (typeof source === 'string') return stringChunks(source);
  if (Symbol.iterator in Object(source)) return mapChunks(source as Iterable<Uint8Array | string>);
  return undefined;
}

/** The source as an async stream of chunks. */
export async function* asyncChunks(source: VectorFileSource): AsyncIterable<Uint8Array> {
  const sync = syncChunks(source);
  if (sync) {
    yield* sync;
    return;
  }
  if (!(Symbol.asyncIterator in Object(source))) {
    throw new ValueError(`vector file: cannot read a ${describe(source)}; pass bytes, a string, or an (async) iterable of chunks such as a Node stream`);
  }
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    if (typeof chunk === 'string') yield* stringChunks(chunk);
    else yield asBytes(chunk);
  }
}

function* mapChunks(chunks: Iterable<Uint8Array | string>): Iterable<Uint8Array> {
  for (const chunk of chunks) {
    if (typeof chunk === 'string') yield* stringChunks(chunk);
    else yield asBytes(chunk);
  }
}

function* stringChunks(text: string): Iterable<Uint8Array> {
  const encoder = new TextEncoder();
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + STRING_SLICE);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--; // keep a surrogate pair together
    yield encoder.encode(text.slice(start, end));
    start = end;
  }
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new ValueError(`vector file: a chunk is a ${describe(chunk)}; expected Uint8Array or string`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
