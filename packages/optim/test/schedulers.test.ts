/**
 * Learning-rate schedules against hand-computed sequences. Each sequence lists the rate at construction,
 * then after each `step()`.
 */
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { ValueError, tensor } from '@tessera/core';
import {
  CosineAnnealingLR,
  ExponentialLR,
  InverseSqrtLR,
  LinearWarmup,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  WarmupCosineLR,
  type Scheduler,
} from '../src/index';
import nanoGPT from './fixtures/nanogpt-get-lr.json';
import { expectClose } from './helpers';

/** A stand-in optimizer: schedules only read and write `paramGroups[i].lr`. */
function fakeOptimizer(...lrs: number[]): { paramGroups: { lr: number }[] } {
  return { paramGroups: lrs.map((lr) => ({ lr })) };
}

/** The rate of group 0 at construction and after each of `steps` steps (metrics go to step()). */
function sequence(scheduler: Scheduler, optimizer: { paramGroups: { lr: number }[] }, steps: number, metrics: number[] = []): number[] {
  const lrs = [optimizer.paramGroups[0].lr];
  expect(scheduler.getLastLr()[0]).toBe(optimizer.paramGroups[0].lr);
  for (let t = 0; t < steps; t++) {
    scheduler.step(metrics[t]);
    expect(scheduler.getLastLr()[0]).toBe(optimizer.paramGroups[0].lr);
    lrs.push(optimizer.paramGroups[0].lr);
  }
  return lrs;
}

describe('StepLR', () => {
  it('multiplies by gamma every stepSize steps', () => {
    const optimizer = fakeOptimizer(1);
    expectClose(sequence(new StepLR(optimizer, { stepSize: 2, gamma: 0.5 }), optimizer, 6), [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125], 1e-15);
  });

  it('scales every group from its own base rate, and drives a real optimizer', () => {
    const w = tensor([1], { requiresGrad: true });
    const optimizer = new SGD([{ params: [w] }, { params: [tensor([1], { requiresGrad: true })], lr: 0.1 }], { lr: 1 });
    const scheduler = new StepLR(optimizer, { stepSize: 1 });
    scheduler.step();
    expectClose(scheduler.getLastLr(), [0.1, 0.01], 1e-15);
    expectClose(optimizer.paramGroups.map((group) => group.lr), [0.1, 0.01], 1e-15);
    w.dispose();
  });
});

describe('ExponentialLR', () => {
  it('multiplies by gamma at every step', () => {
    const optimizer = fakeOptimizer(0.8);
    expectClose(sequence(new ExponentialLR(optimizer, { gamma: 0.5 }), optimizer, 4), [0.8, 0.4, 0.2, 0.1, 0.05], 1e-15);
  });
});

describe('InverseSqrtLR', () => {
  it('is η₀/√t with t counted from 1 (the course’s decay)', () => {
    const optimizer = fakeOptimizer(1);
    expectClose(sequence(new InverseSqrtLR(optimizer), optimizer, 4), [1, 1 / Math.sqrt(2), 1 / Math.sqrt(3), 0.5, 1 / Math.sqrt(5)], 1e-15);
  });

  it('with warm-up rises linearly to η₀ at t = warmupSteps, then decays as η₀·√(w/t)', () => {
    const optimizer = fakeOptimizer(2);
    expectClose(sequence(new InverseSqrtLR(optimizer, { warmupSteps: 2 }), optimizer, 4), [1, 2, 2 * Math.sqrt(2 / 3), 2 * Math.sqrt(2 / 4), 2 * Math.sqrt(2 / 5)], 1e-15);
  });
});

describe('CosineAnnealingLR', () => {
  it("follows PyTorch's closed form η_min + (η₀ − η_min)(1 + cos(πt/tMax))/2", () => {
    const optimizer = fakeOptimizer(1);
    const c = (1 + Math.cos(Math.PI / 4)) / 2; // 0.8535533905932737
    expectClose(sequence(new CosineAnnealingLR(optimizer, { tMax: 4 }), optimizer, 5), [1, c, 0.5, 1 - c, 0, 1 - c], 1e-15);
  });

  it('stays above etaMin', () => {
    const optimizer = fakeOptimizer(1);
    expectClose(sequence(new CosineAnnealingLR(optimizer, { tMax: 2, etaMin: 0.1 }), optimizer, 2), [1, 0.55, 0.1], 1e-15);
  });
});

describe('LinearWarmup', () => {
  it('rises from startFactor·η₀ to η₀ over warmupSteps, then holds without an `after` schedule', () => {
    const optimizer = fakeOptimizer(1);
    expectClose(sequence(new LinearWarmup(optimizer, { warmupSteps: 4, startFactor: 0.2 }), optimizer, 6), [0.2, 0.4, 0.6, 0.8, 1, 1, 1], 1e-15);
  });

  it("defaults startFactor to PyTorch LinearLR's 1/3", () => {
    const optimizer = fakeOptimizer(3);
    expectClose(sequence(new LinearWarmup(optimizer, { warmupSteps: 2 }), optimizer, 2), [1, 2, 3], 1e-15);
  });

  it('hands over to the `after` schedule, which starts from its beginning when the warm-up ends', () => {
    const optimizer = fakeOptimizer(1);
    const after = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
    const scheduler = new LinearWarmup(optimizer, { warmupSteps: 4, startFactor: 0.2 }, after);
    expectClose(sequence(scheduler, optimizer, 8), [0.2, 0.4, 0.6, 0.8, 1, 1, 0.5, 0.5, 0.25], 1e-15);
  });

  it('composes with cosine annealing', () => {
    const optimizer = fakeOptimizer(1);
    const scheduler = new LinearWarmup(optimizer, { warmupSteps: 2, startFactor: 0.5 }, new CosineAnnealingLR(optimizer, { tMax: 2 }));
    expectClose(sequence(scheduler, optimizer, 4), [0.5, 0.75, 1, 0.5, 0], 1e-15);
  });

  it('passes metrics on to ReduceLROnPlateau after the warm-up', () => {
    const optimizer = fakeOptimizer(1);
    const plateau = new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5 });
    const scheduler = new LinearWarmup(optimizer, { warmupSteps: 2, startFactor: 0.5 }, plateau);
    // warm-up ignores the metrics; then 3 (best), 3 (no improvement → halve), 2 (best), 2 (halve)
    expectClose(sequence(scheduler, optimizer, 6, [9, 9, 3, 3, 2, 2]), [0.5, 0.75, 1, 1, 0.5, 0.5, 0.25], 1e-15);
  });
});

describe('ReduceLROnPlateau', () => {
  it('multiplies by factor once the metric has not improved for more than patience epochs', () => {
    const optimizer = fakeOptimizer(1);
    const metrics = [10, 9, 9, 9, 9, 8, 8, 8, 8];
    expectClose(sequence(new ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 2 }), optimizer, 9, metrics), [1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25], 1e-15);
  });

  it('waits cooldown epochs after a reduction before counting bad epochs again', () => {
    const optimizer = fakeOptimizer(1);
    const metrics = [5, 5, 5, 5, 5, 5, 5, 5];
    expectClose(sequence(new ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 0, cooldown: 2 }), optimizer, 8, metrics), [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125], 1e-15);
  });

  it('never goes below minLr, per group', () => {
    const optimizer = fakeOptimizer(1, 1);
    const scheduler = new ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 0, minLr: [0.3, 0] });
    for (const metric of [1, 1, 1, 1]) scheduler.step(metric);
    expectClose(scheduler.getLastLr(), [0.3, 0.125], 1e-15);
  });

  it("mode 'max' with an absolute threshold: only gains above best + threshold count", () => {
    const optimizer = fakeOptimizer(1);
    const scheduler = new ReduceLROnPlateau(optimizer, { mode: 'max', thresholdMode: 'abs', threshold: 0.1, patience: 1, factor: 0.1 });
    expectClose(sequence(scheduler, optimizer, 4, [0.5, 0.55, 0.58, 0.9]), [1, 1, 1, 0.1, 0.1], 1e-15);
    expect(scheduler.best).toBe(0.9);
  });

  it("the default relative threshold (1e-4): a gain of 0.001% is not an improvement", () => {
    const optimizer = fakeOptimizer(1);
    const scheduler = new ReduceLROnPlateau(optimizer, { patience: 0 });
    expectClose(sequence(scheduler, optimizer, 2, [1, 0.99999]), [1, 1, 0.1], 1e-15);
  });

  it('skips reductions smaller than eps', () => {
    const optimizer = fakeOptimizer(1e-9);
    const scheduler = new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5 });
    scheduler.step(1);
    scheduler.step(1);
    expect(optimizer.paramGroups[0].lr).toBe(1e-9);
  });
});

describe('state dicts', () => {
  it('a closed-form schedule resumed from its state dict continues the sequence', () => {
    const optimizer = fakeOptimizer(1);
    const first = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
    for (let t = 0; t < 3; t++) first.step();
    const saved = first.stateDict();
    expect(saved).toEqual({ lastEpoch: 3, baseLrs: [1], lastLr: [0.5] });
    const second = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 }); // built when the lr is already 0.5
    second.loadStateDict(saved);
    second.step();
    expect(optimizer.paramGroups[0].lr).toBe(0.25);
  });

  it('ReduceLROnPlateau and LinearWarmup round-trip their counters', () => {
    const optimizer = fakeOptimizer(1);
    const plateau = new ReduceLROnPlateau(optimizer, { patience: 3 });
    plateau.step(2);
    plateau.step(3);
    const other = new ReduceLROnPlateau(fakeOptimizer(1), { patience: 3 });
    other.loadStateDict(plateau.stateDict());
    expect(other.stateDict()).toEqual({ lastEpoch: 2, best: 2, numBadEpochs: 1, cooldownCounter: 0, lastLr: [1] });

    const warmup = new LinearWarmup(optimizer, { warmupSteps: 3 }, new ExponentialLR(optimizer, { gamma: 0.5 }));
    for (let t = 0; t < 5; t++) warmup.step();
    const copyOptimizer = fakeOptimizer(1);
    const copy = new LinearWarmup(copyOptimizer, { warmupSteps: 3 }, new ExponentialLR(copyOptimizer, { gamma: 0.5 }));
    copy.loadStateDict(warmup.stateDict());
    warmup.step();
    copy.step();
    expect(copyOptimizer.paramGroups[0].lr).toBe(optimizer.paramGroups[0].lr);
    expect(copy.getLastLr()).toEqual([0.125]);
  });
});

describe('WarmupCosineLR', () => {
  it("gives nanoGPT's get_lr(it): warm-up, cosine to minLr at totalSteps, then minLr", () => {
    // fixtures/nanogpt-get-lr.json: nanoGPT's formula run in Python (learning_rate 6e-4, min_lr 6e-5, warmup 10, decay 50).
    const optimizer = fakeOptimizer(nanoGPT.learning_rate);
    const scheduler = new WarmupCosineLR(optimizer, { warmupSteps: nanoGPT.warmup_iters, totalSteps: nanoGPT.lr_decay_iters, minLr: nanoGPT.min_lr });
    const lrs = sequence(scheduler, optimizer, nanoGPT.lrs.length - 1);
    // The same operations in the same order: equal where no cosine is involved, else within V8's and libm's cos rounding.
    expect(lrs.slice(0, 11)).toEqual(nanoGPT.lrs.slice(0, 11));
    expect(lrs.slice(50)).toEqual(nanoGPT.lrs.slice(50));
    lrs.forEach((lr, it) => expect(Math.abs(lr - nanoGPT.lrs[it]) / nanoGPT.lrs[it], `it ${it}`).toBeLessThan(1e-15));
  });

  it('matches the worked numbers: (it+1)/(w+1) during warm-up, the cosine midpoint halfway, minLr from totalSteps on', () => {
    const optimizer = fakeOptimizer(1);
    const lrs = sequence(new WarmupCosineLR(optimizer, { warmupSteps: 4, totalSteps: 12, minLr: 0.1 }), optimizer, 14);
    // it 0..3: 1/5 … 4/5; it 4: 1; it 8 (halfway): 0.1 + 0.9 · 0.5; it 12 and after: 0.1.
    expectClose(lrs.slice(0, 5), [0.2, 0.4, 0.6, 0.8, 1], 1e-15);
    expectClose([lrs[6], lrs[8], lrs[12], lrs[13], lrs[14]], [0.1 + 0.9 * (1 + Math.SQRT1_2) / 2, 0.55, 0.1, 0.1, 0.1], 1e-15);
  });

  it('equals LinearWarmup(startFactor 1/(w+1)) + CosineAnnealingLR up to totalSteps, and stays at minLr after it', () => {
    const ours = fakeOptimizer(3);
    const composed = fakeOptimizer(3);
    const warmupCosine = new WarmupCosineLR(ours, { warmupSteps: 5, totalSteps: 20, minLr: 0.3 });
    const cosine = new CosineAnnealingLR(composed, { tMax: 15, etaMin: 0.3 });
    const chain = new LinearWarmup(composed, { warmupSteps: 5, startFactor: 1 / 6 }, cosine);
    const a = sequence(warmupCosine, ours, 30);
    const b = sequence(chain, composed, 30);
    expectClose(a.slice(0, 21), b.slice(0, 21), 1e-14);
    expect(a.slice(21)).toEqual(Array(10).fill(0.3));
    expect(b[25]).toBeGreaterThan(0.3); // the closed-form cosine rises again
  });

  it('without warm-up starts at η₀; each group decays from its own rate to the shared minLr', () => {
    const optimizer = fakeOptimizer(1, 0.5);
    const scheduler = new WarmupCosineLR(optimizer, { warmupSteps: 0, totalSteps: 2 });
    expect(scheduler.getLastLr()).toEqual([1, 0.5]);
    scheduler.step();
    expectClose(scheduler.getLastLr(), [0.5, 0.25], 1e-15);
    scheduler.step();
    expect(scheduler.getLastLr()).toEqual([0, 0]);
  });

  it('resumes from its state dict at the same rate', () => {
    const optimizer = fakeOptimizer(1);
    const first = new WarmupCosineLR(optimizer, { warmupSteps: 3, totalSteps: 10, minLr: 0.1 });
    for (let i = 0; i < 5; i++) first.step();
    const saved = JSON.parse(JSON.stringify(first.stateDict()));
    expect(saved.lastEpoch).toBe(5);
    const resumedOptimizer = fakeOptimizer(1);
    const resumed = new WarmupCosineLR(resumedOptimizer, { warmupSteps: 3, totalSteps: 10, minLr: 0.1 });
    resumed.loadStateDict(saved);
    first.step();
    resumed.step();
    expect(resumed.getLastLr()).toEqual(first.getLastLr());
    expect(resumedOptimizer.paramGroups[0].lr).toBe(optimizer.paramGroups[0].lr);
  });

  it('rejects a cosine of no length and bad counts', () => {
    const optimizer = fakeOptimizer(1);
    expect(() => new WarmupCosineLR(optimizer, { warmupSteps: 10, totalSteps: 10 })).toThrow(
      new ValueError('WarmupCosineLR: totalSteps (10) must be greater than warmupSteps (10); the cosine runs between them'),
    );
    expect(() => new WarmupCosineLR(optimizer, { warmupSteps: -1, totalSteps: 10 })).toThrow(/WarmupCosineLR: invalid warmupSteps -1; expected an integer ≥ 0/);
    expect(() => new WarmupCosineLR(optimizer, { warmupSteps: 1, totalSteps: 2.5 })).toThrow(/invalid totalSteps 2.5/);
    expect(() => new WarmupCosineLR(optimizer, { warmupSteps: 1, totalSteps: 5, minLr: -1 })).toThrow(/invalid minLr -1/);
    expect(() => new WarmupCosineLR(optimizer, undefined as never)).toThrow(/invalid warmupSteps undefined/);
  });
});

describe('bad input', () => {
  it('out-of-range options name the schedule and the option', () => {
    const optimizer = fakeOptimizer(1);
    expect(() => new StepLR(optimizer, { stepSize: 0 })).toThrow(new ValueError('StepLR: invalid stepSize 0; expected an integer ≥ 1'));
    expect(() => new ExponentialLR(optimizer, { gamma: -1 })).toThrow(/ExponentialLR: invalid gamma -1/);
    expect(() => new CosineAnnealingLR(optimizer, { tMax: 0 })).toThrow(/CosineAnnealingLR: invalid tMax 0; expected a number > 0/);
    expect(() => new InverseSqrtLR(optimizer, { warmupSteps: 1.5 })).toThrow(/invalid warmupSteps 1.5/);
    expect(() => new LinearWarmup(optimizer, { warmupSteps: 0 })).toThrow(/LinearWarmup: invalid warmupSteps 0/);
    expect(() => new LinearWarmup(optimizer, { warmupSteps: 2, startFactor: 0 })).toThrow(/invalid startFactor 0; expected a number > 0 and ≤ 1/);
    expect(() => new ReduceLROnPlateau(optimizer, { factor: 1 })).toThrow(/ReduceLROnPlateau: invalid factor 1; expected a number > 0 and < 1/);
    expect(() => new ReduceLROnPlateau(optimizer, { mode: 'up' as 'min' })).toThrow(new ValueError("ReduceLROnPlateau: invalid mode 'up'; expected one of 'min', 'max'"));
    expect(() => new ReduceLROnPlateau(optimizer, { minLr: [0, 0] })).toThrow(/minLr has 2 values but the optimizer has 1 parameter group/);
  });

  it('ReduceLROnPlateau.step without a metric', () => {
    expect(() => new ReduceLROnPlateau(fakeOptimizer(1)).step()).toThrow(/ReduceLROnPlateau.step: expected the monitored metric \(a number, e.g. the validation loss\), got undefined/);
  });

  it('a non-optimizer, or an `after` schedule of another optimizer', () => {
    expect(() => new StepLR({} as never, { stepSize: 1 })).toThrow(/StepLR: expected an optimizer with paramGroups that have a numeric lr, got an object/);
    const other = new StepLR(fakeOptimizer(1), { stepSize: 1 });
    expect(() => new LinearWarmup(fakeOptimizer(1), { warmupSteps: 2 }, other)).toThrow(/made for a different optimizer/);
  });

  it('loadStateDict of the wrong shape', () => {
    expect(() => new StepLR(fakeOptimizer(1), { stepSize: 1 }).loadStateDict({ lastEpoch: 1 })).toThrow(/StepLR.loadStateDict: expected \{ lastEpoch, baseLrs, lastLr \}/);
  });
});

describe('requiresMetric tells a training loop which schedules need the monitored value', () => {
  it('is true for ReduceLROnPlateau, false for closed-form schedules, and follows LinearWarmup’s after-schedule', () => {
    const optimizer = new SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
    expect(new ReduceLROnPlateau(optimizer).requiresMetric).toBe(true);
    expect(new StepLR(optimizer, { stepSize: 2 }).requiresMetric).toBe(false);
    expect(new LinearWarmup(optimizer, { warmupSteps: 2 }).requiresMetric).toBe(false);
    expect(new LinearWarmup(optimizer, { warmupSteps: 2 }, new ReduceLROnPlateau(optimizer)).requiresMetric).toBe(true);
  });
});
