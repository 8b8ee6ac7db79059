import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, randn, rand, manualSeed, grad, noGrad, enableGrad, zeros, ones, where, maximum, minimum, add, sub, mul, div, pow,
  cat, stack, split, chunk, layerNorm, conv2d, maxPool2d, avgPool2d, AutogradError, DTypeError, type Tensor,
} from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectAllClose, values } from './helpers';
import { registerPlainBackend } from './plain-backend';

registerBackend(referencePlugin);
await setBackend('reference');
await registerPlainBackend();
manualSeed(2024);

const f64 = (shape: number[], device = 'reference') => randn(shape, { dtype: 'float64', device, requiresGrad: true });
const positive = (shape: number[], device = 'reference') => rand(shape, { dtype: 'float64', device }).add(0.5).requiresGrad_();
const ints = (data: number[] | number[][]) => tensor(data, { dtype: 'int32' });
const check = (fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[]) => expect(gradcheck(fn, inputs)).resolves.toBe(true);

/** Finite-difference check of second derivatives: the gradient of Σ fn(x), itself differentiated. */
function checkSecondOrder(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[]) {
  return check(
    (...leaves) =>
      // gradcheck's numeric pass runs without grad on plain leaves: differentiate a fresh leaf there.
      enableGrad(() => {
        const [x, ...rest] = leaves;
        const input = x.requiresGrad ? x : x.detach().requiresGrad_();
        const [first] = grad(fn(input, ...rest).sum(), [input], { createGraph: true });
        return first!;
      }),
    inputs,
  );
}

describe('gradients of unary ops', () => {
  for (const op of ['neg', 'abs', 'exp', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'erf'] as const) {
    it(`${op}`, async () => {
      await check((x) => x[op](), [f64([3, 4])]);
    });
  }
  for (const op of ['log', 'sqrt', 'rsqrt', 'reciprocal'] as const) {
    it(`${op} (positive inputs)`, async () => {
      await check((x) => x[op](), [positive([3, 4])]);
    });
  }

  it('floor, ceil, round and sign have zero gradient', async () => {
    for (const op of ['floor', 'ceil', 'round', 'sign'] as const) {
      const x = tensor([0.3, 1.7, -2.2], { dtype: 'float64', requiresGrad: true });
      x[op]().sum().backward();
      expect(await x.grad!.array()).toEqual([0, 0, 0]);
    }
  });

  it('clamp passes the gradient inside the range only', async () => {
    await check((x) => x.clamp(-0.5, 0.5), [tensor([-1, -0.2, 0.1, 0.4, 2], { dtype: 'float64', requiresGrad: true })]);
    await check((x) => x.clamp(0), [tensor([-1, 0.3], { dtype: 'float64', requiresGrad: true })]);
    const x = tensor([-1, 0.3, 2], { requiresGrad: true });
    x.clamp(0, 1).sum().backward();
    expect(await x.grad!.array()).toEqual([0, 1, 0]);
  });

  it('square and float casts', async () => {
    await check((x) => x.square(), [f64([4])]);
    // float32 round trip: a larger step keeps the finite difference above float32 rounding.
    await expect(gradcheck((x) => x.float().mul(2).double(), [f64([3])], { eps: 1e-2, rtol: 1e-3 })).resolves.toBe(true);
  });
});

describe('gradients of binary ops, with broadcasting', () => {
  const shapes: [number[], number[]][] = [[[3, 4], [3, 4]], [[3, 1], [4]], [[2, 3], []], [[], [2, 2]]];
  for (const [name, op] of [['add', add], ['sub', sub], ['mul', mul], ['maximum', maximum], ['minimum', minimum]] as const) {
    it(`${name} for shapes ${JSON.stringify(shapes)}`, async () => {
      for (const [sa, sb] of shapes) await check((a, b) => op(a, b), [f64(sa), f64(sb)]);
    });
  }

  it('div for both operands', async () => {
    for (const [sa, sb] of shapes) await check((a, b) => div(a, b), [f64(sa), positive(sb)]);
  });

  it('pow for both the base and the exponent', async () => {
    await check((a, b) => pow(a, b), [positive([3, 4]), f64([4])]);
    await check((a) => a.pow(3), [f64([5])]);
    await check((a) => a.pow(-1.5), [positive([5])]);
    await check((b) => pow(2, b), [f64([3])]);
  });

  it('pow of a zero base: the exponent’s gradient is 0, the base’s follows the power rule', async () => {
    const base = tensor([0, 0], { dtype: 'float64', requiresGrad: true });
    const exponent = tensor([2, 1], { dtype: 'float64', requiresGrad: true });
    pow(base, exponent).sum().backward();
    expect(await exponent.grad!.array()).toEqual([0, 0]);
    expect(await base.grad!.array()).toEqual([0, 1]);
  });

  it('maximum and minimum split the gradient evenly on ties', async () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([1, 5, 0], { requiresGrad: true });
    maximum(a, b).sum().backward();
    expect(await a.grad!.array()).toEqual([0.5, 0, 1]);
    expect(await b.grad!.array()).toEqual([0.5, 1, 0]);
    const c = tensor([2, 2], { requiresGrad: true });
    minimum(c, 2).sum().backward();
    expect(await c.grad!.array()).toEqual([0.5, 0.5]);
  });

  it('where routes the gradient by the condition, broadcasting', async () => {
    const cond = tensor([[true, false, true], [false, false, true]]);
    await check((a, b) => where(cond, a, b), [f64([2, 3]), f64([3])]);
    await check((a) => where(cond, a, 0), [f64([1, 3])]);
  });

  it('an int32 operand gets no gradient while the float one does', async () => {
    const x = f64([3]);
    const y = x.mul(ints([1, 2, 3]));
    y.sum().backward();
    expect(await x.grad!.array()).toEqual([1, 2, 3]);
  });
});

describe('gradients of reductions', () => {
  it('sum and mean over dim lists, negative dims, keepdim', async () => {
    await check((x) => x.sum(), [f64([2, 3])]);
    await check((x) => x.sum([0, 2]), [f64([2, 3, 2])]);
    await check((x) => x.sum(-1, true), [f64([2, 3])]);
    await check((x) => x.mean(), [f64([2, 3])]);
    await check((x) => x.mean([1, -1], true), [f64([2, 3, 2])]);
  });

  it('prod, including one zero and two zeros in a reduced slice', async () => {
    await check((x) => x.prod(), [f64([2, 3])]);
    await check((x) => x.prod(1), [f64([2, 3])]);
    await check((x) => x.prod([0, 2], true), [f64([2, 2, 2])]);
    const oneZero = tensor([[2, 0, 3], [1, 4, 5]], { dtype: 'float64', requiresGrad: true });
    await check((x) => x.prod(1), [oneZero]);
    await check((x) => x.prod(), [tensor([2, 0, 3, 4], { dtype: 'float64', requiresGrad: true })]);
    const twoZeros = tensor([[0, 2, 0], [1, 0, 5]], { dtype: 'float64', requiresGrad: true });
    await check((x) => x.prod(1), [twoZeros]);
    const x = tensor([2, 0, 3], { requiresGrad: true });
    x.prod().backward();
    expect(await x.grad!.array()).toEqual([0, 6, 0]);
    const y = tensor([0, 2, 0], { requiresGrad: true });
    y.prod().backward();
    expect(await y.grad!.array()).toEqual([0, 0, 0]);
  });

  it('max, min, amax and amin', async () => {
    await check((x) => x.max(), [f64([2, 3])]);
    await check((x) => x.max(1).values, [f64([2, 3])]);
    await check((x) => x.min(0, true).values, [f64([2, 3])]);
    await check((x) => x.amax([0, 2]), [f64([2, 3, 2])]);
    await check((x) => x.amin(-1, true), [f64([2, 3])]);
  });

  it('amax shares the gradient among ties; max(dim) sends it to the reported index', async () => {
    const x = tensor([1, 3, 3], { requiresGrad: true });
    x.amax().backward();
    expect(await x.grad!.array()).toEqual([0, 0.5, 0.5]);
    const y = tensor([[3, 1, 3]], { requiresGrad: true });
    y.max(1).values.sum().backward();
    expect(await y.grad!.array()).toEqual([[1, 0, 0]]);
  });

  it('var, std and logsumexp', async () => {
    await check((x) => x.var(), [f64([2, 3])]);
    await check((x) => x.var(1, true), [f64([2, 3])]);
    await check((x) => x.var([0, 1], false, 0), [f64([2, 3])]);
    await check((x) => x.std(0), [f64([3, 2])]);
    await check((x) => x.logsumexp(), [f64([2, 3])]);
    await check((x) => x.logsumexp([0, 2], true), [f64([2, 2, 2])]);
    await check((x) => x.mul(300).logsumexp(1), [f64([2, 3])]);
  });
});

describe('gradients of view ops', () => {
  const cases: [string, (x: Tensor) => Tensor, number[]][] = [
    ['reshape', (x) => x.reshape([3, -1]), [2, 3, 2]],
    ['reshape of a transposed tensor (copy)', (x) => x.T.reshape([-1]), [2, 3]],
    ['view', (x) => x.view([6, 2]), [2, 3, 2]],
    ['flatten', (x) => x.flatten(1), [2, 3, 2]],
    ['permute', (x) => x.permute([2, 0, 1]), [2, 3, 2]],
    ['transpose', (x) => x.transpose(0, 2), [2, 3, 2]],
    ['T', (x) => x.T, [2, 3]],
    ['squeeze', (x) => x.squeeze(), [2, 1, 3]],
    ['unsqueeze', (x) => x.unsqueeze(1), [2, 3]],
    ['expand', (x) => x.expand([4, 2, 3]), [2, 1]],
    ['narrow', (x) => x.narrow(1, 1, 2), [2, 4]],
    ['slice with step', (x) => x.slice(1, 0, 5, 2), [2, 5]],
    ['slice with negative start', (x) => x.slice(0, -2), [4, 2]],
    ['select', (x) => x.select(1, -1), [2, 3]],
    ['flip', (x) => x.flip([0, 1]), [2, 3]],
    ['contiguous', (x) => x.T.contiguous(), [2, 3]],
    ['clone', (x) => x.clone(), [2, 3]],
    ['chained views', (x) => x.T.flip(0).slice(0, 0, 3, 2).unsqueeze(0).select(2, 1), [2, 3]],
  ];
  for (const [name, fn, shape] of cases) {
    it(name, async () => {
      await check(fn, [f64(shape)]);
    });
  }
});

describe('gradients of indexing and joining ops', () => {
  it('gather and indexSelect (repeated indices accumulate)', async () => {
    await check((x) => x.gather(1, ints([[0, 0, 2], [1, 2, 1]])), [f64([2, 3])]);
    await check((x) => x.gather(0, ints([[1, 0, 1]])), [f64([2, 3])]);
    await check((x) => x.indexSelect(0, ints([2, 0, 2])), [f64([3, 2])]);
    await check((x) => x.indexSelect(1, ints([1])), [f64([3, 2])]);
  });

  it('scatterAdd for the input and the source (also a larger source)', async () => {
    const index = ints([[0, 2], [1, 1]]);
    await check((x, src) => x.scatterAdd(1, index, src), [f64([2, 3]), f64([2, 2])]);
    await check((x, src) => x.scatterAdd(1, index, src), [f64([2, 3]), f64([3, 4])]);
  });

  it('maskedFill, tril, triu and cumsum', async () => {
    await check((x) => x.maskedFill(tensor([true, false, true]), 0), [f64([2, 3])]);
    await check((x) => x.tril(), [f64([3, 3])]);
    await check((x) => x.triu(1), [f64([2, 3, 3])]);
    await check((x) => x.cumsum(1), [f64([2, 4])]);
    await check((x) => x.cumsum(0), [f64([3, 2])]);
  });

  it('cat, stack, split and chunk', async () => {
    await check((a, b) => cat([a, b], 1), [f64([2, 2]), f64([2, 3])]);
    await check((a, b) => cat([a, b.T]), [f64([2, 2]), f64([2, 2])]);
    await check((a, b) => stack([a, b], 1), [f64([2, 3]), f64([2, 3])]);
    await check((x) => split(x, 2, 1)[1].mul(2), [f64([2, 5])]);
    await check((x) => { const [p, q] = chunk(x, 2); return p.mul(q); }, [f64([4, 2])]);
  });

  it('pad in every mode, including a negative crop', async () => {
    await check((x) => x.pad([1, 2]), [f64([2, 3])]);
    await check((x) => x.pad([-1, 1, 1, -1], 'constant', 3), [f64([1, 3, 3])]);
    await check((x) => x.pad([2, 1], 'reflect'), [f64([2, 4])]);
    await check((x) => x.pad([1, 1, 2, 1], 'reflect'), [f64([1, 4, 3])]);
    await check((x) => x.pad([2, 1, 1, 0], 'replicate'), [f64([1, 3, 3])]);
    await check((x) => x.pad([2, 1], 'circular'), [f64([2, 3])]);
  });
});

describe('gradients of matmul at every rank', () => {
  const cases: [number[], number[]][] = [
    [[3], [3]],
    [[3], [3, 2]],
    [[2, 3], [3]],
    [[2, 3], [3, 4]],
    [[2, 2, 3], [3, 4]],
    [[3], [2, 3, 2]],
    [[2, 1, 2, 3], [3, 3, 2]],
    [[2, 3, 2], [2, 2, 3]],
  ];
  for (const [sa, sb] of cases) {
    it(`${JSON.stringify(sa)} · ${JSON.stringify(sb)}`, async () => {
      await check((a, b) => a.matmul(b), [f64(sa), f64(sb)]);
    });
  }
  it('transposed operands', async () => {
    await check((a, b) => a.T.matmul(b.T), [f64([3, 2]), f64([4, 3])]);
  });
});

describe.each(['reference', 'plain'])('gradients of nn ops (%s)', (device) => {
  it('softmax and logSoftmax along any dim', async () => {
    await check((x) => x.softmax(-1), [f64([2, 4], device)]);
    await check((x) => x.softmax(0), [f64([3, 2], device)]);
    await check((x) => x.logSoftmax(1), [f64([2, 3, 2], device)]);
  });

  it('layerNorm with and without weight and bias', async () => {
    await check((x) => layerNorm(x, [4]), [f64([3, 4], device)]);
    await check((x, w, b) => layerNorm(x, [4], w, b), [f64([3, 4], device), f64([4], device), f64([4], device)]);
    await check((x, w) => layerNorm(x, [2, 3], w), [f64([2, 2, 3], device), f64([2, 3], device)]);
    await check((x, b) => layerNorm(x, [3], null, b), [f64([2, 3], device), f64([3], device)]);
  });

  it('conv2d with stride, padding, dilation and groups, for input, weight and bias', async () => {
    await check((x, w, b) => conv2d(x, w, b), [f64([1, 2, 4, 4], device), f64([2, 2, 3, 3], device), f64([2], device)]);
    await check((x, w) => conv2d(x, w, null, { stride: 2, padding: 1 }), [f64([1, 1, 5, 5], device), f64([2, 1, 3, 3], device)]);
    await check((x, w) => conv2d(x, w, null, { dilation: 2, padding: [1, 0] }), [f64([1, 1, 5, 5], device), f64([1, 1, 2, 2], device)]);
    await check((x, w, b) => conv2d(x, w, b, { groups: 2 }), [f64([2, 4, 3, 3], device), f64([2, 2, 2, 2], device), f64([2], device)]);
    await check((x, w) => conv2d(x, w, null, { padding: 'same' }), [f64([1, 1, 4, 4], device), f64([1, 1, 2, 2], device)]);
  });

  it('maxPool2d and avgPool2d', async () => {
    await check((x) => maxPool2d(x, 2), [f64([1, 2, 4, 4], device)]);
    await check((x) => maxPool2d(x, 3, { stride: 2, padding: 1 }), [f64([1, 1, 5, 5], device)]);
    await check((x) => maxPool2d(x, 2, { ceilMode: true }), [f64([1, 1, 5, 5], device)]);
    await check((x) => avgPool2d(x, 2), [f64([1, 2, 4, 4], device)]);
    await check((x) => avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), [f64([1, 1, 5, 5], device)]);
    await check((x) => avgPool2d(x, 2, { ceilMode: true, divisorOverride: 3 }), [f64([1, 1, 5, 5], device)]);
  });
});

describe('second derivatives (createGraph)', () => {
  it('grad of x³ with createGraph differentiates again to 6x', async () => {
    const x = tensor([1, 2, -3], { dtype: 'float64', requiresGrad: true });
    const [dx] = grad(x.pow(3).sum(), [x], { createGraph: true });
    expect(await dx!.array()).toEqual([3, 12, 27]);
    expect(dx!.requiresGrad).toBe(true);
    const [d2x] = grad(dx!.sum(), [x]);
    expect(await d2x!.array()).toEqual([6, 12, -18]);
  });

  it('of elementwise, reduction and view rules', async () => {
    await checkSecondOrder((x) => x.tanh(), [f64([4])]);
    await checkSecondOrder((x) => x.sigmoid(), [f64([4])]);
    await checkSecondOrder((x) => x.exp().mul(x), [f64([4])]);
    await checkSecondOrder((x) => x.sqrt(), [positive([4])]);
    await checkSecondOrder((x) => x.reciprocal(), [positive([4])]);
    await checkSecondOrder((x) => x.log(), [positive([4])]);
    await checkSecondOrder((x) => x.sin().mul(x.cos()), [f64([4])]);
    await checkSecondOrder((x, y) => x.div(y), [f64([3]), positive([3])]);
    await checkSecondOrder((x) => x.mul(x).sum(0).mul(x.select(0, 0)), [f64([2, 3])]);
    await checkSecondOrder((x) => x.var(1), [f64([2, 3])]);
    await checkSecondOrder((x) => x.slice(1, 0, 3, 2).pow(2), [f64([2, 3])]);
  });

  it('of softmax', async () => {
    await checkSecondOrder((x) => x.softmax(-1).mul(x), [f64([2, 3])]);
  });
  it('of logSoftmax', async () => {
    await checkSecondOrder((x) => x.logSoftmax(-1).pow(2), [f64([2, 3])]);
  });
  it('of matmul', async () => {
    const w = f64([3, 2]);
    await checkSecondOrder((x) => x.matmul(w).tanh(), [f64([2, 3])]);
  });
  it('of layerNorm', async () => {
    await checkSecondOrder((x) => layerNorm(x, [3]).pow(2), [f64([2, 3])]);
  });
});

describe('autograd semantics', () => {
  it('gradients accumulate into .grad over two backward passes', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    x.mul(x).sum().backward();
    expect(await x.grad!.array()).toEqual([5, 7]);
  });

  it('a value used twice gets the sum of both paths', async () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.mul(x).add(x.exp());
    y.sum().backward();
    expectAllClose(await values(x.grad!), [4 + Math.exp(2)], 1e-6);
  });

  it('retainGraph allows a second backward through the same graph', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expectAllClose(await values(x.grad!), [2 * Math.E, 2 * Math.exp(2)], 1e-6);
  });

  it('a second backward through a freed graph throws an AutogradError that says what to do', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(AutogradError);
    const z = x.exp().mul(2).sum();
    z.backward();
    expect(() => z.backward()).toThrow(/already freed.*retainGraph/);
  });

  it('backward on a non-scalar needs an explicit gradient', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(AutogradError);
    expect(() => x.mul(2).backward()).toThrow(/shape \[2\]/);
    x.mul(2).backward(tensor([1, 10]));
    expect(await x.grad!.array()).toEqual([2, 20]);
    expect(() => x.mul(2).backward(tensor([1, 2, 3]))).toThrow(AutogradError);
  });

  it('backward on a tensor that does not require grad throws', () => {
    expect(() => tensor([1]).sum().backward()).toThrow(AutogradError);
  });

  it('detach and noGrad stop gradients', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.storage).toBe(x.storage);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    x.mul(d).sum().backward();
    expect(await x.grad!.array()).toEqual([1, 2]);
  });

  it('requiresGrad on int32 or bool throws a DTypeError', () => {
    expect(() => { tensor([1], { dtype: 'int32' }).requiresGrad = true; }).toThrow(DTypeError);
    expect(() => tensor([true]).requiresGrad_()).toThrow(DTypeError);
  });

  it('integer results of float inputs do not require grad', () => {
    const x = tensor([1.5, 2.5], { requiresGrad: true });
    expect(x.gt(2).requiresGrad).toBe(false);
    expect(x.argmax().requiresGrad).toBe(false);
    expect(x.int().requiresGrad).toBe(false);
  });

  it('retainGrad keeps the gradient of a non-leaf', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2).retainGrad();
    const other = x.mul(3);
    h.mul(h).sum().add(other.sum()).backward();
    expect(await h.grad!.array()).toEqual([4, 8]);
    expect(other.grad).toBeNull();
    expect(await x.grad!.array()).toEqual([11, 19]);
  });

  it('grad() returns gradients without touching .grad, and reports unused inputs', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const unused = tensor([1], { requiresGrad: true });
    const [gx] = grad(x.mul(x).sum(), [x]);
    expect(await gx!.array()).toEqual([2, 4]);
    expect(x.grad).toBeNull();
    expect(() => grad(x.mul(2).sum(), [unused])).toThrow(AutogradError);
    expect(grad(x.mul(2).sum(), [x, unused], { allowUnused: true })[1]).toBeNull();
  });

  it('grad() of a non-leaf input', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    const [gh] = grad(h.mul(h).sum(), [h]);
    expect(await gh!.array()).toEqual([4, 8]);
  });

  it('in-place assign of a tensor that requires grad is refused outside noGrad', async () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.assign(0)).toThrow(AutogradError);
    w.mul(2).sum().backward();
    noGrad(() => w.assign(w.sub(w.grad!.mul(0.5))));
    expect(await w.array()).toEqual([0, 1]);
    expect(w.requiresGrad).toBe(true);
  });

  it('zero gradients flow to unused branches of a multi-output graph', async () => {
    const x = ones([2, 2], { requiresGrad: true });
    const [a] = split(x, 1, 0);
    a.sum().backward();
    expect(await x.grad!.array()).toEqual([[1, 1], [0, 0]]);
    const z = zeros([2], { requiresGrad: true });
    expect(z.isLeaf).toBe(true);
  });
});
