/**
 * The safetensors file format (Hugging Face), as pure byte ↔ typed-array conversion with no tensors.
 *
 * Layout of a file:
 * ```
 * [8 bytes]  N: header length, unsigned 64-bit little-endian
 * [N bytes]  UTF-8 JSON: { "<name>": { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] },
 *                          "__metadata__": { "<key>": "<string value>" } }   (metadata optional)
 * [rest]     the byte buffer; data_offsets are relative to its start, data is little-endian, C order
 * ```
 * Rules this module enforces, as the reference implementation does: the header is at most 100 MB;
 * the tensors' byte ranges, sorted by offset, cover the byte buffer exactly (no gaps, no overlaps,
 * nothing after the last one); each range is exactly `product(shape) · itemsize` bytes.
 *
 * Writing matches the reference library byte for byte: compact JSON with `__metadata__` first,
 * header padded with spaces to a multiple of 8, tensors ordered by descending alignment
 * (F64, F32, I32, F16, BOOL) and then by name, packed with no gaps — so every tensor is naturally
 * aligned when the file is loaded at an 8-byte boundary.
 *
 * `saveSafetensors`/`loadSafetensors` (tensors in and out) are built on these two functions.
 */
import { scanHeader } from './safetensors-header-scan';
import type { DType } from '../backend/backend';

/**
 * The host array for a safetensors entry: Float32Array, Float64Array, Int32Array, Uint8Array (bool)
 * or Uint16Array (float16 bit patterns).
 */
export type SafetensorsData = Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array;

/**
 * One tensor as plain data: a Tessera dtype, a shape and its elements in row-major order.
 * @example
 * const entry: SafetensorsEntry = { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) };
 */
export interface SafetensorsEntry {
  dtype: DType;
  shape: number[];
  data: SafetensorsData;
}

/**
 * The content of a safetensors file: its tensors by name and its `__metadata__` string map
 * (empty when the file has none).
 * @example
 * const { tensors, metadata } = parseSafetensors(bytes);
 * tensors['fc.weight'].shape; // e.g. [10, 784]
 * metadata.format;            // e.g. 'pt'
 */
export interface SafetensorsContent {
  tensors: Record<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

/**
 * A malformed safetensors file, or entries that cannot be written. The message names the problem
 * and, where there is one, the tensor.
 * @example
 * try { parseSafetensors(bytes); } catch (error) { if (error instanceof SafetensorsError) console.error(error.message); }
 */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** Largest header accepted, as in the reference implementation (100 MB). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';

/** How each file dtype is read: its item size and the Tessera dtype it becomes. */
const READ_DTYPES = {
  F64: { itemsize: 8, dtype: 'float64' },
  F32: { itemsize: 4, dtype: 'float32' },
  F16: { itemsize: 2, dtype: 'float16' },
  BF16: { itemsize: 2, dtype: 'float32' },
  I64: { itemsize: 8, dtype: 'int32' },
  U64: { itemsize: 8, dtype: 'int32' },
  I32: { itemsize: 4, dtype: 'int32' },
  U32: { itemsize: 4, dtype: 'int32' },
  I16: { itemsize: 2, dtype: 'int32' },
  U16: { itemsize: 2, dtype: 'int32' },
  I8: { itemsize: 1, dtype: 'int32' },
  U8: { itemsize: 1, dtype: 'int32' },
  BOOL: { itemsize: 1, dtype: 'bool' },
} as const satisfies Record<string, { itemsize: number; dtype: DType }>;

type FileDType = keyof typeof READ_DTYPES;

/** The file dtype each Tessera dtype is written as, with its alignment rank in the reference ordering. */
const WRITE_DTYPES: Record<DType, { fileDType: FileDType; itemsize: number; rank: number; arrayTag: string }> = {
  float64: { fileDType: 'F64', itemsize: 8, rank: 3, arrayTag: '[object Float64Array]' },
  float32: { fileDType: 'F32', itemsize: 4, rank: 2, arrayTag: '[object Float32Array]' },
  int32: { fileDType: 'I32', itemsize: 4, rank: 1, arrayTag: '[object Int32Array]' },
  // F16 sorts between BOOL and I32 in the reference library's dtype order.
  float16: { fileDType: 'F16', itemsize: 2, rank: 0.5, arrayTag: '[object Uint16Array]' },
  bool: { fileDType: 'BOOL', itemsize: 1, rank: 0, arrayTag: '[object Uint8Array]' },
};

const SUPPORTED_FILE_DTYPES = Object.keys(READ_DTYPES).join(', ');

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

interface HeaderEntry {
  name: string;
  fileDType: FileDType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a safetensors file. Data is copied out of `bytes` (any alignment, any host endianness);
 * F16 becomes float16 (its bit patterns, unchanged), BF16 becomes float32 exactly, I64/U64/U32/I16/U16/I8/U8 become int32 (out-of-range
 * values are an error naming the tensor), BOOL becomes bool (0 or 1).
 *
 * @throws {SafetensorsError} for a truncated or malformed file; the message names the problem and tensor.
 * @example
 * const bytes = new Uint8Array(await fs.promises.readFile('model.safetensors'));
 * const { tensors, metadata } = parseSafetensors(bytes);
 * const weight = tensors['fc1.weight']; // { dtype: 'float32', shape: [256, 784], data: Float32Array }
 */
export function parseSafetensors(bytes: Uint8Array | ArrayBuffer): SafetensorsContent {
  bytes = safetensorsBytes(bytes, 'parseSafetensors');
  const { entries, metadata, dataStart } = parseHeader(bytes);
  const dataLength = bytes.length - dataStart;
  checkCoverage(entries, dataLength);

  const tensors: Record<string, SafetensorsEntry> = {};
  for (const entry of entries) {
    const raw = bytes.subarray(dataStart + entry.begin, dataStart + entry.end);
    defineOwn(tensors, entry.name, {
      dtype: READ_DTYPES[entry.fileDType].dtype,
      shape: entry.shape,
      data: decodeData(entry, raw),
    });
  }
  return { tensors, metadata };
}

/**
 * The bytes of a safetensors file given as a `Uint8Array` (or Node `Buffer`) or an `ArrayBuffer`;
 * anything else is a `SafetensorsError` naming `caller`.
 * @example
 * safetensorsBytes(await (await fetch(url)).arrayBuffer(), 'loadSafetensors');
 */
export function safetensorsBytes(bytes: unknown, caller: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  const got = bytes === null ? 'null' : typeof bytes === 'object' ? (bytes.constructor?.name ?? 'an object') : typeof bytes;
  throw new SafetensorsError(`${caller}: expected the file's bytes as a Uint8Array or ArrayBuffer, got ${got}`);
}

/** Reads and validates the length prefix and the JSON header; never allocates past the file size. */
function parseHeader(bytes: Uint8Array): { entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number } {
  if (bytes.length < 8) {
    throw new SafetensorsError(
      `safetensors: file is ${bytes.length} bytes, shorter than the 8-byte header length prefix`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthLow = view.getUint32(0, true);
  const lengthHigh = view.getUint32(4, true);
  const headerLength = lengthHigh * 2 ** 32 + lengthLow; // may be inexact above 2^53; only compared below
  if (headerLength > SAFETENSORS_MAX_HEADER_BYTES) {
    throw new SafetensorsError(
      `safetensors: header length ${describeU64(lengthHigh, lengthLow)} bytes exceeds the ${SAFETENSORS_MAX_HEADER_BYTES}-byte (100 MB) limit`,
    );
  }
  if (8 + headerLength > bytes.length) {
    throw new SafetensorsError(
      `safetensors: header length ${headerLength} bytes runs past the end of the ${bytes.length}-byte file`,
    );
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new SafetensorsError('safetensors: header is not valid UTF-8');
  }
  const problem = scanHeader(text);
  if (problem !== null) throw new SafetensorsError(`safetensors: ${problem.path}: ${problem.message}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError(`safetensors: header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(header)) {
    throw new SafetensorsError(
      `safetensors: header must be a JSON object, got ${header === null ? 'null' : Array.isArray(header) ? 'an array' : typeof header}`,
    );
  }

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (!isPlainObject(value)) {
        throw new SafetensorsError('safetensors: __metadata__ must be an object mapping strings to strings');
      }
      for (const [key, item] of Object.entries(value)) {
        if (typeof item !== 'string') {
          throw new SafetensorsError(
            `safetensors: __metadata__ must map strings to strings, but "${key}" is ${describeJson(item)}`,
          );
        }
        defineOwn(metadata, key, item);
      }
      continue;
    }
    entries.push(parseEntry(name, value));
  }
  return { entries, metadata, dataStart: 8 + headerLength };
}

function parseEntry(name: string, value: unknown): HeaderEntry {
  if (!isPlainObject(value)) {
    throw new SafetensorsError(`safetensors: tensor "${name}": entry must be an object with dtype, shape and data_offsets`);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Object.hasOwn(READ_DTYPES, dtype)) {
    throw new SafetensorsError(
      `safetensors: tensor "${name}": unknown dtype ${describeJson(dtype)}; supported dtypes are ${SUPPORTED_FILE_DTYPES}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw new SafetensorsError(
      `safetensors: tensor "${name}": shape must be an array of non-negative integers, got ${describeJson(shape)}`,
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
    throw new SafetensorsError(
      `safetensors: tensor "${name}": data_offsets must be [begin, end] with non-negative integers, got ${describeJson(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) {
    throw new SafetensorsError(`safetensors: tensor "${name}": data_offsets [${begin}, ${end}] end before they begin`);
  }
  const fileDType = dtype as FileDType;
  const expectedBytes = shape.reduce((product: number, size: number) => product * size, 1) * READ_DTYPES[fileDType].itemsize;
  if (expectedBytes !== end - begin) {
    throw new SafetensorsError(
      `safetensors: tensor "${name}": ${end - begin} bytes in data_offsets [${begin}, ${end}] but shape [${shape.join(', ')}] of ${fileDType} needs ${expectedBytes}`,
    );
  }
  return { name, fileDType, shape: [...shape], begin, end };
}

/** The byte buffer must be fully indexed: ranges sorted by offset tile [0, dataLength) exactly. */
function checkCoverage(entries: HeaderEntry[], dataLength: number): void {
  entries.sort((left, right) => left.begin - right.begin || left.end - right.end);
  let expectedBegin = 0;
  let previous: HeaderEntry | undefined;
  for (const entry of entries) {
    if (entry.end > dataLength) {
      throw new SafetensorsError(
        `safetensors: tensor "${entry.name}": data_offsets [${entry.begin}, ${entry.end}] are out of range of the ${dataLength}-byte data section`,
      );
    }
    if (entry.begin < expectedBegin) {
      throw new SafetensorsError(
        `safetensors: tensor "${entry.name}": data_offsets [${entry.begin}, ${entry.end}] overlap tensor "${previous!.name}" [${previous!.begin}, ${previous!.end}]`,
      );
    }
    if (entry.begin > expectedBegin) {
      throw new SafetensorsError(
        `safetensors: tensor "${entry.name}": data_offsets [${entry.begin}, ${entry.end}] leave a gap of ${entry.begin - expectedBegin} bytes after byte ${expectedBegin}; the data section must be fully indexed`,
      );
    }
    expectedBegin = entry.end;
    previous = entry;
  }
  if (expectedBegin !== dataLength) {
    throw new SafetensorsError(
      `safetensors: the data section is ${dataLength} bytes but the tensors cover only ${expectedBegin}; ${dataLength - expectedBegin} trailing bytes are not indexed`,
    );
  }
}

function decodeData(entry: HeaderEntry, raw: Uint8Array): SafetensorsData {
  const count = raw.length / READ_DTYPES[entry.fileDType].itemsize;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (entry.fileDType) {
    case 'F64':
      return copyLittleEndian(raw, new Float64Array(count), (index) => view.getFloat64(index * 8, true));
    case 'F32':
      return copyLittleEndian(raw, new Float32Array(count), (index) => view.getFloat32(index * 4, true));
    case 'I32':
      return copyLittleEndian(raw, new Int32Array(count), (index) => view.getInt32(index * 4, true));
    case 'F16':
      return copyLittleEndian(raw, new Uint16Array(count), (index) => view.getUint16(index * 2, true));
    case 'BF16': {
      // bfloat16 is the top half of a float32: shifting the bits is exact for every value.
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let index = 0; index < count; index++) bits[index] = view.getUint16(index * 2, true) << 16;
      return out;
    }
    case 'I64':
    case 'U64': {
      const out = new Int32Array(count);
      const signed = entry.fileDType === 'I64';
      for (let index = 0; index < count; index++) {
        const low = view.getInt32(index * 8, true);
        const high = view.getInt32(index * 8 + 4, true);
        // In int32 range exactly when the high word is the sign extension of the low word.
        if (high !== low >> 31 || (!signed && low < 0)) {
          throw new SafetensorsError(
            `safetensors: tensor "${entry.name}": ${entry.fileDType} value ${signed ? view.getBigInt64(index * 8, true) : view.getBigUint64(index * 8, true)} at index ${index} is outside the int32 range`,
          );
        }
        out[index] = low;
      }
      return out;
    }
    case 'U32': {
      const out = new Int32Array(count);
      for (let index = 0; index < count; index++) {
        const value = view.getUint32(index * 4, true);
        if (value > 0x7fffffff) {
          throw new SafetensorsError(
            `safetensors: tensor "${entry.name}": U32 value ${value} at index ${index} is outside the int32 range`,
          );
        }
        out[index] = value;
      }
      return out;
    }
    case 'I16':
      return Int32Array.from({ length: count }, (_, index) => view.getInt16(index * 2, true));
    case 'U16':
      return Int32Array.from({ length: count }, (_, index) => view.getUint16(index * 2, true));
    case 'I8':
      return Int32Array.from({ length: count }, (_, index) => view.getInt8(index));
    case 'U8':
      return Int32Array.from(raw);
    case 'BOOL':
      return raw.map((value) => (value === 0 ? 0 : 1));
  }
}

/** Copies little-endian file bytes into `out`: a byte copy on little-endian hosts, element reads otherwise. */
function copyLittleEndian<T extends Float64Array | Float32Array | Int32Array | Uint16Array>(
  raw: Uint8Array,
  out: T,
  readElement: (index: number) => number,
): T {
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(raw);
  } else {
    for (let index = 0; index < out.length; index++) out[index] = readElement(index);
  }
  return out;
}


// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/**
 * Serializes tensors (and an optional `__metadata__` string map) to safetensors bytes, byte-identical
 * to the reference library: float32→F32, float64→F64, int32→I32, float16→F16 (Uint16Array bits), bool→BOOL; tensors ordered by
 * descending alignment then name, packed with no gaps; header padded with spaces to a multiple of 8.
 *
 * @throws {SafetensorsError} if an entry's data is not the dtype's typed array or its length is not
 *   `product(shape)`, a shape is invalid, a name is `__metadata__`, or metadata values are not strings.
 * @example
 * const bytes = serializeSafetensors(
 *   { bias: { dtype: 'float32', shape: [2], data: new Float32Array([0.5, -1]) } },
 *   { format: 'pt' },
 * );
 * await fs.promises.writeFile('model.safetensors', bytes);
 */
export function serializeSafetensors(
  entries: Record<string, SafetensorsEntry>,
  metadata?: Record<string, string>,
): Uint8Array {
  const prepared = Object.keys(entries).map((name) => prepareEntry(name, entries[name]));
  prepared.sort((left, right) => right.rank - left.rank || compareCodePoints(left.name, right.name));

  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) throw new SafetensorsError('safetensors: metadata must be an object mapping strings to strings');
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new SafetensorsError(`safetensors: metadata must map strings to strings, but "${key}" is ${describeJson(value)}`);
      }
    }
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  for (const entry of prepared) {
    const byteLength = entry.data.length * entry.itemsize;
    defineOwn(header, entry.name, { dtype: entry.fileDType, shape: entry.shape, data_offsets: [offset, offset + byteLength] });
    offset += byteLength;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // pad with spaces, as the reference does

  let position = 8 + headerLength;
  for (const entry of prepared) {
    writeLittleEndian(entry, out, view, position);
    position += entry.data.length * entry.itemsize;
  }
  return out;
}

interface PreparedEntry {
  name: string;
  fileDType: FileDType;
  itemsize: number;
  rank: number;
  shape: number[];
  data: SafetensorsData;
  dtype: DType;
}

function prepareEntry(name: string, entry: SafetensorsEntry): PreparedEntry {
  if (name === METADATA_KEY) {
    throw new SafetensorsError('safetensors: "__metadata__" is reserved and cannot name a tensor');
  }
  if (!isPlainObject(entry)) {
    throw new SafetensorsError(`safetensors: tensor "${name}": entry must be { dtype, shape, data }`);
  }
  const { dtype, shape, data } = entry;
  const format = Object.hasOwn(WRITE_DTYPES, dtype) ? WRITE_DTYPES[dtype] : undefined;
  if (!format) {
    throw new SafetensorsError(
      `safetensors: tensor "${name}": cannot write dtype ${describeJson(dtype)}; supported dtypes are ${Object.keys(WRITE_DTYPES).join(', ')}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw new SafetensorsError(
      `safetensors: tensor "${name}": shape must be an array of non-negative integers, got ${describeJson(shape)}`,
    );
  }
  const tag = Object.prototype.toString.call(data);
  if (tag !== format.arrayTag) {
    throw new SafetensorsError(
      `safetensors: tensor "${name}": dtype ${dtype} needs data as ${format.arrayTag.slice(8, -1)}, got ${tag.slice(8, -1)}`,
    );
  }
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  if (data.length !== size) {
    throw new SafetensorsError(
      `safetensors: tensor "${name}": shape [${shape.join(', ')}] has ${size} elements but data has ${data.length}`,
    );
  }
  return { name, dtype, shape: [...shape], data, ...format };
}

function writeLittleEndian(entry: PreparedEntry, out: Uint8Array, view: DataView, position: number): void {
  const { data } = entry;
  if (entry.dtype === 'bool') {
    for (let index = 0; index < data.length; index++) out[position + index] = data[index] === 0 ? 0 : 1;
  } else if (HOST_IS_LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), position);
  } else {
    for (let index = 0; index < data.length; index++) {
      if (entry.dtype === 'float64') view.setFloat64(position + index * 8, data[index], true);
      else if (entry.dtype === 'float32') view.setFloat32(position + index * 4, data[index], true);
      else if (entry.dtype === 'float16') view.setUint16(position + index * 2, data[index], true);
      else view.setInt32(position + index * 4, data[index], true);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Sets an own enumerable property, safe for names such as `__proto__` that come from the file. */
function defineOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Orders strings by Unicode code point, which equals the byte order of their UTF-8 (as Rust's `str::cmp`). */
function compareCodePoints(left: string, right: string): number {
  const leftPoints = Array.from(left, (char) => char.codePointAt(0)!);
  const rightPoints = Array.from(right, (char) => char.codePointAt(0)!);
  const shared = Math.min(leftPoints.length, rightPoints.length);
  for (let index = 0; index < shared; index++) {
    if (leftPoints[index] !== rightPoints[index]) return leftPoints[index] - rightPoints[index];
  }
  return leftPoints.length - rightPoints.length;
}

function describeJson(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeU64(high: number, low: number): string {
  return ((BigInt(high) << 32n) | BigInt(low)).toString();
}
