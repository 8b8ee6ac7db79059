/**
 * Reference-counted backend storage. Views share one Storage; the buffer is freed when the last
 * tensor handle using it is disposed.
 */
import type { Backend, DataId, DType } from '../backend/backend';
import { itemSize } from '../dtype';

let liveStorageBytes = 0;
let liveStorages = 0;
/** The most `liveStorageBytes` has been since the last {@link resetPeakStorageBytes}. */
let peakStorageBytes = 0;

/** Bytes and count of storages alive in this core (all backends), and the peak bytes. */
export function storageStats(): { storages: number; bytes: number; peakBytes: number } {
  return { storages: liveStorages, bytes: liveStorageBytes, peakBytes: peakStorageBytes };
}

/** Start a new peak window at the bytes alive now. */
export function resetPeakStorageBytes(): void {
  peakStorageBytes = liveStorageBytes;
}

/** What a recorded in-place op wrote: the region (as a strided view of the storage) and its graph node. */
export interface RebaseRecord {
  /** `rebases` after this write. */
  readonly epoch: number;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  /** The node whose output is the region's new content (retained while recorded here). */
  readonly node: { retain(): void; release(): void };
}

/** One backend buffer plus the number of tensor handles that use it. */
export class Storage {
  private refCount = 1;
  /**
   * PyTorch's version counter: bumped by every in-place write (in-place ops, `assign`), shared by all
   * views. Autograd records it when it saves a tensor and refuses to run backward on data written since.
   */
  private writes = 0;
  /** The op of the latest in-place write, for error messages. */
  private lastWriter: string | null = null;
  /**
   * How many in-place ops autograd recorded on handles of this storage. Each one rewrites the history
   * of the handle it ran on; other handles of the storage (a view's base, other views) recorded before
   * it rebuild theirs from {@link rebaseLog} when next used (see Tensor's `historyAt`).
   */
  rebases = 0;
  /** The recorded in-place writes other handles have not caught up with (kept while user handles exist). */
  private log: RebaseRecord[] = [];
  /** User-visible handles on this storage: when none is left, nobody can catch up and the log is dropped. */
  private visibleHandles = 0;
  /** A leaf tensor that requires grad uses this storage: its views refuse in-place ops while recording. */
  ofLeafRequiringGrad = false;

  constructor(
    readonly backend: Backend,
    readonly id: DataId,
    readonly dtype: DType,
    readonly size: number,
  ) {
    liveStorages++;
    liveStorageBytes += size * itemSize(dtype);
    if (liveStorageBytes > peakStorageBytes) peakStorageBytes = liveStorageBytes;
  }

  /** Allocate a fresh storage of `size` elements on `backend`. */
  static allocate(backend: Backend, size: number, dtype: DType): Storage {
    return new Storage(backend, backend.alloc(size, dtype), dtype, size);
  }

  /** The version counter: how many in-place writes this storage has seen. */
  get version(): number {
    return this.writes;
  }

  /** The op that last wrote in place, if any. */
  get lastWrittenBy(): string | null {
    return this.lastWriter;
  }

  /** Record an in-place write by `op` (call after writing). */
  bumpVersion(op: string): void {
    this.writes++;
    this.lastWriter = op;
  }

  /** Record an in-place write autograd recorded (the node is retained); returns the new epoch. */
  logRebase(region: { shape: readonly number[]; strides: readonly number[]; offset: number }, node: RebaseRecord['node']): number {
    this.rebases++;
    node.retain();
    this.log.push({ epoch: this.rebases, shape: region.shape, strides: region.strides, offset: region.offset, node });
    return this.rebases;
  }

  /** The recorded writes after `epoch`, oldest first; null if some were dropped. */
  rebasesSince(epoch: number): readonly RebaseRecord[] | null {
    if (epoch >= this.rebases) return [];
    const first = this.log.length ? this.log[0].epoch : Number.POSITIVE_INFINITY;
    if (first > epoch + 1) return null;
    return this.log.filter((record) => record.epoch > epoch);
  }

  /** A user-visible handle started using this storage. */
  addVisibleHandle(): void {
    this.visibleHandles++;
  }

  /** A user-visible handle stopped using it; with none left, the log's nodes are released. */
  removeVisibleHandle(): void {
    if (--this.visibleHandles === 0) this.dropLog();
  }

  private dropLog(): void {
    const log = this.log;
    this.log = [];
    for (const record of log) record.node.release();
  }

  /** Whether the buffer has been freed. */
  get freed(): boolean {
    return this.refCount <= 0;
  }

  /** Another handle now uses this storage. */
  retain(): this {
    this.refCount++;
    return this;
  }

  /**
   * Move the buffer to `target` in place, so every handle sharing this storage now lives there: read
   * it (after the work queued on it), write a fresh buffer on `target`, free the old one.
   */
  async moveTo(target: Backend): Promise<void> {
    if (target === this.backend || this.freed) return;
    const data = this.size > 0 ? await this.backend.read(this.id, this.dtype, 0, this.size) : null;
    if (this.freed || target === this.backend) return; // disposed or moved while the read was pending
    const id = target.alloc(this.size, this.dtype);
    if (data) target.write(id, data);
    const source = this.backend;
    const oldId = this.id;
    // The only place the buffer changes under a storage: handles read `backend` and `id` on every op.
    const self = this as unknown as { backend: Backend; id: DataId };
    self.backend = target;
    self.id = id;
    source.free(oldId);
  }

  /** A handle stopped using this storage; frees the buffer after the last one. */
  release(): void {
    if (this.refCount <= 0) return;
    this.refCount--;
    if (this.refCount === 0) {
      this.dropLog();
      liveStorages--;
      liveStorageBytes -= this.size * itemSize(this.dtype);
      this.backend.free(this.id);
    }
  }
}
