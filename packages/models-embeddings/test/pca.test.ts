import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { tensor } from '@tessera/core';
import { pca, type PcaResult } from '../src/index';

// Made by fixtures/make_sklearn_fixtures.py (scikit-learn 1.2, PCA with svd_solver='full').
const fixture = JSON.parse(readFileSync(new URL('fixtures/sklearn-projections.json', import.meta.url), 'utf8')) as {
  digits: number[][];
  pca_small: SklearnPca & { points: number[][] };
  pca_digits: SklearnPca & { n: number };
};
interface SklearnPca {
  k: number;
  explained_variance: number[];
  explained_variance_ratio: number[];
  components: number[][];
  mean: number[];
}

function expectMatchesSklearn(got: PcaResult, want: SklearnPca): void {
  got.explainedVarianceRatio.forEach((ratio, c) => expect(Math.abs(ratio - want.explained_variance_ratio[c])).toBeLessThanOrEqual(1e-5));
  got.explainedVariance.forEach((variance, c) => expect(variance).toBeCloseTo(want.explained_variance[c], 6));
  got.mean.forEach((value, j) => expect(value).toBeCloseTo(want.mean[j], 10));
  for (let c = 0; c < want.k; c++) {
    const ours = got.components.subarray(c * got.dim, (c + 1) * got.dim);
    // Equal up to sign — and the sign is scikit-learn's too (svd_flip's u-based rule).
    const sign = Math.sign(ours.reduce((s, x, j) => s + x * want.components[c][j], 0));
    ours.forEach((x, j) => expect(Math.abs(sign * x - want.components[c][j])).toBeLessThanOrEqual(1e-6));
    expect(sign).toBe(1);
  }
}

describe("pca matches scikit-learn's PCA", () => {
  it("'full' (linalg.eigh of the covariance) on 200 points of dim 10", async () => {
    const got = await pca(fixture.pca_small.points, 3);
    expectMatchesSklearn(got, fixture.pca_small);
  });

  it("'randomized' (subspace iteration + Rayleigh–Ritz on linalg.qr / eigh) on 600 digits of dim 64", async () => {
    const digits = fixture.digits.slice(0, fixture.pca_digits.n);
    const got = await pca(tensor(digits), 5);
    expectMatchesSklearn(got, fixture.pca_digits);
  });

  it('projects the centred points on the components', async () => {
    const got = await pca(fixture.pca_small.points, 2);
    const [x, mean] = [fixture.pca_small.points[7], got.mean];
    for (let c = 0; c < 2; c++) {
      const projection = x.reduce((s, v, j) => s + (v - mean[j]) * got.components[c * got.dim + j], 0);
      expect(got.points[7 * 2 + c]).toBeCloseTo(projection, 10);
    }
  });

  it('names bad arguments', async () => {
    await expect(pca([[1, 2], [3, 4]], 3)).rejects.toThrow(/k must be an integer in 1…min\(n, dim\) = 2/);
    await expect(pca(new Float32Array(6), 1)).rejects.toThrow(/needs a dim that divides it/);
    await expect(pca(new Float32Array(6), 1, { dim: 3, method: 'svd' as 'full' })).rejects.toThrow(/method must be/);
  });
});
