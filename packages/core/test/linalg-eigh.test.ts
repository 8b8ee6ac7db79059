import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, randn, linalg, manualSeed, cat, grad, DTypeError, ShapeError, type Tensor } from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectAllClose, values } from './helpers';
import { f64, fixtures, maxAbsDiff, orthonormalityError } from './fixtures/linalg-fixtures';

registerBackend(referencePlugin);
await setBackend('reference');
manualSeed(7);

const symmetric = (shape: number[], dtype: 'float32' | 'float64' = 'float64') => {
  const x = randn(shape, { dtype });
  return x.add(x.transpose(-2, -1));
};
const reconstruct = (L: Tensor, V: Tensor) => V.mul(L.unsqueeze(-2)).matmul(V.transpose(-2, -1));

describe('linalg.eigh', () => {
  for (const [index, fixture] of (fixtures.eigh as { name: string }[]).entries()) {
    it(`matches PyTorch's eigenvalues and reconstructs A (${fixture.name})`, async () => {
      const { A, UPLO, eigenvalues } = fixtures.eigh[index];
      const input = f64(A);
      const result = linalg.eigh(input, { UPLO });
      expectAllClose(await values(result.eigenvalues), eigenvalues.flat(), 1e-12);
      expect(result.eigenvectors.shape).toEqual(input.shape);
      const spelled = UPLO === 'L' ? input.tril().add(input.tril(-1).transpose(-2, -1)) : input.triu().add(input.triu(1).transpose(-2, -1));
      expect(await maxAbsDiff(reconstruct(result.eigenvalues, result.eigenvectors), spelled)).toBeLessThan(1e-12);
      expect(await orthonormalityError(result.eigenvectors)).toBeLessThan(1e-13);
    });
  }

  it("gradients of eigenvalues and eigenvectors match PyTorch's (sign-invariant loss)", async () => {
    for (const fixture of (fixtures.eigh as { gradOfLoss?: number[][] }[]).filter((item) => item.gradOfLoss)) {
      const { A, UPLO, gradOfLoss } = fixture as { A: number[][]; UPLO: 'L' | 'U'; gradOfLoss: number[][] };
      const input = f64(A, true);
      const { eigenvalues: L, eigenvectors: V } = linalg.eigh(input, { UPLO });
      const n = L.shape[L.ndim - 1];
      const weights = tensor(Array.from({ length: n }, (_, i) => (n === 1 ? -1 : -1 + (2 * i) / (n - 1))), { dtype: 'float64' });
      const ramp = tensor(Array.from({ length: V.size }, (_, i) => i / V.size), { dtype: 'float64', shape: V.shape });
      L.mul(weights).sum().add(V.mul(V).mul(ramp).sum()).backward();
      expectAllClose(await values(input.grad!), gradOfLoss.flat(2), 1e-9);
    }
  });

  it('passes finite-difference gradient checks through eigenvalues and eigenvectors', async () => {
    const check = (x: Tensor) => {
      const { eigenvalues, eigenvectors } = linalg.eigh(x.add(x.transpose(-2, -1)));
      return cat([eigenvalues.flatten(), eigenvectors.square().flatten()]);
    };
    await expect(gradcheck(check, [randn([4, 4], { dtype: 'float64', requiresGrad: true })])).resolves.toBe(true);
    await expect(gradcheck(check, [randn([2, 3, 3], { dtype: 'float64', requiresGrad: true })])).resolves.toBe(true);
  });

  it('refuses gradients of gradients (not implemented) instead of returning partial ones', () => {
    const x = randn([3, 3], { dtype: 'float64', requiresGrad: true });
    const loss = linalg.eigvalsh(x.add(x.transpose(-2, -1))).square().sum();
    expect(() => grad(loss, [x], { createGraph: true })).toThrow(/linalg\.eigvalsh: gradients of gradients \(createGraph\) are not supported/);
  });

  it('eigvalsh gives the eigenvalues of eigh, with gradient V diag(g) Vᵀ', async () => {
    const A = symmetric([5, 5]);
    expectAllClose(await values(linalg.eigvalsh(A)), await values(linalg.eigh(A).eigenvalues), 1e-14);
    await expect(gradcheck((x) => linalg.eigvalsh(x.add(x.transpose(-2, -1))), [randn([4, 4], { dtype: 'float64', requiresGrad: true })])).resolves.toBe(
      true,
    );
  });

  it('batches over leading dims exactly as one matrix at a time', async () => {
    const A = symmetric([2, 3, 4, 4]);
    const batched = linalg.eigh(A);
    const single = linalg.eigh(A.select(1, 2).select(0, 1));
    expectAllClose(await values(batched.eigenvalues.select(1, 2).select(0, 1)), await values(single.eigenvalues), 1e-13);
    expect(await maxAbsDiff(reconstruct(batched.eigenvalues, batched.eigenvectors), A)).toBeLessThan(1e-12);
  });

  it('is accurate on clustered eigenvalues; more sweeps make the eigenvectors exact too', async () => {
    // Q diag(λ) Qᵀ with λ in three tight clusters: the slow case for cyclic Jacobi.
    const n = 18;
    const Q = linalg.eigh(symmetric([n, n])).eigenvectors;
    const lambda = tensor(Array.from({ length: n }, (_, i) => [1, 1 + 1e-9, -2][i % 3] + i * 1e-12), { dtype: 'float64' });
    const A = reconstruct(lambda, Q);
    const sorted = [...(await values(lambda))].sort((a, b) => a - b);
    const quick = linalg.eigh(A);
    expectAllClose(await values(quick.eigenvalues), sorted, 1e-12);
    expect(await maxAbsDiff(reconstruct(quick.eigenvalues, quick.eigenvectors), A)).toBeLessThan(1e-6);
    const thorough = linalg.eigh(A, { sweeps: 24 });
    expectAllClose(await values(thorough.eigenvalues), sorted, 1e-13);
    expect(await maxAbsDiff(reconstruct(thorough.eigenvalues, thorough.eigenvectors), A)).toBeLessThan(1e-12);
    expect(await orthonormalityError(thorough.eigenvectors)).toBeLessThan(1e-13);
  }, 120_000);

  it('reaches float64 precision with the default sweeps on a random 64×64 matrix', async () => {
    const A = symmetric([64, 64]);
    const { eigenvalues, eigenvectors } = linalg.eigh(A);
    const scale = await A.abs().max().item();
    expect((await maxAbsDiff(reconstruct(eigenvalues, eigenvectors), A)) / scale).toBeLessThan(1e-13);
    expect(await orthonormalityError(eigenvectors)).toBeLessThan(1e-13);
  }, 120_000);

  it('float32 eigenvalues agree with float64 within 1e-5·‖A‖ (32×32)', async () => {
    const A = symmetric([32, 32]);
    const scale = await A.abs().max().item();
    const exact = linalg.eigvalsh(A);
    const single = linalg.eigh(A.float());
    expect((await maxAbsDiff(single.eigenvalues.double(), exact)) / scale).toBeLessThan(1e-5);
    expect(await orthonormalityError(single.eigenvectors)).toBeLessThan(1e-5);
  }, 60_000);

  it('handles 1×1 and empty matrices', async () => {
    expect(await linalg.eigh(f64([[3]])).eigenvalues.array()).toEqual([3]);
    expect(linalg.eigh(tensor([], { dtype: 'float64', shape: [2, 0, 0] })).eigenvalues.shape).toEqual([2, 0]);
  });

  it('refuses non-square, non-matrix and non-float inputs with typed errors', () => {
    expect(() => linalg.eigh(randn([3, 4]))).toThrow(ShapeError);
    expect(() => linalg.eigh(randn([3, 4]))).toThrow(/linalg\.eigh: expected square matrices \(\*, n, n\), got shape \[3, 4\]/);
    expect(() => linalg.eigh(randn([3]))).toThrow(ShapeError);
    expect(() => linalg.eigh(tensor([[1, 2], [3, 4]], { dtype: 'int32' }))).toThrow(DTypeError);
  });
});
