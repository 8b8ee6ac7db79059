/**
 * A model's decoding state as plain data: a tensor or nested arrays of tensors — an RNN's `h`, an
 * LSTM's `[h, c]`, a transformer's per-layer `[key, value]` cache.
 */
import { isTensor, type Tensor } from '@tessera/core';

/** A tensor or any nesting of arrays of tensors. */
export type TensorState = Tensor | readonly TensorState[];

/**
 * Dispose every tensor of a state.
 * @example
 * disposeState([h, c]);
 */
export function disposeState(state: TensorState): void {
  if (isTensor(state)) state.dispose();
  else for (const part of state) disposeState(part);
}
