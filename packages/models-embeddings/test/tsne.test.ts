import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { trustworthiness, tsne } from '../src/index';
import { QuadTree } from '../src/projection/barnes-hut';
import { conditionalRow } from '../src/projection/tsne-affinities';
import { gaussian } from './helpers';

// Made by fixtures/make_sklearn_fixtures.py: scikit-learn 1.2's TSNE (perplexity 30, init 'pca',
// learning rate 'auto', random_state 0) on prefixes of its digits data set.
const fixture = JSON.parse(readFileSync(new URL('fixtures/sklearn-projections.json', import.meta.url), 'utf8')) as {
  digits: number[][];
  tsne_exact: SklearnTsne;
  tsne_barnes_hut: SklearnTsne;
  trustworthiness: Record<string, number>;
};
interface SklearnTsne {
  n: number;
  kl_divergence: number;
  trustworthiness: number;
  embedding: number[][];
}

describe("t-SNE against scikit-learn's TSNE on the same digits", () => {
  it('exact (300 points): final KL within 10 % and trustworthiness at least sklearn’s − 0.02', async () => {
    const want = fixture.tsne_exact;
    const digits = fixture.digits.slice(0, want.n);
    const got = await tsne(digits, { perplexity: 30 });
    const trust = await trustworthiness(digits, got.points, { dims: [64, 2] });
    console.log(`exact t-SNE: KL ${got.klDivergence.toFixed(4)} (sklearn ${want.kl_divergence.toFixed(4)}), trustworthiness ${trust.toFixed(4)} (sklearn ${want.trustworthiness.toFixed(4)})`);
    expect(got.method).toBe('exact');
    expect(got.iterations).toBe(999);
    expect(Math.abs(got.klDivergence - want.kl_divergence) / want.kl_divergence).toBeLessThanOrEqual(0.1);
    expect(trust).toBeGreaterThanOrEqual(want.trustworthiness - 0.02);
  });

  it('Barnes–Hut, θ = 0.5 (500 points): final KL within 10 % and trustworthiness at least sklearn’s − 0.02', async () => {
    const want = fixture.tsne_barnes_hut;
    const digits = fixture.digits.slice(0, want.n);
    const got = await tsne(digits, { perplexity: 30, method: 'barnes-hut' });
    const trust = await trustworthiness(digits, got.points, { dims: [64, 2] });
    console.log(`Barnes–Hut t-SNE: KL ${got.klDivergence.toFixed(4)} (sklearn ${want.kl_divergence.toFixed(4)}), trustworthiness ${trust.toFixed(4)} (sklearn ${want.trustworthiness.toFixed(4)})`);
    expect(got.method).toBe('barnes-hut');
    expect(Math.abs(got.klDivergence - want.kl_divergence) / want.kl_divergence).toBeLessThanOrEqual(0.1);
    expect(trust).toBeGreaterThanOrEqual(want.trustworthiness - 0.02);
  });
});

describe('t-SNE pieces', () => {
  it("trustworthiness of sklearn's own embedding equals sklearn's value", async () => {
    const digits = fixture.digits.slice(0, fixture.tsne_exact.n);
    for (const k of [5, 10, 20]) {
      const got = await trustworthiness(digits, fixture.tsne_exact.embedding, { neighbors: k });
      // Equal distances (integer pixels) may be ranked in another order than numpy's argsort.
      expect(Math.abs(got - fixture.trustworthiness[String(k)])).toBeLessThanOrEqual(1e-3);
    }
  });

  it('each conditional row has the asked perplexity', () => {
    const normal = gaussian(4);
    const distances = Float64Array.from({ length: 90 }, () => normal() ** 2 * 5);
    for (const perplexity of [5, 30]) {
      const row = new Float64Array(90);
      conditionalRow(distances, perplexity, row, 3);
      expect(row[3]).toBe(0);
      expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
      const entropy = -row.reduce((s, p) => (p > 0 ? s + p * Math.log(p) : s), 0);
      expect(Math.exp(entropy)).toBeCloseTo(perplexity, 3);
    }
  });

  it('the quad tree with θ = 0 gives the exact repulsion; θ = 0.5 stays close', () => {
    const normal = gaussian(8);
    const n = 300;
    const points = Float64Array.from({ length: 2 * n }, () => normal() * 3);
    points.set([points[0], points[1]], 2); // a duplicate of point 0 is left out like the point itself
    const tree = new QuadTree();
    tree.build(points, n);
    for (const i of [0, 5, 123]) {
      let [sumQ, fx, fy] = [0, 0, 0];
      for (let j = 0; j < n; j++) {
        const [dx, dy] = [points[2 * i] - points[2 * j], points[2 * i + 1] - points[2 * j + 1]];
        if (dx * dx + dy * dy <= 1e-6) continue;
        const q = 1 / (1 + dx * dx + dy * dy);
        [sumQ, fx, fy] = [sumQ + q, fx + q * q * dx, fy + q * q * dy];
      }
      const exact = new Float64Array(2);
      expect(tree.repulsion(points[2 * i], points[2 * i + 1], 0, exact)).toBeCloseTo(sumQ, 10);
      expect(exact[0]).toBeCloseTo(fx, 10);
      expect(exact[1]).toBeCloseTo(fy, 10);
      const approximate = new Float64Array(2);
      expect(Math.abs(tree.repulsion(points[2 * i], points[2 * i + 1], 0.5, approximate) - sumQ) / sumQ).toBeLessThan(0.02);
      expect(Math.hypot(approximate[0] - fx, approximate[1] - fy) / Math.hypot(fx, fy)).toBeLessThan(0.05);
    }
  });

  it('names bad options', async () => {
    await expect(tsne([[1, 2], [3, 4], [5, 6]], { perplexity: 30 })).rejects.toThrow(/perplexity must be in \(0, n = 3\)/);
    await expect(tsne([[1], [2], [3]], { perplexity: 1, method: 'barnes-hut', dimensions: 3 })).rejects.toThrow(/Barnes–Hut works in 2 dimensions/);
  });
});
