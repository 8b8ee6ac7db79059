import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, randn, linalg, manualSeed, cat, linspace, grad, enableGrad, ShapeError, ValueError, type Tensor } from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectAllClose, values } from './helpers';
import { f64, fixtures, maxAbsDiff, orthonormalityError } from './fixtures/linalg-fixtures';

registerBackend(referencePlugin);
await setBackend('reference');
manualSeed(13);

const leaf = (shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true });
const ramp = (like: Tensor, from: number, to: number) =>
  tensor(Array.from({ length: like.size }, (_, i) => (like.size === 1 ? from : from + ((to - from) * i) / (like.size - 1))), { dtype: 'float64', shape: like.shape });

describe('linalg.qr', () => {
  for (const [index, fixture] of (fixtures.qr as { name: string }[]).entries()) {
    it(`matches PyTorch's Q and R value by value in reduced and complete modes (${fixture.name})`, async () => {
      const { A, reduced, complete } = fixtures.qr[index];
      for (const [mode, expected] of [['reduced', reduced], ['complete', complete]] as const) {
        const { Q, R } = linalg.qr(f64(A), { mode });
        expectAllClose(await values(Q), expected.Q.flat(2), 1e-12);
        expectAllClose(await values(R), expected.R.flat(2), 1e-12);
        expect(Q.shape.concat(R.shape)).toEqual([...shapeOf(expected.Q), ...shapeOf(expected.R)]);
      }
      const { Q, R } = linalg.qr(f64(A), { mode: 'r' });
      expect(Q.size).toBe(0);
      expectAllClose(await values(R), reduced.R.flat(2), 1e-12);
    });

    it(`its gradient matches PyTorch's (${fixture.name})`, async () => {
      const { A, reducedGradOfLoss } = fixtures.qr[index];
      const input = f64(A, true);
      const { Q, R } = linalg.qr(input);
      Q.mul(ramp(Q, -1, 1)).sum().add(R.mul(ramp(R, 0, 2)).sum()).backward();
      expectAllClose(await values(input.grad!), reducedGradOfLoss.flat(2), 1e-10);
    });
  }

  it('gradients pass finite-difference checks for tall, square and wide matrices', async () => {
    const both = (A: Tensor) => {
      const { Q, R } = linalg.qr(A);
      return cat([Q.flatten(), R.flatten()]);
    };
    for (const shape of [[4, 3], [3, 3], [2, 4], [2, 3, 2]]) await expect(gradcheck(both, [leaf(shape)])).resolves.toBe(true);
  });

  it('has correct second derivatives (its rule is written with core ops on the saved factors)', async () => {
    const secondOrder = (x: Tensor) =>
      enableGrad(() => {
        const input = x.requiresGrad ? x : x.detach().requiresGrad_();
        const { Q, R } = linalg.qr(input);
        const [first] = grad(R.square().sum().add(Q.mul(ramp(Q, -1, 1)).sum()), [input], { createGraph: true });
        return first!;
      });
    await expect(gradcheck(secondOrder, [leaf([3, 3])])).resolves.toBe(true);
  });

  it('is backward stable on a 32×20 float32 matrix', async () => {
    const A = randn([32, 20]);
    const { Q, R } = linalg.qr(A);
    expect(await maxAbsDiff(Q.matmul(R), A)).toBeLessThan(2e-5);
    expect(await orthonormalityError(Q)).toBeLessThan(2e-6);
  });

  it("refuses an unknown mode, and the gradient of mode 'complete' for tall matrices (as PyTorch)", () => {
    expect(() => linalg.qr(randn([3, 2]), { mode: 'full' as 'complete' })).toThrow(ValueError);
    const A = leaf([3, 2]);
    expect(() => linalg.qr(A, { mode: 'complete' }).Q.sum().backward()).toThrow(/not differentiable when mode='complete'/);
    expect(() => linalg.qr(randn([3]))).toThrow(ShapeError);
  });
});

describe('linalg.svd and linalg.svdvals', () => {
  for (const [index, fixture] of (fixtures.svd as { name: string }[]).entries()) {
    it(`singular values match PyTorch and U S Vh reconstructs A (${fixture.name})`, async () => {
      const { A, S } = fixtures.svd[index];
      const input = f64(A);
      expectAllClose(await values(linalg.svdvals(input)), S.flat(), 1e-12);
      for (const fullMatrices of [true, false]) {
        const result = linalg.svd(input, { fullMatrices });
        expectAllClose(await values(result.S), S.flat(), 1e-12);
        const [m, n] = input.shape.slice(-2);
        const k = Math.min(m, n);
        expect(result.U.shape.slice(-2)).toEqual([m, fullMatrices ? m : k]);
        expect(result.Vh.shape.slice(-2)).toEqual([fullMatrices ? n : k, n]);
        const reconstructed = result.U.narrow(-1, 0, k).mul(result.S.unsqueeze(-2)).matmul(result.Vh.narrow(-2, 0, k));
        expect(await maxAbsDiff(reconstructed, input)).toBeLessThan(1e-12);
        expect(await orthonormalityError(result.U)).toBeLessThan(1e-13);
        expect(await orthonormalityError(result.Vh.transpose(-2, -1))).toBeLessThan(1e-13);
      }
    });
  }

  it("gradients of U, S and Vh match PyTorch's (sign-invariant loss)", async () => {
    for (const fixture of (fixtures.svd as { gradOfLoss?: number[][] }[]).filter((item) => item.gradOfLoss)) {
      const { A, gradOfLoss } = fixture as { A: number[][]; gradOfLoss: number[][] };
      const input = f64(A, true);
      const { U, S, Vh } = linalg.svd(input, { fullMatrices: false });
      S.mul(linspace(1, 2, S.shape[S.ndim - 1], { dtype: 'float64' })).sum()
        .add(U.mul(U).mul(ramp(U, 0, 1)).sum())
        .add(Vh.mul(Vh).mul(ramp(Vh, 1, 0)).sum())
        .backward();
      expectAllClose(await values(input.grad!), gradOfLoss.flat(2), 1e-10);
    }
  });

  it('gradients pass finite-difference checks (S exactly; U, Vh through sign-invariant products)', async () => {
    await expect(gradcheck((A) => linalg.svdvals(A), [leaf([2, 4, 3])])).resolves.toBe(true);
    const invariant = (A: Tensor) => {
      const { U, S, Vh } = linalg.svd(A, { fullMatrices: false });
      return cat([S.flatten(), U.mul(U).flatten(), Vh.mul(Vh).flatten(), U.matmul(Vh).flatten()]);
    };
    for (const shape of [[4, 3], [3, 3], [2, 4]]) await expect(gradcheck(invariant, [leaf(shape)])).resolves.toBe(true);
  });

  it('completes U for rank-deficient matrices', async () => {
    const { A, S } = fixtures.svd[3]; // rank 1
    const result = linalg.svd(f64(A));
    expectAllClose(await values(result.S), S, 1e-12);
    expect(await orthonormalityError(result.U)).toBeLessThan(1e-13);
  });

  it('float32 singular values agree with float64 within 1e-5·σ_max (24×16)', async () => {
    const A = randn([24, 16], { dtype: 'float64' });
    const exact = linalg.svdvals(A);
    const sigmaMax = await exact.max().item();
    expect((await maxAbsDiff(linalg.svdvals(A.float()).double(), exact)) / sigmaMax).toBeLessThan(1e-5);
  }, 60_000);
});

function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  let current = value;
  while (Array.isArray(current)) {
    shape.push(current.length);
    current = current[0];
  }
  return shape;
}
