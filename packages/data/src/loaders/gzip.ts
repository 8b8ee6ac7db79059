import { ValueError } from '@tessera/core';
import { DataFormatError } from './errors';
import { importNodeBuiltin, isNode } from './node-import';

/**
 * Whether `bytes` start with the gzip magic number `1f 8b`.
 * @example
 * isGzip(new Uint8Array([0x1f, 0x8b, 8])); // true
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

interface ZlibLike {
  gunzipSync(data: Uint8Array): Uint8Array;
}

async function nodeZlib(): Promise<ZlibLike | undefined> {
  if (!isNode()) return undefined;
  try {
    return await importNodeBuiltin<ZlibLike>('zlib');
  } catch {
    return undefined;
  }
}

async function viaDecompressionStream(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Decompresses gzip bytes: with Node's `zlib` in Node, with the standard `DecompressionStream('gzip')`
 * in browsers (and anywhere else that has it). Corrupt data is a {@link DataFormatError}.
 * @example
 * const raw = await gunzip(await (await fetch('train-labels-idx1-ubyte.gz')).bytes());
 */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (!isGzip(bytes)) throw new DataFormatError(`gunzip: not gzip data (the first bytes are not 1f 8b)`);
  const zlib = await nodeZlib();
  try {
    if (zlib) {
      const out = zlib.gunzipSync(bytes);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
    if (typeof DecompressionStream === 'function') return await viaDecompressionStream(bytes);
  } catch (error) {
    throw new DataFormatError(`gunzip: the gzip data is corrupt or truncated (${(error as Error).message})`);
  }
  throw new ValueError('gunzip: this platform has neither DecompressionStream nor node:zlib; decompress the file first');
}
