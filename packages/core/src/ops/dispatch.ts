/**
 * How core calls a backend: check operands, build strided views, allocate the output, run the kernel.
 */
import type { Backend, DType, OutputBuffer, StridedView } from '../backend/backend';
import { backendName, resolveBackend } from '../backend/registry';
import { isFloating } from '../dtype';
import { BackendError, DTypeError } from '../errors';
import { contiguousStrides, formatShape, isContiguous, sizeOf } from '../shape';
import { Storage } from '../tensor/storage';
import { Tensor } from '../tensor/tensor';
import { checkFitsDType } from './dtype-range';

/**
 * The one backend all `tensors` live on, after checking none is disposed.
 * Mixing backends is an error that names both devices.
 */
export function backendOf(op: string, tensors: readonly Tensor[]): Backend {
  let backend: Backend | null = null;
  for (const tensor of tensors) {
    tensor.assertLive(op);
    if (backend === null) backend = tensor.storage.backend;
    else if (tensor.storage.backend !== backend) {
      throw new BackendError(
        `${op}: operands live on different backends ('${backendName(backend)}' and '${tensor.device}'); ` +
          `move one with await t.to('${backendName(backend)}') first`,
      );
    }
  }
  return backend ?? resolveBackend(undefined);
}

/** The strided view of a tensor as it is. */
export function viewOf(tensor: Tensor): StridedView {
  return { id: tensor.storage.id, dtype: tensor.dtype, shape: tensor.shape, strides: tensor.strides, offset: tensor.offset };
}

/** A view of `tensor` broadcast to `shape` (stride 0 on new and expanded dims); shapes must be compatible. */
export function broadcastView(tensor: Tensor, shape: readonly number[]): StridedView {
  const lead = shape.length - tensor.ndim;
  const strides = shape.map((dim, i) => {
    if (i < lead) return 0;
    const own = tensor.shape[i - lead];
    return own === dim ? tensor.strides[i - lead] : 0;
  });
  return { id: tensor.storage.id, dtype: tensor.dtype, shape, strides, offset: tensor.offset };
}

/**
 * Throw a DTypeError naming `op` unless `backend` lists `dtype` in its capabilities (float16 and
 * float64 are optional), suggesting a cast to float32.
 * @example
 * requireBackendDType('tensor', backend, 'float16'); // throws on a backend without float16
 */
export function requireBackendDType(op: string, backend: Backend, dtype: DType): void {
  if (backend.capabilities.dtypes.includes(dtype)) return;
  throw new DTypeError(
    `${op}: backend '${backendName(backend)}' does not support dtype ${dtype} (it supports ${backend.capabilities.dtypes.join(', ')}); ` +
      `use float32 instead (e.g. .float(), or { dtype: 'float32' })`,
  );
}

/** Allocate a contiguous output of `shape` on `backend`. */
export function allocOutput(backend: Backend, shape: readonly number[], dtype: DType): { storage: Storage; out: OutputBuffer } {
  requireBackendDType('alloc', backend, dtype);
  const storage = Storage.allocate(backend, sizeOf(shape), dtype);
  return { storage, out: { id: storage.id, dtype, shape } };
}

/**
 * Make views acceptable to the backend: a backend without `stridedInputs` gets contiguous copies
 * (freed once the kernel is queued; backends free buffers only after queued work is done).
 */
function prepareInputs(backend: Backend, views: readonly StridedView[]): { views: StridedView[]; temps: Storage[] } {
  if (backend.capabilities.stridedInputs) return { views: [...views], temps: [] };
  const temps: Storage[] = [];
  const prepared = views.map((view) => {
    if (view.offset === 0 && isContiguous(view.shape, view.strides)) return view;
    const { storage, out } = allocOutput(backend, view.shape, view.dtype);
    backend.assign({ ...out, strides: contiguousStrides(view.shape), offset: 0 }, view);
    temps.push(storage);
    return { ...out, strides: contiguousStrides(view.shape), offset: 0 };
  });
  return { views: prepared, temps };
}

/**
 * Allocate an output, run `compute` with it and the prepared input views, and wrap it in a Tensor.
 * @example
 * runKernel(backend, shape, 'float32', [viewOf(x)], (out, [xv]) => backend.unary('exp', xv, out));
 */
export function runKernel(
  backend: Backend,
  shape: readonly number[],
  dtype: DType,
  inputs: readonly StridedView[],
  compute: (out: OutputBuffer, views: StridedView[]) => void,
): Tensor {
  const { storage, out } = allocOutput(backend, shape, dtype);
  const { views, temps } = prepareInputs(backend, inputs);
  try {
    compute(out, views);
  } catch (error) {
    storage.release();
    throw error;
  } finally {
    for (const temp of temps) temp.release();
  }
  return Tensor.fromStorage(storage, shape);
}

/** Like {@link runKernel} for kernels with a second output (e.g. maxPool2d indices, layerNorm statistics). */
export function runKernelMulti(
  backend: Backend,
  outputs: readonly { shape: readonly number[]; dtype: DType }[],
  inputs: readonly StridedView[],
  compute: (outs: OutputBuffer[], views: StridedView[]) => void,
): Tensor[] {
  const allocated = outputs.map(({ shape, dtype }) => allocOutput(backend, shape, dtype));
  const { views, temps } = prepareInputs(backend, inputs);
  try {
    compute(
      allocated.map((entry) => entry.out),
      views,
    );
  } catch (error) {
    for (const entry of allocated) entry.storage.release();
    throw error;
  } finally {
    for (const temp of temps) temp.release();
  }
  return allocated.map((entry, i) => Tensor.fromStorage(entry.storage, outputs[i].shape));
}

/**
 * A 0-d tensor holding `value` on `backend`, for `op`'s scalar operand. A number `dtype` cannot hold
 * (3e9 as int32) is refused with an error naming `op`, rather than stored saturated or wrapped.
 */
export function scalarOn(op: string, backend: Backend, value: number | boolean, dtype: DType): Tensor {
  checkFitsDType(op, value, dtype);
  return runKernel(backend, [], dtype, [], (out) => backend.fill(out, Number(value)));
}

/** Throw a DTypeError naming `op` unless `dtype` is floating point. */
export function requireFloat(op: string, tensor: Tensor, hint = ''): void {
  if (!isFloating(tensor.dtype)) {
    throw new DTypeError(`${op}: expected a floating-point tensor, got ${tensor.dtype} of shape ${formatShape(tensor.shape)}${hint}`);
  }
}
