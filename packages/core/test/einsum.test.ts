import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { registerBackend, setBackend, tensor, randn, arange, ones, einsum, grad, enableGrad, memory, ShapeError, ValueError, type Tensor } from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectAllClose, values } from './helpers';
import { registerPlainBackend } from './plain-backend';

registerBackend(referencePlugin);
await setBackend('reference');
await registerPlainBackend();

interface FixtureCase {
  equation: string;
  operands: { shape: number[]; values: number[] }[];
  output: { shape: number[]; values: number[] };
  upstream: number[];
  grads: number[][];
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/einsum_fixtures.json', import.meta.url), 'utf8')) as { cases: FixtureCase[] };
const f64 = (shape: number[], device = 'reference') => randn(shape, { dtype: 'float64', device, requiresGrad: true });

describe('einsum matches torch.einsum (values and gradients, float64)', () => {
  it('the fixture covers at least 25 equations', () => {
    expect(fixtures.cases.length).toBeGreaterThanOrEqual(25);
  });

  for (const device of ['reference', 'plain']) {
    for (const spec of fixtures.cases) {
      it(`'${spec.equation}' on ${spec.operands.map((o) => `[${o.shape.join(', ')}]`).join(', ')} (${device})`, async () => {
        const operands = spec.operands.map((o) => tensor(o.values, { dtype: 'float64', shape: o.shape, device, requiresGrad: true }));
        const output = einsum(spec.equation, ...operands);
        expect(output.shape).toEqual(spec.output.shape);
        expectAllClose(await values(output), spec.output.values, 1e-9);
        output.backward(tensor(spec.upstream, { dtype: 'float64', shape: spec.output.shape, device }));
        for (const [i, operand] of operands.entries()) expectAllClose(await values(operand.grad!), spec.grads[i], 1e-9);
      });
    }
  }
});

describe('einsum gradients against finite differences', () => {
  const cases: [string, number[][]][] = [
    ['bn,anm,bm->ba', [[2, 3], [4, 3, 5], [2, 5]]],
    ['iij->j', [[3, 3, 2]]],
    ['...ij,...jk->...ik', [[2, 1, 2, 3], [4, 3, 2]]],
    ['ij,jk,kl->il', [[2, 3], [3, 2], [2, 2]]],
    ['ij,kj->ikj', [[2, 1], [3, 4]]],
  ];
  for (const [equation, shapes] of cases) {
    it(`'${equation}'`, async () => {
      await expect(gradcheck((...xs) => einsum(equation, ...xs), shapes.map((shape) => f64(shape)))).resolves.toBe(true);
    });
  }

  it('second derivatives flow through diagonals and contractions', async () => {
    // Σ (x·diag(x))·x: the gradient of the gradient exercises the diagonal and its embedding rule.
    const secondOrder = (x: Tensor) =>
      enableGrad(() => {
        const leaf = x.requiresGrad ? x : x.detach().requiresGrad_();
        const [first] = grad(einsum('ij,jj,jk->', leaf, leaf, leaf), [leaf], { createGraph: true });
        return first!;
      });
    await expect(gradcheck(secondOrder, [f64([3, 3])])).resolves.toBe(true);
  });
});

describe('einsum semantics', () => {
  it('a trace is the sum of the diagonal', async () => {
    const m = arange(0, 9).float().reshape([3, 3]);
    expect(await einsum('ii', m).item()).toBe(0 + 4 + 8);
    expect(await einsum('ii->i', m).array()).toEqual([0, 4, 8]);
  });

  it('handles dims of size 0 as PyTorch: an empty contraction is zeros, an empty sum is 0', async () => {
    expect(await einsum('ij,jk', ones([2, 0]), ones([0, 3])).array()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(await einsum('i->', ones([0])).item()).toBe(0);
    expect(einsum('ii->i', ones([0, 0])).shape).toEqual([0]);
    expect(einsum('i,j->ij', ones([0]), ones([3])).shape).toEqual([0, 3]);
  });

  it('contracts int32 operands without matmul', async () => {
    const a = tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    const b = tensor([[5, 6], [7, 8]], { dtype: 'int32' });
    const product = einsum('ij,jk->ik', a, b);
    expect(product.dtype).toBe('int32');
    expect(await product.array()).toEqual([[19, 22], [43, 50]]);
  });

  it('accepts the operands as one array, as torch.einsum accepts a list', async () => {
    const a = tensor([1, 2, 3]);
    expect(await einsum('i,i->', [a, a]).item()).toBe(14);
  });

  it('reads transposed operands in place: attention scores copy nothing (matmul takes the strided keys)', () => {
    const q = randn([2, 3, 4, 5]);
    const k = randn([2, 3, 6, 5]);
    const copies = vi.spyOn(q.storage.backend, 'assign');
    const scores = einsum('bhqd,bhkd->bhqk', q, k);
    expect(copies).not.toHaveBeenCalled();
    copies.mockRestore();
    expect(scores.shape).toEqual([2, 3, 4, 6]);
  });

  it('leaves no intermediate tensors behind', () => {
    const a = randn([3, 4]);
    const b = randn([4, 5]);
    const c = randn([5, 2]);
    const before = memory().tensors;
    const out = einsum('ij,jk,kl->il', a, b, c);
    expect(memory().tensors).toBe(before + 1);
    out.dispose();
  });

  it('never returns an operand itself', () => {
    const a = randn([2, 3]);
    const same = einsum('ij->ij', a);
    expect(same).not.toBe(a);
    same.dispose();
    expect(a.isDisposed).toBe(false);
  });
});

describe('einsum errors name einsum, the equation and the operand shapes', () => {
  const a = randn([2, 3]);
  const b = randn([3, 4]);
  const cases: [string, () => unknown, typeof ValueError | typeof ShapeError, RegExp][] = [
    ['an invalid subscript', () => einsum('i1,jk', a, b), ValueError, /einsum\('i1,jk'\).*invalid subscript '1'.*\[2, 3\], \[3, 4\]/],
    ['a lone dot', () => einsum('i.j', a), ValueError, /'\.' that is not part of '\.\.\.'/],
    ['two ellipses in one term', () => einsum('...i...', a), ValueError, /more than one '\.\.\.'/],
    ['two arrows', () => einsum('ij->j->i', a), ValueError, /more than one '->'/],
    ['a dangling dash', () => einsum('ij-i', a), ValueError, /'-' and '>'/],
    ['too few terms', () => einsum('ij->i', a, b), ValueError, /1 input term\(s\) but 2 operand\(s\)/],
    ['too many terms', () => einsum('ij,jk,kl', a, b), ValueError, /3 input term\(s\) but 2 operand\(s\)/],
    ['no operands', () => einsum('ij'), ValueError, /at least one operand/],
    ['a rank mismatch', () => einsum('ijk,jk', a, b), ShapeError, /operand 0 has 2 dim\(s\) but its subscripts 'ijk' name 3/],
    ['a size conflict', () => einsum('ij,jk', a, randn([4, 4])), ShapeError, /subscript 'j' has size 4 in operand 1 but 3 in operand 0/],
    ['a diagonal of unequal dims', () => einsum('ii', a), ShapeError, /'i' is repeated in operand 0 with different sizes 2 and 3/],
    ['an output subscript no input has', () => einsum('ij->k', a), ValueError, /output subscript 'k' does not appear/],
    ['a repeated output subscript', () => einsum('ij->ii', a), ValueError, /output repeats subscript 'i'/],
    ['an ellipsis size conflict', () => einsum('...i,...i', randn([2, 3]), randn([4, 3])), ShapeError, /dims covered by \.\.\. has size 4 in operand 1 but 2/],
  ];
  for (const [what, call, type, message] of cases) {
    it(`rejects ${what}`, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }
});
