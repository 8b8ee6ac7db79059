/**
 * The CPU backend's heap: every tensor buffer lives in one `WebAssembly.Memory`, so the WebAssembly
 * kernels (and worker threads sharing that memory) read tensors in place — no copy per op.
 *
 * Allocation is a bump pointer plus segregated free lists: a request is rounded up to a size class
 * (64 B, then four classes per power of two: 2ᵏ, 1.25·2ᵏ, 1.5·2ᵏ, 1.75·2ᵏ, so at most 25 % slack),
 * freed blocks go to their class's list and are reused first. When the bump pointer reaches the end
 * the memory grows (at least doubling the used size, so growth is rare); a memory that cannot grow
 * raises {@link OutOfMemoryError} naming the request. Growth detaches a non-shared memory's
 * ArrayBuffer, so typed-array views are re-created on the next access ({@link WasmHeap.epoch}).
 */

/** Bytes per WebAssembly page. */
export const PAGE_BYTES = 65536;

/** Thrown when the WebAssembly memory cannot grow to hold a new buffer. */
export class OutOfMemoryError extends RangeError {
  override readonly name = 'OutOfMemoryError';
}

/** Options of {@link WasmHeap}. */
export interface WasmHeapOptions {
  /** Largest memory in bytes (rounded down to pages; default and limit 4 GiB). */
  readonly maxBytes?: number;
  /** A shared memory (needed by worker threads). */
  readonly shared?: boolean;
  /** Bytes at the start of memory left to the WebAssembly module's own data (default 64 KiB). */
  readonly reservedBytes?: number;
}

const MAX_PAGES = 65536;

/**
 * Size class of a request: the smallest class ≥ `bytes`.
 * @example sizeClass(100); // 112 (= 1.75 · 64)
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 64) return 64;
  const power = 2 ** Math.floor(Math.log2(bytes));
  for (const factor of [1, 1.25, 1.5, 1.75]) if (power * factor >= bytes) return power * factor;
  return power * 2;
}

/**
 * A growable heap over a WebAssembly memory.
 * @example
 * const heap = new WasmHeap({ maxBytes: 1 << 20 });
 * const ptr = heap.alloc(400);
 * new Float32Array(heap.memory.buffer, ptr, 100).fill(1);
 * heap.release(ptr, 400);
 */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly maxBytes: number;
  /** Incremented whenever the memory grows: views made in an older epoch must be re-created. */
  epoch = 0;
  /** Bytes sitting in free lists. */
  pooledBytes = 0;
  private top: number;
  private readonly freeLists = new Map<number, number[]>();

  constructor(options: WasmHeapOptions = {}) {
    const maxPages = Math.max(2, Math.min(MAX_PAGES, Math.floor((options.maxBytes ?? MAX_PAGES * PAGE_BYTES) / PAGE_BYTES)));
    this.maxBytes = maxPages * PAGE_BYTES;
    const initial = Math.min(maxPages, 16);
    this.memory = new WebAssembly.Memory({ initial, maximum: maxPages, shared: options.shared ?? false } as WebAssembly.MemoryDescriptor);
    this.top = options.reservedBytes ?? PAGE_BYTES;
  }

  /** Bytes the memory holds now. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** A block of at least `bytes` (16-byte aligned). Throws {@link OutOfMemoryError} when memory cannot grow. */
  alloc(bytes: number, what = `${bytes} bytes`): number {
    const size = sizeClass(bytes);
    const list = this.freeLists.get(size);
    if (list && list.length > 0) {
      this.pooledBytes -= size;
      return list.pop()!;
    }
    const ptr = this.top;
    const end = ptr + size;
    if (end > this.byteLength) this.grow(end, what);
    this.top = end;
    return ptr;
  }

  /** Return a block from {@link alloc} (with the same `bytes`) to its free list. */
  release(ptr: number, bytes: number): void {
    const size = sizeClass(bytes);
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(ptr);
    this.pooledBytes += size;
  }

  private grow(end: number, what: string): void {
    const current = this.byteLength;
    const wanted = Math.max(end, Math.min(this.maxBytes, current * 2));
    const pages = Math.ceil(wanted / PAGE_BYTES) - current / PAGE_BYTES;
    const minimum = Math.ceil(end / PAGE_BYTES) - current / PAGE_BYTES;
    if (end > this.maxBytes || !this.tryGrow(pages) && !this.tryGrow(minimum)) {
      throw new OutOfMemoryError(
        `cpu backend: out of memory allocating ${what}: ` +
          `the WebAssembly memory holds ${current} bytes (${this.top - this.pooledBytes} in use or reserved, ${this.pooledBytes} pooled) ` +
          `and cannot grow past ${this.maxBytes} bytes`,
      );
    }
    this.epoch++;
  }

  private tryGrow(pages: number): boolean {
    try {
      this.memory.grow(pages);
      return true;
    } catch {
      return false;
    }
  }
}
