/**
 * sgdStep and adamStep: the reference backend's fused optimizerStep kernel and core's composite
 * ('plain') give the same parameters and state for every option combination, the first Adam step moves
 * each coordinate by lr · sign(g), and bad input is refused with errors naming the op.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BACKEND_API_VERSION, BackendError, DTypeError, ShapeError, ValueError, adamStep, ensureBackend, registerBackend, setBackend, sgdStep, tensor, zeros,
  type AdamStepOptions, type SgdStepOptions, type Tensor,
} from '../src/index';
import { ReferenceBackend, referencePlugin, seededValues } from '../src/testing';
import { expectAllClose, values } from './helpers';
import { registerPlainBackend } from './plain-backend';

registerBackend(referencePlugin);
await setBackend('reference');
await registerPlainBackend();
afterEach(() => vi.restoreAllMocks());

const DEVICES = ['reference', 'plain'] as const;
const SIZE = 37;

/** Parameter, gradient source and state, from seeded host data, on `device`. */
function problem(device: string, dtype: 'float32' | 'float64') {
  const make = (seed: number, scale = 1) => tensor(Array.from(seededValues(SIZE, seed), (v) => v * scale), { device, dtype });
  return {
    param: make(1, 2),
    grads: [make(2), make(3, 3), make(4, 0.5)],
    momentumBuffer: zeros([SIZE], { device, dtype }),
    expAvg: zeros([SIZE], { device, dtype }),
    expAvgSq: zeros([SIZE], { device, dtype }),
    maxExpAvgSq: zeros([SIZE], { device, dtype }),
  };
}

type Problem = ReturnType<typeof problem>;

function dispose(p: Problem): void {
  for (const t of [p.param, ...p.grads, p.momentumBuffer, p.expAvg, p.expAvgSq, p.maxExpAvgSq]) t.dispose();
}

const SGD_CASES: Omit<SgdStepOptions, 'firstStep'>[] = [
  { lr: 0.1 },
  { lr: 0.1, weightDecay: 0.3, maximize: true },
  { lr: 0.05, momentum: 0.9 },
  { lr: 0.05, momentum: 0.9, dampening: 0.4, weightDecay: 0.1 },
  { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.2 },
  { lr: 0.05, momentum: 0.5, nesterov: true, maximize: true },
];

const ADAM_CASES: Omit<AdamStepOptions, 'step'>[] = [
  { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  { lr: 0.1, beta1: 0.8, beta2: 0.99, eps: 1e-3, weightDecay: 0.1 },
  { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: true },
  { lr: 0.3, beta1: 0.9, beta2: 0.6, eps: 1e-8, amsgrad: true },
  { lr: 0.3, beta1: 0.9, beta2: 0.6, eps: 1e-6, amsgrad: true, weightDecay: 0.2, decoupled: true, maximize: true },
  { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, maximize: true, weightDecay: 0.05 },
];

/** Run three steps of `step` on the reference (kernel) and plain (composite) backends; return every tensor's values. */
async function bothPaths(dtype: 'float32' | 'float64', step: (p: Problem, t: number) => void): Promise<Record<string, number[][]>> {
  const results: Record<string, number[][]> = {};
  for (const device of DEVICES) {
    const p = problem(device, dtype);
    for (let t = 1; t <= 3; t++) step(p, t);
    results[device] = await Promise.all([p.param, p.momentumBuffer, p.expAvg, p.expAvgSq, p.maxExpAvgSq].map(values));
    dispose(p);
  }
  return results;
}

describe('the fused kernel and the composite agree', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const tolerance = dtype === 'float64' ? 1e-12 : 1e-6;
    it.each(SGD_CASES)(`sgdStep %o over three steps (${dtype})`, async (options) => {
      const kernel = vi.spyOn((await ensureBackend('reference')), 'optimizerStep');
      const results = await bothPaths(dtype, (p, t) =>
        sgdStep(p.param, p.grads[t - 1], options.momentum ? p.momentumBuffer : null, { ...options, firstStep: t === 1 }),
      );
      expect(kernel).toHaveBeenCalledTimes(3);
      results.reference.forEach((tensorValues, k) => expectAllClose(tensorValues, results.plain[k], tolerance));
    });

    it.each(ADAM_CASES)(`adamStep %o over three steps (${dtype})`, async (options) => {
      const kernel = vi.spyOn((await ensureBackend('reference')), 'optimizerStep');
      const results = await bothPaths(dtype, (p, t) =>
        adamStep(p.param, p.grads[t - 1], { expAvg: p.expAvg, expAvgSq: p.expAvgSq, maxExpAvgSq: p.maxExpAvgSq }, { ...options, step: t }),
      );
      expect(kernel).toHaveBeenCalledTimes(3);
      results.reference.forEach((tensorValues, k) => expectAllClose(tensorValues, results.plain[k], tolerance));
    });
  }
});

describe.each(DEVICES)('worked examples (%s)', (device) => {
  it("Adam's first step moves every coordinate by lr · sign(g)", async () => {
    const param = tensor([1, -2, 3], { device, dtype: 'float64' });
    const grad = tensor([0.5, -1, 2], { device, dtype: 'float64' });
    const state = { expAvg: zeros([3], { device, dtype: 'float64' }), expAvgSq: zeros([3], { device, dtype: 'float64' }) };
    adamStep(param, grad, state, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1 });
    expectAllClose(await values(param), [0.9, -1.9, 2.9], 1e-7);
    expectAllClose(await values(state.expAvg), [0.05, -0.1, 0.2], 1e-12);
    expectAllClose(await values(state.expAvgSq), [0.00025, 0.001, 0.004], 1e-12);
    for (const t of [param, grad, state.expAvg, state.expAvgSq]) t.dispose();
  });

  it('SGD momentum: the first step copies the direction into the buffer, the next one decays it', async () => {
    const param = tensor([1, 2], { device, dtype: 'float64' });
    const buffer = tensor([99, 99], { device, dtype: 'float64' }); // not read on the first step
    const grad = tensor([1, -1], { device, dtype: 'float64' });
    sgdStep(param, grad, buffer, { lr: 0.1, momentum: 0.9, firstStep: true });
    expectAllClose(await values(buffer), [1, -1], 1e-12);
    expectAllClose(await values(param), [0.9, 2.1], 1e-12);
    sgdStep(param, grad, buffer, { lr: 0.1, momentum: 0.9 });
    expectAllClose(await values(buffer), [1.9, -1.9], 1e-12);
    expectAllClose(await values(param), [0.71, 2.29], 1e-12);
    for (const t of [param, buffer, grad]) t.dispose();
  });

  it('a strided gradient and a gradient that is the parameter itself', async () => {
    const param = tensor([[1, 2], [3, 4]], { device, dtype: 'float64' });
    const grad = tensor([[10, 30], [20, 40]], { device, dtype: 'float64' });
    sgdStep(param, grad.T, null, { lr: 0.01 });
    expectAllClose(await values(param), [0.9, 1.8, 2.7, 3.6], 1e-12);
    sgdStep(param, param, null, { lr: 0.5 }); // θ ← θ − 0.5 θ
    expectAllClose(await values(param), [0.45, 0.9, 1.35, 1.8], 1e-12);
    for (const t of [param, grad]) t.dispose();
  });

  it('updates a parameter that requires grad without recording autograd, and an empty one is a no-op', async () => {
    const param = tensor([1, 2], { device, dtype: 'float64', requiresGrad: true });
    sgdStep(param, tensor([1, 1], { device, dtype: 'float64' }), null, { lr: 1 });
    expect(param.gradFn).toBeNull();
    expect(param.isLeaf).toBe(true);
    expectAllClose(await values(param), [0, 1], 1e-12);
    const empty = zeros([0, 3], { device });
    sgdStep(empty, zeros([0, 3], { device }), null, { lr: 1 });
    expect(empty.shape).toEqual([0, 3]);
  });
});

describe('which path runs', () => {
  it('a non-contiguous parameter takes the composite; fused: true refuses it, fused: false skips the kernel', async () => {
    const kernel = vi.spyOn(await ensureBackend('reference'), 'optimizerStep');
    const base = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
    const param = base.T;
    const grad = tensor([[1, 1], [1, 1], [1, 1]], { dtype: 'float64' });
    sgdStep(param, grad, null, { lr: 0.5 });
    expect(kernel).not.toHaveBeenCalled();
    expectAllClose(await values(base), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5], 1e-12);
    expect(() => sgdStep(param, grad, null, { lr: 0.5, fused: true })).toThrow(/sgdStep: fused: true was asked for but param \(shape \[3, 2\]\) is not contiguous/);
    const dense = tensor([1, 2], { dtype: 'float64' });
    sgdStep(dense, tensor([1, 1], { dtype: 'float64' }), null, { lr: 1, fused: false });
    expect(kernel).not.toHaveBeenCalled();
    sgdStep(dense, tensor([1, 1], { dtype: 'float64' }), null, { lr: 1, fused: true });
    expect(kernel).toHaveBeenCalledTimes(1);
    expectAllClose(await values(dense), [-1, 0], 1e-12);
  });

  it('the fused kernel counts as an in-place write: a graph that saved the parameter refuses to backpropagate', () => {
    const param = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const loss = param.mul(param).sum(); // mul saves the parameter
    const before = param.version;
    sgdStep(param, tensor([1, 1], { dtype: 'float64' }), null, { lr: 1, fused: true });
    expect(param.version).toBe(before + 1);
    expect(() => loss.backward()).toThrow(/mul saved tensor #\d+ of shape \[2\] at version 0, now version 1 \(last written by sgdStep\)/);
  });

  it('fused: true on a backend without the kernel is a BackendError naming it', () => {
    const param = tensor([1], { device: 'plain' });
    expect(() => sgdStep(param, tensor([1], { device: 'plain' }), null, { lr: 1, fused: true })).toThrow(BackendError);
    expect(() => sgdStep(param, tensor([1], { device: 'plain' }), null, { lr: 1, fused: true })).toThrow(/backend 'plain' has no optimizerStep kernel/);
  });

  it('a backend without strided inputs gets a contiguous gradient at offset 0', async () => {
    registerBackend({
      name: 'reference-contiguous-inputs',
      apiVersion: BACKEND_API_VERSION,
      priority: -3,
      create: () => {
        const backend = new ReferenceBackend();
        Object.defineProperty(backend, 'capabilities', { value: { ...backend.capabilities, stridedInputs: false } });
        return backend;
      },
    });
    const backend = await ensureBackend('reference-contiguous-inputs');
    const kernel = vi.spyOn(backend, 'optimizerStep');
    const device = 'reference-contiguous-inputs';
    const param = tensor([[1, 2], [3, 4]], { device, dtype: 'float64' });
    const grad = tensor([[10, 30], [20, 40]], { device, dtype: 'float64' });
    sgdStep(param, grad.T, null, { lr: 0.01 }); // a transposed gradient
    const view = kernel.mock.calls[0][0].grad;
    expect(view.offset).toBe(0);
    expect(view.strides).toEqual([2, 1]);
    expectAllClose(await values(param), [0.9, 1.8, 2.7, 3.6], 1e-12);
    const rows = tensor([[9, 9], [1, 1], [1, 1]], { device, dtype: 'float64' });
    sgdStep(param, rows.narrow(0, 1, 2), null, { lr: 0.1 }); // contiguous, but at offset 2
    expect(kernel.mock.calls[1][0].grad.offset).toBe(0);
    expectAllClose(await values(param), [0.8, 1.7, 2.6, 3.5], 1e-12);
  });

  it('a parameter inside a larger storage (non-zero offset) is updated in place, its neighbours untouched', async () => {
    const storage = tensor([1, 2, 3, 4, 5, 6], { dtype: 'float64' });
    const middle = storage.narrow(0, 2, 2);
    const state = { expAvg: zeros([2], { dtype: 'float64' }), expAvgSq: zeros([2], { dtype: 'float64' }) };
    adamStep(middle, tensor([1, -1], { dtype: 'float64' }), state, { lr: 0.5, beta1: 0.9, beta2: 0.999, eps: 0, step: 1 });
    expectAllClose(await values(storage), [1, 2, 2.5, 4.5, 5, 6], 1e-12);
  });
});

describe('bad input', () => {
  const f64 = (data: number[], device = 'reference'): Tensor => tensor(data, { dtype: 'float64', device });
  const adam = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1 };
  const state = () => ({ expAvg: f64([0, 0]), expAvgSq: f64([0, 0]) });

  it('shapes and dtypes must match the parameter', () => {
    expect(() => sgdStep(f64([1, 2]), f64([1, 2, 3]), null, { lr: 1 })).toThrow(ShapeError);
    expect(() => sgdStep(f64([1, 2]), f64([1, 2, 3]), null, { lr: 1 })).toThrow(/sgdStep: grad has shape \[3\] but the parameter has shape \[2\]/);
    expect(() => adamStep(f64([1, 2]), f64([1, 2]), { expAvg: f64([0]), expAvgSq: f64([0, 0]) }, adam)).toThrow(/adamStep: expAvg has shape \[1\]/);
    expect(() => sgdStep(f64([1, 2]), tensor([1, 2]), null, { lr: 1 })).toThrow(DTypeError);
    expect(() => sgdStep(f64([1, 2]), tensor([1, 2]), null, { lr: 1 })).toThrow(/grad has dtype float32 but the parameter has float64/);
    expect(() => sgdStep(tensor([1, 2], { dtype: 'int32' }), tensor([1, 2], { dtype: 'int32' }), null, { lr: 1 })).toThrow(/sgdStep: the parameter must be floating point, got int32/);
  });

  it('state that is missing or shares memory', () => {
    expect(() => sgdStep(f64([1, 2]), f64([1, 2]), null, { lr: 1, momentum: 0.9 })).toThrow(/sgdStep: momentum 0.9 needs a momentum buffer/);
    const shared = f64([0, 0]);
    expect(() => adamStep(f64([1, 2]), f64([1, 2]), { expAvg: shared, expAvgSq: shared }, adam)).toThrow(ValueError);
    expect(() => adamStep(f64([1, 2]), f64([1, 2]), { expAvg: shared, expAvgSq: shared }, adam)).toThrow(/expAvg and expAvgSq share memory/);
    expect(() => adamStep(f64([1, 2]), f64([1, 2]), state(), { ...adam, amsgrad: true })).toThrow(/adamStep: amsgrad needs state.maxExpAvgSq/);
  });

  it('hyperparameters must be finite numbers, the step count an integer ≥ 1', () => {
    expect(() => sgdStep(f64([1]), f64([1]), null, { lr: Number.NaN })).toThrow(/sgdStep: lr must be a finite number, got NaN/);
    expect(() => adamStep(f64([1, 2]), f64([1, 2]), state(), { ...adam, step: 0 })).toThrow(/adamStep: step must be .* an integer ≥ 1, got 0/);
    expect(() => adamStep(f64([1, 2]), f64([1, 2]), state(), { ...adam, beta1: Infinity })).toThrow(/beta1 must be a finite number/);
    expect(() => sgdStep(f64([1]), f64([1]), null, { lr: 1, nesterov: 'yes' as unknown as boolean })).toThrow(/nesterov must be a boolean/);
  });

  it('every tensor on one backend', () => {
    expect(() => sgdStep(f64([1]), f64([1], 'plain'), null, { lr: 1 })).toThrow(/sgdStep: operands live on different backends/);
  });
});
