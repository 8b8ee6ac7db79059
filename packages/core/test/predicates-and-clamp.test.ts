import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, randn, manualSeed, isnan, isinf, isfinite, isclose, allclose, clamp, clampMin, clampMax,
  DTypeError, ShapeError, ValueError, type Tensor,
} from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectTensor, values } from './helpers';
import { torchValues, nested } from './fixtures/selection-ops';
import { registerAsyncOnlyBackend } from './async-only-backend';

registerBackend(referencePlugin);
await setBackend('reference');
await registerAsyncOnlyBackend();
manualSeed(17);

const check = (fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[]) => expect(gradcheck(fn, inputs)).resolves.toBe(true);
const f64 = (shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true });

describe('isnan, isinf, isfinite', () => {
  it('classify floats and answer constantly for integers and bools', async () => {
    const x = tensor([1, NaN, Infinity, -Infinity, 0]);
    expect(await values(isnan(x))).toEqual([0, 1, 0, 0, 0]);
    expect(await values(isinf(x))).toEqual([0, 0, 1, 1, 0]);
    expect(await values(x.isfinite())).toEqual([1, 0, 0, 0, 1]);
    const ints = tensor([1, 2], { dtype: 'int32' });
    expect(isnan(ints).dtype).toBe('bool');
    expect(await values(ints.isinf())).toEqual([0, 0]);
    expect(await values(isfinite(tensor([true])))).toEqual([1]);
  });
});

describe('isclose and allclose', () => {
  it('isclose matches PyTorch (infinities, NaN with and without equalNan, custom tolerances)', async () => {
    const { a, b, default: plain, equalNan, loose } = torchValues.isclose;
    const left = tensor(nested(a), { dtype: 'float64' });
    const right = tensor(nested(b), { dtype: 'float64' });
    expect(await values(isclose(left, right))).toEqual(plain);
    expect(await values(left.isclose(right, { equalNan: true }))).toEqual(equalNan);
    expect(await values(isclose(left, right, { rtol: 0, atol: 1e-5 }))).toEqual(loose);
  });

  it('broadcasts, and allclose reads one boolean on any backend', async () => {
    expect(await values(isclose(tensor([[1], [2]]), tensor([1, 2])))).toEqual([1, 0, 0, 1]);
    expect(await allclose(tensor([1, 2]), tensor([1, 2 + 1e-7]))).toBe(true);
    expect(await tensor([1, 2]).allclose(tensor([1, 2.1]))).toBe(false);
    expect(await allclose(tensor([1, NaN], { device: 'async-only' }), tensor([1, NaN], { device: 'async-only' }), { equalNan: true })).toBe(true);
  });

  it('reject negative tolerances and shapes that do not broadcast', () => {
    expect(() => isclose(tensor([1]), tensor([1]), { rtol: -1 })).toThrow(ValueError);
    expect(() => isclose(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(ShapeError);
  });
});

describe('clampMin, clampMax and clamp with tensor bounds', () => {
  it('clamp element-wise against broadcast bounds; where min > max the result is max', async () => {
    const x = tensor([[-2, 0.5, 3], [1, 1, 1]]);
    await expectTensor(clampMin(x, tensor([0, 1, 0])), [[0, 1, 3], [1, 1, 1]]);
    await expectTensor(x.clampMax(tensor([[0], [2]])), [[-2, 0, 0], [1, 1, 1]]);
    await expectTensor(clamp(x, tensor([-1, 0, 0]), 2), [[-1, 0.5, 2], [1, 1, 1]]);
    await expectTensor(x.clamp(null, tensor([0, 0, 5])), [[-2, 0, 3], [0, 0, 1]]);
    await expectTensor(clamp(tensor([5]), tensor([3]), tensor([1])), [1]);
    await expectTensor(clampMin(tensor([NaN, 1]), tensor([0, 0])), [NaN, 1]);
    await expectTensor(clampMin(tensor([-1, 1]), 0), [0, 1]);
  });

  it('send the gradient to the input inside the bound and to the bound where it is taken', async () => {
    await check((x, low) => clampMin(x, low), [f64([3, 4]), f64([4])]);
    await check((x, high) => x.clampMax(high), [f64([3, 4]), f64([3, 1])]);
    await check((x, low, high) => x.clamp(low, high.add(1)), [f64([5]), f64([5]), f64([5])]);
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const low = tensor([2, 2, 2], { requiresGrad: true });
    clampMin(x, low).sum().backward();
    // The boundary (x = min) counts as inside, as PyTorch.
    expect(await values(x.grad!)).toEqual([0, 1, 1]);
    expect(await values(low.grad!)).toEqual([1, 0, 0]);
  });

  it('refuse bool tensors and non-numeric bounds', () => {
    expect(() => clampMin(tensor([true]), tensor([false]))).toThrow(DTypeError);
    expect(() => clampMax(tensor([1]), 'a' as never)).toThrow(/the bound must be a Tensor or a number/);
  });
});
