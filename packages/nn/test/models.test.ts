import '@tessera/backend-cpu';
import { describe, expect, it, vi } from 'vitest';
import { manualSeed, memory, noGrad, randn, resolveBackend, tensor, tidy, ShapeError, ValueError, type Tensor } from '@tessera/core';
import { BCEWithLogitsLoss, CrossEntropyLoss, Dropout, LogisticRegression, MLP, Perceptron, Sigmoid, init } from '../src/index';
import { expectClose, int } from './helpers';

/** Plain gradient descent (nn does not depend on optim). */
function sgdStep(params: Tensor[], lr: number): void {
  noGrad(() => {
    for (const p of params) {
      if (p.grad) tidy(() => p.assign(p.sub(p.grad!.mul(lr))));
    }
  });
}

describe('Perceptron (the course’s perceptron trick)', () => {
  const points = [[1, 1], [2, 3], [3, 1.5], [-1, -1], [-2, 0.5], [0.5, -2]];
  const labels = [1, 1, 1, 0, 0, 0];

  it('predicts step(w·x + b)', async () => {
    const p = new Perceptron(2);
    noGrad(() => {
      p.weight.assign(tensor([[1, -1]]));
      p.bias.assign(tensor([0]));
    });
    expect(await p.forward(tensor([[2, 1], [1, 2], [1, 1]])).array()).toEqual([1, 0, 1]); // the line itself is positive
  });

  it('moves the line by ±α(x, 1) on a misclassified point and not at all on a correct one', async () => {
    const p = new Perceptron(2);
    init.zeros(p.weight);
    noGrad(() => p.bias.assign(tensor([-1])));
    // (1, 2) is positive but step(−1) = 0: w ← w + α(1, 2), b ← b + α.
    const first = await p.train([[1, 2]], [1], { lr: 0.5, maxEpochs: 1 });
    expect(first.history[0]).toEqual({ epoch: 1, weights: [0.5, 1], bias: -0.5, mistakes: 1 });
    // (3, 3) is negative but predicted 1: w ← w − α(3, 3), b ← b − α.
    const second = await p.train([[3, 3]], [0], { lr: 0.5, maxEpochs: 1 });
    expect(second.history[0]).toEqual({ epoch: 1, weights: [-1, -0.5], bias: -1, mistakes: 1 });
    // Correctly classified: nothing changes, and training stops after that epoch.
    const third = await p.train([[3, 3]], [0], { lr: 0.5, maxEpochs: 5 });
    expect(third).toEqual({ converged: true, epochs: 1, history: [{ epoch: 1, weights: [-1, -0.5], bias: -1, mistakes: 0 }] });
  });

  it('converges on linearly separable points and records the boundary after every epoch', async () => {
    manualSeed(0);
    const p = new Perceptron(2);
    const result = await p.train(points, labels, { lr: 0.1, maxEpochs: 100 });
    expect(result.converged).toBe(true);
    expect(result.history).toHaveLength(result.epochs);
    expect(p.history).toBe(result.history);
    expect(result.history.at(-1)!.mistakes).toBe(0);
    expect(result.history.map((h) => h.epoch)).toEqual(Array.from({ length: result.epochs }, (_, i) => i + 1));
    expect(await p.forward(tensor(points)).array()).toEqual(labels);
  });

  it('stops at maxEpochs when the points are not separable (XOR)', async () => {
    const result = await new Perceptron(2).train([[0, 0], [1, 1], [0, 1], [1, 0]], [0, 0, 1, 1], { lr: 0.1, maxEpochs: 7 });
    expect(result.converged).toBe(false);
    expect(result.epochs).toBe(7);
  });

  it('train() without data is still Module.train()', () => {
    const p = new Perceptron(2);
    expect(p.train(false)).toBe(p);
    expect(p.training).toBe(false);
    expect(p.train()).toBe(p);
    expect(p.training).toBe(true);
  });

  it('bad data is a clear error', async () => {
    const p = new Perceptron(2);
    await expect(p.train([[1, 2, 3]], [1])).rejects.toThrow(ShapeError);
    await expect(p.train([[1, 2]], [1, 0])).rejects.toThrow(/labels must have shape \[1\]/);
    await expect(p.train([[1, 2]], [2])).rejects.toThrow(/labels must be 0 or 1/);
    await expect(p.train([[1, 2]], [1], { lr: 0 })).rejects.toThrow(ValueError);
  });

  it('memory stays flat across training', async () => {
    const p = new Perceptron(2);
    await p.train(points, labels, { maxEpochs: 2 });
    const before = memory().tensors;
    await p.train(points, labels, { maxEpochs: 3 });
    expect(memory().tensors).toBe(before);
  });
});

describe('LogisticRegression', () => {
  it('stepPerPoint applies w ← w + α(y − ŷ)x and b ← b + α(y − ŷ)', async () => {
    const model = new LogisticRegression(2, { dtype: 'float64' });
    noGrad(() => {
      model.linear.weight.assign(tensor([[0.5, -0.25]], { dtype: 'float64' }));
      model.linear.bias!.assign(tensor([0.1], { dtype: 'float64' }));
    });
    const x = [2, 1];
    const yHat = 1 / (1 + Math.exp(-(0.5 * 2 - 0.25 * 1 + 0.1)));
    model.stepPerPoint(x, 0, 0.1);
    const error = 0 - yHat;
    await expectClose(model.linear.weight, [[0.5 + 0.1 * error * 2, -0.25 + 0.1 * error * 1]], 1e-12);
    await expectClose(model.linear.bias!, [0.1 + 0.1 * error], 1e-12);
  });

  it('the per-point rule is gradient descent on that point’s log-loss', async () => {
    const a = new LogisticRegression(3, { dtype: 'float64' });
    const b = new LogisticRegression(3, { dtype: 'float64' });
    b.loadStateDict(a.stateDict());
    const x = [0.3, -1.2, 2];
    a.stepPerPoint(x, 1, 0.05);
    b.loss(tensor([x], { dtype: 'float64' }), tensor([1], { dtype: 'float64' })).backward();
    sgdStep(b.parameters(), 0.05);
    await expectClose(a.linear.weight, Array.from(await b.linear.weight.data()), 1e-12);
    await expectClose(a.linear.bias!, Array.from(await b.linear.bias!.data()), 1e-12);
  });

  it('fitPerPoint separates two clusters; forward gives logits [N], predictProba σ(z), predict 0/1', async () => {
    manualSeed(2);
    const points = [[0, 0], [0.5, 0.2], [0.2, 0.4], [3, 3], [2.5, 3.2], [3.1, 2.4]];
    const labels = [0, 0, 0, 1, 1, 1];
    const model = new LogisticRegression(2).fitPerPoint(points, labels, { lr: 0.1, epochs: 200 });
    const x = tensor(points);
    expect(model.forward(x).shape).toEqual([6]);
    expect(await model.predict(x).array()).toEqual(labels);
    await expectClose(model.predictProba(x), Array.from(await model.forward(x).data(), (z) => 1 / (1 + Math.exp(-z))), 1e-6);
  });

  it('loss() is the course’s log-loss of ŷ', async () => {
    const model = new LogisticRegression(2, { dtype: 'float64' });
    const x = tensor([[1, 2], [-1, 0.5]], { dtype: 'float64' });
    const y = [1, 0];
    const p = Array.from(await model.predictProba(x).data());
    const logLoss = -(y[0] * Math.log(p[0]) + (1 - y[0]) * Math.log(1 - p[0]) + y[1] * Math.log(p[1]) + (1 - y[1]) * Math.log(1 - p[1])) / 2;
    await expectClose(model.loss(x, tensor(y, { dtype: 'float64' })), [logLoss], 1e-12);
  });

  it('multinomial: softmax + cross-entropy, the per-point rule on one-hot y, and training with any optimizer', async () => {
    manualSeed(4);
    const model = new LogisticRegression(2, { numClasses: 3 });
    const points = [[0, 3], [0.2, 2.5], [3, 0], [2.6, 0.3], [-3, -3], [-2.5, -2.8]];
    const labels = [0, 0, 1, 1, 2, 2];
    const x = tensor(points);
    const y = int(labels);
    expect(model.forward(x).shape).toEqual([6, 3]);
    const criterion = new CrossEntropyLoss();
    for (let i = 0; i < 100; i++) {
      model.zeroGrad();
      const loss = tidy(() => criterion.forward(model.forward(x), y));
      loss.backward();
      loss.dispose();
      sgdStep(model.parameters(), 0.5);
    }
    expect(await model.predict(x).array()).toEqual(labels);
    const perPoint = new LogisticRegression(2, { numClasses: 3 }).fitPerPoint(points, labels, { lr: 0.2, epochs: 50 });
    expect(await perPoint.predict(x).array()).toEqual(labels);
    expect(() => perPoint.stepPerPoint([0, 0], 3, 0.1)).toThrow(/label 3 is out of range/);
  });
});

describe('MLP', () => {
  it('builds Linear → activation → Dropout → … → Linear → output activation', () => {
    const model = new MLP({ sizes: [784, 256, 128, 10], activation: 'tanh', dropout: 0.2, outputActivation: 'softmax' });
    expect(model.layers.length).toBe(8);
    expect([...model.layers].map((m) => m.constructor.name)).toEqual(['Linear', 'Tanh', 'Dropout', 'Linear', 'Tanh', 'Dropout', 'Linear', 'Softmax']);
    expect(model.layers.at(2)).toBeInstanceOf(Dropout);
    expect(new MLP({ sizes: [2, 2], activation: () => new Sigmoid() }).layers.length).toBe(1);
    expect(() => new MLP({ sizes: [3] })).toThrow(ValueError);
  });

  for (const activation of ['relu', 'sigmoid', 'tanh'] as const) {
    it(`forward (through Sequential) fuses Linear + ${activation} into fusedMatmul with the same values and gradients as the layers one by one`, async () => {
      manualSeed(5);
      const model = new MLP({ sizes: [6, 5, 4, 3], activation });
      const x = randn([7, 6]);
      const kernel = vi.spyOn(resolveBackend('cpu') as { matmulBiasActivation: (...args: unknown[]) => void }, 'matmulBiasActivation');
      let fused: Tensor;
      try {
        fused = model.forward(x);
        // Two hidden layers fused with their activation; the output layer is F.linear's bias-only fusion.
        expect(kernel.mock.calls.map((call) => call[3])).toEqual([activation, activation, 'none']);
      } finally {
        kernel.mockRestore();
      }
      fused.sum().backward();
      const fusedGrads = model.parameters().map((p) => p.grad!);
      for (const p of model.parameters()) p.grad = null;
      const byLayer = [...model.layers].reduce((h, layer) => layer.forward(h), x); // every module on its own
      byLayer.sum().backward();
      await expectClose(fused, (await byLayer.array()) as number[][], 1e-6, 1e-5);
      for (const [i, p] of model.parameters().entries()) await expectClose(fusedGrads[i], (await p.grad!.array()) as number[][], 1e-6, 1e-5);
    });
  }

  it('learns XOR, a non-linear boundary no single linear model can draw', async () => {
    manualSeed(0);
    const model = new MLP({ sizes: [2, 8, 1], activation: 'tanh' });
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tensor([[0], [1], [1], [0]]);
    const criterion = new BCEWithLogitsLoss();
    for (let i = 0; i < 500; i++) {
      model.zeroGrad();
      const loss = tidy(() => criterion.forward(model.forward(x), y));
      loss.backward();
      loss.dispose();
      sgdStep(model.parameters(), 0.5);
    }
    const predicted = tidy(() => model.forward(x).sigmoid().ge(0.5).cast('int32'));
    expect(await predicted.array()).toEqual([[0], [1], [1], [0]]);
  });

  it('memory stays flat over training steps with dropout', () => {
    manualSeed(1);
    const model = new MLP({ sizes: [4, 16, 3], dropout: 0.3 });
    const x = tensor([[1, 2, 3, 4], [0, 1, 0, 1], [4, 3, 2, 1]]);
    const y = int([0, 1, 2]);
    const criterion = new CrossEntropyLoss({ labelSmoothing: 0.1 });
    const step = () => {
      model.zeroGrad();
      const loss = tidy(() => criterion.forward(model.forward(x), y)); // the logits are freed here
      loss.backward();
      loss.dispose();
      sgdStep(model.parameters(), 0.1);
    };
    step();
    const before = memory();
    for (let i = 0; i < 5; i++) step();
    const after = memory();
    expect(after.tensors).toBe(before.tensors);
    expect(after.bytesInUse).toBe(before.bytesInUse);
  });
});
