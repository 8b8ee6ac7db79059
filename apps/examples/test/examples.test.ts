/**
 * Every example runs in quick mode and its key numbers are checked. (Full runs, with the real accuracy
 * targets, are run by hand with `pnpm example <name>`; their numbers are in the README.)
 */
import '@tessera/backend-cpu';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../src/examples/index';

const quiet = { quick: true, print: () => {} };
const hasFashionMNIST = existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz');

async function run<T>(name: string): Promise<T> {
  const module = await EXAMPLES[name].load();
  return (await module.main(quiet)) as T;
}

describe('examples (quick mode)', () => {
  it('backprop-by-hand reproduces the course: δᵒ = 0.122, δʰ = 0.003, ΔW = 0.0302, Δw = (0.00015, 0.00045)', async () => {
    const result = await run<{ h: number; a: number; yHat: number; deltaOutput: number; deltaHidden: number; stepW: number; stepw: number[]; after: { W: number; w: number[] } }>('backprop-by-hand');
    expect(result.h).toBeCloseTo(-0.02, 10);
    expect(result.a).toBeCloseTo(0.495, 3);
    expect(result.yHat).toBeCloseTo(0.512, 3);
    // The course rounds each intermediate to the digits it prints.
    expect(Math.abs(result.deltaOutput - 0.122)).toBeLessThan(5e-4);
    expect(Math.abs(result.deltaHidden - 0.003)).toBeLessThan(1e-4);
    expect(Math.abs(result.stepW - 0.0302)).toBeLessThan(1e-4);
    expect(Math.abs(result.stepw[0] - 0.00015)).toBeLessThan(1e-5);
    expect(Math.abs(result.stepw[1] - 0.00045)).toBeLessThan(1e-5);
    // And exactly, from the formulas: δᵒ = (y − ŷ)ŷ(1 − ŷ), δʰ = Wδᵒa(1 − a), ΔW = ηδᵒa, Δwᵢ = ηδʰxᵢ.
    const deltaOutput = (1 - result.yHat) * result.yHat * (1 - result.yHat);
    const deltaHidden = 0.1 * deltaOutput * result.a * (1 - result.a);
    expect(result.deltaOutput).toBeCloseTo(deltaOutput, 12);
    expect(result.deltaHidden).toBeCloseTo(deltaHidden, 12);
    expect(result.stepW).toBeCloseTo(0.5 * deltaOutput * result.a, 12);
    expect(result.stepw[0]).toBeCloseTo(0.5 * deltaHidden * 0.1, 12);
    expect(result.stepw[1]).toBeCloseTo(0.5 * deltaHidden * 0.3, 12);
    // One SGD step with lr η applies exactly these steps.
    expect(result.after.W).toBeCloseTo(0.1 + result.stepW, 12);
    expect(result.after.w[0]).toBeCloseTo(0.4 + result.stepw[0], 12);
    expect(result.after.w[1]).toBeCloseTo(-0.2 + result.stepw[1], 12);
  });

  it('perceptron converges on separable points, fewer mistakes as the line moves', async () => {
    const result = await run<{ converged: boolean; accuracy: number; mistakesPerEpoch: number[] }>('perceptron');
    expect(result.converged).toBe(true);
    expect(result.accuracy).toBe(1);
    expect(result.mistakesPerEpoch.at(-1)).toBe(0);
    expect(result.mistakesPerEpoch[0]).toBeGreaterThan(0);
  });

  it('logistic-regression: the per-point rule and SGD both lower the log-loss and classify the clusters', async () => {
    const result = await run<{ perPoint: { logLoss: number; accuracy: number; firstLoss: number }; sgd: { logLoss: number; accuracy: number; firstLoss: number } }>('logistic-regression');
    for (const r of [result.perPoint, result.sgd]) {
      expect(r.accuracy).toBeGreaterThan(0.85);
      expect(r.logLoss).toBeLessThan(r.firstLoss);
    }
    expect(Math.abs(result.perPoint.logLoss - result.sgd.logLoss)).toBeLessThan(0.05);
  });

  it('xor-mlp: XOR by combining perceptrons, and learned by a 2-4-1 network', async () => {
    const result = await run<{ byHand: number[]; learned: number[]; accuracy: number }>('xor-mlp');
    expect(result.byHand).toEqual([0, 1, 1, 0]);
    expect(result.accuracy).toBe(1);
    expect(result.learned.map((p) => (p > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  });

  it('iris: softmax regression classifies held-out flowers', async () => {
    const result = await run<{ accuracy: number; confusion: number[][] }>('iris');
    expect(result.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(result.confusion.flat().reduce((a, b) => a + b)).toBe(45);
  });

  it('digits: the MLP classifies held-out digits', async () => {
    const result = await run<{ accuracy: number }>('digits');
    expect(result.accuracy).toBeGreaterThan(0.9);
  });

  it.skipIf(!hasFashionMNIST)('fashion-mnist-mlp trains the MLP and softmax regression on a subset', async () => {
    const result = await run<{ mlp: { testAccuracy: number; secondsPerEpoch: number }; softmax: { testAccuracy: number } }>('fashion-mnist-mlp');
    expect(result.mlp.testAccuracy).toBeGreaterThan(0.6);
    expect(result.softmax.testAccuracy).toBeGreaterThan(0.6);
    expect(result.mlp.secondsPerEpoch).toBeGreaterThan(0);
  });

  it('regularization: L1 zeroes useless weights, L2 shrinks the weights, both lower the test error', async () => {
    type Summary = { trainMse: number; testMse: number; nearZero: number; norm: number };
    const result = await run<{ none: Summary; l1: Summary; l2: Summary }>('regularization');
    expect(result.l1.nearZero).toBeGreaterThanOrEqual(result.none.nearZero + 8);
    expect(result.l2.norm).toBeLessThan(result.none.norm);
    expect(result.l1.testMse).toBeLessThan(result.none.testMse);
    expect(result.none.trainMse).toBeLessThan(result.l1.trainMse);
  });

  it('dropout: the training/test gap is smaller with dropout', async () => {
    type Summary = { trainAccuracy: number; testAccuracy: number; gap: number };
    const result = await run<{ withoutDropout: Summary; withDropout: Summary }>('dropout');
    expect(result.withoutDropout.trainAccuracy).toBe(1);
    expect(result.withDropout.gap).toBeLessThan(result.withoutDropout.gap);
  });

  it('early-stopping stops early at a validation loss no worse than training on', async () => {
    const result = await run<{ full: { epochs: number; finalValLoss: number; bestValLoss: number }; earlyStopping: { epochs: number; bestValLoss: number; bestEpoch: number } }>('early-stopping');
    expect(result.earlyStopping.epochs).toBeLessThan(result.full.epochs);
    expect(result.earlyStopping.bestValLoss).toBeLessThanOrEqual(result.full.finalValLoss);
    expect(result.earlyStopping.bestValLoss).toBeCloseTo(result.full.bestValLoss, 4);
  });

  it('momentum: a larger momentum lowers the training loss faster', async () => {
    const result = await run<Record<string, { finalLoss: number }>>('momentum');
    expect(result['momentum0.9'].finalLoss).toBeLessThan(result['momentum0.5'].finalLoss);
    expect(result['momentum0.5'].finalLoss).toBeLessThan(result.momentum0.finalLoss);
  });

  it('lr-decay: the schedules lower the learning rate epoch by epoch', async () => {
    const result = await run<Record<string, { lastLr: number; testAccuracy: number }>>('lr-decay');
    expect(result.constant.lastLr).toBe(0.5);
    expect(result['StepLR(3, 0.5)'].lastLr).toBe(0.25);
    expect(result['ExponentialLR(0.8)'].lastLr).toBeCloseTo(0.5 * 0.8 ** 3, 6);
    expect(result.InverseSqrtLR.lastLr).toBeCloseTo(0.5 / Math.sqrt(4), 6);
    for (const r of Object.values(result)) expect(r.testAccuracy).toBeGreaterThan(0.8);
  });

  it('random-restarts keeps the best of several runs', async () => {
    const result = await run<{ bestLoss: number; bestAccuracy: number; losses: number[] }>('random-restarts');
    expect(result.bestLoss).toBe(Math.min(...result.losses));
    expect(result.bestAccuracy).toBe(1);
  });

  it('batch-vs-minibatch-vs-sgd: 1, ⌈N/32⌉ and N steps per epoch; more steps lower the loss faster', async () => {
    const result = await run<Record<string, { stepsPerEpoch: number; finalLoss: number }>>('batch-vs-minibatch-vs-sgd');
    expect(result.batch.stepsPerEpoch).toBe(1);
    expect(result['mini-batch'].stepsPerEpoch).toBe(Math.ceil(300 / 32));
    expect(result.stochastic.stepsPerEpoch).toBe(300);
    expect(result.stochastic.finalLoss).toBeLessThan(result['mini-batch'].finalLoss);
    expect(result['mini-batch'].finalLoss).toBeLessThan(result.batch.finalLoss);
  });

  it.skipIf(!hasFashionMNIST)('transfer-learning runs the four cases, training only the layers each case allows', async () => {
    const result = await run<Record<string, { accuracy: number; trainable: number }> & { pretrainedAccuracy: number }>('transfer-learning');
    expect(result.pretrainedAccuracy).toBeGreaterThan(0.5);
    expect(result.case1.trainable).toBe(64 * 5 + 5); // only the new output layer
    expect(result.case2.trainable).toBe(8 * 7 * 7 * 5 + 5); // only the new layer on the early features
    expect(result.case3.trainable).toBe(result.case4.trainable); // everything
    for (const name of ['case1', 'case2', 'case3', 'case4']) expect(result[name].accuracy).toBeGreaterThan(0.2);
    expect(result.case3.accuracy).toBeGreaterThan(0.5);
  });

  it('hessian-minimum-saddle: eigenvalues all positive at the trained minimum, mixed at the saddle; Hessians match finite differences', async () => {
    type Point = { weights: number[]; gradientNorm: number; hessian: number[][]; eigenvalues: number[] };
    const result = await run<{ data: { x: number[]; y: number[] }; minimum: Point; mirror: Point; saddle: Point; alongNegative: number; alongPositive: number }>(
      'hessian-minimum-saddle',
    );
    const { x, y } = result.data;
    const loss = ([w1, w2]: number[]) => x.reduce((sum, xi, i) => sum + (w2 * Math.tanh(w1 * xi) - y[i]) ** 2, 0) / x.length;
    // Central second differences of the loss, in plain arithmetic, independent of autograd.
    const numericHessian = (w: number[], eps = 1e-4) =>
      [0, 1].map((i) =>
        [0, 1].map((j) => {
          const at = (di: number, dj: number) => loss(w.map((value, k) => value + (k === i ? di * eps : 0) + (k === j ? dj * eps : 0)));
          return (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * eps * eps);
        }),
      );
    // Eigenvalues of a symmetric 2 × 2 matrix in closed form.
    const eigenvalues2 = ([[a, b], [, d]]: number[][]) => {
      const radius = Math.hypot((a - d) / 2, b);
      return [(a + d) / 2 - radius, (a + d) / 2 + radius];
    };
    for (const point of [result.minimum, result.mirror, result.saddle]) {
      expect(point.gradientNorm).toBeLessThan(1e-8);
      const numeric = numericHessian(point.weights);
      for (const i of [0, 1]) for (const j of [0, 1]) expect(Math.abs(point.hessian[i][j] - numeric[i][j])).toBeLessThan(1e-6);
      const expected = eigenvalues2(numeric);
      for (const i of [0, 1]) expect(Math.abs(point.eigenvalues[i] - expected[i])).toBeLessThan(1e-6);
    }
    expect(result.minimum.eigenvalues.every((e) => e > 0)).toBe(true);
    expect(result.mirror.eigenvalues.every((e) => e > 0)).toBe(true);
    expect(result.saddle.weights).toEqual([0, 0]);
    expect(result.saddle.eigenvalues[0]).toBeLessThan(0);
    expect(result.saddle.eigenvalues[1]).toBeGreaterThan(0);
    // Negative curvature means the loss falls along that eigenvector, positive that it rises.
    expect(result.alongNegative).toBeLessThan(0);
    expect(result.alongPositive).toBeGreaterThan(0);
  });

  it('every registered example is run by a quick-mode test in this folder', () => {
    // A test runs an example by its registry key (run('name'), EXAMPLES['name'], …); find each key quoted in a test file.
    const folder = dirname(fileURLToPath(import.meta.url));
    const sources = readdirSync(folder)
      .filter((file) => file.endsWith('.test.ts'))
      .map((file) => readFileSync(join(folder, file), 'utf8'));
    const untested = Object.keys(EXAMPLES).filter((name) => !sources.some((source) => source.includes(`'${name}'`) || source.includes(`"${name}"`)));
    expect(untested).toEqual([]);
    expect(Object.keys(EXAMPLES).length).toBeGreaterThanOrEqual(27);
  });
});
