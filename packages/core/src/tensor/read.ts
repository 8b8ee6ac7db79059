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

/** Nested arrays of numbers, as returned by `array()`. */
export type NestedArray = number | NestedArray[];

/** A contiguous version of `tensor` (itself when it already is) and whether it is a temporary. */
function contiguousSource(tensor: Tensor): Tensor {
  return tensor.isContiguous() ? tensor : contiguous(tensor);
}

/** All elements, row-major, in a new typed array. */
export async function readData(tensor: Tensor): Promise<DataArray> {
  tensor.assertLive('data');
  if (tensor.size === 0) return arrayFor(tensor.dtype, 0);
  const source = contiguousSource(tensor);
  try {
    return await source.storage.backend.read(source.storage.id, source.dtype, source.offset, source.size);
  } finally {
    if (source !== tensor) source.dispose();
  }
}

/** All elements, synchronously; only on backends that advertise `syncRead`. */
export function readDataSync(tensor: Tensor): DataArray {
  tensor.assertLive('dataSync');
  const backend = tensor.storage.backend;
  if (!backend.capabilities.syncRead || !backend.readSync) {
    throw new BackendError(
      `dataSync: backend '${backendName(backend)}' cannot read synchronously (shape ${formatShape(tensor.shape)}); use await tensor.data() instead`,
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
  if (!backend.capabilities.dtypes.includes(source.dtype)) {
    throw new BackendError(`to: backend '${backendName(backend)}' does not support ${source.dtype}; cast first (e.g. .float())`);
  }
  const storage = Storage.allocate(backend, source.size, source.dtype);
  if (source.size > 0) backend.write(storage.id, data);
  return Tensor.fromStorage(storage, source.shape);
}

/** The gradient of a transfer goes back to the source backend, which needs a synchronous read of the gradient. */
function transferBack(grad: Tensor, target: Backend): Tensor {
  return createOn(target, readDataSync(grad), grad);
}

/** A copy of `tensor` on `backend` (recorded by autograd when gradients flow). */
export async function transfer(tensor: Tensor, backend: Backend): Promise<Tensor> {
  const sourceBackend = tensor.storage.backend;
  const data = await readData(tensor);
  const moved = createOn(backend, data, tensor);
  if (isFloating(tensor.dtype)) {
    recordOp('to', [tensor], moved, (grad) => [transferBack(grad, sourceBackend)]);
  }
  return moved;
}
