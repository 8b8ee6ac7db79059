/**
 * Creating tensors: from JS data, constants, ranges and identity matrices.
 */
import type { DataArray, DType } from '../backend/backend';
import { resolveBackend } from '../backend/registry';
import { arrayFor, checkDType, dtypeOfArray } from '../dtype';
import { toFloat16Bits } from '../float16';
import { DTypeError, ShapeError, ValueError } from '../errors';
import { checkShape, formatShape, sizeOf } from '../shape';
import { Tensor } from '../tensor/tensor';
import { allocOutput, requireBackendDType, runKernel } from './dispatch';
import { checkAllFitDType, checkFitsDType } from './dtype-range';

/** Options shared by the creation functions. */
export interface CreationOptions {
  /** Element type (default float32; `tensor()` infers bool from booleans and keeps a typed array's type). */
  dtype?: DType;
  /** Make it a leaf that collects gradients. */
  requiresGrad?: boolean;
  /** Backend name (default: the current backend). */
  device?: string;
}

/** Options of {@link tensor}. */
export interface TensorOptions extends CreationOptions {
  /** Shape for flat data (typed arrays or flat number arrays); must match the element count. */
  shape?: readonly number[];
}

/** Nested arrays of numbers or booleans, as accepted by {@link tensor}. */
export type TensorLike = number | boolean | readonly TensorLike[] | ArrayBufferView;

function finish(result: Tensor, options: CreationOptions): Tensor {
  if (options.requiresGrad) result.requiresGrad = true;
  return result;
}

function inferShape(data: TensorLike, shape: number[] = []): number[] {
  if (Array.isArray(data)) {
    shape.push(data.length);
    if (data.length > 0) inferShape(data[0] as TensorLike, shape);
  } else if (ArrayBuffer.isView(data)) {
    shape.push((data as unknown as ArrayLike<number>).length);
  }
  return shape;
}

function flatten(data: TensorLike, shape: readonly number[], depth: number, out: (number | boolean)[]): void {
  if (depth === shape.length) {
    if (typeof data !== 'number' && typeof data !== 'boolean') {
      throw new ShapeError(`tensor: expected a number or boolean at depth ${depth}, got ${Array.isArray(data) ? 'an array' : typeof data} (ragged nested arrays?)`);
    }
    out.push(data);
    return;
  }
  const items = ArrayBuffer.isView(data) ? Array.from(data as unknown as ArrayLike<number>) : data;
  if (!Array.isArray(items) || items.length !== shape[depth]) {
    throw new ShapeError(
      `tensor: nested arrays are ragged: expected length ${shape[depth]} at depth ${depth} (shape ${formatShape(shape)}), got ` +
        (Array.isArray(items) ? `length ${items.length}` : typeof items),
    );
  }
  for (const item of items) flatten(item as TensorLike, shape, depth + 1, out);
}

/** Copy values into the boundary array of `dtype` (bool: non-zero → 1; float16: rounded to binary16 bits). */
function toTypedArray(values: ArrayLike<number | boolean>, dtype: DType): DataArray {
  if (dtype === 'float16') {
    const numbers = values instanceof Float32Array ? values : Array.from(values, Number);
    return toFloat16Bits(numbers);
  }
  const out = arrayFor(dtype, values.length);
  if (dtype === 'bool') for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  else for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
  return out;
}

/**
 * Create a tensor from a number, a boolean, nested arrays, or a typed array.
 * Numbers become float32 unless `dtype` says otherwise (JavaScript cannot tell `1` from `1.0`);
 * into int32 they truncate toward zero, and NaN, ±Infinity or values outside int32's range are refused
 * with a ValueError (PyTorch's overflow error) instead of wrapping around;
 * booleans become bool; typed arrays keep their type (Float32Array → float32, Int32Array → int32, Float64Array → float64).
 * `dtype: 'float16'` rounds every value to the nearest half (ties to even); a backend must list float16.
 * @example
 * tensor([[1, 2], [3, 4]]);                  // float32 [2, 2]
 * tensor([0, 2, 1], { dtype: 'int32' });     // class indices
 * tensor(new Float32Array(6), { shape: [2, 3] });
 * tensor([0.1, 1 / 3], { dtype: 'float16' }); // stored as binary16, read back as Float32Array
 */
export function tensor(data: TensorLike, options: TensorOptions = {}): Tensor {
  if (options.dtype !== undefined) checkDType('tensor', options.dtype);
  const backend = resolveBackend(options.device);
  let values: ArrayLike<number | boolean>;
  let shape: number[];
  let inferred: DType;
  if (ArrayBuffer.isView(data)) {
    if (data instanceof DataView) throw new DTypeError('tensor: a DataView is not supported; pass a typed array');
    inferred = dtypeOfArray(data);
    values = data as unknown as ArrayLike<number>;
    shape = [values.length];
  } else if (typeof data === 'number' || typeof data === 'boolean') {
    inferred = typeof data === 'boolean' ? 'bool' : 'float32';
    values = [data];
    shape = [];
  } else if (Array.isArray(data)) {
    shape = inferShape(data);
    const flat: (number | boolean)[] = [];
    flatten(data, shape, 0, flat);
    inferred = flat.length > 0 && flat.every((value) => typeof value === 'boolean') ? 'bool' : 'float32';
    if (flat.some((value) => typeof value !== 'number' && typeof value !== 'boolean')) {
      throw new DTypeError('tensor: nested arrays must hold numbers or booleans');
    }
    values = flat;
  } else {
    throw new DTypeError(`tensor: cannot make a tensor from ${data === null ? 'null' : typeof data}; pass a number, nested arrays or a typed array`);
  }
  if (options.shape) {
    const requested = checkShape('tensor', options.shape);
    if (sizeOf(requested) !== values.length) {
      throw new ShapeError(`tensor: shape ${formatShape(requested)} needs ${sizeOf(requested)} elements but the data has ${values.length}`);
    }
    shape = requested;
  }
  const dtype = options.dtype ?? inferred;
  requireBackendDType('tensor', backend, dtype);
  checkAllFitDType('tensor', values, dtype);
  const { storage } = allocOutput(backend, shape, dtype);
  if (values.length > 0) backend.write(storage.id, toTypedArray(values, dtype));
  return finish(Tensor.fromStorage(storage, shape), options);
}

/**
 * A tensor of `shape` filled with `value` (a value `dtype` cannot hold, like 3e9 into int32, is refused).
 * @example
 * full([2, 3], 7); // float32 filled with 7
 */
export function full(shape: readonly number[], value: number | boolean, options: CreationOptions = {}): Tensor {
  return filled('full', shape, value, options);
}

function filled(op: string, shape: readonly number[], value: number | boolean, options: CreationOptions): Tensor {
  const checked = checkShape(op, shape);
  const dtype = options.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  checkDType(op, dtype);
  checkFitsDType(op, value, dtype);
  const backend = resolveBackend(options.device);
  requireBackendDType(op, backend, dtype);
  return finish(
    runKernel(backend, checked, dtype, [], (out) => backend.fill(out, Number(value))),
    options,
  );
}

/** Zeros of `shape`. @example zeros([2, 2]) */
export function zeros(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** Ones of `shape`. @example ones([3], { dtype: 'int32' }) */
export function ones(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return full(shape, 1, options);
}

function likeOptions(like: Tensor, options: CreationOptions): CreationOptions {
  like.assertLive('*Like');
  return { dtype: like.dtype, device: like.device, ...options };
}

/** `full` with another tensor's shape, dtype and device. @example fullLike(x, 0.5) */
export function fullLike(like: Tensor, value: number, options: CreationOptions = {}): Tensor {
  return filled('fullLike', like.shape, value, likeOptions(like, options));
}

/** Zeros shaped like `like`. @example zerosLike(w) */
export function zerosLike(like: Tensor, options: CreationOptions = {}): Tensor {
  return full(like.shape, 0, likeOptions(like, options));
}

/** Ones shaped like `like`. @example onesLike(w) */
export function onesLike(like: Tensor, options: CreationOptions = {}): Tensor {
  return full(like.shape, 1, likeOptions(like, options));
}

/**
 * Values `start, start + step, …` below `end` (PyTorch's `arange`). With one argument, `0 … end − 1`.
 * The dtype is int32 when every argument is an integer, else float32.
 * @example
 * arange(5);          // int32 [0, 1, 2, 3, 4]
 * arange(0, 1, 0.25); // float32 [0, 0.25, 0.5, 0.75]
 */
export function arange(start: number, end?: number, step = 1, options: CreationOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (!Number.isFinite(start) || !Number.isFinite(end) || !Number.isFinite(step) || step === 0) {
    throw new ValueError(`arange: start ${start}, end ${end} and step ${step} must be finite and step non-zero`);
  }
  const count = Math.max(0, Math.ceil((end - start) / step));
  const dtype = options.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  checkDType('arange', dtype);
  const backend = resolveBackend(options.device);
  requireBackendDType('arange', backend, dtype);
  return finish(
    runKernel(backend, [count], dtype, [], (out) => backend.arange(out, start, step)),
    options,
  );
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive.
 * @example
 * linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, end: number, steps: number, options: CreationOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  const values = Array.from({ length: steps }, (_, i) => (i === steps - 1 && steps > 1 ? end : start + i * step));
  return tensor(values, { dtype: 'float32', ...options, shape: [steps] });
}

/**
 * An `n × m` matrix with ones on the diagonal.
 * @example
 * eye(3);
 */
export function eye(n: number, m = n, options: CreationOptions = {}): Tensor {
  checkShape('eye', [n, m]);
  const values = new Float64Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return tensor(values, { dtype: 'float32', ...options, shape: [n, m] });
}
