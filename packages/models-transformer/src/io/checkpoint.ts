/**
 * Reading Hugging Face `model.safetensors` checkpoints into a model, shared by BERT and T5: the file's
 * tensors under normalised keys, then every copy checked (presence, shape, floating dtype) before
 * anything is written, so a bad file leaves the model untouched and the error names the tensor.
 */
import { DTypeError, formatShape, fromFloat16Bits, noGrad, parseSafetensors, ShapeError, tensor, ValueError, type SafetensorsEntry, type Tensor } from '@tessera/core';

/** One tensor of a checkpoint, with the key it has in the file. */
export interface CheckpointTensor {
  /** The key in the file (before normalisation), for error messages. */
  readonly fileKey: string;
  readonly entry: SafetensorsEntry;
}

/** `keys` for an error message: all of them, or the first 24 and a count. */
export function listKeys(keys: readonly string[]): string {
  return keys.length <= 24 ? keys.join(', ') : `${keys.slice(0, 24).join(', ')}, … (${keys.length} in all)`;
}

/**
 * Throw one `ValueError` naming both the file's tensors the model has no place for and the model's
 * tensors the file lacks (either list may be empty; nothing is thrown when both are).
 * @example
 * checkKeys('T5Model.fromPretrained', 'T5Model', ['extra.weight'], []);
 */
export function checkKeys(where: string, modelName: string, unexpected: readonly string[], missing: readonly string[]): void {
  const problems: string[] = [];
  if (unexpected.length) problems.push(`unexpected tensors for ${modelName}: ${listKeys(unexpected)}`);
  if (missing.length) problems.push(`the weights lack ${missing.length} tensor${missing.length > 1 ? 's' : ''} of ${modelName}: ${listKeys(missing)}`);
  if (problems.length) throw new ValueError(`${where}: ${problems.join('; ')}`);
}

/**
 * The tensors of a safetensors file by normalised key: `normalize` maps a file key to the key the
 * loader works with (e.g. without a `bert.` prefix), or null to skip a tensor the model has no use for
 * (a stored buffer such as `position_ids`). Two file keys that normalise alike are an error.
 * @example
 * const tensors = readCheckpoint('BertModel.fromPretrained', bytes, (key) => key.replace(/^bert\./, ''));
 */
export function readCheckpoint(where: string, weights: Uint8Array | ArrayBuffer, normalize: (fileKey: string) => string | null): Map<string, CheckpointTensor> {
  if (!(weights instanceof Uint8Array) && !(weights instanceof ArrayBuffer)) {
    throw new ValueError(`${where}: weights must be the bytes of a model.safetensors file (a Uint8Array), got ${weights === null ? 'null' : typeof weights}`);
  }
  const { tensors } = parseSafetensors(weights);
  const read = new Map<string, CheckpointTensor>();
  for (const [fileKey, entry] of Object.entries(tensors)) {
    const key = normalize(fileKey);
    if (key === null) continue;
    const earlier = read.get(key);
    if (earlier) throw new ValueError(`${where}: the file holds '${key}' twice, as '${earlier.fileKey}' and as '${fileKey}'`);
    read.set(key, { fileKey, entry });
  }
  return read;
}

/**
 * Copy checkpoint tensors into parameters: `copies` pairs each target tensor (a parameter or buffer
 * of the model, named by `name`) with its source. Checks every shape and dtype first (F32, F16, BF16
 * and F64 convert to the target's dtype), then copies without recording gradients.
 * @example
 * copyIntoModel('BertModel.fromPretrained', [{ name: 'pooler.dense.weight', target, source }]);
 */
export function copyIntoModel(where: string, copies: readonly { name: string; target: Tensor; source: CheckpointTensor }[]): void {
  for (const { name, target, source } of copies) {
    const { entry, fileKey } = source;
    const stored = fileKey === name ? `'${name}'` : `'${fileKey}' (for ${name})`;
    if (entry.dtype !== 'float32' && entry.dtype !== 'float64' && entry.dtype !== 'float16') {
      throw new DTypeError(`${where}: tensor ${stored} is ${entry.dtype}; weights must be floating point (F32, F16, BF16 or F64)`);
    }
    if (formatShape(entry.shape) !== formatShape(target.shape)) {
      throw new ShapeError(`${where}: tensor ${stored} has shape ${formatShape(entry.shape)}, expected ${formatShape(target.shape)} from the config: the config disagrees with the weights`);
    }
  }
  noGrad(() => {
    for (const { target, source } of copies) {
      const { entry } = source;
      const data = entry.dtype === 'float16' ? fromFloat16Bits(entry.data as Uint16Array) : (entry.data as Float32Array | Float64Array);
      const value = tensor(data, { dtype: target.dtype as 'float32' | 'float64', shape: entry.shape, device: target.device });
      target.assign(value);
      value.dispose();
    }
  });
}
