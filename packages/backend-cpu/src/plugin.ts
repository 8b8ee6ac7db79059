import { CpuBackend, type CpuBackendOptions } from './cpu-backend';
import { compileKernelsAsync, detectWasmFeatures, pickVariant } from './wasm/wasm-runtime';
import { BACKEND_API_VERSION, type BackendPlugin } from '@tessera/core/backend';

export { CpuBackend, autoThreads, type CpuBackendConfig, type CpuBackendOptions } from './cpu-backend';
export { OutOfMemoryError } from './storage/wasm-heap';
export { WorkerCrashError } from './threads/worker-pool';
export { detectWasmFeatures, type WasmFeatures } from './wasm/wasm-runtime';

/** Options of {@link createCpuPlugin}. */
export interface CpuPluginOptions extends Omit<CpuBackendOptions, 'module'> {
  /** Priority when core picks a default backend (default 1). */
  readonly priority?: number;
}

/**
 * A CPU backend plugin with its own configuration. `create()` returns the backend synchronously
 * where the kernel module can be compiled synchronously (Node; workers); on a browser's main thread,
 * which refuses synchronous compilation of modules over 4 KiB, it returns a Promise (core awaits it).
 * With threads, the first large kernels may run on the calling thread alone while workers start.
 * @example
 * import { registerBackend } from '@tessera/core';
 * registerBackend(createCpuPlugin({ name: 'cpu-1t', threads: 1 }));
 * registerBackend(createCpuPlugin({ name: 'cpu-js', simd: false }));
 */
export function createCpuPlugin(options: CpuPluginOptions = {}): BackendPlugin {
  const name = options.name ?? 'cpu';
  return {
    name,
    apiVersion: BACKEND_API_VERSION,
    priority: options.priority ?? 1,
    create: () => {
      try {
        return new CpuBackend({ ...options, name });
      } catch (error) {
        const features = detectWasmFeatures();
        if (!(error instanceof RangeError) || options.simd === false || !features.simd) throw error;
        // Main-thread size limit on synchronous compilation: compile asynchronously instead.
        const shared = features.sharedMemory && (options.threads === undefined || options.threads === 'auto' || options.threads > 1);
        // (The relaxed build is only chosen after timing it, which needs synchronous compilation.)
        return compileKernelsAsync(pickVariant(false, shared)).then((module) => new CpuBackend({ ...options, name, module }));
      }
    },
  };
}

/**
 * The default CPU backend plugin ('cpu': SIMD when supported, threads 'auto'). `create` is
 * synchronous in Node, so tensors can be made before `await ready()`.
 * Importing `@tessera/backend-cpu` registers it; import `@tessera/backend-cpu/plugin` to register by hand.
 * @example
 * import { registerBackend } from '@tessera/core';
 * import { cpuPlugin } from '@tessera/backend-cpu/plugin';
 * registerBackend(cpuPlugin);
 */
export const cpuPlugin: BackendPlugin = createCpuPlugin();
