/**
 * The `DataId` of the WebGPU backend: one pooled `GPUBuffer` holding `size` elements of `dtype`,
 * four bytes each (bool is stored as one u32 per element, since WGSL has no 8-bit storage).
 */
import type { DType } from '@tessera/core';

/** Bytes per element on the GPU, for every dtype this backend stores. */
export const GPU_ELEMENT_BYTES = 4;

/**
 * One tensor buffer. `lastUse` is the serial of the latest command batch that reads or writes it,
 * so a free can wait for that batch and a host write can flush it first.
 * @example
 * const storage = new GpuStorage(buffer, 10, 'float32'); storage.byteSize; // 40
 */
export class GpuStorage {
  /** Serial of the last batch that used this buffer (0: none yet). */
  lastUse = 0;
  /** Set by `free`; any later use is an error naming the operation. */
  freed = false;

  constructor(
    readonly buffer: GPUBuffer,
    readonly size: number,
    readonly dtype: DType,
  ) {}

  /** Bytes of tensor data (the pooled buffer may be larger). */
  get byteSize(): number {
    return this.size * GPU_ELEMENT_BYTES;
  }
}
