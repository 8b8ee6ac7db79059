/**
 * How a vocabulary's vectors are held in host memory: float32 (4 bytes a value), float16 (2) or int8
 * with one float32 scale per row (1 byte a value + 4 bytes a row). All three decode a row to float32
 * on demand, and each builds the matrix that `nearest` searches on the backend (see search-matrix.ts).
 *
 * int8 is symmetric per-row quantisation: code = round(x / s), s = max|x| / 127, so every row keeps its
 * own range and a row's direction — all that cosine search needs — is kept to about 1/254 of its
 * largest component.
 */
import { float16BitsToFloat32, toFloat16Bits } from '@tessera/core';

/** The storage dtypes of {@link WordVectors.quantize}. */
export type VectorDType = 'float32' | 'float16' | 'int8';

/** Vectors in host memory, one row per word. */
export interface VectorStorage {
  readonly dtype: VectorDType;
  readonly count: number;
  readonly dim: number;
  /** Host bytes the values take. */
  readonly bytes: number;
  /** Row `index` decoded to float32 (into `out` when given). */
  row(index: number, out?: Float32Array): Float32Array;
}

/** float32 rows: the values as given. */
export class Float32Storage implements VectorStorage {
  readonly dtype = 'float32';
  constructor(
    readonly values: Float32Array,
    readonly count: number,
    readonly dim: number,
  ) {}

  get bytes(): number {
    return this.values.byteLength;
  }

  row(index: number, out = new Float32Array(this.dim)): Float32Array {
    out.set(this.values.subarray(index * this.dim, (index + 1) * this.dim));
    return out;
  }
}

/** float16 rows: binary16 bit patterns, rounded to nearest even. */
export class Float16Storage implements VectorStorage {
  readonly dtype = 'float16';
  constructor(
    readonly bits: Uint16Array,
    readonly count: number,
    readonly dim: number,
  ) {}

  get bytes(): number {
    return this.bits.byteLength;
  }

  row(index: number, out = new Float32Array(this.dim)): Float32Array {
    const base = index * this.dim;
    for (let j = 0; j < this.dim; j++) out[j] = float16BitsToFloat32(this.bits[base + j]);
    return out;
  }
}

/** int8 rows with one scale each: value = code · scale. */
export class Int8Storage implements VectorStorage {
  readonly dtype = 'int8';
  constructor(
    readonly codes: Int8Array,
    readonly scales: Float32Array,
    readonly count: number,
    readonly dim: number,
  ) {}

  get bytes(): number {
    return this.codes.byteLength + this.scales.byteLength;
  }

  row(index: number, out = new Float32Array(this.dim)): Float32Array {
    const base = index * this.dim;
    const scale = this.scales[index];
    for (let j = 0; j < this.dim; j++) out[j] = this.codes[base + j] * scale;
    return out;
  }
}

/** Every row decoded, row-major (a copy, except for float32 storage, whose own array is returned). */
export function decodeAll(storage: VectorStorage): Float32Array {
  if (storage instanceof Float32Storage) return storage.values;
  const out = new Float32Array(storage.count * storage.dim);
  for (let i = 0; i < storage.count; i++) storage.row(i, out.subarray(i * storage.dim, (i + 1) * storage.dim));
  return out;
}

/** `storage` re-encoded as `dtype` (from its decoded float32 values). */
export function encodeStorage(storage: VectorStorage, dtype: VectorDType): VectorStorage {
  const { count, dim } = storage;
  const values = decodeAll(storage);
  if (dtype === 'float32') return new Float32Storage(storage.dtype === 'float32' ? values.slice() : values, count, dim);
  if (dtype === 'float16') return new Float16Storage(toFloat16Bits(values), count, dim);
  const codes = new Int8Array(count * dim);
  const scales = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const base = i * dim;
    let largest = 0;
    for (let j = 0; j < dim; j++) largest = Math.max(largest, Math.abs(values[base + j]));
    const scale = largest / 127;
    scales[i] = scale;
    if (scale === 0) continue;
    for (let j = 0; j < dim; j++) codes[base + j] = Math.round(values[base + j] / scale);
  }
  return new Int8Storage(codes, scales, count, dim);
}
