import type { DType } from '@tessera/core/backend';
/**
 * The `DataId` of the WebGPU backend: one pooled `GPUBuffer` holding `size` elements of `dtype`,
 * four bytes each (bool is stored as one u32 per element, since WGSL has no 8-bit storage) except
 * float16, two bytes each (`array<f16>`).
 */

/**
 * Bytes per element on the GPU.
 * @example
 * gpuElementBytes('float16'); // 2
 * gpuElementBytes('bool'); // 4
 */
export function gpuElementBytes(dtype: DType): number {
  return dtype === 'float16' ? 2 : 4;
}

/**
 * `bytes` rounded up to a multiple of 4: WebGPU buffer copies and `writeBuffer` move whole words,
 * so an odd number of float16 elements is padded (buffers are allocated in 16-byte multiples).
 * @example
 * wordAligned(6); // 8
 */
export function wordAligned(bytes: number): number {
  return Math.ceil(bytes / 4) * 4;
}

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
    return this.size * gpuElementBytes(this.dtype);
  }
}
