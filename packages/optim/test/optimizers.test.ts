/**
 * Every optimizer and option combination follows PyTorch's update rule: over 6 steps on
 * f(w) = Σ (w − c)², Tessera's trajectory matches a float64 JavaScript implementation of the documented
 * rule (1e-6 relative in float32, 1e-12 in float64), and that implementation matches PyTorch 1.13's numbers.
 */
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '@tessera/core';
import { Adagrad, Adam, AdamW, RMSprop, SGD } from '../src/index';
import type { AdagradOptions, AdamOptions, RMSpropOptions, SGDOptions } from '../src/index';
import { expectTrajectory, tesseraTrajectory } from './helpers';
import { C, PYTORCH_TRAJECTORIES, W0 } from './pytorch-reference';
import { adagradReference, adamReference, referenceTrajectory, rmspropReference, sgdReference, type ReferenceStep } from './reference';

const STEPS = 6;

interface Case {
  name: string;
  make: (params: Tensor[]) => { step(): void; zeroGrad(): void; dispose(): void };
  reference: () => ReferenceStep;
}

function sgd(label: string, options: Partial<SGDOptions>): Case {
  return { name: `SGD/${label}`, make: (params) => new SGD(params, options), reference: () => sgdReference(options) };
}
function adam(label: string, options: Partial<AdamOptions>): Case {
  return { name: `Adam/${label}`, make: (params) => new Adam(params, options), reference: () => adamReference(options, false) };
}
function adamw(label: string, options: Partial<AdamOptions>): Case {
  return { name: `AdamW/${label}`, make: (params) => new AdamW(params, options), reference: () => adamReference(options, true) };
}
function rmsprop(label: string, options: Partial<RMSpropOptions>): Case {
  return { name: `RMSprop/${label}`, make: (params) => new RMSprop(params, options), reference: () => rmspropReference(options) };
}
function adagrad(label: string, options: Partial<AdagradOptions>): Case {
  return { name: `Adagrad/${label}`, make: (params) => new Adagrad(params, options), reference: () => adagradReference(options) };
}

// The same cases, with PyTorch's option names, are in pytorch-reference.py.
const CASES: Case[] = [
  sgd('plain', { lr: 0.1 }),
  sgd('momentum', { lr: 0.05, momentum: 0.9 }),
  sgd('dampening', { lr: 0.05, momentum: 0.9, dampening: 0.5 }),
  sgd('nesterov', { lr: 0.05, momentum: 0.9, nesterov: true }),
  sgd('weightDecay', { lr: 0.1, weightDecay: 0.1 }),
  sgd('momentum+weightDecay+nesterov', { lr: 0.05, momentum: 0.8, weightDecay: 0.2, nesterov: true }),
  sgd('maximize', { lr: 0.05, momentum: 0.5, maximize: true }),
  adam('defaults', { lr: 0.1 }),
  adam('betas', { lr: 0.1, betas: [0.8, 0.99] }),
  adam('weightDecay', { lr: 0.1, weightDecay: 0.1 }),
  adam('amsgrad', { lr: 0.3, betas: [0.9, 0.6], amsgrad: true }),
  adam('amsgrad+weightDecay+eps', { lr: 0.3, betas: [0.9, 0.6], amsgrad: true, weightDecay: 0.2, eps: 1e-3 }),
  adam('maximize', { lr: 0.1, maximize: true }),
  adamw('defaults', { lr: 0.1 }),
  adamw('weightDecay', { lr: 0.1, weightDecay: 0.3 }),
  adamw('amsgrad', { lr: 0.3, betas: [0.9, 0.6], amsgrad: true, weightDecay: 0.1 }),
  rmsprop('defaults', { lr: 0.01 }),
  rmsprop('alpha', { lr: 0.05, alpha: 0.9 }),
  rmsprop('momentum', { lr: 0.01, momentum: 0.9 }),
  rmsprop('centered', { lr: 0.01, centered: true }),
  rmsprop('centered+momentum+weightDecay', { lr: 0.01, alpha: 0.8, centered: true, momentum: 0.5, weightDecay: 0.1, eps: 1e-4 }),
  rmsprop('maximize', { lr: 0.01, maximize: true }),
  adagrad('defaults', { lr: 0.1 }),
  adagrad('lrDecay', { lr: 0.5, lrDecay: 0.1 }),
  adagrad('initialAccumulatorValue', { lr: 0.5, initialAccumulatorValue: 0.5 }),
  adagrad('weightDecay+eps', { lr: 0.5, weightDecay: 0.1, eps: 1e-2 }),
  adagrad('maximize', { lr: 0.1, maximize: true }),
];

describe.each(CASES)('$name', ({ name, make, reference }) => {
  it('the float64 reference of the documented rule reproduces PyTorch 1.13', () => {
    const pytorch = PYTORCH_TRAJECTORIES[name];
    expect(pytorch, `no PyTorch numbers for ${name}`).toBeDefined();
    expectTrajectory(referenceTrajectory(reference(), W0, C, STEPS), pytorch, 1e-12);
  });

  it('matches the reference within 1e-6 relative in float32', async () => {
    const expected = referenceTrajectory(reference(), W0, C, STEPS);
    expectTrajectory(await tesseraTrajectory(make, W0, C, STEPS, 'float32'), expected, 1e-6);
  });

  it('matches the reference within 1e-12 in float64', async () => {
    const expected = referenceTrajectory(reference(), W0, C, STEPS);
    expectTrajectory(await tesseraTrajectory(make, W0, C, STEPS, 'float64'), expected, 1e-12);
  });
});

it('every PyTorch reference case is tested', () => {
  expect(Object.keys(PYTORCH_TRAJECTORIES).sort()).toEqual(CASES.map((c) => c.name).sort());
});

it("SGD's momentum steps along the course's weighted sum of past steps, step(n) + β·step(n−1) + β²·step(n−2) + …", async () => {
  const lr = 0.05;
  const beta = 0.9;
  const grads: number[][] = [];
  const trajectory = await tesseraTrajectory((params) => new SGD(params, { lr, momentum: beta }), W0, C, STEPS);
  const points = [W0, ...trajectory];
  for (let n = 0; n < STEPS; n++) grads.push(points[n].map((w, i) => 2 * (w - C[i])));
  for (let n = 0; n < STEPS; n++) {
    // step(k) = −η g_k; the update at step n is Σ_k β^(n−k) step(k)
    const expected = W0.map((_, i) => grads.slice(0, n + 1).reduce((sum, g, k) => sum + beta ** (n - k) * -lr * g[i], 0));
    const actual = points[n + 1].map((w, i) => w - points[n][i]);
    actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
  }
});
