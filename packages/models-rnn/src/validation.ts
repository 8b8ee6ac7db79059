/**
 * Input checks shared by the recurrent cells and layers: each error names the layer, what it got and
 * what it expected.
 */
import { DTypeError, ShapeError, ValueError, formatShape, type Tensor } from '@tessera/core';

/** Check that `tensor` has exactly `expected` as its shape. */
export function expectShape(where: string, what: string, tensor: Tensor, expected: readonly number[]): void {
  if (tensor.shape.length !== expected.length || tensor.shape.some((size, d) => size !== expected[d])) {
    throw new ShapeError(`${where}: ${what} must have shape ${formatShape(expected)}, got ${formatShape(tensor.shape)}`);
  }
}

/** Check that `tensor` has the dtype of the layer's parameters. */
export function expectDType(where: string, what: string, tensor: Tensor, dtype: string): void {
  if (tensor.dtype !== dtype) {
    throw new DTypeError(`${where}: ${what} must be ${dtype} like the layer's parameters, got ${tensor.dtype}`);
  }
}

/** Check the input's rank (one of `ranks`) and its feature size (the last dim). */
export function expectInput(where: string, input: Tensor, ranks: readonly number[], inputSize: number, layout: string): void {
  if (!ranks.includes(input.ndim)) {
    throw new ShapeError(
      `${where}: expected a ${ranks.join('-D or ')}-D input ${layout}, got shape ${formatShape(input.shape)}`,
    );
  }
  const features = input.shape[input.ndim - 1];
  if (features !== inputSize) {
    throw new ShapeError(
      `${where}: input has ${features} features in its last dim (shape ${formatShape(input.shape)}), but the layer was built with inputSize ${inputSize}`,
    );
  }
}

/** The nonlinearity option of `RNN` and `RNNCell`: `'tanh'` (default) or `'relu'`. */
export function expectNonlinearity(where: string, value: string | undefined): 'tanh' | 'relu' {
  const nonlinearity = value ?? 'tanh';
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
    throw new ValueError(`${where}: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nonlinearity)}`);
  }
  return nonlinearity;
}
