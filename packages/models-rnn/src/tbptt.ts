/**
 * Truncated backpropagation through time: walk a long sequence in windows, carry the recurrent state
 * from one window to the next *detached*, so each window's backward pass stops at its own start and the
 * cost per step stays constant however long the stream is — the standard way to train a recurrent
 * model on a book-length text.
 */
import { isTensor, tidy, ValueError, type Tensor } from '@tessera/core';
import { disposeState, type TensorState } from '@tessera/nn';

/** A recurrent state as the layers return it: `h`, `[h, c]`, or any nesting of arrays of tensors (nn's `TensorState`). */
export type RecurrentState = TensorState;

/** Options of {@link tbptt}. */
export interface TbpttOptions {
  /** Steps per window: how far back each backward pass reaches (PyTorch users call it k2). */
  window: number;
  /**
   * Steps the carried state advances per window (k1), default `window`. With `stride < window` the
   * windows overlap: the step must return the state after `info.carryAt` steps, not at the window's end.
   */
  stride?: number;
  /** The time dimension of `sequence` (default 0; 1 for batch-first input). */
  dim?: number;
}

/** Where a window sits in the stream, passed to the step function. */
export interface TbpttWindowInfo {
  /** 0, 1, 2, … */
  index: number;
  /** First time step of the window in the whole sequence. */
  start: number;
  /** Steps in this window (the last one may be shorter). */
  length: number;
  /** Steps after which the returned state must be taken: `min(stride, length)`. */
  carryAt: number;
}

/**
 * Run `step` on consecutive windows of `sequence`, carrying the state it returns, detached, into the
 * next window. `step` is synchronous (forward, loss, `backward()`, `optimizer.step()`): every tensor it
 * makes is freed when the window ends, except the state it returns, so memory stays flat over any
 * number of windows. Returns the final state (detached; dispose it when done). The caller's
 * `initialState` is never disposed.
 * @example
 * const lstm = new LSTM(1, 32);
 * const head = new Linear(32, 1);
 * const optimizer = new Adam([...lstm.parameters(), ...head.parameters()], { lr: 1e-2 });
 * // series: [T, 1, 1]; predict the next value in windows of 50 steps
 * const finalState = tbptt(series.narrow(0, 0, T - 1), { window: 50 }, (window, state, { start, length }) => {
 *   optimizer.zeroGrad();
 *   const [output, next] = lstm.forward(window, state);
 *   const target = series.narrow(0, start + 1, length);
 *   F.mseLoss(head.forward(output), target).backward();
 *   optimizer.step();
 *   return next;
 * });
 */
export function tbptt<State extends RecurrentState>(
  sequence: Tensor,
  options: TbpttOptions,
  step: (window: Tensor, state: State | undefined, info: TbpttWindowInfo) => State,
  initialState?: State,
): State | undefined {
  const { window } = options;
  const stride = options.stride ?? window;
  const dim = options.dim ?? 0;
  if (!Number.isInteger(window) || window <= 0) throw new ValueError(`tbptt: window must be a positive integer, got ${window}`);
  if (!Number.isInteger(stride) || stride <= 0 || stride > window) {
    throw new ValueError(`tbptt: stride must be an integer in 1…window (${window}), got ${stride}`);
  }
  if (!Number.isInteger(dim) || dim < 0 || dim >= sequence.ndim) {
    throw new ValueError(`tbptt: dim ${dim} is out of range for a sequence of shape [${sequence.shape.join(', ')}]`);
  }
  const steps = sequence.shape[dim];
  let state = initialState;
  for (let index = 0, start = 0; start < steps; index++, start += stride) {
    const length = Math.min(window, steps - start);
    const info: TbpttWindowInfo = { index, start, length, carryAt: Math.min(stride, length) };
    const previous = state;
    // tidy frees the window's graph and intermediates; only the detached state survives it.
    state = tidy(() => detachState(step(sequence.narrow(dim, start, length), previous, info)));
    if (previous !== undefined && previous !== initialState) disposeState(previous);
  }
  return state;
}

function detachState<State extends RecurrentState>(state: State): State {
  if (isTensor(state)) return state.detach() as State;
  if (Array.isArray(state)) return state.map((part: RecurrentState) => detachState(part)) as unknown as State;
  throw new ValueError('tbptt: the step must return the recurrent state: a tensor or an array of tensors (e.g. [h, c])');
}
