/**
 * safetensors files from and to tensors (PyTorch / Hugging Face compatible).
 */
import { tensor } from '../ops/creation';
import type { Tensor } from '../tensor/tensor';
import { parseSafetensors, serializeSafetensors, type SafetensorsEntry } from './safetensors-format';

/**
 * Serialise named tensors (and optional string metadata) to safetensors bytes. Reads each tensor's data.
 * @example
 * const bytes = await saveSafetensors({ 'fc.weight': w, 'fc.bias': b }, { format: 'pt' });
 */
export async function saveSafetensors(record: Record<string, Tensor>, metadata?: Record<string, string>): Promise<Uint8Array> {
  const entries: Record<string, SafetensorsEntry> = {};
  for (const [name, value] of Object.entries(record)) {
    entries[name] = { dtype: value.dtype, shape: [...value.shape], data: await value.data() };
  }
  return serializeSafetensors(entries, metadata);
}

/** Options of {@link loadSafetensors}. */
export interface LoadSafetensorsOptions {
  /** Backend to create the tensors on (default: the current one). */
  device?: string;
}

/**
 * Parse safetensors bytes into tensors (F16/BF16 become float32, I64/I8/U8/I16/U16 become int32).
 * Malformed files throw a `SafetensorsError` naming the problem.
 * @example
 * const weights = loadSafetensors(new Uint8Array(await readFile('model.safetensors')));
 * weights['fc.weight'].shape;
 */
export function loadSafetensors(bytes: Uint8Array, options: LoadSafetensorsOptions = {}): Record<string, Tensor> {
  const { tensors } = parseSafetensors(bytes);
  const result: Record<string, Tensor> = {};
  for (const [name, entry] of Object.entries(tensors)) {
    result[name] = tensor(entry.data, { dtype: entry.dtype, shape: entry.shape, device: options.device });
  }
  return result;
}

/**
 * The `__metadata__` map of a safetensors file (without creating tensors).
 * @example
 * readSafetensorsMetadata(bytes).format; // 'pt'
 */
export function readSafetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return parseSafetensors(bytes).metadata;
}
