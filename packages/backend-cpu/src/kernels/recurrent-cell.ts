/**
 * The LSTM and GRU cell kernels (forward and backward): one pass over each row's gates, computing
 * in float64 and storing in the output's dtype. Core sends contiguous float32/float64 operands; a
 * strided one is copied first so a direct caller still gets the right answer. The backend runs them
 * for float64 only (see its lstmCell): for float32 the composite's SIMD kernels are faster.
 */
import { stableSigmoid } from '@tessera/core/backend';
import { floatOperand as operand, floatTarget as target } from './float-operands';
import type { ArrayView } from './strided';

/** The last dim of a `[..., H]` view (its row length) and the row count. */
function rowsOf(view: ArrayView): [number, number] {
  const hidden = view.shape[view.shape.length - 1] ?? 0;
  const size = view.shape.reduce((product, dim) => product * dim, 1);
  return [hidden === 0 ? 0 : size / hidden, hidden];
}

/**
 * LSTM forward (gate order i, f, g, o): `state` `[2, rows, H]` gets h' then c', `gates` the activated
 * i, f, g, o of each row.
 * @example
 * const row = (values: number[]) => ({ data: new Float64Array(values), shape: [1, values.length], strides: [values.length, 1], offset: 0 });
 * const state = new Float64Array(2), gates = new Float64Array(4);
 * lstmCellKernel(row([0, 0, 0, 0]), row([0, 0, 0, 0]), row([1]), state, gates); // c' = 0.5, h' = 0.5·tanh(0.5)
 */
export function lstmCellKernel(inputGates: ArrayView, hiddenGates: ArrayView, c: ArrayView, state: unknown, gates: unknown): void {
  const op = 'lstmCell';
  const x = operand(op, inputGates), hp = operand(op, hiddenGates), cp = operand(op, c);
  const stateOut = target(op, state), gatesOut = target(op, gates);
  const [rows, hidden] = rowsOf(c);
  const xs = x.data, hs = hp.data, cs = cp.data;
  const cellBase = rows * hidden;
  for (let row = 0; row < rows; row++) {
    const gateRow = row * 4 * hidden;
    const xRow = x.offset + gateRow, hRow = hp.offset + gateRow, cRow = cp.offset + row * hidden, outRow = row * hidden;
    for (let j = 0; j < hidden; j++) {
      const i = stableSigmoid(xs[xRow + j] + hs[hRow + j]);
      const f = stableSigmoid(xs[xRow + hidden + j] + hs[hRow + hidden + j]);
      const g = Math.tanh(xs[xRow + 2 * hidden + j] + hs[hRow + 2 * hidden + j]);
      const o = stableSigmoid(xs[xRow + 3 * hidden + j] + hs[hRow + 3 * hidden + j]);
      const cNext = f * cs[cRow + j] + i * g;
      stateOut[outRow + j] = o * Math.tanh(cNext);
      stateOut[cellBase + outRow + j] = cNext;
      gatesOut[gateRow + j] = i;
      gatesOut[gateRow + hidden + j] = f;
      gatesOut[gateRow + 2 * hidden + j] = g;
      gatesOut[gateRow + 3 * hidden + j] = o;
    }
  }
}

/**
 * LSTM backward: from `gradState` `[2, rows, H]` (of h', c'), the activated gates, c and the output
 * state, writes the pre-activation gate gradient `[rows, 4H]` and the gradient of c.
 * @example
 * lstmCellBackwardKernel(gradState, gates, c, state, gradGates, gradC);
 */
export function lstmCellBackwardKernel(gradState: ArrayView, gates: ArrayView, c: ArrayView, state: ArrayView, gradGates: unknown, gradC: unknown): void {
  const op = 'lstmCellBackward';
  const gp = operand(op, gradState), ap = operand(op, gates), cp = operand(op, c), sp = operand(op, state);
  const gatesOut = target(op, gradGates), cOut = target(op, gradC);
  const [rows, hidden] = rowsOf(c);
  const gs = gp.data, as = ap.data, cs = cp.data, ss = sp.data;
  const cellBase = rows * hidden;
  for (let row = 0; row < rows; row++) {
    const gateRow = row * 4 * hidden, outRow = row * hidden;
    const aRow = ap.offset + gateRow, cRow = cp.offset + outRow;
    for (let j = 0; j < hidden; j++) {
      const i = as[aRow + j], f = as[aRow + hidden + j], g = as[aRow + 2 * hidden + j], o = as[aRow + 3 * hidden + j];
      const gradH = gs[gp.offset + outRow + j];
      const tanhC = Math.tanh(ss[sp.offset + cellBase + outRow + j]);
      const gradCell = gs[gp.offset + cellBase + outRow + j] + gradH * o * (1 - tanhC * tanhC);
      gatesOut[gateRow + j] = gradCell * g * i * (1 - i);
      gatesOut[gateRow + hidden + j] = gradCell * cs[cRow + j] * f * (1 - f);
      gatesOut[gateRow + 2 * hidden + j] = gradCell * i * (1 - g * g);
      gatesOut[gateRow + 3 * hidden + j] = gradH * tanhC * o * (1 - o);
      cOut[outRow + j] = gradCell * f;
    }
  }
}

/**
 * GRU forward (gate order r, z, n; r scales the hidden projection incl. its bias): `out` gets
 * h' = (1 − z)·n + z·h, `gates` the activated r, z, n of each row.
 * @example
 * gruCellKernel(inputGates, hiddenGates, h, out, gates);
 */
export function gruCellKernel(inputGates: ArrayView, hiddenGates: ArrayView, h: ArrayView, out: unknown, gates: unknown): void {
  const op = 'gruCell';
  const x = operand(op, inputGates), hp = operand(op, hiddenGates), sp = operand(op, h);
  const hOut = target(op, out), gatesOut = target(op, gates);
  const [rows, hidden] = rowsOf(h);
  const xs = x.data, hs = hp.data, ss = sp.data;
  for (let row = 0; row < rows; row++) {
    const gateRow = row * 3 * hidden, outRow = row * hidden;
    const xRow = x.offset + gateRow, hRow = hp.offset + gateRow, sRow = sp.offset + outRow;
    for (let j = 0; j < hidden; j++) {
      const r = stableSigmoid(xs[xRow + j] + hs[hRow + j]);
      const z = stableSigmoid(xs[xRow + hidden + j] + hs[hRow + hidden + j]);
      const n = Math.tanh(xs[xRow + 2 * hidden + j] + r * hs[hRow + 2 * hidden + j]);
      hOut[outRow + j] = n + z * (ss[sRow + j] - n);
      gatesOut[gateRow + j] = r;
      gatesOut[gateRow + hidden + j] = z;
      gatesOut[gateRow + 2 * hidden + j] = n;
    }
  }
}

/**
 * GRU backward: from the gradient of h', the activated gates, the hidden projection and h, writes
 * the pre-activation gradients of both gate inputs (the hidden n block scaled by r) and of h.
 * @example
 * gruCellBackwardKernel(grad, gates, hiddenGates, h, gradInputGates, gradHiddenGates, gradH);
 */
export function gruCellBackwardKernel(
  grad: ArrayView, gates: ArrayView, hiddenGates: ArrayView, h: ArrayView,
  gradInputGates: unknown, gradHiddenGates: unknown, gradH: unknown,
): void {
  const op = 'gruCellBackward';
  const gp = operand(op, grad), ap = operand(op, gates), hp = operand(op, hiddenGates), sp = operand(op, h);
  const inputOut = target(op, gradInputGates), hiddenOut = target(op, gradHiddenGates), hOut = target(op, gradH);
  const [rows, hidden] = rowsOf(h);
  const gs = gp.data, as = ap.data, hs = hp.data, ss = sp.data;
  for (let row = 0; row < rows; row++) {
    const gateRow = row * 3 * hidden, outRow = row * hidden;
    const aRow = ap.offset + gateRow, hRow = hp.offset + gateRow;
    for (let j = 0; j < hidden; j++) {
      const r = as[aRow + j], z = as[aRow + hidden + j], n = as[aRow + 2 * hidden + j];
      const g = gs[gp.offset + outRow + j];
      const gradUpdate = g * (ss[sp.offset + outRow + j] - n) * z * (1 - z);
      const gradNew = g * (1 - z) * (1 - n * n);
      const gradReset = gradNew * hs[hRow + 2 * hidden + j] * r * (1 - r);
      inputOut[gateRow + j] = gradReset;
      inputOut[gateRow + hidden + j] = gradUpdate;
      inputOut[gateRow + 2 * hidden + j] = gradNew;
      hiddenOut[gateRow + j] = gradReset;
      hiddenOut[gateRow + hidden + j] = gradUpdate;
      hiddenOut[gateRow + 2 * hidden + j] = gradNew * r;
      hOut[outRow + j] = g * z;
    }
  }
}
