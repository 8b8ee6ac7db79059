/**
 * Reading tensor data back to the host, and moving tensors between backends.
 */
import type { Backend, DataArray } from '../backend/backend';
import { backendName } from '../backend/registry';
import { recordOp } from '../autograd/record';
import { arrayFor, isFloating } from '../dtype';
import { BackendError } from '../errors';
import { formatShape } from '../shape';
import { Storage } from './storage';
import { Tensor } from './tensor';
import { contiguous } from '../ops/view';
import { requireBackendDType } from '../ops/dispatch';
import { fromFloat16Bits } from '../float16';

/** Nested arrays of numbers, as returned by `array()`. */
export type NestedArray = number | NestedArray[];

/** A contiguous version of `tensor` (itself when it already is) and whether it is a temporary. */
function contiguousSource(tensor: Tensor): Tensor {
  return tensor.isContiguous() ? tensor : contiguous(tensor);
}

/**
 * All elements, row-major, as the backend boundary holds them (float16: Uint16Array of bit patterns).
 * Used where bits must survive exactly (transfers, safetensors); users get {@link readData}.
 */
export async function readRaw(tensor: Tensor, op = 'data'): Promise<DataArray> {
  tensor.assertLive(op);
  if (tensor.size === 0) return arrayFor(tensor.dtype, 0);
  const source = contiguousSource(tensor);
  try {
    return await source.storage.backend.read(source.storage.id, source.dtype, source.offset, source.size);
  } finally {
    if (source !== tensor) source.dispose();
  }
}

/** Synchronous {@link readRaw}; only on backends that advertise `syncRead`. */
export function readRawSync(tensor: Tensor, op = 'dataSync'): DataArray {
  tensor.assertLive(op);
  const backend = tensor.storage.backend;
  if (!backend.capabilities.syncRead || !backend.readSync) {
    throw new BackendError(
      `${op}: backend '${backendName(backend)}' cannot read synchronously (shape ${formatShape(tensor.shape)}); use await tensor.data() instead`,
    );
  }
  if (tensor.size === 0) return arrayFor(tensor.dtype, 0);
  const source = contiguousSource(tensor);
  try {
    return backend.readSync(source.storage.id, source.dtype, source.offset, source.size);
  } finally {
    if (source !== tensor) source.dispose();
  }
}

/** What users see of boundary data: float16 bits widen (exactly) to a Float32Array; other dtypes as they are. */
function toUserArray(tensor: Tensor, raw: DataArray): DataArray {
  return tensor.dtype === 'float16' ? fromFloat16Bits(raw as Uint16Array) : raw;
}

/** All elements, row-major, in a new typed array (float16 tensors give a Float32Array). */
export async function readData(tensor: Tensor): Promise<DataArray> {
  return toUserArray(tensor, await readRaw(tensor));
}

/** All elements, synchronously; only on backends that advertise `syncRead`. */
export function readDataSync(tensor: Tensor): DataArray {
  return toUserArray(tensor, readRawSync(tensor));
}

/** Row-major flat data to nested arrays of `shape`. */
export function toNested(data: DataArray, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return data[0];
  let position = 0;
  const build = (depth: number): NestedArray[] => {
    const size = shape[depth];
    const result: NestedArray[] = new Array(size);
    for (let i = 0; i < size; i++) result[i] = depth === shape.length - 1 ? data[position++] : build(depth + 1);
    return result;
  };
  return build(0);
}

function createOn(backend: Backend, data: DataArray, source: Tensor): Tensor {
  requireBackendDType('to', backend, source.dtype);
  const storage = Storage.allocate(backend, source.size, source.dtype);
  if (source.size > 0) backend.write(storage.id, data);
  return Tensor.fromStorage(storage, source.shape);
}

/** The gradient of a transfer goes back to the source backend, which needs a synchronous read of the gradient. */
function transferBack(grad: Tensor, target: Backend): Tensor {
  return createOn(target, readRawSync(grad, 'to'), grad);
}

/** A copy of `tensor` on `backend` (recorded by autograd when gradients flow). */
export async function transfer(tensor: Tensor, backend: Backend): Promise<Tensor> {
  const sourceBackend = tensor.storage.backend;
  const data = await readRaw(tensor, 'to');
  const moved = createOn(backend, data, tensor);
  if (isFloating(tensor.dtype)) {
    recordOp('to', [tensor], moved, (grad) => [transferBack(grad, sourceBackend)]);
  }
  return moved;
}
