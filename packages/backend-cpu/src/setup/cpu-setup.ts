/**
 * What a CPU backend runs with, decided once at construction: WebAssembly SIMD (and relaxed SIMD)
 * support, the thread count, shared memory, the heap, the SIMD kernel set and the worker pool.
 * The dispatch class (cpu-backend.ts) only routes calls to kernels.
 */
import { WasmHeap } from '../storage/wasm-heap';
import { CHUNK_FUNCTIONS, SimdKernels } from '../kernels/simd';
import { WorkerPool, workerFactory } from '../threads/worker-pool';
import { compileKernels, detectWasmFeatures, instantiateKernels, pickVariant, relaxedSimdIsFaster } from '../wasm/wasm-runtime';

/** Options of `CpuBackend` (see `createCpuPlugin`). */
export interface CpuBackendOptions {
  /** Backend name reported to core (default 'cpu'). */
  readonly name?: string;
  /** Use the WebAssembly SIMD kernels: 'auto' (when supported; default) or false (plain JS only). */
  readonly simd?: 'auto' | false;
  /**
   * Threads for large kernels, counting the calling thread: a number, or 'auto' (the
   * `TESSERA_CPU_THREADS` environment variable, else the core count, at most 4). 1 disables workers.
   * Needs SIMD and shared memory (Node, or a cross-origin isolated page).
   */
  readonly threads?: number | 'auto';
  /** Largest WebAssembly memory in bytes (default 4 GiB); allocations beyond it throw OutOfMemoryError. */
  readonly maxMemoryBytes?: number;
  /** A pre-compiled kernel module (from the async path of `createCpuPlugin`). */
  readonly module?: WebAssembly.Module;
}

/** The configuration a backend actually runs with (after feature detection). */
export interface CpuBackendConfig {
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
  readonly threads: number;
  readonly sharedMemory: boolean;
  /** Why a requested feature is off (e.g. "threads need SIMD"), for diagnostics. */
  readonly notes: readonly string[];
}

/** The parts {@link setUpCpu} builds for one backend. */
export interface CpuSetup {
  readonly config: CpuBackendConfig;
  /** The WebAssembly memory every tensor of the backend lives in. */
  readonly heap: WasmHeap;
  /** The SIMD kernels, or null when SIMD is off or unsupported. */
  readonly simd: SimdKernels | null;
  /** The worker pool, or null when single-threaded. */
  readonly pool: WorkerPool | null;
}

/**
 * Resolve `threads: 'auto'`: `TESSERA_CPU_THREADS`, else the core count, at most 4.
 * @example
 * autoThreads(); // 4 on an 8-core machine
 */
export function autoThreads(): number {
  const env = typeof process === 'object' ? process.env?.TESSERA_CPU_THREADS : undefined;
  if (env !== undefined && env !== '' && Number.isInteger(Number(env)) && Number(env) >= 1) return Number(env);
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  let cores = nav?.hardwareConcurrency ?? 1;
  // Node 20 has no global navigator: ask node:os (synchronously, through process.getBuiltinModule).
  const getBuiltin = typeof process === 'object' ? (process as unknown as { getBuiltinModule?: (name: string) => unknown }).getBuiltinModule : undefined;
  if (nav?.hardwareConcurrency === undefined && typeof getBuiltin === 'function') {
    const os = getBuiltin('node:os') as { availableParallelism?: () => number; cpus(): unknown[] };
    cores = os.availableParallelism?.() ?? os.cpus().length;
  }
  return Math.max(1, Math.min(4, cores));
}

/**
 * Detect the CPU features, settle the thread count (threads need SIMD, shared memory and a worker
 * factory; each missing one is noted and drops to 1), then build the heap, the SIMD kernels and the pool.
 * @example
 * const { config, heap, simd } = setUpCpu({ threads: 1 });
 * config.simd; // true where WebAssembly SIMD validates
 */
export function setUpCpu(options: CpuBackendOptions): CpuSetup {
  const features = detectWasmFeatures();
  const notes: string[] = [];
  const simdOn = options.simd !== false && features.simd;
  if (options.simd !== false && !features.simd) notes.push('WebAssembly SIMD is not supported here');
  let threads = options.threads === undefined || options.threads === 'auto' ? autoThreads() : Math.max(1, Math.floor(options.threads));
  if (threads > 1 && !simdOn) {
    notes.push('threads need the SIMD kernels');
    threads = 1;
  }
  if (threads > 1 && !features.sharedMemory) {
    notes.push('threads need shared WebAssembly memory');
    threads = 1;
  }
  const factory = threads > 1 ? workerFactory() : null;
  if (typeof factory === 'string') {
    notes.push(factory);
    threads = 1;
  }
  const shared = threads > 1;
  const heap = new WasmHeap({ maxBytes: options.maxMemoryBytes, shared });
  let simd: SimdKernels | null = null;
  let pool: WorkerPool | null = null;
  let relaxed = false;
  if (simdOn) {
    relaxed = features.relaxedSimd && relaxedSimdIsFaster();
    if (features.relaxedSimd && !relaxed) notes.push('relaxed SIMD validates but its FMA was slower here: using mul + add');
    const module = options.module ?? compileKernels(pickVariant(relaxed, shared));
    simd = new SimdKernels(instantiateKernels(module, heap.memory), heap, threads);
    if (threads > 1 && typeof factory === 'function') {
      pool = new WorkerPool({
        module, memory: heap.memory, functions: CHUNK_FUNCTIONS, workers: threads - 1,
        scratchBase: simd.scratchBase, scratchStride: simd.scratchStride, factory,
      });
      simd.attachPool(pool);
    }
  }
  return { config: { simd: simdOn, relaxedSimd: relaxed, threads, sharedMemory: shared, notes }, heap, simd, pool };
}
