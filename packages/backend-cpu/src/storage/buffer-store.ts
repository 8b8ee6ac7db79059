import type { BackendMemory, DataId, DType } from '@tessera/core';
import { bytesPerElement, createTypedArray, CpuBuffer } from './cpu-buffer';

/**
 * Allocates CPU buffers and keeps memory accounting (bytes in use, live buffer count).
 * No pool: on the CPU a fresh typed array is cheap and the garbage collector returns memory, so
 * `bytesPooled` is always 0.
 * @example
 * const store = new BufferStore();
 * const id = store.alloc(4, 'float32');
 * store.memory(); // { bytesInUse: 16, bytesPooled: 0, buffers: 1 }
 * store.free(id);
 */
export class BufferStore {
  private bytesInUse = 0;
  private liveBuffers = 0;

  /** A new zero-filled buffer of `size` elements. */
  alloc(size: number, dtype: DType): CpuBuffer {
    if (!Number.isInteger(size) || size < 0) {
      throw new RangeError(`cpu backend: alloc expects a non-negative integer size, got ${size} (${dtype})`);
    }
    const buffer = new CpuBuffer(createTypedArray(dtype, size), dtype);
    this.bytesInUse += size * bytesPerElement(dtype);
    this.liveBuffers++;
    return buffer;
  }

  /** Release a buffer; freeing twice is a no-op so disposal paths stay simple. */
  free(id: DataId): void {
    const buffer = this.get(id, 'free', true);
    if (buffer.released) return;
    buffer.released = true;
    this.bytesInUse -= buffer.data.length * bytesPerElement(buffer.dtype);
    this.liveBuffers--;
  }

  /** The buffer behind a `DataId`, checked to belong to this backend and to be live. */
  get(id: DataId, op: string, allowReleased = false): CpuBuffer {
    if (!(id instanceof CpuBuffer)) {
      throw new TypeError(`cpu backend: ${op} received a DataId that does not belong to the cpu backend`);
    }
    if (id.released && !allowReleased) throw new Error(`cpu backend: ${op} used a buffer that was already freed`);
    return id;
  }

  /** Current accounting. */
  memory(): BackendMemory {
    return { bytesInUse: this.bytesInUse, bytesPooled: 0, buffers: this.liveBuffers };
  }
}
