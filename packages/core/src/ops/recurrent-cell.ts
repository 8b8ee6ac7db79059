/**
 * The elementwise part of an LSTM or GRU step as one op each: the backend's `lstmCell`/`gruCell`
 * kernel when it has one (one launch forward, one backward, one autograd node instead of about ten
 * ops forward and twenty backward), else the composite of core ops with ordinary autograd.
 *
 * The kernel path saves the activated gates the kernel writes; its gradient runs the backend's
 * backward kernel, or the same formulas as core ops when the backend has none. A kernel may decline
 * a call (returns false: no faster path for that dtype), and core then runs the composite. Under
 * `createGraph` the formulas run on gates recomputed from the saved inputs, so gradients of
 * gradients stay exact.
 */
import type { Backend, StridedView } from '../backend/backend';
import { isGradEnabled, noGrad } from '../autograd/grad-mode';
import { autocastActive, autocastOp } from '../autograd/autocast';
import { recordOp } from '../autograd/record';
import { isFloating } from '../dtype';
import { DTypeError, ShapeError } from '../errors';
import { tidy } from '../memory/scope';
import { formatShape, shapesEqual } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { backendOf, runKernelMulti, viewOf } from './dispatch';
import { cat } from './join';
import { contiguous, select } from './view';

/** The dtypes the cell kernels take; float16 runs the composite. */
function kernelDtype(dtype: string): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/**
 * Check the operands of a cell op: gate tensors of one shape `[..., gates·H]`, a state `[..., H]`
 * with the same leading dims, one floating dtype. Returns H.
 */
function checkCell(op: string, gateCount: number, inputGates: Tensor, hiddenGates: Tensor, state: Tensor, stateName: string): number {
  const operands = [inputGates, hiddenGates, state];
  if (!isFloating(inputGates.dtype) || operands.some((t) => t.dtype !== inputGates.dtype)) {
    throw new DTypeError(`${op}: inputGates, hiddenGates and ${stateName} must share one floating dtype, got ${operands.map((t) => t.dtype).join(', ')}`);
  }
  const hidden = state.ndim > 0 ? state.shape[state.ndim - 1] : 0;
  const expected = [...state.shape.slice(0, -1), gateCount * hidden];
  if (state.ndim === 0 || !shapesEqual(inputGates.shape, expected) || !shapesEqual(hiddenGates.shape, expected)) {
    throw new ShapeError(
      `${op}: expected inputGates and hiddenGates of shape ${formatShape(expected)} (${gateCount} gates of the ${stateName} size ${hidden}) ` +
        `for ${stateName} of shape ${formatShape(state.shape)}, got ${formatShape(inputGates.shape)} and ${formatShape(hiddenGates.shape)}`,
    );
  }
  return hidden;
}

/** Run `compute` on contiguous views of `tensors` (copies only where one is strided), returning its result. */
function withContiguous<T>(tensors: readonly Tensor[], compute: (views: StridedView[]) => T): T {
  const temps: Tensor[] = [];
  const views = tensors.map((t) => {
    if (t.isContiguous()) return viewOf(t);
    const copy = contiguous(t);
    temps.push(copy);
    return viewOf(copy);
  });
  try {
    return compute(views);
  } finally {
    for (const temp of temps) temp.dispose();
  }
}

/** σ(i), σ(f), tanh(g), σ(o) of LSTM pre-activations `[..., 4H]`. */
function activateLstm(preActivation: Tensor): Tensor[] {
  const [i, f, g, o] = preActivation.chunk(4, -1);
  return [i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()];
}

/** y·(1 − y): the derivative of σ from its output. */
function sigmoidSlope(y: Tensor): Tensor {
  return y.mul(y.neg().add(1));
}

/** 1 − y²: the derivative of tanh from its output. */
function tanhSlope(y: Tensor): Tensor {
  return y.mul(y).neg().add(1);
}

/**
 * The LSTM cell's gradient as core ops, from the activated gates and the previous cell state:
 * `[gradGates [..., 4H], gradC [..., H]]` for the incoming `gradState` `[2, ..., H]`.
 */
function lstmGradient(gradState: Tensor, [i, f, g, o]: readonly Tensor[], cPrev: Tensor): [Tensor, Tensor] {
  const gradH = gradState.select(0, 0);
  const gradC = gradState.select(0, 1);
  const tanhC = f.mul(cPrev).add(i.mul(g)).tanh();
  const gradCell = gradC.add(gradH.mul(o).mul(tanhSlope(tanhC)));
  const gradGates = cat(
    [gradCell.mul(g).mul(sigmoidSlope(i)), gradCell.mul(cPrev).mul(sigmoidSlope(f)), gradCell.mul(i).mul(tanhSlope(g)), gradH.mul(tanhC).mul(sigmoidSlope(o))],
    -1,
  );
  return [gradGates, gradCell.mul(f)];
}

/** The LSTM step as ordinary differentiable ops (the fallback, and today's math). */
function lstmComposite(inputGates: Tensor, hiddenGates: Tensor, c: Tensor): [Tensor, Tensor] {
  return tidy(() => {
    const [i, f, g, o] = activateLstm(inputGates.add(hiddenGates));
    const cNext = f.mul(c).add(i.mul(g));
    return [o.mul(cNext.tanh()), cNext] as [Tensor, Tensor];
  });
}

/**
 * The elementwise part of one LSTM step with PyTorch's gate order i, f, g, o:
 * `z = inputGates + hiddenGates`, `c' = σ(z_f)·c + σ(zᵢ)·tanh(z_g)`, `h' = σ(z_o)·tanh(c')`, returned as
 * `[h', c']`. `inputGates` and `hiddenGates` are `[..., 4H]` (usually `x·W_ihᵀ + b_ih` and
 * `h·W_hhᵀ + b_hh`), `c` is `[..., H]`; no broadcasting. Backends with the optional `lstmCell` kernel run
 * it in one launch and one autograd node (PyTorch's `_thnn_fused_lstm_cell`); others run the composite.
 * Differentiable in all three inputs, to any order.
 * @example
 * const [hNext, cNext] = fusedLstmCell(xProjection, F.linear(h, weightHh, biasHh), c);
 */
export function fusedLstmCell(inputGates: Tensor, hiddenGates: Tensor, c: Tensor): [Tensor, Tensor] {
  const op = 'fusedLstmCell';
  if (autocastActive()) return autocastOp(op, 'lowerPrecision', [inputGates, hiddenGates, c], fusedLstmCell);
  const backend = backendOf(op, [inputGates, hiddenGates, c]);
  checkCell(op, 4, inputGates, hiddenGates, c, 'c');
  if (!backend.lstmCell || !kernelDtype(c.dtype)) return lstmComposite(inputGates, hiddenGates, c);
  const stateShape = [2, ...c.shape];
  let accepted = true;
  const [state, gates] = noGrad(() =>
    withContiguous([inputGates, hiddenGates, c], (inputs) =>
      runKernelMulti(backend, [{ shape: stateShape, dtype: c.dtype }, { shape: inputGates.shape, dtype: c.dtype }], inputs, ([stateOut, gatesOut], [xg, hg, cv]) => {
        accepted = backend.lstmCell!(xg, hg, cv, stateOut, gatesOut) !== false;
      }),
    ),
  );
  if (!accepted) {
    state.dispose();
    gates.dispose();
    return lstmComposite(inputGates, hiddenGates, c);
  }
  recordOp(
    op,
    [inputGates, hiddenGates, c],
    state,
    (grad, [savedGates, savedC, savedInput, savedHidden], savedState) => {
      const [gradGates, gradC] = isGradEnabled()
        ? lstmGradient(grad, activateLstm(savedInput.add(savedHidden)), savedC)
        : (lstmBackwardKernel(backend, grad, savedGates, savedC, savedState!) ?? lstmGradient(grad, savedGates.chunk(4, -1), savedC));
      return [savedInput.requiresGrad ? gradGates : null, savedHidden.requiresGrad ? gradGates : null, savedC.requiresGrad ? gradC : null];
    },
    { save: [gates, c, inputGates, hiddenGates], saveOutput: true },
  );
  gates.dispose();
  const result: [Tensor, Tensor] = [select(state, 0, 0), select(state, 0, 1)];
  state.dispose();
  return result;
}

/** The backend's LSTM backward kernel, or null when it has none or declines. */
function lstmBackwardKernel(backend: Backend, grad: Tensor, gates: Tensor, c: Tensor, state: Tensor): [Tensor, Tensor] | null {
  if (!backend.lstmCellBackward) return null;
  let accepted = true;
  const [gradGates, gradC] = withContiguous([grad, gates, c, state], (inputs) =>
    runKernelMulti(backend, [{ shape: gates.shape, dtype: c.dtype }, { shape: c.shape, dtype: c.dtype }], inputs, ([gatesOut, cOut], [g, gv, cv, sv]) => {
      accepted = backend.lstmCellBackward!(g, gv, cv, sv, gatesOut, cOut) !== false;
    }),
  );
  if (accepted) return [gradGates, gradC];
  gradGates.dispose();
  gradC.dispose();
  return null;
}

/** r, z, n of a GRU step as ordinary ops, from the gate projections. */
function activateGru(inputGates: Tensor, hiddenGates: Tensor): Tensor[] {
  const [inputReset, inputUpdate, inputNew] = inputGates.chunk(3, -1);
  const [hiddenReset, hiddenUpdate, hiddenNew] = hiddenGates.chunk(3, -1);
  const reset = inputReset.add(hiddenReset).sigmoid();
  const update = inputUpdate.add(hiddenUpdate).sigmoid();
  return [reset, update, inputNew.add(reset.mul(hiddenNew)).tanh()];
}

/** The GRU step as ordinary differentiable ops (the fallback, and today's math). */
function gruComposite(inputGates: Tensor, hiddenGates: Tensor, h: Tensor): Tensor {
  return tidy(() => {
    const [, update, candidate] = activateGru(inputGates, hiddenGates);
    return candidate.add(update.mul(h.sub(candidate)));
  });
}

/**
 * The GRU cell's gradient as core ops, from the activated gates r, z, n, the hidden projection and
 * the previous state: `[gradInputGates, gradHiddenGates, gradH]`.
 */
function gruGradient(grad: Tensor, [r, z, n]: readonly Tensor[], hiddenGates: Tensor, h: Tensor): [Tensor, Tensor, Tensor] {
  const hiddenNew = hiddenGates.chunk(3, -1)[2];
  const gradUpdate = grad.mul(h.sub(n)).mul(sigmoidSlope(z));
  const gradNew = grad.mul(z.neg().add(1)).mul(tanhSlope(n));
  const gradReset = gradNew.mul(hiddenNew).mul(sigmoidSlope(r));
  return [cat([gradReset, gradUpdate, gradNew], -1), cat([gradReset, gradUpdate, gradNew.mul(r)], -1), grad.mul(z)];
}

/**
 * The elementwise part of one GRU step with PyTorch's gate order r, z, n, the reset gate applied to
 * the hidden projection including its bias: `r = σ(x_r + h_r)`, `z = σ(x_z + h_z)`,
 * `n = tanh(x_n + r·h_n)`, `h' = (1 − z)·n + z·h`. `inputGates` and `hiddenGates` are `[..., 3H]`
 * (`x·W_ihᵀ + b_ih` and `h·W_hhᵀ + b_hh`), `h` is `[..., H]`; no broadcasting. Backends with the optional
 * `gruCell` kernel run it in one launch and one autograd node (PyTorch's `_thnn_fused_gru_cell`);
 * others run the composite. Differentiable in all three inputs, to any order.
 * @example
 * const hNext = fusedGruCell(xProjection, F.linear(h, weightHh, biasHh), h);
 */
export function fusedGruCell(inputGates: Tensor, hiddenGates: Tensor, h: Tensor): Tensor {
  const op = 'fusedGruCell';
  if (autocastActive()) return autocastOp(op, 'lowerPrecision', [inputGates, hiddenGates, h], fusedGruCell);
  const backend = backendOf(op, [inputGates, hiddenGates, h]);
  checkCell(op, 3, inputGates, hiddenGates, h, 'h');
  if (!backend.gruCell || !kernelDtype(h.dtype)) return gruComposite(inputGates, hiddenGates, h);
  let accepted = true;
  const [out, gates] = noGrad(() =>
    withContiguous([inputGates, hiddenGates, h], (inputs) =>
      runKernelMulti(backend, [{ shape: h.shape, dtype: h.dtype }, { shape: inputGates.shape, dtype: h.dtype }], inputs, ([hOut, gatesOut], [xg, hg, hv]) => {
        accepted = backend.gruCell!(xg, hg, hv, hOut, gatesOut) !== false;
      }),
    ),
  );
  if (!accepted) {
    out.dispose();
    gates.dispose();
    return gruComposite(inputGates, hiddenGates, h);
  }
  recordOp(
    op,
    [inputGates, hiddenGates, h],
    out,
    (grad, [savedGates, savedHidden, savedH, savedInput]) => {
      const [gradInput, gradHidden, gradH] = isGradEnabled()
        ? gruGradient(grad, activateGru(savedInput, savedHidden), savedHidden, savedH)
        : (gruBackwardKernel(backend, grad, savedGates, savedHidden, savedH) ?? gruGradient(grad, savedGates.chunk(3, -1), savedHidden, savedH));
      return [savedInput.requiresGrad ? gradInput : null, savedHidden.requiresGrad ? gradHidden : null, savedH.requiresGrad ? gradH : null];
    },
    { save: [gates, hiddenGates, h, inputGates] },
  );
  gates.dispose();
  return out;
}

/** The backend's GRU backward kernel, or null when it has none or declines. */
function gruBackwardKernel(backend: Backend, grad: Tensor, gates: Tensor, hiddenGates: Tensor, h: Tensor): [Tensor, Tensor, Tensor] | null {
  if (!backend.gruCellBackward) return null;
  const dtype = h.dtype;
  let accepted = true;
  const results = withContiguous([grad, gates, hiddenGates, h], (inputs) =>
    runKernelMulti(
      backend,
      [{ shape: gates.shape, dtype }, { shape: gates.shape, dtype }, { shape: h.shape, dtype }],
      inputs,
      ([inputOut, hiddenOut, hOut], [g, gv, hg, hv]) => {
        accepted = backend.gruCellBackward!(g, gv, hg, hv, inputOut, hiddenOut, hOut) !== false;
      },
    ),
  );
  if (accepted) return results as [Tensor, Tensor, Tensor];
  for (const t of results) t.dispose();
  return null;
}
