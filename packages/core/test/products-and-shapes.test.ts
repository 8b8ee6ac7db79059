import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, randn, manualSeed, outer, addmm, baddbmm, diag, triuIndices, trilIndices, repeat, tile, ShapeError, ValueError,
  type Tensor,
} from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectTensor } from './helpers';
import { torchValues, nested } from './fixtures/selection-ops';

registerBackend(referencePlugin);
await setBackend('reference');
manualSeed(13);

const check = (fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[]) => expect(gradcheck(fn, inputs)).resolves.toBe(true);
const f64 = (shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true });
const t64 = (value: unknown) => tensor(nested(value), { dtype: 'float64' });

describe('outer', () => {
  it('multiplies every pair, with gradients for both vectors', async () => {
    await expectTensor(outer(tensor([1, 2]), tensor([3, 4, 5])), [[3, 4, 5], [6, 8, 10]]);
    await check((a, b) => a.outer(b), [f64([3]), f64([4])]);
  });

  it('needs two vectors', () => {
    expect(() => outer(tensor([[1]]), tensor([1]))).toThrow(/outer: expected two 1-D tensors, got shapes \[1, 1\] and \[1\]/);
  });
});

describe('addmm and baddbmm', () => {
  it('match PyTorch with beta and alpha, broadcasting the input', async () => {
    const { input, m1, m2, value } = torchValues.addmm;
    await expectTensor(addmm(t64(input), t64(m1), t64(m2), { beta: 0.5, alpha: 2 }), value, 1e-12);
    const batched = torchValues.baddbmm;
    await expectTensor(t64(batched.input).baddbmm(t64(batched.b1), t64(batched.b2), { beta: -1, alpha: 0.25 }), batched.value, 1e-12);
  });

  it('ignore the input when beta = 0, so its NaN does not leak (as PyTorch)', async () => {
    const result = addmm(tensor([[NaN]]), tensor([[1, 2]]), tensor([[3], [4]]), { beta: 0 });
    await expectTensor(result, [[11]]);
  });

  it('have gradients for all three operands', async () => {
    await check((input, a, b) => addmm(input, a, b, { beta: 0.7, alpha: -1.5 }), [f64([4]), f64([3, 2]), f64([2, 4])]);
    await check((input, a, b) => baddbmm(input, a, b, { beta: 2 }), [f64([2, 3, 1]), f64([2, 3, 2]), f64([2, 2, 4])]);
  });

  it('reject operands that do not chain and inputs that do not broadcast to the product', () => {
    expect(() => addmm(tensor([1]), randn([2, 3]), randn([2, 3]))).toThrow(/addmm: matrices of shapes \[2, 3\] and \[2, 3\] cannot be multiplied/);
    expect(() => addmm(randn([3, 3]), randn([2, 3]), randn([3, 3]))).toThrow(ShapeError);
    expect(() => baddbmm(tensor([1]), randn([2, 3]), randn([3, 2]))).toThrow(/expected two 3-D batch matrices/);
    expect(() => baddbmm(tensor([1]), randn([2, 1, 3]), randn([3, 3, 2]))).toThrow(ShapeError);
  });
});

describe('diag', () => {
  it('matches PyTorch both ways, with positive and negative offsets on a non-square matrix', async () => {
    const { vector1, vectorMinus2, matrix0, matrix2, matrixMinus1 } = torchValues.diag;
    const v = tensor([1, 2, 3], { dtype: 'float64' });
    const m = tensor(Array.from({ length: 12 }, (_, i) => i), { dtype: 'float64' }).reshape([3, 4]);
    await expectTensor(diag(v, 1), vector1, 0);
    await expectTensor(v.diag(-2), vectorMinus2, 0);
    await expectTensor(m.diag(), matrix0, 0);
    await expectTensor(m.diag(2), matrix2, 0);
    await expectTensor(m.diag(-1), matrixMinus1, 0);
    expect(m.diag(5).shape).toEqual([0]);
  });

  it('reads the diagonal of a matrix as a view and differentiates both ways', async () => {
    const m = randn([3, 4]);
    expect(diag(m).storage).toBe(m.storage);
    for (const offset of [0, 2, -1]) {
      await check((x) => x.diag(offset), [f64([3, 4])]);
      await check((x) => x.diag(offset), [f64([3])]);
    }
    await check((x) => x.transpose(0, 1).diag(1), [f64([4, 3])]);
  });

  it('needs a 1-D or 2-D input and an integer offset', () => {
    expect(() => diag(randn([2, 2, 2]))).toThrow(/diag: expected a 1-D or 2-D tensor, got shape \[2, 2, 2\]/);
    expect(() => diag(randn([2]), 0.5)).toThrow(ShapeError);
  });
});

describe('triuIndices and trilIndices', () => {
  it('match PyTorch (row-major int32 [2, n])', async () => {
    const upper = triuIndices(3, 4, 1);
    expect(upper.dtype).toBe('int32');
    expect(await upper.array()).toEqual(torchValues.triuIndices);
    expect(await trilIndices(4, 3, -1).array()).toEqual(torchValues.trilIndices);
    expect(triuIndices(0, 3).shape).toEqual([2, 0]);
  });

  it('reject negative sizes', () => {
    expect(() => triuIndices(-1, 3)).toThrow(ValueError);
  });
});

describe('repeat and tile', () => {
  it('repeat matches PyTorch, adding leading dims', async () => {
    await expectTensor(tensor([[1, 2]]).repeat(2, 1, 3), torchValues.repeat, 0);
    await expectTensor(repeat(tensor([[1, 2]]), [2, 1, 3]), torchValues.repeat, 0);
    expect(tensor([1, 2]).repeat([0, 2]).shape).toEqual([0, 4]);
  });

  it('tile pads missing counts with leading 1s, as torch.tile', async () => {
    await expectTensor(tile(tensor([[1, 2], [3, 4]]), [2]), torchValues.tile, 0);
  });

  it('sum the gradient over the copies', async () => {
    await check((x) => x.repeat([2, 1, 3]), [f64([2, 3])]);
    await check((x) => x.tile([3]), [f64([2, 2])]);
  });

  it('repeat refuses fewer counts than dims, pointing at tile', () => {
    expect(() => randn([2, 3]).repeat(2)).toThrow(/give at least 2 \(or use tile/);
    expect(() => randn([2]).repeat(-1)).toThrow(ShapeError);
  });
});
