/**
 * SGD, Adam and AdamW run one fused `optimizerStep` kernel per parameter when the backend has one and
 * core's composite otherwise: both paths give the same trajectory as the float64 reference of the
 * documented rule, and as each other, for every option combination; `fused` picks the path.
 */
import '@tessera/backend-cpu';
import { CpuBackend } from '@tessera/backend-cpu/plugin';
import { BACKEND_API_VERSION, BackendError, ensureBackend, memory, registerBackend, tensor, type Backend, type Tensor } from '@tessera/core';
import { seededValues } from '@tessera/core/testing';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Adam, AdamW, SGD, type AdamOptions, type SGDOptions } from '../src/index';
import { backwardQuadratic, expectTrajectory, tesseraTrajectory } from './helpers';
import { C as PYTORCH_C, W0 as PYTORCH_W0 } from './pytorch-reference';
import { adamReference, referenceTrajectory, sgdReference, type ReferenceStep } from './reference';

const STEPS = 6;
const W0 = Array.from(seededValues(257, 3), (value) => 3 * value);
const C = Array.from(seededValues(257, 4), (value) => 2 * value);

interface Case {
  name: string;
  make: (params: Tensor[], fused: boolean | undefined) => SGD | Adam | AdamW;
  /** A fresh reference (it keeps the optimizer state in a closure). */
  reference: () => ReferenceStep;
}

const sgd = (label: string, options: Partial<SGDOptions>): Case => ({
  name: `SGD/${label}`,
  make: (params, fused) => new SGD(params, { ...options, fused }),
  reference: () => sgdReference(options),
});
const adam = (label: string, options: Partial<AdamOptions>, decoupled = false): Case => ({
  name: `${decoupled ? 'AdamW' : 'Adam'}/${label}`,
  make: (params, fused) => (decoupled ? new AdamW(params, { ...options, fused }) : new Adam(params, { ...options, fused })),
  reference: () => adamReference(options, decoupled),
});

const CASES: Case[] = [
  sgd('plain', { lr: 0.1 }),
  sgd('momentum', { lr: 0.05, momentum: 0.9 }),
  sgd('dampening', { lr: 0.05, momentum: 0.9, dampening: 0.5 }),
  sgd('nesterov+weightDecay', { lr: 0.05, momentum: 0.8, weightDecay: 0.2, nesterov: true }),
  sgd('maximize+momentum', { lr: 0.05, momentum: 0.5, maximize: true }),
  adam('defaults', { lr: 0.1 }),
  adam('weightDecay', { lr: 0.1, weightDecay: 0.1 }),
  adam('amsgrad+weightDecay+eps', { lr: 0.3, betas: [0.9, 0.6], amsgrad: true, weightDecay: 0.2, eps: 1e-3 }),
  adam('maximize', { lr: 0.1, maximize: true }),
  adam('defaults', { lr: 0.1 }, true),
  adam('amsgrad+maximize', { lr: 0.3, betas: [0.9, 0.6], amsgrad: true, weightDecay: 0.1, maximize: true }, true),
];

let cpu: Backend;
beforeAll(async () => {
  cpu = await ensureBackend('cpu');
  // The cpu backend with its optimizerStep hidden: what a third-party backend without the kernel sees.
  registerBackend({
    name: 'cpu-without-optimizer-step',
    apiVersion: BACKEND_API_VERSION,
    priority: -10,
    create: () => {
      const backend = new CpuBackend({ name: 'cpu-without-optimizer-step', threads: 1 });
      Object.defineProperty(backend, 'optimizerStep', { value: undefined });
      return backend;
    },
  });
});
afterEach(() => vi.restoreAllMocks());

function cpuHasFloat16(): boolean {
  return (cpu?.capabilities.dtypes as readonly string[] | undefined)?.includes('float16') ?? true;
}

describe.each(CASES)('$name', ({ make, reference }) => {
  for (const dtype of ['float32', 'float64'] as const) {
    const tolerance = dtype === 'float32' ? 1e-6 : 1e-12;
    it(`the fused kernel and the composite both follow the reference on 257 elements (${dtype})`, async () => {
      const expected = referenceTrajectory(reference(), W0, C, STEPS);
      const kernel = vi.spyOn(cpu, 'optimizerStep');
      const fused = await tesseraTrajectory((params) => make(params, true), W0, C, STEPS, dtype);
      expect(kernel).toHaveBeenCalledTimes(STEPS);
      kernel.mockClear();
      const composite = await tesseraTrajectory((params) => make(params, false), W0, C, STEPS, dtype);
      expect(kernel).not.toHaveBeenCalled();
      expectTrajectory(fused, expected, tolerance);
      expectTrajectory(composite, expected, tolerance);
      expectTrajectory(fused, composite, tolerance);
    });
  }
});

describe('choosing the path', () => {
  it('by default the kernel runs when the backend has one', async () => {
    const kernel = vi.spyOn(cpu, 'optimizerStep');
    await tesseraTrajectory((params) => new Adam(params, { lr: 0.1 }), W0, C, 2);
    expect(kernel).toHaveBeenCalledTimes(2);
  });

  it('a backend without the kernel runs the composite, with the same trajectory', async () => {
    const expected = referenceTrajectory(adamReference({ lr: 0.1, amsgrad: true }, false), W0, C, STEPS);
    const w = tensor(W0, { device: 'cpu-without-optimizer-step', requiresGrad: true });
    const target = tensor(C, { device: 'cpu-without-optimizer-step' });
    const optimizer = new Adam([w], { lr: 0.1, amsgrad: true });
    const trajectory: number[][] = [];
    for (let step = 0; step < STEPS; step++) {
      optimizer.zeroGrad();
      backwardQuadratic(w, target);
      optimizer.step();
      trajectory.push(Array.from(await w.data()));
    }
    expectTrajectory(trajectory, expected, 1e-6);
    const strict = new Adam([w], { lr: 0.1, fused: true });
    expect(() => strict.step()).toThrow(/fused: true.*'cpu-without-optimizer-step' has no optimizerStep kernel/);
    strict.dispose();
    optimizer.dispose();
    for (const t of [w, target]) t.dispose();
  });

  it('a non-contiguous parameter takes the composite (fused: true refuses it)', async () => {
    const kernel = vi.spyOn(cpu, 'optimizerStep');
    const values = Array.from(seededValues(12, 9));
    const expected = referenceTrajectory(sgdReference({ lr: 0.1, momentum: 0.9 }), transpose(values), new Array(12).fill(0), 3);
    const w = tensor(values, { shape: [3, 4] }).transpose(0, 1).requiresGrad_();
    expect(w.isContiguous()).toBe(false);
    const zero = tensor(0);
    const optimizer = new SGD([w], { lr: 0.1, momentum: 0.9 });
    const trajectory: number[][] = [];
    for (let step = 0; step < 3; step++) {
      optimizer.zeroGrad();
      backwardQuadratic(w, zero);
      optimizer.step();
      const dense = w.contiguous();
      trajectory.push(Array.from(await dense.data()));
      dense.dispose();
    }
    expect(kernel).not.toHaveBeenCalled();
    expectTrajectory(trajectory, expected, 1e-6);
    const strict = new SGD([w], { lr: 0.1, fused: true });
    expect(() => strict.step()).toThrow(BackendError);
    expect(() => strict.step()).toThrow(/sgdStep: fused: true was asked for but param \(shape \[4, 3\]\) is not contiguous/);
    strict.dispose();
    optimizer.dispose();
    for (const t of [w, zero]) t.dispose();
  });

  it.skipIf(!cpuHasFloat16())('float16 parameters take the composite (the kernel fuses float32 and float64) and still follow the reference', async () => {
    const kernel = vi.spyOn(cpu, 'optimizerStep');
    // The PyTorch test problem (gradients of order 1: (1 − β₂)g² of tiny gradients underflows in half),
    // with eps 1e-3 (PyTorch's default 1e-8 rounds to 0 in half).
    const adamOptions = { lr: 0.1, eps: 1e-3 };
    const adamTrajectory = await tesseraTrajectory((params) => new AdamW(params, adamOptions), PYTORCH_W0, PYTORCH_C, 3, 'float16');
    const sgdTrajectory = await tesseraTrajectory((params) => new SGD(params, { lr: 0.05, momentum: 0.9 }), PYTORCH_W0, PYTORCH_C, 3, 'float16');
    expect(kernel).not.toHaveBeenCalled();
    // Half precision keeps 11 significant bits.
    expectTrajectory(adamTrajectory, referenceTrajectory(adamReference(adamOptions, true), PYTORCH_W0, PYTORCH_C, 3), 1e-2);
    expectTrajectory(sgdTrajectory, referenceTrajectory(sgdReference({ lr: 0.05, momentum: 0.9 }), PYTORCH_W0, PYTORCH_C, 3), 1e-2);
  });

  it('a fused step leaves no tensors behind', async () => {
    const w = tensor(W0, { requiresGrad: true });
    const target = tensor(C);
    const optimizer = new AdamW([w], { lr: 0.1, amsgrad: true });
    backwardQuadratic(w, target);
    optimizer.step(); // creates the three state tensors
    const before = memory().tensors;
    for (let step = 0; step < 5; step++) optimizer.step();
    expect(memory().tensors).toBe(before);
    optimizer.dispose();
    for (const t of [w, target]) t.dispose();
  });

  it('fused must be a boolean or unset', () => {
    const w = tensor([1], { requiresGrad: true });
    expect(() => new Adam([w], { fused: 'yes' as unknown as boolean })).toThrow(/Adam: invalid fused 'yes'/);
    expect(() => new SGD([w], { fused: 1 as unknown as boolean })).toThrow(/SGD: invalid fused 1/);
    w.dispose();
  });
});

/** Row-major values of the transpose of a 3×4 matrix given row-major. */
function transpose(values: number[]): number[] {
  const out: number[] = [];
  for (let column = 0; column < 4; column++) for (let row = 0; row < 3; row++) out.push(values[row * 4 + column]);
  return out;
}
