import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, randn, manualSeed, sort, argsort, topk, ShapeError, ValueError, DTypeError, type Tensor } from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectAllClose, expectTensor, values } from './helpers';
import { torchValues, nested } from './fixtures/selection-ops';
import { registerAsyncOnlyBackend } from './async-only-backend';
import { registerPlainBackend } from './plain-backend';

registerBackend(referencePlugin);
await setBackend('reference');
await registerAsyncOnlyBackend();
await registerPlainBackend();
manualSeed(77);

const f64 = (shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true });
const check = (fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[]) => expect(gradcheck(fn, inputs)).resolves.toBe(true);

/** A stable sort on the host: the order every case must reproduce (NaN above everything). */
function hostOrder(row: number[], descending: boolean): number[] {
  const key = (v: number) => (Number.isNaN(v) ? Infinity : v);
  const rank = (v: number) => (Number.isNaN(v) ? 1 : 0);
  return row
    .map((_, i) => i)
    .sort((a, b) => {
      const byClass = rank(row[a]) - rank(row[b]);
      const byValue = byClass !== 0 ? byClass : key(row[a]) < key(row[b]) ? -1 : key(row[a]) > key(row[b]) ? 1 : 0;
      return (descending ? -byValue : byValue) || a - b;
    });
}

describe('sort', () => {
  it('is stable and matches PyTorch (stable=True) with ties, NaN and infinities, both directions and dims', async () => {
    const { input, cases } = torchValues.sort;
    for (const { dim, descending, values: expectedValues, indices } of cases) {
      const x = tensor(nested(input), { dtype: 'float64' });
      const result = sort(x, dim, { descending, stable: true });
      await expectTensor(result.values, expectedValues, 0);
      expect(await result.indices.array()).toEqual(indices);
      expect(result.indices.dtype).toBe('int32');
    }
  });

  // 'reference' has the optional argsort kernel; 'plain' runs core's bitonic composite.
  for (const device of ['reference', 'plain']) {
    it(`agrees with a stable host sort on every length from 0 to 70, NaN and ties included (${device})`, async () => {
      for (let length = 0; length <= 70; length += length < 10 ? 1 : 7) {
        const data = Array.from({ length }, (_, i) => (i % 11 === 3 ? NaN : ((i * 7919) % 13) - 6 + (i % 5 === 0 ? 0.5 : 0)));
        for (const descending of [false, true]) {
          const indices = argsort(tensor(data, { dtype: 'float64', device }), -1, { descending });
          expect(await values(indices), `length ${length}`).toEqual(hostOrder(data, descending));
        }
      }
    });

    it(`matches PyTorch's stable sort on ${device}`, async () => {
      const { input, cases } = torchValues.sort;
      for (const { dim, descending, values: expectedValues, indices } of cases) {
        const result = sort(tensor(nested(input), { dtype: 'float32', device }), dim, { descending });
        await expectTensor(result.values, expectedValues, 0);
        expect(await result.indices.array()).toEqual(indices);
      }
      const ints = tensor([5, -2147483648, 2147483647, 0, 5, -1], { dtype: 'int32', device }).sort(0, { descending: true });
      expect(await values(ints.indices)).toEqual([2, 0, 4, 3, 5, 1]);
    });

    it(`passes gradients through sort and topk on ${device}`, async () => {
      await check((x) => x.sort(1).values, [randn([3, 6], { dtype: 'float64', device, requiresGrad: true })]);
      await check((x) => x.topk(2, { dim: 0 }).values, [randn([5, 3], { dtype: 'float64', device, requiresGrad: true })]);
    });
  }

  it('sorts int32 and bool tensors, keeping their dtype, with extreme int32 values', async () => {
    const ints = tensor([5, -2147483648, 2147483647, 0, 5, -1], { dtype: 'int32' });
    const sorted = ints.sort();
    expect(sorted.values.dtype).toBe('int32');
    expect(await values(sorted.values)).toEqual([-2147483648, -1, 0, 5, 5, 2147483647]);
    expect(await values(sorted.indices)).toEqual([1, 5, 3, 0, 4, 2]);
    const flags = tensor([true, false, true, false]).sort(0, { descending: true });
    expect(flags.values.dtype).toBe('bool');
    expect(await values(flags.indices)).toEqual([0, 2, 1, 3]);
  });

  it('sorts along a middle dim of a strided view', async () => {
    const x = randn([3, 4, 5], { dtype: 'float64' }).transpose(0, 2);
    const { values: sorted, indices } = x.sort(1);
    const host = (await x.array()) as number[][][];
    const got = (await sorted.array()) as number[][][];
    const order = (await indices.array()) as number[][][];
    for (let i = 0; i < 5; i++) {
      for (let k = 0; k < 3; k++) {
        const column = host[i].map((row) => row[k]);
        const expectedOrder = hostOrder(column, false);
        expect(order[i].map((row) => row[k])).toEqual(expectedOrder);
        expect(got[i].map((row) => row[k])).toEqual(expectedOrder.map((j) => column[j]));
      }
    }
  });

  it('of a 0-d tensor is the tensor with index 0', async () => {
    const { values: sorted, indices } = tensor(3).sort();
    expect(await sorted.item()).toBe(3);
    expect(await indices.item()).toBe(0);
  });

  it('runs on a backend without sync reads', async () => {
    const x = tensor([2, 0, 1], { device: 'async-only' });
    expect(await values(x.argsort())).toEqual([1, 2, 0]);
  });

  it('passes gradients to the input through the permutation', async () => {
    await check((x) => x.sort(1).values, [f64([3, 6])]);
    await check((x) => x.sort(0, { descending: true }).values, [f64([5, 2])]);
  });
});

describe('topk', () => {
  it('matches PyTorch values, largest and smallest, with NaN counted as the largest', async () => {
    const { input, cases } = torchValues.topk;
    for (const { k, largest, values: expected } of cases) {
      await expectTensor(topk(tensor(nested(input), { dtype: 'float64' }), k, { dim: 1, largest }).values, expected, 0);
    }
  });

  it('returns indices that point at the returned values, first occurrence first on ties', async () => {
    const x = tensor([1, 5, 3, 5, -2]);
    const { values: top, indices } = x.topk(3);
    expect(await values(top)).toEqual([5, 5, 3]);
    expect(await values(indices)).toEqual([1, 3, 2]);
  });

  it('has the gradient of the selected elements', async () => {
    await check((x) => topk(x, 2, { dim: 0 }).values, [f64([5, 3])]);
    await check((x) => x.topk(3, { largest: false }).values, [f64([2, 7])]);
  });

  it('rejects k larger than the dim, non-integer k and a bad dim', () => {
    const x = tensor([1, 2, 3]);
    expect(() => x.topk(4)).toThrow(ValueError);
    expect(() => x.topk(4)).toThrow(/topk: k = 4 is larger than dim -1 of size 3/);
    expect(() => x.topk(1.5)).toThrow(ValueError);
    expect(() => x.topk(1, { dim: 2 })).toThrow(ShapeError);
  });
});

describe('argsort', () => {
  it('is the index part of sort', async () => {
    const x = randn([4, 9], { dtype: 'float64' });
    expect(await values(argsort(x, 1, { descending: true }))).toEqual(await values(sort(x, 1, { descending: true }).indices));
  });

  it('gathering by the argsort sorts the tensor', async () => {
    const x = randn([10], { dtype: 'float64' });
    const sorted = x.gather(0, x.argsort());
    const data = await values(sorted);
    expectAllClose(data, [...data].sort((a, b) => a - b), 0);
  });

  it('refuses a disposed tensor with the op name', () => {
    const x = tensor([1, 2]);
    x.dispose();
    expect(() => argsort(x)).toThrow(/argsort/);
    expect(() => sort(tensor([1]), 0, {})).not.toThrow(DTypeError);
  });
});
