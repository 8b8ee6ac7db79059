/**
 * A pool of storage buffers by size class. A released buffer becomes reusable only after every
 * command batch that used it has finished on the GPU (its serial is complete), so a reused buffer
 * can never be overwritten while queued work still reads it. When creating a buffer fails the pool
 * drops everything it holds and retries once.
 */

/** Usage of every tensor buffer. */
const STORAGE_USAGE = 0x80 /* STORAGE */ | 0x04 /* COPY_SRC */ | 0x08; /* COPY_DST */

/**
 * The size class of a request: at least 256 bytes, then four steps per power of two (≤ 25% slack),
 * a multiple of 16 bytes so vec4 bindings always fit.
 * @example
 * sizeClass(1000); // 1024
 * sizeClass(1100); // 1280
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const power = 2 ** Math.floor(Math.log2(bytes));
  const step = power / 4;
  return Math.ceil(Math.ceil(bytes / step) * step / 16) * 16;
}

interface Retiring {
  readonly serial: number;
  readonly buffer: GPUBuffer;
}

/** Statistics of a {@link BufferPool}. */
export interface PoolStats {
  /** Bytes in buffers waiting in the pool (reusable now or once their batch completes). */
  readonly bytesPooled: number;
  readonly buffersPooled: number;
  /** Buffers created over the pool's lifetime (a flat count in steady state means reuse works). */
  readonly created: number;
}

/**
 * Storage buffers by size class with deferred reuse.
 * @example
 * const pool = new BufferPool(device, 1 << 30);
 * const buffer = pool.acquire(4000); // a 4096-byte buffer
 * pool.release(buffer, lastUseSerial, completedSerial);
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly retiring: Retiring[] = [];
  private pooledBytes = 0;
  private pooledCount = 0;
  private createdCount = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly maxBufferSize: number,
    /** Largest number of bytes kept for reuse; beyond it released buffers are destroyed. */
    private readonly maxPooledBytes = 512 * 1024 * 1024,
  ) {}

  /** A buffer of at least `bytes` bytes, reused from the pool when one of its class is ready. */
  acquire(bytes: number): GPUBuffer {
    const size = Math.min(sizeClass(bytes), Math.max(bytes, Math.floor(this.maxBufferSize / 16) * 16));
    const list = this.free.get(size);
    const reused = list?.pop();
    if (reused) {
      this.pooledBytes -= size;
      this.pooledCount--;
      return reused;
    }
    try {
      return this.create(size);
    } catch (error) {
      // Out of memory (or a rejected size): give everything pooled back and try once more.
      this.trim();
      try {
        return this.create(size);
      } catch {
        throw error;
      }
    }
  }

  private create(size: number): GPUBuffer {
    const buffer = this.device.createBuffer({ size, usage: STORAGE_USAGE });
    this.createdCount++;
    return buffer;
  }

  /**
   * Return a buffer. It is reusable at once if its last batch (`lastUse`) has completed, else when
   * {@link complete} reports that batch.
   */
  release(buffer: GPUBuffer, lastUse: number, completed: number): void {
    if (lastUse > completed) {
      this.retiring.push({ serial: lastUse, buffer });
      this.pooledBytes += buffer.size;
      this.pooledCount++;
      return;
    }
    this.makeReusable(buffer, false);
  }

  private makeReusable(buffer: GPUBuffer, counted: boolean): void {
    if (!counted) {
      this.pooledBytes += buffer.size;
      this.pooledCount++;
    }
    if (this.pooledBytes > this.maxPooledBytes) {
      this.pooledBytes -= buffer.size;
      this.pooledCount--;
      buffer.destroy();
      return;
    }
    let list = this.free.get(buffer.size);
    if (!list) this.free.set(buffer.size, (list = []));
    list.push(buffer);
  }

  /** Batches up to `serial` have finished: their released buffers become reusable. */
  complete(serial: number): void {
    let kept = 0;
    for (const entry of this.retiring) {
      if (entry.serial <= serial) this.makeReusable(entry.buffer, true);
      else this.retiring[kept++] = entry;
    }
    this.retiring.length = kept;
  }

  /** Destroy every reusable buffer (those still waiting for their batch stay until it completes). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const buffer of list) {
        this.pooledBytes -= buffer.size;
        this.pooledCount--;
        buffer.destroy();
      }
    }
    this.free.clear();
  }

  stats(): PoolStats {
    return { bytesPooled: this.pooledBytes, buffersPooled: this.pooledCount, created: this.createdCount };
  }

  /** Destroy everything, including buffers still waiting (the device is going away). */
  destroy(): void {
    this.trim();
    for (const entry of this.retiring) entry.buffer.destroy();
    this.retiring.length = 0;
    this.pooledBytes = 0;
    this.pooledCount = 0;
  }
}
