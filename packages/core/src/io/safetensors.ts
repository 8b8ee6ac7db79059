/**
 * safetensors files from and to tensors (PyTorch / Hugging Face compatible).
 */
import { resolveBackend } from '../backend/registry';
import { fromFloat16Bits } from '../float16';
import { tensor } from '../ops/creation';
import { allocOutput } from '../ops/dispatch';
import { readRaw } from '../tensor/read';
import { Tensor } from '../tensor/tensor';
import { parseSafetensors, safetensorsBytes, serializeSafetensors, type SafetensorsEntry } from './safetensors-format';

/**
 * Serialise named tensors (and optional string metadata) to safetensors bytes. Reads each tensor's data;
 * float16 tensors are written as F16 with their exact bits.
 * @example
 * const bytes = await saveSafetensors({ 'fc.weight': w, 'fc.bias': b }, { format: 'pt' });
 */
export async function saveSafetensors(record: Record<string, Tensor>, metadata?: Record<string, string>): Promise<Uint8Array> {
  const entries: Record<string, SafetensorsEntry> = {};
  for (const [name, value] of Object.entries(record)) {
    entries[name] = { dtype: value.dtype, shape: [...value.shape], data: await readRaw(value, 'saveSafetensors') };
  }
  return serializeSafetensors(entries, metadata);
}

/** Options of {@link loadSafetensors}. */
export interface LoadSafetensorsOptions {
  /** Backend to create the tensors on (default: the current one). */
  device?: string;
}

/**
 * Parse safetensors bytes into tensors: F16 becomes float16 with its exact bits where the backend lists
 * float16 (else float32, exactly widened), BF16 becomes float32, I64/I8/U8/I16/U16 become int32.
 * Malformed files throw a `SafetensorsError` naming the problem. The result has no prototype, so a
 * tensor may be named `__proto__` or `constructor`.
 * @example
 * const weights = loadSafetensors(new Uint8Array(await readFile('model.safetensors')));
 * weights['fc.weight'].shape;
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer, options: LoadSafetensorsOptions = {}): Record<string, Tensor> {
  const { tensors } = parseSafetensors(safetensorsBytes(bytes, 'loadSafetensors'));
  const backend = resolveBackend(options.device);
  const keepHalf = backend.capabilities.dtypes.includes('float16');
  const result = Object.create(null) as Record<string, Tensor>;
  for (const [name, entry] of Object.entries(tensors)) {
    if (entry.dtype !== 'float16') {
      result[name] = tensor(entry.data, { dtype: entry.dtype, shape: entry.shape, device: options.device });
    } else if (keepHalf) {
      // Write the bits directly: going through numbers would lose NaN payloads.
      const { storage } = allocOutput(backend, entry.shape, 'float16');
      if (entry.data.length > 0) backend.write(storage.id, entry.data);
      result[name] = Tensor.fromStorage(storage, entry.shape);
    } else {
      result[name] = tensor(fromFloat16Bits(entry.data as Uint16Array), { dtype: 'float32', shape: entry.shape, device: options.device });
    }
  }
  return result;
}

/**
 * The `__metadata__` map of a safetensors file (without creating tensors).
 * @example
 * readSafetensorsMetadata(bytes).format; // 'pt'
 */
export function readSafetensorsMetadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> {
  return parseSafetensors(bytes).metadata;
}
