import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, randn, linalg, manualSeed, ShapeError, DTypeError } from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectAllClose, values } from './helpers';
import { f64, fixtures, maxAbsDiff } from './fixtures/linalg-fixtures';

registerBackend(referencePlugin);
await setBackend('reference');
manualSeed(11);

const leaf = (shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true });
/** Well-conditioned random matrices: n·I plus noise. */
const wellConditioned = (shape: number[]) => {
  const n = shape[shape.length - 1];
  return randn(shape, { dtype: 'float64' }).add(tensor(Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? n : 0)), { dtype: 'float64', shape: [n, n] })).requiresGrad_();
};

describe('linalg.solve and linalg.inv', () => {
  const fixture = fixtures.solve;

  it("match PyTorch for matrix and vector right-hand sides, batched with broadcasting", async () => {
    expectAllClose(await values(linalg.solve(f64(fixture.A), f64(fixture.B))), fixture.X.flat(), 1e-12);
    const x = linalg.solve(f64(fixture.A), f64(fixture.b));
    expect(x.shape).toEqual([4]);
    expectAllClose(await values(x), fixture.x, 1e-12);
    const batched = linalg.solve(f64(fixture.Abatch), f64(fixture.Bbroadcast));
    expect(batched.shape).toEqual([3, 3, 2]);
    expectAllClose(await values(batched), fixture.Xbatch.flat(2), 1e-12);
    expectAllClose(await values(linalg.inv(f64(fixture.A))), fixture.inv.flat(), 1e-12);
    expectAllClose(await values(linalg.inv(f64(fixture.Abatch))), fixture.invBatch.flat(2), 1e-12);
  });

  it('solves X A = B with left: false', async () => {
    const A = f64(fixture.A);
    const B = randn([2, 4], { dtype: 'float64' });
    expect(await maxAbsDiff(linalg.solve(A, B, { left: false }).matmul(A), B)).toBeLessThan(1e-12);
  });

  it('pivots: a zero leading entry is no problem', async () => {
    expectAllClose(await values(linalg.solve(f64([[0, 1], [1, 0]]), f64([2, 3]))), [3, 2], 0);
  });

  it('a singular matrix gives non-finite values and info names the zero pivot', async () => {
    const singular = f64([[1, 2], [2, 4]]);
    const { result, info } = linalg.solveEx(singular, f64([1, 1]));
    expect((await values(result)).some((value) => !Number.isFinite(value))).toBe(true);
    expect(await info.item()).toBe(2);
    expect(await linalg.invEx(f64([[2, 0], [0, 1]])).info.item()).toBe(0);
    expect((await values(linalg.inv(singular))).some((value) => !Number.isFinite(value))).toBe(true);
  });

  it('float32 residuals stay within 1e-5 (16×16)', async () => {
    const A = wellConditioned([16, 16]).detach().float();
    const B = randn([16, 3]);
    expect(await maxAbsDiff(A.matmul(linalg.solve(A, B)), B)).toBeLessThan(1e-5);
  });

  it('gradients in A and B pass finite-difference checks (matrix, vector, batched)', async () => {
    await expect(gradcheck((A, B) => linalg.solve(A, B), [wellConditioned([3, 3]), leaf([3, 2])])).resolves.toBe(true);
    await expect(gradcheck((A, b) => linalg.solve(A, b), [wellConditioned([2, 3, 3]), leaf([2, 3])])).resolves.toBe(true);
    await expect(gradcheck((A) => linalg.inv(A), [wellConditioned([2, 3, 3])])).resolves.toBe(true);
  });

  it('refuses non-square A, mismatched B and mixed dtypes with typed errors', () => {
    expect(() => linalg.solve(randn([3, 4]), randn([3]))).toThrow(ShapeError);
    expect(() => linalg.solve(randn([3, 3]), randn([4, 2]))).toThrow(/linalg\.solve: A of shape \[3, 3\] and B of shape \[4, 2\] do not match/);
    expect(() => linalg.solve(randn([2, 3, 3]), randn([4, 3, 1]))).toThrow(ShapeError);
    expect(() => linalg.inv(randn([2, 3]))).toThrow(ShapeError);
    expect(() => linalg.solve(randn([2, 2]), randn([2], { dtype: 'float64' }))).toThrow(/same dtype/);
    expect(() => linalg.inv(tensor([[1]], { dtype: 'int32' }))).toThrow(DTypeError);
  });
});

describe('linalg.det and linalg.slogdet', () => {
  for (const [index, fixture] of (fixtures.det as { A: number[][] }[]).entries()) {
    it(`match PyTorch (case ${index}: shape ${JSON.stringify([fixture.A.length, fixture.A[0].length])}${index === 2 ? ', singular' : ''})`, async () => {
      const { A, det, sign, logabsdet } = fixtures.det[index];
      const input = f64(A);
      expectAllClose([await values(linalg.det(input))].flat(), [det].flat(), 1e-12);
      const result = linalg.slogdet(input);
      expectAllClose([await values(result.sign)].flat(), [sign].flat(), 0);
      expectAllClose([await values(result.logabsdet)].flat(), [logabsdet].flat(), 1e-12);
    });
  }

  it('det of a 0×0 matrix is 1', async () => {
    expect(await linalg.det(tensor([], { dtype: 'float64', shape: [0, 0] })).item()).toBe(1);
  });

  it('gradients pass finite-difference checks (det, logabsdet; batched)', async () => {
    await expect(gradcheck((A) => linalg.det(A), [leaf([2, 3, 3])])).resolves.toBe(true);
    await expect(gradcheck((A) => linalg.slogdet(A).logabsdet, [leaf([2, 3, 3])])).resolves.toBe(true);
  });

  it('second derivatives of det flow through inv', async () => {
    const A = wellConditioned([3, 3]);
    const [gradient] = (await import('../src/index')).grad(linalg.det(A), [A], { createGraph: true });
    gradient!.sum().backward();
    expect(A.grad).toBeDefined();
    expect((await values(A.grad!)).every(Number.isFinite)).toBe(true);
  });
});

describe('linalg.cholesky', () => {
  it("matches PyTorch's lower and upper factors (batched)", async () => {
    const { A, L, U } = fixtures.cholesky;
    expectAllClose(await values(linalg.cholesky(f64(A))), L.flat(2), 1e-12);
    expectAllClose(await values(linalg.cholesky(f64(A), { upper: true })), U.flat(2), 1e-12);
  });

  it('reads only the lower triangle and reports a matrix that is not positive definite', async () => {
    const lowerOnly = f64([[4, 99], [2, 3]]);
    expectAllClose(await values(linalg.cholesky(lowerOnly)), [2, 0, 1, Math.SQRT2], 1e-15);
    const { L, info } = linalg.choleskyEx(f64([[1, 2], [2, 1]]));
    expect(await info.item()).toBe(2);
    expect((await values(L)).some(Number.isNaN)).toBe(true);
  });

  it('gradient passes a finite-difference check', async () => {
    const spd = (x: ReturnType<typeof leaf>) => x.matmul(x.transpose(-2, -1)).add(tensor([[3, 0, 0], [0, 3, 0], [0, 0, 3]], { dtype: 'float64' }));
    await expect(gradcheck((x) => linalg.cholesky(spd(x)), [leaf([2, 3, 3])])).resolves.toBe(true);
  });
});
