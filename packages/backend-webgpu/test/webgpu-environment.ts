/**
 * The GPU the tests run on: Dawn (the `webgpu` package) in Node. Without an adapter the WebGPU
 * tests skip visibly, unless `TESSERA_REQUIRE_WEBGPU=1` (CI), which makes a missing adapter fail.
 */
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
// Module scope keeps the GPU object alive as long as any device made from it (Dawn requirement).
export const gpu: GPU = create([]) as GPU;

export const requireWebGPU = process.env.TESSERA_REQUIRE_WEBGPU === '1';

/** The adapter, or why there is none. */
export const adapterProbe: Promise<GPUAdapter | string> = gpu.requestAdapter().then(
  (adapter) => adapter ?? 'no WebGPU adapter (install a Vulkan driver, e.g. eval "$(sh ../shared/tools/setup-software-webgpu.sh)")',
  (error: Error) => `requestAdapter failed: ${error.message}`,
);

/** Whether WebGPU tests run here; throws when required but missing. */
export async function webgpuAvailable(): Promise<boolean> {
  const probe = await adapterProbe;
  if (typeof probe !== 'string') return true;
  if (requireWebGPU) throw new Error(`TESSERA_REQUIRE_WEBGPU=1 but ${probe}`);
  console.warn(`[backend-webgpu] skipping WebGPU tests: ${probe}`);
  return false;
}

/** Top-level-await friendly flag for `describe.skipIf`. */
export const hasWebGPU = await webgpuAvailable();
