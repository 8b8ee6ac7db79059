import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, randn, linalg, manualSeed, ShapeError, ValueError, type Tensor } from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectAllClose, values } from './helpers';
import { f64, fixtures } from './fixtures/linalg-fixtures';

registerBackend(referencePlugin);
await setBackend('reference');
manualSeed(17);

const { x, M, vector, matrix, general } = fixtures.norm;
const flatValues = async (t: Tensor) => [await values(t)].flat();

describe('linalg.vectorNorm', () => {
  for (const { ord, dim, value } of vector as { ord: number; dim: number | number[] | null; value: number | number[] }[]) {
    it(`matches PyTorch for ord ${ord}, dim ${JSON.stringify(dim)}`, async () => {
      expectAllClose(await flatValues(linalg.vectorNorm(f64(x), ord, dim)), [value].flat(), 1e-13);
    });
  }

  it('keepdim keeps the reduced dims as size 1', () => {
    expect(linalg.vectorNorm(randn([2, 3, 4]), 2, [0, 2], true).shape).toEqual([1, 3, 1]);
  });

  it('has finite gradients at zero and passes finite-difference checks', async () => {
    const zero = tensor([0, 0, 0], { dtype: 'float64', requiresGrad: true });
    linalg.vectorNorm(zero).backward();
    expect(await zero.grad!.array()).toEqual([0, 0, 0]);
    const input = randn([3, 4], { dtype: 'float64', requiresGrad: true });
    for (const ord of [2, 1, 3, 0.5, -1.5, Infinity, -Infinity]) await expect(gradcheck((v) => linalg.vectorNorm(v, ord, 1), [input])).resolves.toBe(true);
  });
});

describe('linalg.matrixNorm', () => {
  for (const { ord, value, keepdimShape } of matrix as { ord: 'fro' | 'nuc' | number; value: number[]; keepdimShape: number[] }[]) {
    it(`matches PyTorch for ord ${ord} (batched, keepdim)`, async () => {
      expectAllClose(await flatValues(linalg.matrixNorm(f64(M), ord)), value, 1e-12);
      expect(linalg.matrixNorm(f64(M), ord, [-2, -1], true).shape).toEqual(keepdimShape);
    });
  }

  it('gradients pass finite-difference checks for every ord', async () => {
    const input = randn([2, 3, 4], { dtype: 'float64', requiresGrad: true });
    for (const ord of ['fro', 'nuc', 1, -1, 2, -2, Infinity, -Infinity] as const) {
      await expect(gradcheck((A) => linalg.matrixNorm(A, ord), [input])).resolves.toBe(true);
    }
  });

  it('refuses an unknown ord and a dim that does not name two different dims', () => {
    expect(() => linalg.matrixNorm(randn([3, 3]), 3)).toThrow(ValueError);
    expect(() => linalg.matrixNorm(randn([3, 3]), 'fro', [1, 1])).toThrow(ShapeError);
    expect(() => linalg.matrixNorm(randn([3, 3]), 'fro', [0])).toThrow(ShapeError);
  });
});

describe('linalg.norm', () => {
  const calls: Record<string, () => Tensor> = {
    'norm(x)': () => linalg.norm(f64(x)),
    "norm(x, 'fro')": () => linalg.norm(f64(x), 'fro'),
    'norm(x, inf)': () => linalg.norm(f64(x), Infinity),
    'norm(x, 3, 1)': () => linalg.norm(f64(x), 3, 1),
    "norm(M, 'nuc', [1, 2])": () => linalg.norm(f64(M), 'nuc', [1, 2]),
    'norm(M, 2, [2, 1])': () => linalg.norm(f64(M), 2, [2, 1]),
  };
  for (const { call, value } of general as { call: string; value: number | number[] }[]) {
    it(`${call} matches PyTorch`, async () => {
      expectAllClose(await flatValues(calls[call]()), [value].flat(), 1e-12);
    });
  }

  it('refuses an ord without dim on inputs of more than 2 dims', () => {
    expect(() => linalg.norm(randn([2, 2, 2]), 2)).toThrow(/linalg\.norm: with an ord and no dim the input must be 1-D or 2-D/);
  });
});
