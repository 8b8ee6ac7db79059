import type { DataArray, DType } from '@tessera/core';

/**
 * One CPU buffer: the `DataId` the CPU backend hands to core. It owns a typed array of its dtype
 * (`Float32Array`, `Float64Array`, `Int32Array`, or `Uint8Array` for bool).
 * @example
 * const buffer = new CpuBuffer(createTypedArray('float32', 4), 'float32');
 * buffer.data[0] = 1.5;
 */
export class CpuBuffer {
  /** Set by `free`; a freed buffer must not be read again. */
  released = false;
  constructor(
    public readonly data: DataArray,
    public readonly dtype: DType,
  ) {}
}

/**
 * A zeroed typed array of `size` elements for `dtype`.
 * @example
 * createTypedArray('bool', 3); // Uint8Array [0, 0, 0]
 */
export function createTypedArray(dtype: DType, size: number): DataArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
    default:
      throw new TypeError(`cpu backend: unsupported dtype '${String(dtype)}' (expected float32, float64, int32 or bool)`);
  }
}

/**
 * Bytes per element of `dtype`.
 * @example
 * bytesPerElement('float64'); // 8
 */
export function bytesPerElement(dtype: DType): number {
  return dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : 4;
}
