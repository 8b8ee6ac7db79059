import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, ValueError, tensor } from '@tessera/core';
import { gradcheck } from '@tessera/core/testing';
import { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, F, L1Loss, MSELoss, NLLLoss } from '../src/index';
import { reference } from './fixtures/pytorch-reference';
import { expectClose, f64, int } from './helpers';

describe('the course\'s log-loss and cross-entropy', () => {
  // Four points whose correct classes get probabilities 0.6, 0.2, 0.1, 0.7 (blue = 1, red = 0).
  const course = -Math.log(0.6) - Math.log(0.2) - Math.log(0.1) - Math.log(0.7);

  it('the worked example −ln 0.6 − ln 0.2 − ln 0.1 − ln 0.7 ≈ 4.8', async () => {
    expect(course).toBeCloseTo(4.78, 2);
    // As binary predictions P(blue) with labels: the two red points have P(blue) = 0.8 and 0.9.
    const probabilities = f64([0.6, 0.8, 0.9, 0.7]);
    const labels = f64([1, 0, 0, 1]);
    await expectClose(F.binaryCrossEntropy(probabilities, labels, { reduction: 'sum' }), [course], 1e-12);
    // The course's log-loss is the mean: −1/N Σ (y ln p + (1 − y) ln(1 − p)).
    await expectClose(new BCELoss().forward(probabilities, labels), [course / 4], 1e-12);
  });

  it('multi-class cross-entropy −Σᵢ Σⱼ yᵢⱼ ln pᵢⱼ equals nllLoss of log-probabilities with reduction sum', async () => {
    const p = [[0.6, 0.3, 0.1], [0.5, 0.2, 0.3], [0.1, 0.8, 0.1], [0.2, 0.1, 0.7]];
    const classes = [0, 1, 0, 2]; // the correct classes get 0.6, 0.2, 0.1, 0.7
    await expectClose(F.nllLoss(f64(p).log(), int(classes), { reduction: 'sum' }), [course], 1e-12);
    // The same with one-hot y and logits whose softmax is p (log p are such logits).
    const oneHotY = F.oneHot(int(classes), 3, { dtype: 'float64' });
    await expectClose(F.crossEntropy(f64(p).log(), oneHotY, { reduction: 'sum' }), [course], 1e-12);
    await expectClose(F.crossEntropy(f64(p).log(), int(classes), { reduction: 'sum' }), [course], 1e-12);
  });
});

describe('MSELoss and L1Loss', () => {
  it('reduce by mean, sum or none', async () => {
    const input = f64([1, 2, 3]);
    const target = f64([1, 4, 0]);
    await expectClose(new MSELoss().forward(input, target), [13 / 3]);
    await expectClose(new MSELoss({ reduction: 'sum' }).forward(input, target), [13]);
    await expectClose(F.mseLoss(input, target, { reduction: 'none' }), [0, 4, 9]);
    await expectClose(new L1Loss().forward(input, target), [5 / 3]);
    await expectClose(F.l1Loss(input, target, { reduction: 'none' }), [0, 2, 3]);
  });

  it('mismatched shapes are a ShapeError naming both shapes', () => {
    expect(() => F.mseLoss(f64([[1, 2]]), f64([1, 2, 3]))).toThrow(ShapeError);
    expect(() => F.mseLoss(f64([[1, 2]]), f64([1, 2, 3]))).toThrow(/mseLoss: input of shape \[1, 2\] and target of shape \[3\] must have the same shape/);
    expect(() => new L1Loss().forward(f64([1]), f64([1, 2]))).toThrow(ShapeError);
  });

  it('an unknown reduction is a ValueError', () => {
    expect(() => new MSELoss({ reduction: 'avg' as 'mean' })).toThrow(ValueError);
    expect(() => F.l1Loss(f64([1]), f64([1]), { reduction: 'max' as 'sum' })).toThrow(ValueError);
  });

  it('gradcheck', async () => {
    expect(await gradcheck((a, b) => F.mseLoss(a, b), [f64([0.3, -1.2, 2.2]), f64([1, 0.5, 2])])).toBe(true);
    expect(await gradcheck((a) => F.l1Loss(a, f64([1, 0.5, 2]), { reduction: 'sum' }), [f64([0.3, -1.2, 2.2])])).toBe(true);
  });
});

describe('BCELoss matches PyTorch', () => {
  const ref = reference.bce;
  it('mean, sum, none and weights; log clamped at −100 for p = 0 or 1', async () => {
    const input = f64(ref.input);
    const target = f64(ref.target);
    await expectClose(new BCELoss().forward(input, target), [ref.mean], 1e-12);
    await expectClose(F.binaryCrossEntropy(input, target, { reduction: 'sum' }), [ref.sum], 1e-12);
    await expectClose(F.binaryCrossEntropy(input, target, { reduction: 'none' }), ref.none, 1e-12);
    await expectClose(new BCELoss({ weight: f64(ref.weight) }).forward(input, target), [ref.weightedMean], 1e-12);
    expect(ref.none[4]).toBe(100); // p = 0 with y = 1
  });

  it('gradcheck away from the clamp', async () => {
    expect(await gradcheck((p) => F.binaryCrossEntropy(p, f64([1, 0, 0.3])), [f64([0.2, 0.7, 0.5])])).toBe(true);
  });

  it('float32 p of exactly 0 or 1 gives finite losses and gradients', async () => {
    const p = tensor([0, 1, 0.5], { requiresGrad: true });
    const loss = F.binaryCrossEntropy(p, tensor([1, 0, 1]));
    expect(Number.isFinite(await loss.item())).toBe(true);
    loss.backward();
    expect(Array.from(await p.grad!.data()).every(Number.isFinite)).toBe(true);
  });
});

describe('BCEWithLogitsLoss matches PyTorch and is stable for any logits', () => {
  const ref = reference.bceWithLogits;
  it('values and gradients, with logits of ±200', async () => {
    const input = f64(ref.input, true);
    const loss = new BCEWithLogitsLoss().forward(input, f64(ref.target));
    await expectClose(loss, [ref.mean], 1e-12);
    loss.backward();
    await expectClose(input.grad!, ref.grad, 1e-12);
    await expectClose(F.binaryCrossEntropyWithLogits(input, f64(ref.target), { reduction: 'none' }), ref.none, 1e-12);
  });

  it('posWeight', async () => {
    const input = f64(ref.input, true);
    const loss = new BCEWithLogitsLoss({ posWeight: f64(ref.posWeight), reduction: 'sum' }).forward(input, f64(ref.target));
    await expectClose(loss, [ref.posWeightSum], 1e-12);
    loss.backward();
    await expectClose(input.grad!, ref.posWeightGrad, 1e-12);
  });

  it('float32 logits of ±1000 give exact, finite losses', async () => {
    const loss = F.binaryCrossEntropyWithLogits(tensor([1000, -1000, 1000]), tensor([1, 0, 0]), { reduction: 'none' });
    expect(await loss.array()).toEqual([0, 0, 1000]);
  });

  it('gradcheck including x = 0', async () => {
    const target = f64([1, 0, 0.3, 1]);
    expect(await gradcheck((x) => F.binaryCrossEntropyWithLogits(x, target, { posWeight: f64([2]) }), [f64([0, -1.5, 0.7, 3])])).toBe(true);
  });
});

describe('CrossEntropyLoss matches PyTorch', () => {
  const ref = reference.crossEntropy;
  const logits = () => f64(ref.input);

  it('class indices: mean, sum, none', async () => {
    await expectClose(new CrossEntropyLoss().forward(logits(), int(ref.target)), [ref.mean], 1e-12);
    await expectClose(F.crossEntropy(logits(), int(ref.target), { reduction: 'sum' }), [ref.sum], 1e-12);
    await expectClose(F.crossEntropy(logits(), int(ref.target), { reduction: 'none' }), ref.none, 1e-12);
  });

  it('class weights use the weighted mean Σ w[t]·loss / Σ w[t]', async () => {
    const weight = f64(ref.weight);
    await expectClose(new CrossEntropyLoss({ weight }).forward(logits(), int(ref.target)), [ref.weightedMean], 1e-12);
    await expectClose(F.crossEntropy(logits(), int(ref.target), { weight, reduction: 'none' }), ref.weightedNone, 1e-12);
  });

  it('ignoreIndex (default −100, or any value) drops targets from the sum and the denominator', async () => {
    const weight = f64(ref.weight);
    await expectClose(F.crossEntropy(logits(), int(ref.targetIgnored)), [ref.ignoredMean], 1e-12);
    await expectClose(F.crossEntropy(logits(), int(ref.targetIgnored), { weight }), [ref.ignoredWeightedMean], 1e-12);
    await expectClose(F.crossEntropy(logits(), int([0, 5, 1, 2]), { weight, ignoreIndex: 5 }), [ref.ignore5WeightedMean], 1e-12);
  });

  it('label smoothing, alone and with weights and ignored targets', async () => {
    await expectClose(new CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits(), int(ref.target)), [ref.smoothMean], 1e-12);
    await expectClose(F.crossEntropy(logits(), int(ref.target), { labelSmoothing: 0.1, reduction: 'sum' }), [ref.smoothSum], 1e-12);
    await expectClose(F.crossEntropy(logits(), int(ref.target), { labelSmoothing: 0.1, reduction: 'none' }), ref.smoothNone, 1e-12);
    const options = { weight: f64(ref.weight), labelSmoothing: 0.2 };
    const input = f64(ref.input, true);
    const loss = F.crossEntropy(input, int(ref.targetIgnored), options);
    await expectClose(loss, [ref.smoothWeightedIgnoredMean], 1e-12);
    await expectClose(F.crossEntropy(logits(), int(ref.targetIgnored), { ...options, reduction: 'none' }), ref.smoothWeightedIgnoredNone, 1e-12);
    loss.backward();
    await expectClose(input.grad!, ref.smoothWeightedIgnoredGrad, 1e-12);
  });

  it('class probabilities as the target, with weights and smoothing', async () => {
    await expectClose(F.crossEntropy(logits(), f64(ref.probTarget)), [ref.probMean], 1e-12);
    await expectClose(F.crossEntropy(logits(), f64(ref.probTarget), { reduction: 'none' }), ref.probNone, 1e-12);
    await expectClose(F.crossEntropy(logits(), f64(ref.probTarget), { weight: f64(ref.weight), labelSmoothing: 0.1 }), [ref.probWeightedSmoothMean], 1e-12);
  });

  it('logits [N, C, d] with targets [N, d]', async () => {
    const input = f64(ref.spatialInput);
    const target = int(ref.spatialTarget);
    await expectClose(F.crossEntropy(input, target), [ref.spatialMean], 1e-12);
    await expectClose(F.crossEntropy(input, target, { weight: f64(ref.weight), reduction: 'none' }), ref.spatialWeightedNone, 1e-12);
    await expectClose(F.crossEntropy(input, target, { weight: f64(ref.weight), labelSmoothing: 0.3 }), [ref.spatialSmoothWeightedMean], 1e-12);
  });

  it('an unbatched [C] input with a 0-d target', async () => {
    const row = f64(ref.input[0]);
    await expectClose(F.crossEntropy(row, int(0)), [ref.none[0]], 1e-12);
  });

  it('gradcheck with weights, smoothing and an ignored target', async () => {
    const target = int([2, -100, 0]);
    const weight = f64([0.5, 1, 2]);
    expect(
      await gradcheck((x) => F.crossEntropy(x, target, { weight, labelSmoothing: 0.15 }), [f64([[0.1, 1.2, -0.5], [2, 0, 1], [-1, 0.3, 0.8]])]),
    ).toBe(true);
    expect(await gradcheck((x, p) => F.crossEntropy(x, p), [f64([[0.1, 1.2, -0.5], [2, 0, 1]]), f64([[0.2, 0.3, 0.5], [1, 0, 0]])])).toBe(true);
  });
});

describe('crossEntropy without weights or ignored targets (the training loop\'s case, three ops instead of eleven)', () => {
  // All-ones class weights force the masked path, whose masks are then all true: both must agree bit for bit.
  const logitsOf = (dtype: 'float32' | 'float64', values: number[][], shape?: number[]) => {
    const flat = values.flat();
    return tensor(flat, { dtype, shape: shape ?? [values.length, values[0].length], requiresGrad: true });
  };
  const cases = [
    { name: '[N, C] float32', dtype: 'float32' as const, values: [[0.1, 1.2, -0.5, 3], [2, 0, 1, -1], [-1, 0.3, 0.8, 0.25]], target: [3, 0, 2] },
    { name: '[N, C, d] float64', dtype: 'float64' as const, values: [[0.1, 1.2, -0.5, 3], [2, 0, 1, -1]], shape: [2, 2, 2], target: [[1, 0], [0, 1]] },
  ];
  for (const { name, dtype, values, shape, target } of cases) {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      it(`${name}, reduction ${reduction}: value and gradient equal the masked path's exactly`, async () => {
        const fast = logitsOf(dtype, values, shape);
        const masked = logitsOf(dtype, values, shape);
        const classes = fast.shape[1];
        const weight = tensor(new Array(classes).fill(1), { dtype });
        const fastLoss = F.crossEntropy(fast, int(target), { reduction });
        const maskedLoss = F.crossEntropy(masked, int(target), { reduction, weight });
        expect(Array.from(await fastLoss.data())).toEqual(Array.from(await maskedLoss.data()));
        fastLoss.sum().backward();
        maskedLoss.sum().backward();
        expect(Array.from(await fast.grad!.data())).toEqual(Array.from(await masked.grad!.data()));
      });
    }
  }

  it('gradcheck of the unmasked loss', async () => {
    expect(await gradcheck((x) => F.crossEntropy(x, int([2, 1, 0])), [f64([[0.1, 1.2, -0.5], [2, 0, 1], [-1, 0.3, 0.8]])])).toBe(true);
    expect(await gradcheck((x) => F.crossEntropy(x, int([2, 1, 0]), { reduction: 'none' }), [f64([[0.1, 1.2, -0.5], [2, 0, 1], [-1, 0.3, 0.8]])])).toBe(true);
  });
});

describe('NLLLoss matches PyTorch', () => {
  it('weighted mean with an ignored target, and weighted sum', async () => {
    const logProbs = F.logSoftmax(f64(reference.crossEntropy.input), 1);
    const weight = f64(reference.crossEntropy.weight);
    await expectClose(new NLLLoss({ weight }).forward(logProbs, int(reference.crossEntropy.targetIgnored)), [reference.nll.weightedIgnoredMean], 1e-12);
    await expectClose(F.nllLoss(logProbs, int(reference.crossEntropy.target), { weight, reduction: 'sum' }), [reference.nll.weightedSum], 1e-12);
  });

  it('an ignored target may point at −∞ without producing NaN', async () => {
    const logProbs = f64([[-Infinity, 0], [0, -Infinity]]);
    expect(await F.nllLoss(logProbs, int([1, -100])).item()).toBe(0);
  });
});

describe('bad class targets are clear errors', () => {
  const logits = () => f64([[1, 2, 3], [0, 0, 0]]);

  it('a class index out of range names the index and the number of classes', () => {
    expect(() => F.crossEntropy(logits(), int([0, 3]))).toThrow(ValueError);
    expect(() => F.crossEntropy(logits(), int([0, 3]))).toThrow(/crossEntropy: target class index 3 \(at flat position 1\) is out of range: expected 0 ≤ index < 3 or ignoreIndex -100/);
    expect(() => F.nllLoss(logits(), int([-1, 0]))).toThrow(/nllLoss: target class index -1/);
  });

  it('a target of the wrong shape or dtype', () => {
    expect(() => F.crossEntropy(logits(), int([0, 1, 2]))).toThrow(ShapeError);
    expect(() => F.crossEntropy(logits(), int([0, 1, 2]))).toThrow(/expected class indices of shape \[2\] or class probabilities of shape \[2, 3\]/);
    expect(() => F.crossEntropy(logits(), f64([[1, 0], [0, 1]]))).toThrow(ShapeError);
    expect(() => F.nllLoss(logits(), f64([0, 1]))).toThrow(DTypeError);
    expect(() => F.crossEntropy(logits(), int([0, 1]), { weight: f64([1, 2]) })).toThrow(/weight must have one entry per class, shape \[3\], got \[2\]/);
    expect(() => F.crossEntropy(logits(), int([0, 1]), { labelSmoothing: 1.5 })).toThrow(ValueError);
  });
});
