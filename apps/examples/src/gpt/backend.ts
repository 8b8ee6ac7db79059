/**
 * Backend choice for the main job. `auto` takes WebGPU when there is a hardware adapter and the CPU
 * otherwise: a software adapter (Mesa lavapipe, SwiftShader) runs WGSL on the CPU, slower than the
 * CPU backend's SIMD kernels.
 */
import '@tessera/backend-cpu';
import '@tessera/backend-webgpu';
import { backendUnavailableReason, ensureBackend, setBackend, ValueError } from '@tessera/core';

/** The backend a run used, and why. */
export interface ChosenBackend {
  name: 'cpu' | 'webgpu';
  /** A line for the log: the adapter, or why WebGPU was not taken. */
  note: string;
}

/**
 * Makes the asked-for backend current: `'cpu'`, `'webgpu'` (an error if there is no adapter), or
 * `'auto'` (hardware WebGPU, else cpu).
 * @example
 * const { name, note } = await chooseBackend('auto'); // 'cpu', 'no WebGPU adapter …' on a machine without a GPU
 */
export async function chooseBackend(wanted: 'auto' | 'cpu' | 'webgpu'): Promise<ChosenBackend> {
  if (wanted === 'cpu') {
    await setBackend('cpu');
    return { name: 'cpu', note: 'cpu (asked for)' };
  }
  let adapter: { adapter?: string; software?: boolean } | undefined;
  try {
    const backend = await ensureBackend('webgpu');
    adapter = (backend as { features?: { adapter?: string; software?: boolean } }).features ?? {};
  } catch (error) {
    if (wanted === 'webgpu') throw new ValueError(`--backend webgpu: ${backendUnavailableReason('webgpu') ?? (error as Error).message}`);
    await setBackend('cpu');
    return { name: 'cpu', note: `cpu (webgpu unavailable: ${backendUnavailableReason('webgpu') ?? (error as Error).message})` };
  }
  if (wanted === 'auto' && adapter.software) {
    await setBackend('cpu');
    return { name: 'cpu', note: `cpu (the WebGPU adapter ${adapter.adapter ?? ''} is a software one; --backend webgpu uses it anyway)` };
  }
  await setBackend('webgpu');
  return { name: 'webgpu', note: `webgpu (${adapter.adapter ?? 'adapter'}${adapter.software ? ', software' : ''})` };
}
