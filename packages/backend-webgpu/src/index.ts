/**
 * `@tessera/backend-webgpu`: importing this module registers the 'webgpu' backend with core
 * (priority 2, above cpu). Importing starts nothing: `await ready()` (or `setBackend('webgpu')`)
 * looks for an adapter, and without one skips webgpu quietly and reports why
 * (`backendUnavailableReason('webgpu')`). Tensors made before any await go to cpu.
 * @example
 * import '@tessera/backend-webgpu';
 * import { setBackend, tensor } from '@tessera/core';
 * await setBackend('webgpu');
 * const y = tensor([[1, 2], [3, 4]]).matmul(tensor([[1], [1]]));
 */
import { registerBackend } from '@tessera/core';
import { webgpuPlugin } from './plugin';

registerBackend(webgpuPlugin);

export { webgpuPlugin, createWebGPUPlugin, WebGPUBackend, type WebGPUPluginOptions, type WebGPUBackendOptions, type WebGPUFeatures, type GpuSource, type PowerPreference } from './plugin';
