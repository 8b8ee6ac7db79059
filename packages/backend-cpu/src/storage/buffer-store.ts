import { bytesPerElement, CpuBuffer } from './cpu-buffer';
import type { WasmHeap } from './wasm-heap';
import type { BackendMemory, DataId, DType } from '@tessera/core/backend';
import { BackendError } from '@tessera/core';

/**
 * Allocates CPU buffers in the backend's {@link WasmHeap} and keeps memory accounting: bytes in use
 * (the requested sizes of live buffers), bytes pooled (freed blocks kept for reuse) and the live
 * buffer count. Contents of a new buffer are undefined (a reused block keeps old values).
 * @example
 * const store = new BufferStore(new WasmHeap());
 * const id = store.alloc(4, 'float32');
 * store.memory(); // { bytesInUse: 16, bytesPooled: 0, buffers: 1 }
 * store.free(id);
 */
export class BufferStore {
  private bytesInUse = 0;
  private liveBuffers = 0;

  constructor(readonly heap: WasmHeap) {}

  /** A new buffer of `size` elements. */
  alloc(size: number, dtype: DType): CpuBuffer {
    if (!Number.isInteger(size) || size < 0) {
      throw new BackendError(`cpu backend: alloc expects a non-negative integer size, got ${size} (${dtype})`);
    }
    const bytes = size * bytesPerElement(dtype);
    const ptr = bytes === 0 ? 0 : this.heap.alloc(bytes, `a ${dtype} buffer of ${size} elements (${bytes} bytes)`);
    const buffer = new CpuBuffer(this.heap, ptr, size, dtype);
    this.bytesInUse += bytes;
    this.liveBuffers++;
    return buffer;
  }

  /** Release a buffer; freeing twice is a no-op so disposal paths stay simple. */
  free(id: DataId): void {
    const buffer = this.get(id, 'free', true);
    if (buffer.released) return;
    buffer.released = true;
    const bytes = buffer.length * bytesPerElement(buffer.dtype);
    if (bytes > 0) this.heap.release(buffer.ptr, bytes);
    this.bytesInUse -= bytes;
    this.liveBuffers--;
  }

  /** The buffer behind a `DataId`, checked to belong to this backend and to be live. */
  get(id: DataId, op: string, allowReleased = false): CpuBuffer {
    if (!(id instanceof CpuBuffer)) {
      throw new BackendError(`cpu backend: ${op} received a DataId that does not belong to the cpu backend`);
    }
    if (id.released && !allowReleased) throw new BackendError(`cpu backend: ${op} used a buffer that was already freed`);
    return id;
  }

  /** Current accounting. */
  memory(): BackendMemory {
    return { bytesInUse: this.bytesInUse, bytesPooled: this.heap.pooledBytes, buffers: this.liveBuffers };
  }
}
