import type { WasmHeap } from './wasm-heap';
import type { DataArray, DType } from '@tessera/core/backend';
import { DTypeError } from '@tessera/core';

/**
 * One CPU buffer: the `DataId` the CPU backend hands to core. Its elements live in the backend's
 * WebAssembly memory at byte address `ptr`; {@link CpuBuffer.data} is a typed-array view of them
 * (`Float32Array`, `Float64Array`, `Int32Array`, `Uint8Array` for bool, or `Uint16Array` of binary16
 * bit patterns for float16), re-created after the memory grows.
 * @example
 * const buffer = new CpuBuffer(heap, heap.alloc(16), 4, 'float32');
 * buffer.data[0] = 1.5;
 */
export class CpuBuffer {
  /** Set by `free`; a freed buffer must not be read again. */
  released = false;
  private view: DataArray | undefined;
  private epoch = -1;

  constructor(
    private readonly heap: WasmHeap,
    /** Byte address in the heap's memory (0 for an empty buffer). */
    public readonly ptr: number,
    /** Number of elements. */
    public readonly length: number,
    public readonly dtype: DType,
  ) {}

  /** The elements as a typed array over the heap memory (valid until the memory next grows). */
  get data(): DataArray {
    if (this.epoch !== this.heap.epoch || this.view === undefined) {
      this.view = createView(this.dtype, this.heap.memory.buffer, this.ptr, this.length);
      this.epoch = this.heap.epoch;
    }
    return this.view;
  }
}

/**
 * A typed-array view of `size` elements of `dtype` at byte `ptr` of `buffer`.
 * @example
 * createView('bool', new ArrayBuffer(8), 0, 3); // Uint8Array [0, 0, 0]
 */
export function createView(dtype: DType, buffer: ArrayBufferLike, ptr: number, size: number): DataArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, ptr, size);
    case 'float64':
      return new Float64Array(buffer, ptr, size);
    case 'int32':
      return new Int32Array(buffer, ptr, size);
    case 'bool':
      return new Uint8Array(buffer, ptr, size);
    case 'float16':
      return new Uint16Array(buffer, ptr, size);
    default:
      throw new DTypeError(`cpu backend: unsupported dtype '${String(dtype)}' (expected float32, float64, float16, int32 or bool)`);
  }
}

/**
 * Bytes per element of `dtype`.
 * @example
 * bytesPerElement('float64'); // 8
 */
export function bytesPerElement(dtype: DType): number {
  return dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : dtype === 'float16' ? 2 : 4;
}
