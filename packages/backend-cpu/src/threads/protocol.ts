/**
 * The shared-memory protocol between the main thread and the kernel workers (see worker-pool.ts).
 *
 * A task is a list of independent chunks; chunk `c` is one call of a WebAssembly kernel export
 * described by a record of float64 slots: `[function index, argument count, scratch slot, args…]`
 * (`scratch slot` ≥ 0 means "put this thread's scratch pointer in that argument").
 * Chunks are claimed with compare-and-swap on one word that packs the task generation, the chunk
 * count and the next chunk index, so a worker can only claim a chunk of the task it woke up for, and
 * a claimed chunk proves the task is still running (its records are stable until the chunk is done).
 */

/** Control words (Int32Array indices). */
export const CONTROL = {
  /** Task generation; workers `Atomics.wait` on it. */
  generation: 0,
  /** `generation(8) | chunkCount(12) | nextChunk(12)`. */
  next: 1,
  /** Chunks finished in the current task; the main thread waits on it. */
  done: 2,
  /** Set to 1 by a worker whose chunk threw; the message is in the text area. */
  error: 3,
  /** Test hook: when 1, the next worker to claim a chunk exits mid-task. */
  fault: 4,
  /** Per worker (index 1…): 0 booting, 1 ready, 2 exited. */
  stateBase: 16,
  /** Per worker (index 1…): claimed chunk + 1 while running one, else 0. */
  claimedBase: 80,
} as const;

/** Worker states. */
export const WORKER_STATE = { booting: 0, ready: 1, exited: 2 } as const;

/** Bytes of the control area (Int32 words, then the error text from {@link ERROR_TEXT_OFFSET}). */
export const CONTROL_BYTES = 4096;
export const ERROR_TEXT_OFFSET = 1024;
/** Most chunks in one task (fits the 12-bit fields of `next`). */
export const MAX_CHUNKS = 1024;
/** Float64 slots per chunk record: name, count, scratch slot and up to 21 arguments (adamStepTransposedF32's). */
export const RECORD_SLOTS = 24;
/** Largest worker count. */
export const MAX_WORKERS = 60;

/**
 * Pack the `next` word.
 * @example packNext(3, 8, 0); // generation 3, 8 chunks, none claimed
 */
export function packNext(generation: number, chunks: number, index: number): number {
  return ((generation & 0xff) << 24) | ((chunks & 0xfff) << 12) | (index & 0xfff);
}
