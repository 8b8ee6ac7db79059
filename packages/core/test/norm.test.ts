import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, randn, manualSeed, norm, DTypeError, ValueError, ShapeError, type Tensor } from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectTensor } from './helpers';
import { torchValues, nested } from './fixtures/selection-ops';

registerBackend(referencePlugin);
await setBackend('reference');
manualSeed(5);

const check = (fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[]) => expect(gradcheck(fn, inputs)).resolves.toBe(true);
const f64 = (shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true });

describe('norm', () => {
  it('matches PyTorch values and gradients (with zeros: PyTorch subgradients) for fro, 1, 2, ±inf, 0, 3 and 0.5', async () => {
    const { input, cases } = torchValues.norm;
    for (const { p, dim, value, grad } of cases) {
      const x = tensor(nested(input), { dtype: 'float64', requiresGrad: true });
      const result = dim === null ? x.norm(p) : x.norm(p, dim);
      await expectTensor(result, value, 1e-12);
      const weights = tensor(Array.from({ length: result.size }, (_, i) => i + 1), { dtype: 'float64' }).reshape([...result.shape]);
      if (result.requiresGrad) result.mul(weights).sum().backward();
      await expectTensor(x.grad ?? x.mul(0), grad, 1e-12);
    }
  });

  it('is the square root of the sum of squares (float64 reference), over dims with keepdim', async () => {
    const x = randn([3, 4, 5], { dtype: 'float64' });
    const host = (await x.array()) as number[][][];
    const expected = host.map((plane) => [plane[0].map((_, k) => Math.sqrt(plane.reduce((sum, row) => sum + row[k] ** 2, 0)))]);
    await expectTensor(norm(x, 2, 1, true), expected, 1e-12);
    expect(norm(x, 2, [0, 2]).shape).toEqual([4]);
  });

  for (const p of ['fro', 1, 2, Infinity, -Infinity, 3, 0.5, -1.5] as const) {
    it(`has finite-difference gradients for p = ${p}`, async () => {
      await check((x) => x.norm(p), [f64([4, 3])]);
      await check((x) => x.norm(p, 0, true), [f64([4, 3])]);
    });
  }

  it('gives a zero gradient at the zero vector (not NaN), as PyTorch', async () => {
    for (const p of ['fro', 2, 3] as const) {
      const x = tensor([0, 0, 0], { dtype: 'float64', requiresGrad: true });
      x.norm(p).backward();
      expect(Array.from(await x.grad!.data())).toEqual([0, 0, 0]);
    }
  });

  it('rejects integer tensors and unknown orders', () => {
    expect(() => tensor([1, 2], { dtype: 'int32' }).norm()).toThrow(DTypeError);
    expect(() => tensor([1, 2]).norm('nuc' as never)).toThrow(ValueError);
    expect(() => tensor([1, 2]).norm(2, 3)).toThrow(ShapeError);
  });
});
