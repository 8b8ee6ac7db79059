import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { manualSeed, memory, noGrad, ones, randn, tensor, tidy, ShapeError, ValueError } from '@tessera/core';
import { gradcheck } from '@tessera/core/testing';
import {
  AvgPool2d, BatchNorm1d, Conv2d, Dropout, Embedding, F, Flatten, Identity, LayerNorm, Linear, MaxPool2d, ReLU, Sequential,
} from '../src/index';
import { reference } from './fixtures/pytorch-reference';
import { expectClose, f64, int } from './helpers';

describe('Linear', () => {
  it('computes x·Wᵀ + b', async () => {
    const layer = new Linear(2, 3);
    noGrad(() => {
      layer.weight.assign(tensor([[1, 2], [3, 4], [5, 6]]));
      layer.bias!.assign(tensor([0.5, -0.5, 0]));
    });
    expect(await layer.forward(tensor([[1, 1], [0, 2]])).array()).toEqual([[3.5, 6.5, 11], [4.5, 7.5, 12]]);
    expect(layer.forward(randn([4, 5, 2])).shape).toEqual([4, 5, 3]);
  });

  it('initialises weight and bias from U(−1/√inFeatures, 1/√inFeatures), like PyTorch', async () => {
    manualSeed(1);
    const layer = new Linear(400, 300);
    const bound = 1 / Math.sqrt(400);
    const weights = Array.from(await layer.weight.data());
    expect(Math.max(...weights)).toBeLessThanOrEqual(bound);
    expect(Math.min(...weights)).toBeGreaterThanOrEqual(-bound);
    // A uniform on [−b, b] has mean 0 and variance b²/3.
    const mean = weights.reduce((a, b) => a + b, 0) / weights.length;
    const variance = weights.reduce((a, b) => a + (b - mean) ** 2, 0) / weights.length;
    expect(Math.abs(mean)).toBeLessThan(bound * 0.01);
    expect(variance / (bound * bound / 3)).toBeCloseTo(1, 1);
    expect(Math.max(...Array.from(await layer.bias!.data()))).toBeLessThanOrEqual(bound);
  });

  it('is reproducible from manualSeed', async () => {
    manualSeed(7);
    const a = await new Linear(3, 2).weight.array();
    manualSeed(7);
    expect(await new Linear(3, 2).weight.array()).toEqual(a);
  });

  it('has no bias with { bias: false }, and names the wrong input width', () => {
    expect(new Linear(3, 2, { bias: false }).namedParameters().map(([name]) => name)).toEqual(['weight']);
    expect(() => new Linear(3, 2).forward(randn([4, 5]))).toThrow(/linear: input of shape \[4, 5\] must end in inFeatures = 3/);
  });

  it('gradcheck of F.linear', async () => {
    expect(await gradcheck((x, w, b) => F.linear(x, w, b), [randn([3, 4], { dtype: 'float64' }), randn([2, 4], { dtype: 'float64' }), randn([2], { dtype: 'float64' })])).toBe(true);
  });
});

describe('Embedding', () => {
  it('looks up rows for indices of any shape', async () => {
    const emb = new Embedding(4, 2);
    noGrad(() => emb.weight.assign(tensor([[0, 0], [1, 1], [2, 2], [3, 3]])));
    expect(await emb.forward(int([[3, 1], [0, 3]])).array()).toEqual([[[3, 3], [1, 1]], [[0, 0], [3, 3]]]);
  });

  it('paddingIdx starts at zero and gets no gradient', async () => {
    const emb = new Embedding(3, 2, { paddingIdx: -1 }); // −1 → row 2, as PyTorch
    expect(emb.paddingIdx).toBe(2);
    expect(await emb.weight.narrow(0, 2, 1).array()).toEqual([[0, 0]]);
    emb.forward(int([2, 1, 2])).sum().backward();
    expect(await emb.weight.grad!.array()).toEqual([[0, 0], [1, 1], [0, 0]]);
  });

  it('an index out of range is a clear error', () => {
    expect(() => new Embedding(3, 2).forward(int([0, 3]))).toThrow(/embedding: index 3 \(at flat position 1\) is out of range: expected 0 ≤ index < 3/);
    expect(() => new Embedding(3, 2, { paddingIdx: 3 })).toThrow(ValueError);
  });
});

describe('Dropout (inverted, drop probability p)', () => {
  it('zeroes about p of the elements in training and scales the rest by 1/(1 − p)', async () => {
    manualSeed(3);
    const out = await new Dropout(0.25).forward(ones([10000])).data();
    const zeros = out.filter((v) => v === 0).length;
    expect(zeros / out.length).toBeCloseTo(0.25, 1);
    expect(out.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
  });

  it('uses the seeded stream: the same seed gives the same mask', async () => {
    manualSeed(11);
    const a = await F.dropout(ones([64]), 0.5).array();
    manualSeed(11);
    expect(await F.dropout(ones([64]), 0.5).array()).toEqual(a);
  });

  it('is the identity in eval mode, and p = 0 / p = 1 are the edge cases', async () => {
    const x = randn([5]);
    expect(new Dropout(0.5).eval().forward(x)).toBe(x);
    expect(F.dropout(x, 0, true)).toBe(x);
    expect(await F.dropout(ones([3]), 1).array()).toEqual([0, 0, 0]);
    expect(() => new Dropout(1.5)).toThrow(ValueError);
  });
});

describe('LayerNorm', () => {
  it('matches PyTorch', async () => {
    const ref = reference.layerNorm;
    const ln = new LayerNorm(4, { dtype: 'float64' });
    noGrad(() => {
      ln.weight!.assign(f64(ref.weight));
      ln.bias!.assign(f64(ref.bias));
    });
    await expectClose(ln.forward(f64(ref.input)), ref.out, 1e-10);
  });

  it('gradcheck of F.layerNorm', async () => {
    const x = randn([2, 3], { dtype: 'float64' });
    expect(await gradcheck((a, w, b) => F.layerNorm(a, [3], w, b), [x, randn([3], { dtype: 'float64' }), randn([3], { dtype: 'float64' })])).toBe(true);
  });
});

describe('BatchNorm1d', () => {
  const ref = reference.batchNorm;

  it('normalises with batch statistics in training and updates the running ones (momentum 0.1, unbiased variance)', async () => {
    const bn = new BatchNorm1d(3, { dtype: 'float64' });
    noGrad(() => {
      bn.weight!.assign(f64(ref.weight));
      bn.bias!.assign(f64(ref.bias));
    });
    await expectClose(bn.forward(f64(ref.batch1)), ref.out1, 1e-10);
    await expectClose(bn.forward(f64(ref.batch2)), ref.out2, 1e-10);
    await expectClose(bn.runningMean!, ref.runningMean, 1e-12);
    await expectClose(bn.runningVar!, ref.runningVar, 1e-12);
    expect(await bn.numBatchesTracked!.item()).toBe(2);
    bn.eval();
    await expectClose(bn.forward(f64(ref.batch1)), ref.evalOut, 1e-10);
    expect(await bn.numBatchesTracked!.item()).toBe(2);
  });

  it('handles [N, C, L] and momentum null (cumulative average)', async () => {
    const bn = new BatchNorm1d(2, { dtype: 'float64', momentum: null });
    const input = f64(ref.cumulativeInput);
    await expectClose(bn.forward(input), ref.cumulativeOut1, 1e-10);
    bn.forward(input.mul(2));
    await expectClose(bn.runningMean!, ref.cumulativeRunningMean, 1e-12);
    await expectClose(bn.runningVar!, ref.cumulativeRunningVar, 1e-12);
  });

  it('without trackRunningStats it has no buffers and always uses batch statistics; without affine no parameters', () => {
    const bn = new BatchNorm1d(3, { trackRunningStats: false, affine: false });
    expect(Object.keys(bn.stateDict())).toEqual([]);
    expect(bn.eval().forward(randn([4, 3])).shape).toEqual([4, 3]);
  });

  it('rejects one value per channel in training and a wrong channel count', () => {
    expect(() => new BatchNorm1d(3).forward(randn([1, 3]))).toThrow(/expected more than 1 value per channel when training/);
    expect(() => new BatchNorm1d(3).forward(randn([4, 2]))).toThrow(ShapeError);
  });

  it('gradcheck of F.batchNorm in training', async () => {
    expect(
      await gradcheck((x, w, b) => F.batchNorm(x, null, null, w, b, { training: true }), [
        randn([4, 3], { dtype: 'float64' }),
        randn([3], { dtype: 'float64' }),
        randn([3], { dtype: 'float64' }),
      ]),
    ).toBe(true);
  });
});

describe('Conv2d', () => {
  const input = () => tidy(() => f64(Array.from({ length: 2 * 4 * 5 * 5 }, (_, i) => Math.sin(i))).reshape([2, 4, 5, 5]));
  const weight = () => tidy(() => f64(Array.from({ length: 6 * 2 * 3 * 3 }, (_, i) => Math.cos(i))).reshape([6, 2, 3, 3]));
  const bias = [0.1, -0.2, 0.3, 0, 0.5, -0.5];

  function layer(options: ConstructorParameters<typeof Conv2d>[3]): Conv2d {
    const conv = new Conv2d(4, 6, 3, { dtype: 'float64', ...options });
    noGrad(() => {
      conv.weight.assign(weight());
      conv.bias!.assign(f64(bias));
    });
    return conv;
  }

  it("matches PyTorch with padding 'same', dilation and groups", async () => {
    await expectClose(layer({ padding: 'same', dilation: 2, groups: 2 }).forward(input()), reference.conv2d.sameGroupsDilated, 1e-10);
  });

  it('matches PyTorch with stride and padding', async () => {
    await expectClose(layer({ stride: 2, padding: 1, groups: 2 }).forward(input()), reference.conv2d.strided, 1e-10);
  });

  it('initialises like PyTorch: U(±1/√fanIn), fanIn = inChannels/groups·kH·kW', async () => {
    manualSeed(5);
    const conv = new Conv2d(8, 16, 3, { groups: 2 });
    expect(conv.weight.shape).toEqual([16, 4, 3, 3]);
    const bound = 1 / Math.sqrt(4 * 9);
    const values = Array.from(await conv.weight.data());
    expect(Math.max(...values)).toBeLessThanOrEqual(bound);
    expect(Math.max(...values)).toBeGreaterThan(bound * 0.95);
  });

  it('rejects groups that do not divide the channels', () => {
    expect(() => new Conv2d(3, 6, 3, { groups: 2 })).toThrow(ValueError);
    expect(() => new Conv2d(3, 6, 3, { stride: 2, padding: 'same' })).toThrow(ValueError);
  });

  it('gradcheck of F.conv2d', async () => {
    expect(
      await gradcheck((x, w, b) => F.conv2d(x, w, b, { padding: 1, stride: 2 }), [
        randn([1, 2, 4, 4], { dtype: 'float64' }),
        randn([3, 2, 3, 3], { dtype: 'float64' }),
        randn([3], { dtype: 'float64' }),
      ]),
    ).toBe(true);
  });
});

describe('pooling, Flatten, Identity and Sequential', () => {
  const grid = () => tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);

  it('MaxPool2d and AvgPool2d over 2×2 windows', async () => {
    expect(await new MaxPool2d(2).forward(grid()).array()).toEqual([[[[6, 8], [14, 16]]]]);
    expect(await new AvgPool2d(2).forward(grid()).array()).toEqual([[[[3.5, 5.5], [11.5, 13.5]]]]);
    const { indices } = F.maxPool2d(grid(), 2, { returnIndices: true });
    expect(await indices.array()).toEqual([[[[5, 7], [13, 15]]]]);
  });

  it('Flatten keeps the batch dim by default', () => {
    expect(new Flatten().forward(randn([2, 3, 4, 5])).shape).toEqual([2, 60]);
    expect(new Flatten(0).forward(randn([2, 3])).shape).toEqual([6]);
  });

  it('Identity returns its input', () => {
    const x = randn([2]);
    expect(new Identity().forward(x)).toBe(x);
  });

  it('a small CNN in a Sequential runs and frees its intermediate outputs', () => {
    const model = new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 10));
    const x = randn([2, 1, 8, 8]);
    const before = memory().tensors;
    const out = model.forward(x);
    expect(out.shape).toEqual([2, 10]);
    out.dispose();
    expect(memory().tensors).toBe(before);
  });
});
