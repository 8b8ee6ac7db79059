/**
 * `@tessera/backend-cpu`: importing this module registers the 'cpu' backend with core.
 * @example
 * import '@tessera/backend-cpu';
 * import { tensor } from '@tessera/core';
 * const y = tensor([[1, 2], [3, 4]]).matmul(tensor([[1], [1]]));
 */
import { registerBackend } from '@tessera/core';
import { cpuPlugin } from './plugin';

registerBackend(cpuPlugin);

export {
  cpuPlugin, createCpuPlugin, CpuBackend, OutOfMemoryError, WorkerCrashError, autoThreads, detectWasmFeatures,
  type CpuPluginOptions, type CpuBackendOptions, type CpuBackendConfig, type WasmFeatures,
} from './plugin';
