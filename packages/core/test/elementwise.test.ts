import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, rand, randn, manualSeed, where, clamp, maximum, minimum, add, sub, mul, div, pow,
  logicalNot, type Tensor,
} from '../src/index';
import { referencePlugin } from '../src/testing';
import { expectAllClose, values, indexOf } from './helpers';

registerBackend(referencePlugin);
await setBackend('reference');

manualSeed(7);

type UnaryName = 'neg' | 'abs' | 'sign' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'relu' | 'reciprocal' | 'floor' | 'ceil';

const UNARY: [UnaryName, (v: number) => number, 'any' | 'positive'][] = [
  ['neg', (v) => -v, 'any'],
  ['abs', Math.abs, 'any'],
  ['sign', Math.sign, 'any'],
  ['exp', Math.exp, 'any'],
  ['log', Math.log, 'positive'],
  ['sqrt', Math.sqrt, 'positive'],
  ['rsqrt', (v) => 1 / Math.sqrt(v), 'positive'],
  ['sin', Math.sin, 'any'],
  ['cos', Math.cos, 'any'],
  ['tanh', Math.tanh, 'any'],
  ['sigmoid', (v) => 1 / (1 + Math.exp(-v)), 'any'],
  ['relu', (v) => Math.max(v, 0), 'any'],
  ['reciprocal', (v) => 1 / v, 'any'],
  ['floor', Math.floor, 'any'],
  ['ceil', Math.ceil, 'any'],
];

describe('unary ops agree with Math on random data', () => {
  for (const [name, reference, domain] of UNARY) {
    it(`${name} matches its Math formula (float64 and float32)`, async () => {
      for (const dtype of ['float64', 'float32'] as const) {
        const x = domain === 'positive' ? rand([3, 5], { dtype }).add(0.05) : randn([3, 5], { dtype }).mul(2);
        const y = (x[name] as () => Tensor).call(x);
        expect(y.dtype).toBe(dtype);
        expect(y.shape).toEqual([3, 5]);
        expectAllClose(await values(y), (await values(x)).map(reference), dtype === 'float64' ? 1e-12 : 1e-6);
      }
    });
  }

  it('erf matches tabulated values', async () => {
    expectAllClose(await values(tensor([0, 0.5, 1, -2], { dtype: 'float64' }).erf()), [0, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527], 1e-7);
  });

  it('round rounds half to even, as PyTorch', async () => {
    // (+0 and −0 compare equal here: the sign of a rounded zero is not part of the contract)
    const rounded = (await values(tensor([0.5, 1.5, 2.5, -0.5, -1.5, 0.4, 2.6]).round())).map((v) => v + 0);
    expect(rounded).toEqual([0, 2, 2, 0, -2, 0, 3]);
  });

  it('sigmoid of the course example scores', async () => {
    // σ(0) = 0.5, σ(2) ≈ 0.88, σ(−2) ≈ 0.12
    expectAllClose(await values(tensor([0, 2, -2]).sigmoid()), [0.5, 0.8807970779778823, 0.11920292202211755], 1e-6);
  });

  it('sign(0) is 0 and relu keeps NaN', async () => {
    expect(await tensor([-3, 0, 2]).sign().array()).toEqual([-1, 0, 1]);
    expect((await values(tensor([NaN]).relu()))[0]).toBeNaN();
  });

  it('neg, abs and sign keep int32', async () => {
    const x = tensor([-3, 0, 4], { dtype: 'int32' });
    expect(x.neg().dtype).toBe('int32');
    expect(await x.neg().array()).toEqual([3, 0, -4]);
    expect(await x.sign().array()).toEqual([-1, 0, 1]);
  });

  it('math on bool is a DTypeError', () => {
    expect(() => tensor([true]).neg()).toThrow(/neg.*bool/);
  });

  it('unary ops work on strided views', async () => {
    const x = randn([3, 4], { dtype: 'float64' });
    const t = x.transpose(0, 1);
    const expected = (await values(t.contiguous())).map(Math.exp);
    expectAllClose(await values(t.exp()), expected, 1e-12);
  });
});

const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, (a: number, b: number) => number][] = [
  ['add', add, (a, b) => a + b],
  ['sub', sub, (a, b) => a - b],
  ['mul', mul, (a, b) => a * b],
  ['div', div, (a, b) => a / b],
  ['maximum', maximum, Math.max],
  ['minimum', minimum, Math.min],
];

/** Broadcast reference: the value of `a op b` at each output position. */
async function broadcastReference(a: Tensor, b: Tensor, shape: number[], fn: (x: number, y: number) => number): Promise<number[]> {
  const [va, vb] = [await values(a), await values(b)];
  const size = shape.reduce((p, d) => p * d, 1);
  const pick = (t: Tensor, data: number[], index: number[]) => {
    const lead = shape.length - t.ndim;
    let flatIndex = 0;
    for (let d = 0; d < t.ndim; d++) flatIndex = flatIndex * t.shape[d] + (t.shape[d] === 1 ? 0 : index[d + lead]);
    return data[flatIndex];
  };
  return Array.from({ length: size }, (_, i) => {
    const index = indexOf(shape, i);
    return fn(pick(a, va, index), pick(b, vb, index));
  });
}

describe('binary ops agree with JavaScript arithmetic, with broadcasting', () => {
  for (const [name, op, reference] of BINARY) {
    it(`${name} broadcasts [3, 1] with [4] and [2, 1, 4] with [3, 1]`, async () => {
      for (const [shapeA, shapeB, out] of [
        [[3, 1], [4], [3, 4]],
        [[2, 1, 4], [3, 1], [2, 3, 4]],
        [[5], [5], [5]],
        [[], [2, 2], [2, 2]],
      ] as const) {
        const a = randn([...shapeA], { dtype: 'float64' });
        const b = randn([...shapeB], { dtype: 'float64' }).add(name === 'div' ? 3 : 0);
        const y = op(a, b);
        expect(y.shape).toEqual(out);
        expectAllClose(await values(y), await broadcastReference(a, b, [...out], reference), 1e-12);
      }
    });
  }

  it('pow matches Math.pow, with a tensor or a number exponent', async () => {
    const base = rand([2, 3], { dtype: 'float64' }).add(0.5);
    const exponent = randn([3], { dtype: 'float64' });
    expectAllClose(await values(pow(base, exponent)), await broadcastReference(base, exponent, [2, 3], Math.pow), 1e-12);
    expect(await tensor([2, 3]).pow(2).array()).toEqual([4, 9]);
    expect(await tensor([4, 9]).pow(0.5).array()).toEqual([2, 3]);
    expect(await tensor([2, 3], { dtype: 'int32' }).pow(2).array()).toEqual([4, 9]);
  });

  it('operations with a number on either side', async () => {
    expect(await add(10, tensor([1, 2])).array()).toEqual([11, 12]);
    expect(await sub(10, tensor([1, 2])).array()).toEqual([9, 8]);
    expect(await div(1, tensor([2, 4])).array()).toEqual([0.5, 0.25]);
  });

  it('maximum and minimum propagate NaN from either side', async () => {
    const withNaN = tensor([NaN, 1, 2]);
    const other = tensor([0, NaN, 5]);
    const max = await values(maximum(withNaN, other));
    const min = await values(minimum(other, withNaN));
    expect(max[0]).toBeNaN();
    expect(max[1]).toBeNaN();
    expect(max[2]).toBe(5);
    expect(min[0]).toBeNaN();
    expect(min[1]).toBeNaN();
    expect(min[2]).toBe(2);
  });

  it('int32 arithmetic wraps around as two’s complement', async () => {
    const big = tensor([2147483647, -2147483648], { dtype: 'int32' });
    expect(await big.add(1).array()).toEqual([-2147483648, -2147483647]);
    expect(await big.sub(1).array()).toEqual([2147483646, 2147483647]);
    expect(await tensor([65536], { dtype: 'int32' }).mul(65536).array()).toEqual([0]);
    expect(await tensor([65537], { dtype: 'int32' }).mul(65537).array()).toEqual([131073]);
  });

  it('comparisons match JavaScript', async () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([3, 2, 1]);
    expect(await a.eq(b).array()).toEqual([0, 1, 0]);
    expect(await a.ne(b).array()).toEqual([1, 0, 1]);
    expect(await a.lt(b).array()).toEqual([1, 0, 0]);
    expect(await a.le(b).array()).toEqual([1, 1, 0]);
    expect(await a.gt(b).array()).toEqual([0, 0, 1]);
    expect(await a.ge(b).array()).toEqual([0, 1, 1]);
    expect(await tensor([NaN]).eq(tensor([NaN])).array()).toEqual([0]);
    expect(await tensor([NaN]).ne(tensor([NaN])).array()).toEqual([1]);
  });
});

describe('where, clamp and logical ops', () => {
  it('where picks from the first value where the condition holds, broadcasting all three', async () => {
    const cond = tensor([[true], [false]]);
    const result = where(cond, tensor([1, 2, 3]), -1);
    expect(result.shape).toEqual([2, 3]);
    expect(await result.array()).toEqual([[1, 2, 3], [-1, -1, -1]]);
    const x = tensor([-1, 2, -3]);
    expect(await where(x.gt(0), x, 0).array()).toEqual([0, 2, 0]);
    expect(await x.where(x.lt(0), 10).array()).toEqual([-1, 10, -3]);
  });

  it('clamp limits to [min, max] with either bound optional', async () => {
    const x = tensor([-2, 0.5, 3]);
    expect(await clamp(x, 0, 1).array()).toEqual([0, 0.5, 1]);
    expect(await x.clamp(0).array()).toEqual([0, 0.5, 3]);
    expect(await x.clamp(null, 1).array()).toEqual([-2, 0.5, 1]);
    const ints = tensor([-5, 5, 0], { dtype: 'int32' }).clamp(-1, 1);
    expect(ints.dtype).toBe('int32');
    expect(await ints.array()).toEqual([-1, 1, 0]);
  });

  it('logical and, or and not on bool tensors (and numbers as truthiness)', async () => {
    const a = tensor([true, true, false, false]);
    const b = tensor([true, false, true, false]);
    expect(await a.logicalAnd(b).array()).toEqual([1, 0, 0, 0]);
    expect(await a.logicalOr(b).array()).toEqual([1, 1, 1, 0]);
    expect(await logicalNot(a).array()).toEqual([0, 0, 1, 1]);
    expect(a.logicalAnd(b).dtype).toBe('bool');
    expect(await tensor([0, 2, -1]).logicalNot().array()).toEqual([1, 0, 0]);
    expect(await tensor([0, 2]).logicalAnd(tensor([3, 3])).array()).toEqual([0, 1]);
  });
});
