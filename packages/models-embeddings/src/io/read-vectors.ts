/**
 * Feeding a source to a push parser, synchronously (bytes, strings, iterables) or asynchronously
 * (streams), and turning what it parsed into `WordVectors`.
 */
import { ValueError } from '@tessera/core';
import { WordVectors, type AdoptedLookup, type WordVectorsOptions } from '../vectors/word-vectors';
import { asyncChunks, syncChunks, type VectorFileSource } from './byte-source';
import type { ParsedVectors } from './text-vector-parser';

/** A parser fed a chunk at a time. */
export interface PushParser {
  /** false once the parser needs no more input. */
  push(chunk: Uint8Array): boolean;
  finish(): ParsedVectors;
}

/** Parse a source that is available synchronously. */
export function parseAll(format: string, parser: PushParser, source: VectorFileSource, options: WordVectorsOptions): WordVectors {
  const chunks = syncChunks(source);
  if (!chunks) throw new ValueError(`${format}: this source is read asynchronously; use the read… function (await it)`);
  for (const chunk of chunks) if (!parser.push(chunk)) break;
  return toWordVectors(parser.finish(), options);
}

/** Parse any source, awaiting stream chunks as they arrive (and closing the stream early after `limit`). */
export async function readAll(parser: PushParser, source: VectorFileSource, options: WordVectorsOptions): Promise<WordVectors> {
  for await (const chunk of asyncChunks(source)) if (!parser.push(chunk)) break;
  return toWordVectors(parser.finish(), options);
}

function toWordVectors({ words, lookup, values, dim }: ParsedVectors, options: WordVectorsOptions): WordVectors {
  // The parser's word → row map already holds every word once: reuse it rather than build another.
  const adopt: AdoptedLookup = { ...options, lookup };
  return new WordVectors(words, values, dim, adopt);
}

/** The size of a source in bytes when it is already in memory (a bound for GloVe's growth). */
export function knownSize(source: VectorFileSource): number | undefined {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return source.byteLength;
  if (typeof source === 'string') return 3 * source.length;
  return undefined;
}
