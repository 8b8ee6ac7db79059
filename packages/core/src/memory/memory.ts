/**
 * Memory accounting across this core's backends.
 */
import type { BackendMemory } from '../backend/backend';
import { createdBackends } from '../backend/registry';
import { liveTensorCount } from '../tensor/tensor';
import { resetPeakStorageBytes, storageStats } from '../tensor/storage';
import { leakedTensorCount } from './leak-detector';

/** A snapshot of memory use. */
export interface MemoryInfo {
  /**
   * Live tensor handles (views count separately; includes handles autograd saved for backward). A handle
   * the garbage collector reclaimed without `dispose()` leaves the count, and frees its storage, when
   * its finalizer runs (some time after the collection; see `leaked`).
   */
  tensors: number;
  /** Live storages (buffers shared by views count once). */
  storages: number;
  /** Bytes held by live storages, all backends. */
  bytesInUse: number;
  /**
   * The most `bytesInUse` has been since the last {@link resetPeakMemory} (or since start) — PyTorch's
   * `torch.cuda.max_memory_allocated`. Counted at every allocation, so short-lived temporaries count.
   */
  peakBytesInUse: number;
  /** Bytes kept in backend pools for reuse, all backends. */
  bytesPooled: number;
  /** Tensors the leak detector found garbage-collected without dispose(). */
  leaked: number;
  /** Per-backend numbers, as each backend reports them. */
  backends: Record<string, BackendMemory>;
}

/**
 * How many tensors and bytes are alive.
 * @example
 * const before = memory().tensors;
 * tidy(() => model.forward(x));
 * memory().tensors === before; // true
 */
export function memory(): MemoryInfo {
  const backends: Record<string, BackendMemory> = {};
  let bytesPooled = 0;
  for (const [name, backend] of createdBackends()) {
    const info = backend.memory();
    backends[name] = info;
    bytesPooled += info.bytesPooled;
  }
  const storage = storageStats();
  return {
    tensors: liveTensorCount(),
    storages: storage.storages,
    bytesInUse: storage.bytes,
    peakBytesInUse: storage.peakBytes,
    bytesPooled,
    leaked: leakedTensorCount(),
    backends,
  };
}

/**
 * Start a new window for `memory().peakBytesInUse` at the bytes in use now — PyTorch's
 * `torch.cuda.reset_peak_memory_stats`.
 * @example
 * resetPeakMemory();
 * loss.backward();
 * const backwardPeak = memory().peakBytesInUse - bytesBefore;
 */
export function resetPeakMemory(): void {
  resetPeakStorageBytes();
}
