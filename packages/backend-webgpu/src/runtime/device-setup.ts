/**
 * Getting a device, kept out of the dispatch class (webgpu-backend.ts): the adapter request, the
 * limits and features asked for, what the adapter says about itself, and the watchers that turn a
 * lost device or an uncaptured GPU error into the runtime's next error message.
 */
import { BackendError } from '@tessera/core';
import type { WebGPUFeatures } from '../webgpu-backend';
import type { GpuRuntime } from './gpu-runtime';

/** How {@link requestWebGPUDevice} picks the adapter. */
export interface DeviceRequest {
  /** Passed to `requestAdapter`. */
  readonly powerPreference?: 'low-power' | 'high-performance';
  /** Use this adapter instead of requesting one. */
  readonly adapter?: GPUAdapter;
}

/** Adapter limits raised to the adapter's maximum: big tensors, big tiles. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxStorageBuffersPerShaderStage',
] as const;

/**
 * Request an adapter (unless given) and a device with the adapter's largest buffer and workgroup
 * limits and `shader-f16` when the adapter has it; describe the adapter (software adapters such as
 * lavapipe or SwiftShader are flagged, as kernels tile differently for them).
 * @example
 * const { device, features } = await requestWebGPUDevice(navigator.gpu, { powerPreference: 'high-performance' });
 */
export async function requestWebGPUDevice(gpu: GPU, request: DeviceRequest = {}): Promise<{ device: GPUDevice; features: WebGPUFeatures }> {
  const adapter = request.adapter ?? (await gpu.requestAdapter({ powerPreference: request.powerPreference }));
  if (!adapter) throw new BackendError('webgpu: no WebGPU adapter is available (requestAdapter returned null)');
  const requiredLimits: Record<string, number> = {};
  for (const limit of RAISED_LIMITS) requiredLimits[limit] = adapter.limits[limit];
  const shaderF16 = adapter.features.has('shader-f16');
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures: shaderF16 ? ['shader-f16'] : [] });
  const info = adapter.info;
  const description = info ? [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown' : 'unknown';
  const software = info?.isFallbackAdapter === true || info?.architecture === 'software' || /llvmpipe|lavapipe|swiftshader/i.test(description);
  return { device, features: { shaderF16, adapter: description, software } };
}

/**
 * Record a lost device and the first uncaptured GPU error on `runtime`, which reports them on the next
 * call (kernels run asynchronously, so neither can be thrown where it happened).
 * @example
 * watchDevice(device, runtime);
 */
export function watchDevice(device: GPUDevice, runtime: GpuRuntime): void {
  void device.lost.then((info) => {
    runtime.lostMessage = `${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''}`;
  });
  const onError = (event: GPUUncapturedErrorEvent) => {
    runtime.deviceError ??= event.error?.message ?? String(event.error);
  };
  if (typeof device.addEventListener === 'function') device.addEventListener('uncapturederror', onError as EventListener);
  else (device as { onuncapturederror: unknown }).onuncapturederror = onError;
}
