/**
 * A pool of kernel workers sharing the backend's WebAssembly memory.
 *
 * The Backend methods are synchronous, so a parallel kernel is: write the chunk records, publish
 * the task (bump the generation, `Atomics.notify`), claim chunks on the calling thread too, then wait
 * until every chunk is done — with `Atomics.wait` in Node (the main thread may block there). Browsers
 * forbid `Atomics.wait` on the main thread, so there the caller spins on `Atomics.load` while it waits
 * (it runs chunks itself first, so the spin only covers the last chunks still on workers); inside a
 * Web Worker it blocks like Node.
 *
 * Faults: a worker that exits while holding a chunk marks itself exited (its `exit` handler, or the
 * pool when `terminate()` is called through it); the waiting thread sees that, lets the other chunks
 * finish, throws {@link WorkerCrashError} naming the kernel and the worker, and replaces the worker —
 * the backend stays usable. A chunk that throws is reported the same way with its message.
 */
import { CONTROL, CONTROL_BYTES, ERROR_TEXT_OFFSET, MAX_CHUNKS, MAX_WORKERS, packNext, RECORD_SLOTS, WORKER_STATE } from './protocol';
import { WORKER_SOURCE } from './worker-source';
import { BackendError } from '@tessera/core';

/** A kernel worker died or failed while running part of a kernel. */
export class WorkerCrashError extends Error {
  override readonly name = 'WorkerCrashError';
}

/** The minimal surface of a Node or browser worker the pool uses. */
interface PoolWorker {
  terminate(): unknown;
}

/** How to start workers here, or why threads are unavailable. */
type WorkerFactory = (init: Record<string, unknown>, onExit: () => void) => PoolWorker;

interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => PoolWorker & {
    unref(): void;
    on(event: 'exit' | 'error', listener: (value: unknown) => void): void;
  };
}

/** Whether this thread may block in `Atomics.wait` (false on a browser's main thread). */
function canBlock(): boolean {
  if (typeof process === 'object' && process.versions?.node) return true;
  return typeof window === 'undefined'; // inside a Web Worker
}

/**
 * A worker factory for this environment, or a string saying why threads are unavailable.
 * Node: `worker_threads` through `process.getBuiltinModule` (synchronous, Node ≥ 20.16).
 * Browsers: Web Workers from a Blob URL when `crossOriginIsolated`.
 */
export function workerFactory(): WorkerFactory | string {
  if (typeof process === 'object' && process.versions?.node) {
    const getBuiltin = (process as unknown as { getBuiltinModule?: (name: string) => unknown }).getBuiltinModule;
    if (typeof getBuiltin !== 'function') return 'worker_threads needs Node ≥ 20.16 (process.getBuiltinModule)';
    const threads = getBuiltin('node:worker_threads') as NodeWorkerThreads;
    return (init, onExit) => {
      const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: init });
      worker.on('exit', onExit);
      worker.on('error', () => undefined); // surfaced through the exit state
      worker.unref();
      return worker;
    };
  }
  const scope = globalThis as unknown as { Worker?: new (url: string) => PoolWorker & { postMessage(data: unknown): void; onerror: unknown }; crossOriginIsolated?: boolean };
  if (typeof scope.Worker !== 'function') return 'no Worker constructor here';
  if (!scope.crossOriginIsolated) return 'shared memory needs a cross-origin isolated page (COOP/COEP headers)';
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  return (init, onExit) => {
    const worker = new scope.Worker!(url);
    worker.onerror = onExit;
    worker.postMessage(init);
    return worker;
  };
}

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Names of the kernel exports a chunk may call (a record stores the index). */
  readonly functions: readonly string[];
  /** Number of workers (the calling thread works too, so threads = workers + 1). */
  readonly workers: number;
  /** Per-thread scratch: thread t (0 = caller) uses `scratchBase + t · scratchStride`. */
  readonly scratchBase: number;
  readonly scratchStride: number;
  readonly factory: WorkerFactory;
}

/**
 * The worker pool. `run` executes the chunks written with {@link WorkerPool.setChunk}.
 * @example
 * pool.setChunk(0, 'sgemm', [m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, 0], 11);
 * pool.run(1, 'matmul', (name, args) => kernels[name](...args));
 */
export class WorkerPool {
  readonly size: number;
  private readonly control: Int32Array;
  private readonly controlBuffer: SharedArrayBuffer;
  private readonly records: Float64Array;
  private readonly functionIndex = new Map<string, number>();
  private readonly workers: (PoolWorker | undefined)[] = [];
  private generation = 0;
  private disposed = false;

  constructor(private readonly options: WorkerPoolOptions) {
    this.size = Math.min(MAX_WORKERS, options.workers);
    this.controlBuffer = new SharedArrayBuffer(CONTROL_BYTES);
    this.control = new Int32Array(this.controlBuffer);
    this.records = new Float64Array(new SharedArrayBuffer(MAX_CHUNKS * RECORD_SLOTS * 8));
    options.functions.forEach((name, index) => this.functionIndex.set(name, index));
    for (let index = 1; index <= this.size; index++) this.spawn(index);
  }

  /** Workers that have started and not exited. */
  get readyWorkers(): number {
    let ready = 0;
    for (let index = 1; index <= this.size; index++) if (Atomics.load(this.control, CONTROL.stateBase + index) === WORKER_STATE.ready) ready++;
    return ready;
  }

  /** Block (up to `timeoutMs`) until every worker has started; returns whether they all did. */
  waitUntilReady(timeoutMs = 10_000): boolean {
    const deadline = Date.now() + timeoutMs;
    for (let index = 1; index <= this.size; index++) {
      while (Atomics.load(this.control, CONTROL.stateBase + index) === WORKER_STATE.booting) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        if (canBlock()) Atomics.wait(this.control, CONTROL.stateBase + index, WORKER_STATE.booting, Math.min(left, 50));
      }
    }
    return this.readyWorkers === this.size;
  }

  /** Resolves once every worker has started (or after `timeoutMs`). */
  async whenReady(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.readyWorkers < this.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    return this.readyWorkers === this.size;
  }

  /** Write chunk `index`: a call of export `name` with `args`; `scratchSlot` ≥ 0 receives the thread's scratch. */
  setChunk(index: number, name: string, args: readonly number[], scratchSlot = -1): void {
    if (args.length > RECORD_SLOTS - 3) throw new BackendError(`cpu backend: a worker chunk takes at most ${RECORD_SLOTS - 3} arguments, ${name} got ${args.length}`);
    const base = index * RECORD_SLOTS;
    const records = this.records;
    records[base] = this.functionIndex.get(name)!;
    records[base + 1] = args.length;
    records[base + 2] = scratchSlot;
    for (let arg = 0; arg < args.length; arg++) records[base + 3 + arg] = args[arg];
  }

  /**
   * Run chunks `0 … chunks − 1` on the workers and on this thread (`runHere` executes a chunk here
   * with this thread's scratch = thread 0). Returns when all are done; throws {@link WorkerCrashError}
   * when a worker died holding a chunk or a chunk threw.
   */
  run(chunks: number, kernel: string, runHere: (name: string, args: number[]) => void): void {
    if (this.disposed) throw new BackendError('cpu backend: the worker pool was disposed');
    const { control } = this;
    this.replaceExitedWorkers();
    Atomics.store(control, CONTROL.done, 0);
    Atomics.store(control, CONTROL.error, 0);
    this.generation = (this.generation + 1) & 0xff;
    Atomics.store(control, CONTROL.next, packNext(this.generation, chunks, 0));
    Atomics.add(control, CONTROL.generation, 1);
    Atomics.notify(control, CONTROL.generation);

    // Work here too.
    const names = this.options.functions;
    const args: number[] = [];
    for (;;) {
      const word = Atomics.load(control, CONTROL.next);
      const chunk = word & 0xfff;
      if (chunk >= chunks) break;
      if (Atomics.compareExchange(control, CONTROL.next, word, word + 1) !== word) continue;
      const base = chunk * RECORD_SLOTS;
      const argc = this.records[base + 1];
      const scratchSlot = this.records[base + 2];
      args.length = argc;
      for (let arg = 0; arg < argc; arg++) args[arg] = this.records[base + 3 + arg];
      if (scratchSlot >= 0) args[scratchSlot] = this.options.scratchBase;
      try {
        runHere(names[this.records[base]], args);
      } finally {
        Atomics.add(control, CONTROL.done, 1);
      }
    }

    // Wait for the workers' chunks.
    const crashed: number[] = [];
    let spins = 0;
    for (;;) {
      const done = Atomics.load(control, CONTROL.done);
      if (done + crashed.length >= chunks) break;
      if (spins < 2000) {
        spins++;
        continue;
      }
      if (canBlock()) Atomics.wait(control, CONTROL.done, done, 20);
      for (let index = 1; index <= this.size; index++) {
        if (Atomics.load(control, CONTROL.stateBase + index) === WORKER_STATE.exited && Atomics.load(control, CONTROL.claimedBase + index) !== 0 && !crashed.includes(index)) {
          crashed.push(index);
        }
      }
    }
    if (crashed.length > 0) {
      for (const index of crashed) Atomics.store(control, CONTROL.claimedBase + index, 0);
      this.replaceExitedWorkers();
      throw new WorkerCrashError(
        `cpu backend: worker ${crashed.join(', ')} exited while running part of ${kernel}; the result is incomplete ` +
          `and was discarded. The worker was replaced, so later operations run normally.`,
      );
    }
    if (Atomics.load(control, CONTROL.error) === 1) {
      const bytes = new Uint8Array(this.controlBuffer, ERROR_TEXT_OFFSET, CONTROL_BYTES - ERROR_TEXT_OFFSET);
      const end = bytes.indexOf(0);
      const text = new TextDecoder().decode(bytes.slice(0, end < 0 ? bytes.length : end));
      throw new WorkerCrashError(`cpu backend: ${kernel} failed in a worker: ${text}`);
    }
  }

  /** Test hook: the next worker that claims a chunk exits (process.exit(1)) before running it. */
  injectWorkerExit(): void {
    Atomics.store(this.control, CONTROL.fault, 1);
  }

  /** Terminate worker `index` (1-based) as a crash would; the pool replaces it before the next task. */
  async terminateWorker(index: number): Promise<void> {
    const worker = this.workers[index];
    Atomics.store(this.control, CONTROL.stateBase + index, WORKER_STATE.exited);
    await worker?.terminate();
  }

  /** Stop every worker. */
  dispose(): void {
    this.disposed = true;
    for (let index = 1; index <= this.size; index++) {
      Atomics.store(this.control, CONTROL.stateBase + index, WORKER_STATE.exited);
      void this.workers[index]?.terminate();
      this.workers[index] = undefined;
    }
  }

  private replaceExitedWorkers(): void {
    for (let index = 1; index <= this.size; index++) {
      if (Atomics.load(this.control, CONTROL.stateBase + index) === WORKER_STATE.exited && Atomics.load(this.control, CONTROL.claimedBase + index) === 0) {
        void this.workers[index]?.terminate();
        this.spawn(index);
      }
    }
  }

  private spawn(index: number): void {
    const { module, memory, functions, scratchBase, scratchStride } = this.options;
    Atomics.store(this.control, CONTROL.stateBase + index, WORKER_STATE.booting);
    Atomics.store(this.control, CONTROL.claimedBase + index, 0);
    const init = { module, memory, functions: [...functions], index, scratchBase, scratchStride, control: this.controlBuffer, records: this.records.buffer };
    const worker = this.options.factory(init, () => {
      if (this.workers[index] === worker) Atomics.store(this.control, CONTROL.stateBase + index, WORKER_STATE.exited);
    });
    this.workers[index] = worker;
  }
}
