import { BACKEND_API_VERSION, type BackendPlugin } from '@tessera/core/backend';
import { missingVulkanDriver } from './vulkan-drivers';
import { WebGPUBackend, type WebGPUBackendOptions } from './webgpu-backend';

export { WebGPUBackend, type WebGPUBackendOptions, type WebGPUFeatures } from './webgpu-backend';

/** Where the plugin gets its `GPU`: an object, or a (possibly async) factory. */
export type GpuSource = GPU | (() => GPU | null | undefined | Promise<GPU | null | undefined>);

/** Which adapter to ask for (WebGPU's `GPUPowerPreference`, spelled out so the types need no DOM lib). */
export type PowerPreference = 'low-power' | 'high-performance';

/** Options of {@link createWebGPUPlugin}. */
export interface WebGPUPluginOptions extends WebGPUBackendOptions {
  /** The `GPU` to use (default: `navigator.gpu`, else in Node the `webgpu` package's `create([])`). */
  readonly gpu?: GpuSource;
  /** Priority when core picks a default backend (default 2, above cpu's 1). */
  readonly priority?: number;
  readonly powerPreference?: PowerPreference;
}

// The GPU object made from the `webgpu` package in Node: module-level, so it outlives every device.
let nodeGpu: GPU | null = null;

/** `navigator.gpu`, or in Node the Dawn binding of the optional `webgpu` package. */
async function defaultGpu(): Promise<GPU | null | string> {
  const navigatorGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (navigatorGpu) return navigatorGpu;
  if (nodeGpu) return nodeGpu;
  const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';
  if (!isNode) return 'navigator.gpu is missing (this browser has no WebGPU, or it is disabled)';
  // Asked without a driver, Dawn prints the Vulkan loader's raw warnings: explain instead, quietly.
  const noDriver = await missingVulkanDriver();
  if (noDriver) return noDriver;
  try {
    const moduleName = 'webgpu';
    const dawn = (await import(/* @vite-ignore */ moduleName)) as { create: (flags: string[]) => GPU; globals: object };
    Object.assign(globalThis, dawn.globals);
    nodeGpu = dawn.create([]);
    return nodeGpu;
  } catch (error) {
    return `no navigator.gpu, and the optional 'webgpu' package (Dawn for Node) could not be loaded: ${(error as Error).message}`;
  }
}

/**
 * A WebGPU backend plugin. `isAvailable()` requests an adapter and says why there is none;
 * `create()` then requests the device.
 * @example
 * import { create } from 'webgpu';
 * const gpu = create([]); // keep a reference for as long as the backend lives
 * registerBackend(createWebGPUPlugin({ gpu }));
 * await setBackend('webgpu');
 */
export function createWebGPUPlugin(options: WebGPUPluginOptions = {}): BackendPlugin {
  let adapter: { gpu: GPU; adapter: GPUAdapter } | null = null;
  const findAdapter = async (): Promise<true | string> => {
    if (adapter) return true;
    const source = options.gpu;
    const gpu = source === undefined ? await defaultGpu() : typeof source === 'function' ? ((await source()) ?? 'the gpu factory returned nothing') : source;
    if (typeof gpu === 'string') return gpu;
    if (!gpu) return 'no GPU object';
    try {
      const found = await gpu.requestAdapter({ powerPreference: options.powerPreference });
      if (!found) return 'no WebGPU adapter (requestAdapter returned null; in Node without a GPU install a Vulkan driver such as Mesa lavapipe)';
      adapter = { gpu, adapter: found };
      return true;
    } catch (error) {
      return `requestAdapter failed: ${(error as Error).message}`;
    }
  };
  return {
    name: options.name ?? 'webgpu',
    apiVersion: BACKEND_API_VERSION,
    priority: options.priority ?? 2,
    isAvailable: findAdapter,
    async create() {
      const available = await findAdapter();
      if (available !== true) throw new Error(`webgpu backend is not available: ${available}`);
      const found = adapter!;
      // An adapter hands out one device; the next create() (a second instance) asks for a new one.
      adapter = null;
      return WebGPUBackend.create(found.gpu, { ...options, adapter: found.adapter });
    },
  };
}

/**
 * The default WebGPU plugin ('webgpu', priority 2): `navigator.gpu` in browsers, the `webgpu`
 * package in Node. Importing `@tessera/backend-webgpu` registers it.
 * @example
 * import { registerBackend } from '@tessera/core';
 * import { webgpuPlugin } from '@tessera/backend-webgpu/plugin';
 * registerBackend(webgpuPlugin);
 */
export const webgpuPlugin: BackendPlugin = createWebGPUPlugin();
