import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, randn, grad, noGrad, memory, vjp, jvp, jacobian, hessian, hvp, vhp,
  AutogradError, ShapeError, ValueError, DTypeError, type Tensor,
} from '../src/index';
import { referencePlugin } from '../src/testing';
import { expectAllClose, values } from './helpers';

registerBackend(referencePlugin);
await setBackend('reference');

type Flat = { shape: number[]; values: number[] };
type Nested = Flat | Nested[];
const fixture = JSON.parse(readFileSync(new URL('./fixtures/functional_fixtures.json', import.meta.url), 'utf8')) as Record<string, Nested> & { scalar: number };

const f64 = (data: number[] | number[][]) => tensor(data, { dtype: 'float64' });
const fromFlat = (flat: Flat) => tensor(flat.values, { dtype: 'float64', shape: flat.shape });

/** Compare a (nested) result with the fixture's nesting, shape by shape, value by value. */
async function expectMatches(actual: Tensor | Tensor[] | Tensor[][], expected: Nested): Promise<void> {
  if (!Array.isArray(expected)) {
    const result = actual as Tensor;
    expect(result.shape).toEqual(expected.shape);
    expectAllClose(await values(result), expected.values, 1e-10);
    return;
  }
  expect(Array.isArray(actual)).toBe(true);
  expect((actual as unknown[]).length).toBe(expected.length);
  for (const [i, item] of expected.entries()) await expectMatches((actual as (Tensor | Tensor[])[])[i], item);
}

// The two functions of functional_fixtures.py.
const twoOutputs = (x: Tensor, y: Tensor): Tensor[] => [x.tanh().mul(y.unsqueeze(1)).sum(0), x.pow(2).sum().mul(y.select(0, 0))];
const scalar = (x: Tensor, y: Tensor): Tensor => x.sin().mul(y.unsqueeze(1)).pow(2).sum().add(x.tanh().sum(1).mul(y).sigmoid().sum());

describe('functional autograd matches torch.autograd.functional (float64)', () => {
  const x = fromFlat(fixture.x as Flat);
  const y = fromFlat(fixture.y as Flat);
  const vOut = (fixture.vOut as Flat[]).map(fromFlat);
  const vIn = (fixture.vIn as Flat[]).map(fromFlat);

  it('jacobian of two outputs by two inputs is nested [output][input], each [...out.shape, ...in.shape]', async () => {
    await expectMatches(jacobian(twoOutputs, [x, y]), fixture.jacobian);
    await expectMatches(jacobian(twoOutputs, [x, y], { strategy: 'forward-mode' }), fixture.jacobian);
  });

  it('vjp and jvp', async () => {
    await expectMatches(vjp(twoOutputs, [x, y], vOut)[1], fixture.vjp);
    await expectMatches(jvp(twoOutputs, [x, y], vIn)[1], fixture.jvp);
  });

  it('hessian, hvp and vhp of a scalar of two inputs', async () => {
    await expectMatches(hessian(scalar, [x, y]), fixture.hessian);
    await expectMatches(hessian(scalar, [x, y], { outerJacobianStrategy: 'forward-mode' }), fixture.hessian);
    const [value, hv] = hvp(scalar, [x, y], vIn);
    expect(await value.item()).toBeCloseTo(fixture.scalar, 12);
    await expectMatches(hv, fixture.hvp);
    await expectMatches(vhp(scalar, [x, y], vIn)[1], fixture.vhp);
  });
});

describe('jacobian and hessian of functions with known derivatives', () => {
  it('the Jacobian of x² is diag(2x), shaped [...out, ...in]', async () => {
    const jac = jacobian((x) => x.pow(2), f64([1, 2, 3]));
    expect(await jac.array()).toEqual([[2, 0, 0], [0, 4, 0], [0, 0, 6]]);
    const block = jacobian((x) => x.mul(3), f64([[1, 2]]));
    expect(block.shape).toEqual([1, 2, 1, 2]);
  });

  it('the Jacobian of A·x is A, in either strategy', async () => {
    const a = f64([[1, 2, 3], [4, 5, 6]]);
    for (const strategy of ['reverse-mode', 'forward-mode'] as const) {
      expect(await jacobian((x) => a.matmul(x), f64([1, -1, 2]), { strategy }).array()).toEqual(await a.array());
    }
  });

  it("the Hessian of Rosenbrock's function at its minimum (1, 1) is [[802, −400], [−400, 200]]", async () => {
    const rosenbrock = (p: Tensor) => {
      const [x, y] = [p.select(0, 0), p.select(0, 1)];
      return x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
    };
    expect(await hessian(rosenbrock, f64([1, 1])).array()).toEqual([[802, -400], [-400, 200]]);
  });

  it('the Hessian of xᵀAx is A + Aᵀ', async () => {
    const a = randn([3, 3], { dtype: 'float64' });
    const h = hessian((x) => x.matmul(a).matmul(x), randn([3], { dtype: 'float64' }));
    expectAllClose(await values(h), await values(a.add(a.T)), 1e-12);
  });

  it('a Hessian agrees with second differences of the function', async () => {
    const fn = (p: Tensor) => p.select(0, 0).sin().mul(p.select(0, 1).exp()).add(p.pow(4).sum());
    const point = [0.3, -0.4];
    const h = await values(hessian(fn, f64(point)));
    const at = (p: number[]) => noGrad(() => fn(f64(p)).itemSync());
    const eps = 1e-4;
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const shifted = (di: number, dj: number) => {
          const p = [...point];
          p[i] += di * eps;
          p[j] += dj * eps;
          return at(p);
        };
        const numeric = (shifted(1, 1) - shifted(1, -1) - shifted(-1, 1) + shifted(-1, -1)) / (4 * eps * eps);
        expect(Math.abs(h[i * 2 + j] - numeric)).toBeLessThan(1e-5);
      }
    }
  });

  it('jvp is the Jacobian times v and vjp is vᵀ times the Jacobian', async () => {
    const fn = (x: Tensor) => x.tanh().mul(x.sum());
    const x = randn([4], { dtype: 'float64' });
    const v = randn([4], { dtype: 'float64' });
    const jac = jacobian(fn, x);
    expectAllClose(await values(jvp(fn, x, v)[1]), await values(jac.matmul(v)), 1e-12);
    expectAllClose(await values(vjp(fn, x, v)[1]), await values(v.matmul(jac)), 1e-12);
  });
});

describe('PyTorch conventions', () => {
  it('one tensor in gives one tensor out; arrays give arrays', () => {
    const x = f64([1, 2]);
    const [output, product] = vjp((t) => t.sum(), x);
    expect(output.shape).toEqual([]);
    expect(product.shape).toEqual([2]);
    const [, products] = vjp((a, b) => a.mul(b).sum(), [x, f64([3, 4])]);
    expect(products).toHaveLength(2);
    expect(jacobian((a, b) => a.mul(b), [x, f64([3, 4])])).toHaveLength(2);
    expect(jacobian((a) => [a, a.mul(2)], x)).toHaveLength(2);
  });

  it('v may be left out only for one-element outputs (vjp) or a one-element input (jvp)', async () => {
    expect(await vjp((t) => t.pow(2).sum(), f64([1, 2]))[1].array()).toEqual([2, 4]);
    expect(await jvp((t) => t.pow(2), f64([3]))[1].array()).toEqual([6]);
    expect(() => vjp((t) => t.pow(2), f64([1, 2]))).toThrow(ValueError);
    expect(() => vjp((t) => t.pow(2), f64([1, 2]))).toThrow(/vjp: v is required because output 0 has shape \[2\]/);
    expect(() => jvp((t) => t.pow(2), f64([1, 2]))).toThrow(/jvp: v is required because input 0 has shape \[2\]/);
  });

  it('v of the wrong shape is a ShapeError naming both shapes', () => {
    expect(() => vjp((t) => t.pow(2), f64([1, 2]), f64([1, 2, 3]))).toThrow(ShapeError);
    expect(() => vjp((t) => t.pow(2), f64([1, 2]), f64([1, 2, 3]))).toThrow(/v\[0\] has shape \[3\] but output 0 has shape \[2\]/);
    expect(() => hvp((t) => t.sum(), f64([1, 2]), [f64([1, 2]), f64([1])])).toThrow(/v has 2 tensor\(s\) but the input has 1/);
  });

  it('an input the output ignores gets zeros, or an AutogradError in strict mode', async () => {
    const fn = (a: Tensor, _b: Tensor) => a.sum();
    const [, [, unused]] = vjp(fn, [f64([1, 2]), f64([3])]);
    expect(await unused.array()).toEqual([0]);
    expect(() => vjp(fn, [f64([1, 2]), f64([3])], undefined, { strict: true })).toThrow(AutogradError);
    expect(await hessian((a: Tensor) => a.sum(), f64([1, 2])).array()).toEqual([[0, 0], [0, 0]]);
  });

  it('hessian, hvp and vhp need a one-element output; inputs must be floating point', () => {
    expect(() => hessian((t) => t.pow(2), f64([1, 2]))).toThrow(/hessian: the function must return a one-element tensor, got shape \[2\]/);
    expect(() => hvp((t) => [t.sum()], f64([1, 2]), f64([1, 1]))).toThrow(/hvp: the function must return a single Tensor/);
    expect(() => jacobian((t) => t, tensor([1, 2], { dtype: 'int32' }))).toThrow(DTypeError);
  });

  it('results are detached unless createGraph; with it they differentiate again (d/dx of the Hessian of Σx⁴ is 24x)', async () => {
    const x = f64([1, 2]).requiresGrad_();
    expect(vjp((t) => t.pow(2).sum(), x)[1].requiresGrad).toBe(false);
    const h = hessian((t) => t.pow(4).sum(), x, { createGraph: true });
    expect(h.requiresGrad).toBe(true);
    const [third] = grad(h.sum(), [x]);
    expect(await third!.array()).toEqual([24, 48]);
  });

  it('jvp and hvp with createGraph differentiate again: for Σx³, d/dx Σ(J·v) = 6x·v and d/dx Σ(H·v) = 6v', async () => {
    const x = f64([1, 2]).requiresGrad_();
    const v = f64([1, -1]);
    const [, tangent] = jvp((t) => t.pow(3), x, v, { createGraph: true });
    expect(await grad(tangent.sum(), [x])[0]!.array()).toEqual([6, -12]);
    const [, hv] = hvp((t) => t.pow(3).sum(), x, v, { createGraph: true });
    expect(await grad(hv.sum(), [x])[0]!.array()).toEqual([6, -6]);
  });

  it('hvp hands back the function value as the function returned it', () => {
    const [value] = hvp((t) => t.pow(2).sum().reshape([1]), f64([1, 2]), f64([1, 1]));
    expect(value.shape).toEqual([1]);
    expect(value.requiresGrad).toBe(false);
  });

  it('runs inside noGrad, as PyTorch enables grad internally', async () => {
    expect(await noGrad(() => jacobian((t) => t.pow(2), f64([1, 2]))).array()).toEqual([[2, 0], [0, 4]]);
  });

  it('frees every intermediate', () => {
    const x = randn([3], { dtype: 'float64' });
    const before = memory().tensors;
    const h = hessian((t) => t.tanh().pow(3).sum(), x);
    const [value, hv] = hvp((t) => t.tanh().pow(3).sum(), x, x);
    expect(memory().tensors).toBe(before + 3);
    for (const t of [h, value, hv]) t.dispose();
  });
});

describe('grad with createGraph is differentiable in gradOutputs (the double-vjp trick needs it)', () => {
  it('∂/∂v of vᵀ·(∂y/∂x) is ∂y/∂x', async () => {
    const x = f64([1, 2, 3]).requiresGrad_();
    const v = f64([0, 0, 0]).requiresGrad_();
    const [transposed] = grad(x.pow(2), [x], { gradOutputs: [v], createGraph: true });
    const [jv] = grad(transposed!, [v], { gradOutputs: [f64([1, 1, 1])] });
    expect(await jv!.array()).toEqual([2, 4, 6]);
  });
});
