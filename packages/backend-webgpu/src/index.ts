/**
 * `@tessera/backend-webgpu`: importing this module registers the 'webgpu' backend with core
 * (priority 2, above cpu). Without an adapter, `ready()` skips it and reports why.
 * @example
 * import '@tessera/backend-webgpu';
 * import { setBackend, tensor } from '@tessera/core';
 * await setBackend('webgpu');
 * const y = tensor([[1, 2], [3, 4]]).matmul(tensor([[1], [1]]));
 */
import { registerBackend } from '@tessera/core';
import { webgpuPlugin } from './plugin';

registerBackend(webgpuPlugin);

export { webgpuPlugin, createWebGPUPlugin, WebGPUBackend, type WebGPUPluginOptions, type WebGPUBackendOptions, type WebGPUFeatures, type GpuSource } from './plugin';
