/**
 * Fused optimizer steps: one SGD or Adam/AdamW update of one parameter and its state, in place.
 * The backend's `optimizerStep` kernel runs it in one pass when present; otherwise (or for
 * non-contiguous tensors, or with `fused: false`) the composite below runs it with core ops. The
 * composite is the one definition of the math — `@tessera/optim` calls these functions.
 * Both follow PyTorch 1.13's single-tensor `torch.optim.SGD`/`Adam`/`AdamW` formulas (see
 * `SgdStepRequest`/`AdamStepRequest` in backend.ts).
 */
import type { Backend, BufferRange, DType, OptimizerStepRequest } from '../backend/backend';
import { backendName } from '../backend/registry';
import { noGrad } from '../autograd/grad-mode';
import { isFloating } from '../dtype';
import { BackendError, DTypeError, ShapeError, ValueError } from '../errors';
import { tidy } from '../memory/scope';
import { elementSpan, formatShape, shapesEqual } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { backendOf, viewOf } from './dispatch';
import { clone } from './view';

/** Which implementation runs: `undefined` picks the backend's kernel when it applies, `false` forces the composite, `true` requires the kernel. */
type FusedChoice = boolean | undefined;

/** Hyperparameters of {@link sgdStep} (PyTorch's names in camelCase). */
export interface SgdStepOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum factor (default 0: no momentum buffer is used). */
  momentum?: number;
  /** Dampening of the gradient entering the momentum buffer (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Ascend instead of descend (default false). */
  maximize?: boolean;
  /** The momentum buffer's first step: it is set to the gradient rather than decayed (default false). */
  firstStep?: boolean;
  /** `false`: always the composite; `true`: the backend's kernel or an error; unset: the kernel when it applies. */
  fused?: boolean;
}

/** Hyperparameters of {@link adamStep}. */
export interface AdamStepOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** The step count t after this step (1 on the first step); gives the bias corrections 1 − βᵗ. */
  step: number;
  /** L2 penalty (Adam) or decoupled decay (AdamW) (default 0). */
  weightDecay?: number;
  /** AdamW: θ ← θ(1 − lr · weightDecay) instead of adding weightDecay · θ to the gradient (default false). */
  decoupled?: boolean;
  /** Use max(v̂, v) in the denominator; needs `state.maxExpAvgSq` (default false). */
  amsgrad?: boolean;
  /** Ascend instead of descend (default false). */
  maximize?: boolean;
  /** `false`: always the composite; `true`: the backend's kernel or an error; unset: the kernel when it applies. */
  fused?: boolean;
}

/** The state tensors {@link adamStep} updates in place (each shaped and typed like the parameter). */
export interface AdamStepState {
  /** First moment m (PyTorch's `exp_avg`). */
  expAvg: Tensor;
  /** Second moment v (`exp_avg_sq`). */
  expAvgSq: Tensor;
  /** Running maximum of v (`max_exp_avg_sq`), required with `amsgrad`. */
  maxExpAvgSq?: Tensor | null;
}

/**
 * One SGD step on `param` in place, updating `momentumBuffer` in place when `momentum` ≠ 0:
 * ```text
 * g ← maximize ? −grad : grad;   g ← g + weightDecay · θ
 * b ← firstStep ? g : momentum · b + (1 − dampening) · g;   g ← nesterov ? g + momentum · b : b
 * θ ← θ − lr · g
 * ```
 * Runs without recording autograd. `param`, `grad` and the buffer share one shape and floating dtype.
 * @example
 * const buffer = keep(zerosLike(w));
 * sgdStep(w, w.grad!, buffer, { lr: 0.1, momentum: 0.9, firstStep: true });
 * sgdStep(w, w.grad!, buffer, { lr: 0.1, momentum: 0.9 }); // later steps
 */
export function sgdStep(param: Tensor, grad: Tensor, momentumBuffer: Tensor | null, options: SgdStepOptions): void {
  const op = 'sgdStep';
  const lr = finite(op, 'lr', options.lr);
  const momentum = finite(op, 'momentum', options.momentum ?? 0);
  const dampening = finite(op, 'dampening', options.dampening ?? 0);
  const weightDecay = finite(op, 'weightDecay', options.weightDecay ?? 0);
  const nesterov = flag(op, 'nesterov', options.nesterov);
  const maximize = flag(op, 'maximize', options.maximize);
  const firstStep = flag(op, 'firstStep', options.firstStep);
  if (momentum !== 0 && momentumBuffer === null) {
    throw new ValueError(`${op}: momentum ${momentum} needs a momentum buffer shaped like the parameter ${formatShape(param.shape)}, got null`);
  }
  const buffer = momentum !== 0 ? momentumBuffer : null;
  const targets: [string, Tensor][] = [['param', param], ...(buffer ? [['momentumBuffer', buffer] as [string, Tensor]] : [])];
  const backend = checkOperands(op, grad, targets);
  if (param.size === 0) return;
  runStep(
    op, backend, grad, targets, options.fused,
    (gradient) => ({
      kind: 'sgd', dtype: param.dtype, size: param.size, param: rangeOf(param), grad: viewOf(gradient),
      momentumBuffer: buffer ? rangeOf(buffer) : null, lr, momentum, dampening, nesterov, weightDecay, maximize, firstStep,
    }),
    (gradient) => {
      let direction = maximize ? gradient.neg() : gradient;
      if (weightDecay !== 0) direction = direction.add(param.mul(weightDecay));
      if (buffer) {
        buffer.assign(firstStep ? direction : buffer.mul(momentum).add(direction.mul(1 - dampening)));
        direction = nesterov ? direction.add(buffer.mul(momentum)) : buffer;
      }
      param.assign(param.sub(direction.mul(lr)));
    },
  );
}

/**
 * One Adam (or, with `decoupled`, AdamW) step on `param` in place, updating the moments in `state`:
 * ```text
 * g ← maximize ? −grad : grad;   AdamW: θ ← θ(1 − lr · weightDecay), Adam: g ← g + weightDecay · θ
 * m ← β₁m + (1 − β₁)g;   v ← β₂v + (1 − β₂)g²;   v̂ ← amsgrad ? max(v̂, v) : v
 * θ ← θ − lr / (1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + eps)
 * ```
 * Runs without recording autograd. Every tensor shares the parameter's shape and floating dtype.
 * @example
 * const state = { expAvg: keep(zerosLike(w)), expAvgSq: keep(zerosLike(w)) };
 * adamStep(w, w.grad!, state, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1 });
 */
export function adamStep(param: Tensor, grad: Tensor, state: AdamStepState, options: AdamStepOptions): void {
  const op = 'adamStep';
  const lr = finite(op, 'lr', options.lr);
  const beta1 = finite(op, 'beta1', options.beta1);
  const beta2 = finite(op, 'beta2', options.beta2);
  const eps = finite(op, 'eps', options.eps);
  const weightDecay = finite(op, 'weightDecay', options.weightDecay ?? 0);
  const decoupled = flag(op, 'decoupled', options.decoupled);
  const amsgrad = flag(op, 'amsgrad', options.amsgrad);
  const maximize = flag(op, 'maximize', options.maximize);
  const step = options.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 1) {
    throw new ValueError(`${op}: step must be the step count after this step, an integer ≥ 1, got ${String(step)}`);
  }
  const { expAvg, expAvgSq } = state;
  const maxExpAvgSq = amsgrad ? state.maxExpAvgSq ?? null : null;
  if (amsgrad && maxExpAvgSq === null) {
    throw new ValueError(`${op}: amsgrad needs state.maxExpAvgSq shaped like the parameter ${formatShape(param.shape)}`);
  }
  const targets: [string, Tensor][] = [['param', param], ['expAvg', expAvg], ['expAvgSq', expAvgSq]];
  if (maxExpAvgSq) targets.push(['maxExpAvgSq', maxExpAvgSq]);
  const backend = checkOperands(op, grad, targets);
  if (param.size === 0) return;
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
  runStep(
    op, backend, grad, targets, options.fused,
    (gradient) => ({
      kind: 'adam', dtype: param.dtype, size: param.size, param: rangeOf(param), grad: viewOf(gradient),
      expAvg: rangeOf(expAvg), expAvgSq: rangeOf(expAvgSq), maxExpAvgSq: maxExpAvgSq ? rangeOf(maxExpAvgSq) : null,
      lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, maximize, biasCorrection1, biasCorrection2Sqrt,
    }),
    (gradient) => {
      let g = maximize ? gradient.neg() : gradient;
      if (weightDecay !== 0) {
        if (decoupled) param.assign(param.mul(1 - lr * weightDecay));
        else g = g.add(param.mul(weightDecay));
      }
      expAvg.assign(expAvg.mul(beta1).add(g.mul(1 - beta1)));
      expAvgSq.assign(expAvgSq.mul(beta2).add(g.mul(g).mul(1 - beta2)));
      let second = expAvgSq;
      if (maxExpAvgSq) {
        maxExpAvgSq.assign(maxExpAvgSq.maximum(expAvgSq));
        second = maxExpAvgSq;
      }
      const denominator = second.sqrt().div(biasCorrection2Sqrt).add(eps);
      param.assign(param.sub(expAvg.div(denominator).mul(lr / biasCorrection1)));
    },
  );
}

/**
 * Run one step without autograd inside a tidy: the backend's kernel with `request(gradient)` when
 * {@link chooseKernel} picks it, else `composite(gradient)` (the gradient from {@link prepareGradient}).
 */
function runStep(
  op: string,
  backend: Backend,
  grad: Tensor,
  targets: readonly [string, Tensor][],
  fused: FusedChoice,
  request: (gradient: Tensor) => OptimizerStepRequest,
  composite: (gradient: Tensor) => void,
): void {
  noGrad(() =>
    tidy(() => {
      const gradient = prepareGradient(backend, grad, targets);
      const kernel = chooseKernel(op, backend, targets, fused);
      if (kernel) {
        kernel(request(gradient));
        // The kernel writes in place behind autograd's back: count the writes as assign does, so a
        // graph that saved a parameter or state buffer before the step refuses to use the stale value.
        for (const [, target] of targets) target.storage.bumpVersion(op);
      } else {
        composite(gradient);
      }
    }),
  );
}

function finite(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`${op}: ${name} must be a finite number, got ${String(value)}`);
  }
  return value;
}

function flag(op: string, name: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new ValueError(`${op}: ${name} must be a boolean, got ${String(value)}`);
  return value === true;
}

/**
 * Check that every tensor is live on one backend, floating, of the parameter's dtype and shape, and
 * that no two in-place targets overlap in memory. Returns the backend.
 */
function checkOperands(op: string, grad: Tensor, targets: readonly [string, Tensor][]): Backend {
  const [, param] = targets[0];
  const backend = backendOf(op, [grad, ...targets.map(([, tensor]) => tensor)]);
  if (!isFloating(param.dtype)) {
    throw new DTypeError(`${op}: the parameter must be floating point, got ${param.dtype} of shape ${formatShape(param.shape)}`);
  }
  for (const [name, tensor] of [['grad', grad] as [string, Tensor], ...targets.slice(1)]) {
    if (tensor.dtype !== param.dtype) {
      throw new DTypeError(`${op}: ${name} has dtype ${tensor.dtype} but the parameter has ${param.dtype}; they must match`);
    }
    if (!shapesEqual(tensor.shape, param.shape)) {
      throw new ShapeError(`${op}: ${name} has shape ${formatShape(tensor.shape)} but the parameter has shape ${formatShape(param.shape)}; they must match`);
    }
  }
  for (let i = 0; i < targets.length; i++) {
    for (let j = i + 1; j < targets.length; j++) {
      const [nameA, a] = targets[i];
      const [nameB, b] = targets[j];
      if (a.storage === b.storage && a.size > 0 && overlaps(a, b)) {
        throw new ValueError(`${op}: ${nameA} and ${nameB} share memory; each is updated in place and needs its own storage`);
      }
    }
  }
  return backend;
}

/** Whether the element spans of two tensors on one storage intersect (conservative for strided views). */
function overlaps(a: Tensor, b: Tensor): boolean {
  const [lowA, highA] = elementSpan(a);
  const [lowB, highB] = elementSpan(b);
  return lowA <= highB && lowB <= highA;
}

/**
 * The gradient itself, or a contiguous copy when it shares storage with a tensor the step writes, or
 * when it is strided and the backend takes contiguous inputs only (`capabilities.stridedInputs`).
 */
function prepareGradient(backend: Backend, grad: Tensor, targets: readonly [string, Tensor][]): Tensor {
  const aliased = targets.some(([, target]) => target.storage === grad.storage);
  const strided = !backend.capabilities.stridedInputs && (grad.offset !== 0 || !grad.isContiguous());
  return aliased || strided ? clone(grad) : grad;
}

function rangeOf(tensor: Tensor): BufferRange {
  return { id: tensor.storage.id, offset: tensor.offset };
}

/** The dtypes backends fuse (other floating dtypes take the composite). */
const KERNEL_DTYPES: readonly DType[] = ['float32', 'float64'];

/**
 * The backend's kernel when it applies (present, not refused with `fused: false`, a kernel dtype,
 * every in-place target contiguous); null for the composite. `fused: true` turns "does not apply" into an error.
 */
function chooseKernel(
  op: string,
  backend: Backend,
  targets: readonly [string, Tensor][],
  fused: FusedChoice,
): ((request: OptimizerStepRequest) => void) | null {
  if (fused === false) return null;
  let reason: string | null = null;
  const strided = targets.find(([, tensor]) => !tensor.isContiguous());
  const dtype = targets[0][1].dtype;
  if (!backend.optimizerStep) reason = `backend '${backendName(backend)}' has no optimizerStep kernel`;
  else if (!KERNEL_DTYPES.includes(dtype)) reason = `the kernel takes ${KERNEL_DTYPES.join(' and ')}, not ${dtype}`;
  else if (strided) reason = `${strided[0]} (shape ${formatShape(strided[1].shape)}) is not contiguous`;
  if (reason === null) return (request) => backend.optimizerStep!(request);
  if (fused === true) throw new BackendError(`${op}: fused: true was asked for but ${reason}; leave fused unset to fall back to the composite`);
  return null;
}
