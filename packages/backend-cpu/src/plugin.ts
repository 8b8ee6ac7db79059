import { BACKEND_API_VERSION, type BackendPlugin } from '@tessera/core';
import { CpuBackend } from './cpu-backend';

export { CpuBackend } from './cpu-backend';

/**
 * The CPU backend plugin. `create` is synchronous, so tensors can be made before `await ready()`.
 * Importing `@tessera/backend-cpu` registers it; import `@tessera/backend-cpu/plugin` to register by hand.
 * @example
 * import { registerBackend } from '@tessera/core';
 * import { cpuPlugin } from '@tessera/backend-cpu/plugin';
 * registerBackend(cpuPlugin);
 */
export const cpuPlugin: BackendPlugin = {
  name: 'cpu',
  apiVersion: BACKEND_API_VERSION,
  priority: 1,
  create: () => new CpuBackend(),
};
