/**
 * Reads from the GPU: each read copies its range into a pooled staging buffer in the current
 * command batch; all reads issued in the same tick share one submit (a batched read), then map.
 */
import { BackendError } from '@tessera/core';
import { sizeClass } from './buffer-pool';
import { gpuElementBytes, wordAligned, type GpuStorage } from './gpu-storage';
import type { GpuRuntime } from '../runtime/gpu-runtime';
import type { DataArray, DType } from '@tessera/core/backend';

const STAGING_USAGE = 0x01 /* MAP_READ */ | 0x08; /* COPY_DST */
const MAP_READ = 0x01;

interface PendingRead {
  readonly staging: GPUBuffer;
  readonly bytes: number;
  readonly dtype: DType;
  /** Where the requested elements start in the staging copy, and how many there are. */
  readonly skipBytes: number;
  readonly size: number;
  readonly resolve: (data: DataArray) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * @example
 * const reader = new Readback(runtime);
 * const values = await reader.read(storage, 'float32', 0, storage.size);
 */
export class Readback {
  private readonly spare = new Map<number, GPUBuffer[]>();
  private pending: PendingRead[] = [];
  private scheduled = false;

  constructor(private readonly runtime: GpuRuntime) {}

  /**
   * Queue a copy of `size` elements from element `offset`; resolves with a fresh host array.
   * Copies move whole words, so a float16 range is widened to 4-byte boundaries (the pooled buffer
   * always extends to one) and trimmed on the host.
   */
  read(storage: GpuStorage, dtype: DType, offset: number, size: number): Promise<DataArray> {
    const elementBytes = gpuElementBytes(dtype);
    const first = Math.floor((offset * elementBytes) / 4) * 4;
    const bytes = wordAligned((offset + size) * elementBytes) - first;
    const staging = this.acquire(bytes);
    storage.lastUse = this.runtime.stream.copy(storage.buffer, first, staging, 0, bytes);
    const skipBytes = offset * elementBytes - first;
    const promise = new Promise<DataArray>((resolve, reject) => this.pending.push({ staging, bytes, dtype, skipBytes, size, resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.submit());
    }
    return promise;
  }

  private acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    return this.spare.get(size)?.pop() ?? this.runtime.device.createBuffer({ size, usage: STAGING_USAGE });
  }

  private submit(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    try {
      this.runtime.stream.flush();
    } catch (error) {
      for (const request of batch) request.reject(error);
      return;
    }
    for (const request of batch) {
      request.staging.mapAsync(MAP_READ, 0, request.bytes).then(
        () => {
          // Copy exactly the requested elements out before unmapping (no padding half to trim later).
          const length = request.size * gpuElementBytes(request.dtype);
          const copy = new Uint8Array(request.staging.getMappedRange(0, request.bytes), request.skipBytes, length).slice();
          request.staging.unmap();
          this.release(request.staging);
          const problem = this.runtime.takeDeviceError();
          if (problem) request.reject(problem);
          else request.resolve(toHost(copy.buffer, request.dtype, request.size));
        },
        (error: unknown) => {
          request.reject(
            this.runtime.lostMessage !== null
              ? new BackendError(`webgpu read: the GPU device was lost (${this.runtime.lostMessage}) before the read finished`)
              : new BackendError(`webgpu read: mapping the staging buffer failed: ${(error as Error)?.message ?? String(error)}`),
          );
        },
      );
    }
  }

  private release(buffer: GPUBuffer): void {
    let list = this.spare.get(buffer.size);
    if (!list) this.spare.set(buffer.size, (list = []));
    if (list.length < 8) list.push(buffer);
    else buffer.destroy();
  }

  destroy(): void {
    for (const list of this.spare.values()) for (const buffer of list) buffer.destroy();
    this.spare.clear();
  }
}

/** GPU words → the host array of `dtype` (bool: u32 → one byte each; float16: binary16 bit patterns). */
function toHost(bytes: ArrayBuffer, dtype: DType, size: number): DataArray {
  if (dtype === 'float16') return new Uint16Array(bytes, 0, size);
  if (dtype === 'float32') return new Float32Array(bytes, 0, size);
  if (dtype === 'int32') return new Int32Array(bytes, 0, size);
  return Uint8Array.from(new Uint32Array(bytes, 0, size));
}
