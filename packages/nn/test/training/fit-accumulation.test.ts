import '@tessera/backend-cpu';
import { cat, manualSeed, memory, randint, randn, tidy, ValueError, type Tensor } from '@tessera/core';
import { SGD } from '@tessera/optim';
import { describe, expect, it } from 'vitest';
import { F, MLP, fit } from '../../src/index';

const loss = (logits: Tensor, labels: Tensor) => F.crossEntropy(logits, labels);

function microBatches(count: number, size: number): [Tensor, Tensor][] {
  return Array.from({ length: count }, () => [randn([size, 5]), randint(0, 3, [size], { dtype: 'int32' })] as [Tensor, Tensor]);
}

/** The micro-batches joined into one batch per group of `n`. */
function joined(batches: [Tensor, Tensor][], n: number): [Tensor, Tensor][] {
  const groups: [Tensor, Tensor][] = [];
  for (let i = 0; i < batches.length; i += n) {
    const group = batches.slice(i, i + n);
    groups.push([cat(group.map(([x]) => x)), cat(group.map(([, y]) => y))]);
  }
  return groups;
}

async function parameters(model: MLP): Promise<number[]> {
  const all: number[] = [];
  for (const p of model.parameters()) all.push(...(await p.data()));
  return all;
}

function twins(): [MLP, MLP] {
  manualSeed(7);
  const a = new MLP({ sizes: [5, 16, 3] });
  const b = new MLP({ sizes: [5, 16, 3] });
  b.loadStateDict(a.stateDict());
  return [a, b];
}

function expectClose(actual: number[], expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(...actual.map((value, i) => Math.abs(value - expected[i])));
  expect(worst).toBeLessThan(tolerance);
}

describe('fit({ accumulationSteps })', () => {
  it('N micro-batches give the parameters of one batch N times larger (step run, SGD with momentum)', async () => {
    const [accumulated, large] = twins();
    manualSeed(1);
    const micro = microBatches(8, 6);
    const big = joined(micro, 4);
    const steps: number[] = [];
    await fit(accumulated, {
      train: micro, loss, optimizer: new SGD(accumulated.parameters(), { lr: 0.2, momentum: 0.9 }), steps: 6, accumulationSteps: 4,
      callbacks: [{ onStepEnd: (step) => void steps.push(step) }],
    });
    await fit(large, { train: big, loss, optimizer: new SGD(large.parameters(), { lr: 0.2, momentum: 0.9 }), steps: 6 });
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expectClose(await parameters(accumulated), await parameters(large), 2e-6);
  });

  it('the same in an epoch run, where an epoch ending mid-group steps with the mean of the batches it has', async () => {
    const [accumulated, large] = twins();
    manualSeed(2);
    const micro = microBatches(5, 4); // groups of 2: [0, 1], [2, 3], [4]
    const big = joined(micro, 2);
    const accumulatedOptimizer = new SGD(accumulated.parameters(), { lr: 0.1 });
    const largeOptimizer = new SGD(large.parameters(), { lr: 0.1 });
    const history = await fit(accumulated, { train: micro, loss, optimizer: accumulatedOptimizer, epochs: 2, accumulationSteps: 2 });
    await fit(large, { train: big, loss, optimizer: largeOptimizer, epochs: 2 });
    expect(history.steps.map((logs) => logs.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expectClose(await parameters(accumulated), await parameters(large), 2e-6);
  });

  it('the manual pattern: divide each loss by N, backward N times, step once', async () => {
    const [manual, viaFit] = twins();
    manualSeed(3);
    const micro = microBatches(4, 5);
    const optimizer = new SGD(manual.parameters(), { lr: 0.3 });
    const accumulationSteps = 4;
    optimizer.zeroGrad();
    for (const [x, y] of micro) tidy(() => F.crossEntropy(manual.forward(x), y).div(accumulationSteps).backward());
    optimizer.step();
    await fit(viaFit, { train: micro, loss, optimizer: new SGD(viaFit.parameters(), { lr: 0.3 }), steps: 1, accumulationSteps });
    expect(await parameters(viaFit)).toEqual(await parameters(manual));
  });

  it('counts optimizer steps for evaluations, logs the mean loss of each group, and keeps memory flat', async () => {
    const [model] = twins();
    manualSeed(4);
    const micro = microBatches(6, 4);
    const val = microBatches(1, 8);
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    let optimizerSteps = 0;
    const step = optimizer.step.bind(optimizer);
    optimizer.step = () => {
      optimizerSteps++;
      step();
    };
    const batchLosses: number[] = [];
    const history = await fit(model, {
      train: micro, val, loss, optimizer, steps: 4, accumulationSteps: 3, evalInterval: 2,
      callbacks: [{ onBatchEnd: (_batch, logs) => void batchLosses.push(logs.batchLoss) }],
    });
    expect(optimizerSteps).toBe(4);
    expect(batchLosses).toHaveLength(12);
    expect(history.steps.filter((logs) => logs.val_loss !== undefined).map((logs) => logs.step)).toEqual([2, 4]);
    const firstGroup = (batchLosses[0] + batchLosses[1] + batchLosses[2]) / 3;
    expect(history.steps[0].loss).toBeCloseTo(firstGroup, 10);

    const before = memory().tensors;
    await fit(model, { train: micro, loss, optimizer, steps: 3, accumulationSteps: 2 });
    expect(memory().tensors).toBe(before);
  });

  it('refuses a non-positive accumulationSteps', async () => {
    const [model] = twins();
    await expect(fit(model, { train: microBatches(1, 2), loss, optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 1, accumulationSteps: 0 })).rejects.toThrow(ValueError);
  });
});
