/**
 * Input checks shared by the attention and transformer modules: each error names the module's method,
 * the argument, what it got and what was expected.
 */
import { DTypeError, ShapeError, ValueError, formatShape, isTensor, type Tensor } from '@tessera/core';

/** Check that `value` is a tensor (a clear error instead of a TypeError deep inside an op). */
export function expectTensor(where: string, what: string, value: unknown): asserts value is Tensor {
  if (!isTensor(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new ValueError(`${where}: ${what} must be a Tensor, got ${got}`);
  }
}

/** Check the rank of `tensor` (one of `ranks`), describing the expected layout. */
export function expectRank(where: string, what: string, tensor: Tensor, ranks: readonly number[], layout: string): void {
  if (!ranks.includes(tensor.ndim)) {
    throw new ShapeError(`${where}: ${what} must be ${ranks.map((r) => `${r}-D`).join(' or ')} ${layout}, got shape ${formatShape(tensor.shape)}`);
  }
}

/** Check that the last dim of `tensor` is `size` (the feature size the module was built with). */
export function expectFeatures(where: string, what: string, tensor: Tensor, size: number, built: string): void {
  const features = tensor.shape[tensor.ndim - 1];
  if (features !== size) {
    throw new ShapeError(
      `${where}: ${what} has ${features} features in its last dim (shape ${formatShape(tensor.shape)}), but the module was built with ${built} = ${size}`,
    );
  }
}

/** Check that `tensor` has exactly the shape `expected`. */
export function expectShape(where: string, what: string, tensor: Tensor, expected: readonly number[], why = ''): void {
  if (tensor.ndim !== expected.length || tensor.shape.some((size, d) => size !== expected[d])) {
    throw new ShapeError(`${where}: ${what} must have shape ${formatShape(expected)}${why}, got ${formatShape(tensor.shape)}`);
  }
}

/** Check that `tensor` has the dtype of the module's parameters. */
export function expectDType(where: string, what: string, tensor: Tensor, dtype: string): void {
  if (tensor.dtype !== dtype) {
    throw new DTypeError(`${where}: ${what} is ${tensor.dtype}, but the module's parameters are ${dtype}; cast one to match (e.g. .double() or the dtype option)`);
  }
}

/** Check a mask's dtype: bool, or a float of the attention's dtype (an additive mask). */
export function expectMaskDType(where: string, what: string, mask: Tensor, dtype: string): void {
  if (mask.dtype !== 'bool' && mask.dtype !== dtype) {
    throw new DTypeError(
      `${where}: ${what} must be bool or an additive ${dtype} mask like the inputs, got ${mask.dtype} of shape ${formatShape(mask.shape)}`,
    );
  }
}

/** Check a positive integer constructor argument. */
export function expectPositiveInteger(where: string, what: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new ValueError(`${where}: ${what} must be a positive integer, got ${value}`);
}

/** Check a probability constructor argument. */
export function expectProbability(where: string, what: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new ValueError(`${where}: ${what} must be a probability in [0, 1], got ${value}`);
}
