import { ValueError } from '@tessera/core';
import { DataFormatError } from './errors';
import { gunzip, isGzip } from './gzip';

/** The element types of the IDX format, by name. */
export type IDXDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array of each IDX element type. */
export type IDXData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file. */
export interface IDXContent {
  /** Dimension sizes, outermost first (MNIST images: `[60000, 28, 28]`). */
  shape: number[];
  /** The elements in row-major order, converted from big-endian. */
  data: IDXData;
  dtype: IDXDType;
}

interface TypeInfo {
  dtype: IDXDType;
  size: number;
  make: (length: number) => IDXData;
  read: (view: DataView, offset: number) => number;
  write: (view: DataView, offset: number, value: number) => void;
}

/**
 * The IDX type codes (third byte of the magic number).
 * @example
 * IDX_TYPE_CODES[0x08]; // the unsigned-byte type
 */
export const IDX_TYPE_CODES: Readonly<Record<IDXDType, number>> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };

const TYPES: Record<number, TypeInfo> = {
  0x08: { dtype: 'uint8', size: 1, make: (n) => new Uint8Array(n), read: (v, o) => v.getUint8(o), write: (v, o, x) => v.setUint8(o, x) },
  0x09: { dtype: 'int8', size: 1, make: (n) => new Int8Array(n), read: (v, o) => v.getInt8(o), write: (v, o, x) => v.setInt8(o, x) },
  0x0b: { dtype: 'int16', size: 2, make: (n) => new Int16Array(n), read: (v, o) => v.getInt16(o), write: (v, o, x) => v.setInt16(o, x) },
  0x0c: { dtype: 'int32', size: 4, make: (n) => new Int32Array(n), read: (v, o) => v.getInt32(o), write: (v, o, x) => v.setInt32(o, x) },
  0x0d: { dtype: 'float32', size: 4, make: (n) => new Float32Array(n), read: (v, o) => v.getFloat32(o), write: (v, o, x) => v.setFloat32(o, x) },
  0x0e: { dtype: 'float64', size: 8, make: (n) => new Float64Array(n), read: (v, o) => v.getFloat64(o), write: (v, o, x) => v.setFloat64(o, x) },
};

function asBytes(op: string, input: Uint8Array | ArrayBuffer): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new ValueError(`${op}: expected a Uint8Array or ArrayBuffer of file bytes`);
}

/**
 * Parses an uncompressed IDX file (the MNIST / Fashion-MNIST format): magic `00 00 <type> <ndim>`,
 * `ndim` big-endian uint32 sizes, then the big-endian elements. All six type codes are read
 * (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64). A bad magic number, a
 * truncated file, trailing bytes or gzip data (use {@link loadIDX}) are {@link DataFormatError}s.
 *
 * @example
 * const { shape, data } = parseIDX(bytes); // shape [10000, 28, 28], data Uint8Array
 */
export function parseIDX(input: Uint8Array | ArrayBuffer): IDXContent {
  const bytes = asBytes('parseIDX', input);
  if (isGzip(bytes)) throw new DataFormatError('parseIDX: the bytes are gzip-compressed; use `await loadIDX(bytes)`, which decompresses them');
  if (bytes.length < 4) throw new DataFormatError(`parseIDX: truncated file: ${bytes.length} bytes, fewer than the 4-byte magic number`);
  const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const info = TYPES[bytes[2]];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !info) {
    throw new DataFormatError(`parseIDX: bad magic number ${magic}; expected 00 00 <type 08/09/0b/0c/0d/0e> <ndim>`);
  }
  const ndim = bytes[3];
  const headerSize = 4 + 4 * ndim;
  if (bytes.length < headerSize) {
    throw new DataFormatError(`parseIDX: truncated header: ${ndim} dims need ${headerSize} bytes, the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: ndim }, (_, d) => view.getUint32(4 + 4 * d));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerSize + count * info.size;
  if (bytes.length < expected) {
    throw new DataFormatError(
      `parseIDX: truncated file: shape [${shape.join(', ')}] of ${info.dtype} needs ${expected} bytes, the file has ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    throw new DataFormatError(`parseIDX: ${bytes.length - expected} unexpected bytes after the data of shape [${shape.join(', ')}] of ${info.dtype}`);
  }
  let data: IDXData;
  if (info.size === 1) {
    const slice = bytes.slice(headerSize, expected);
    data = info.dtype === 'uint8' ? slice : new Int8Array(slice.buffer);
  } else {
    data = info.make(count);
    for (let i = 0, offset = headerSize; i < count; i++, offset += info.size) data[i] = info.read(view, offset);
  }
  return { shape, data, dtype: info.dtype };
}

/**
 * Parses an IDX file that may be gzip-compressed (detected by its `1f 8b` magic), in Node and in
 * browsers. Async because decompression is.
 * @example
 * const labels = await loadIDX(await readFile('train-labels-idx1-ubyte.gz')); // shape [60000], uint8
 */
export async function loadIDX(input: Uint8Array | ArrayBuffer): Promise<IDXContent> {
  const bytes = asBytes('loadIDX', input);
  return parseIDX(isGzip(bytes) ? await gunzip(bytes) : bytes);
}

/**
 * Writes an IDX file (uncompressed) — the inverse of {@link parseIDX}.
 * @example
 * serializeIDX(new Uint8Array([1, 2, 3, 4]), [2, 2]); // 00 00 08 02 | 00 00 00 02 | 00 00 00 02 | 01 02 03 04
 */
export function serializeIDX(data: ArrayLike<number>, shape: readonly number[], dtype: IDXDType = 'uint8'): Uint8Array {
  const code = IDX_TYPE_CODES[dtype];
  if (code === undefined) throw new ValueError(`serializeIDX: unknown dtype '${dtype}'; expected ${Object.keys(IDX_TYPE_CODES).join(', ')}`);
  if (shape.length > 255 || shape.some((size) => !Number.isInteger(size) || size < 0 || size > 0xffffffff)) {
    throw new ValueError(`serializeIDX: shape [${shape.join(', ')}] must have at most 255 dims of sizes in [0, 2³²)`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new ValueError(`serializeIDX: shape [${shape.join(', ')}] needs ${count} elements, got ${data.length}`);
  const info = TYPES[code];
  const headerSize = 4 + 4 * shape.length;
  const bytes = new Uint8Array(headerSize + count * info.size);
  const view = new DataView(bytes.buffer);
  bytes[2] = code;
  bytes[3] = shape.length;
  shape.forEach((size, d) => view.setUint32(4 + 4 * d, size));
  for (let i = 0, offset = headerSize; i < count; i++, offset += info.size) info.write(view, offset, data[i]);
  return bytes;
}
