/**
 * InfoNCE with in-batch negatives: the loss and its gradient equal a float64 reference written out
 * (cosine similarities over τ, cross-entropy toward the diagonal) for the plain, dot-product, symmetric
 * and unreduced forms; aligned pairs score lower than shuffled ones; bad shapes and τ are refused.
 */
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError, grad, tensor } from '@tessera/core';
import { F, InfoNCELoss } from '../src/index';

const Q = [[0.3, -1.2, 0.5], [1.1, 0.4, -0.7], [-0.6, 0.9, 1.3], [0.2, 0.1, -0.4]];
const K = [[0.5, -0.9, 0.2], [0.8, 0.6, -0.3], [-0.2, 1.1, 0.8], [-0.7, 0.3, 0.1]];

/** Per-row losses in float64: −log softmax(s_i)_i with s_ij = sim(q_i, k_j)/τ (rows of `q` against `k`). */
function referenceRows(q: number[][], k: number[][], tau: number, normalize: boolean): number[] {
  const unit = (v: number[]) => {
    const n = Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    return normalize ? v.map((x) => x / n) : v;
  };
  const qs = q.map(unit), ks = k.map(unit);
  return qs.map((qi, i) => {
    const s = ks.map((kj) => qi.reduce((a, x, d) => a + x * kj[d], 0) / tau);
    const max = Math.max(...s);
    const lse = max + Math.log(s.reduce((a, x) => a + Math.exp(x - max), 0));
    return lse - s[i];
  });
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

describe('infoNCE', () => {
  it('equals the float64 reference (cosine, τ = 0.1, mean)', async () => {
    const loss = F.infoNCE(tensor(Q, { dtype: 'float64' }), tensor(K, { dtype: 'float64' }));
    expect(await loss.item()).toBeCloseTo(mean(referenceRows(Q, K, 0.1, true)), 12);
  });

  it('dot products, τ = 2, no reduction', async () => {
    const loss = F.infoNCE(tensor(Q, { dtype: 'float64' }), tensor(K, { dtype: 'float64' }), { temperature: 2, normalize: false, reduction: 'none' });
    const expected = referenceRows(Q, K, 2, false);
    Array.from(await loss.data()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it('symmetric: the mean of both directions', async () => {
    const loss = new InfoNCELoss({ temperature: 0.5, symmetric: true }).forward(tensor(Q, { dtype: 'float64' }), tensor(K, { dtype: 'float64' }));
    // key → query: row j of kᵀ-side logits is column j of the query-side ones.
    const backward = referenceRows(K, Q, 0.5, true);
    expect(await loss.item()).toBeCloseTo(0.5 * (mean(referenceRows(Q, K, 0.5, true)) + mean(backward)), 12);
  });

  it('has the finite-difference gradient', async () => {
    const q = tensor(Q, { dtype: 'float64', requiresGrad: true });
    const k = tensor(K, { dtype: 'float64' });
    const [g] = grad(F.infoNCE(q, k, { temperature: 0.3 }), [q]);
    const analytic = (await g!.array()) as number[][];
    const h = 1e-6;
    for (const [i, d] of [[0, 0], [1, 2], [3, 1]]) {
      const plus = Q.map((row) => [...row]), minus = Q.map((row) => [...row]);
      plus[i][d] += h;
      minus[i][d] -= h;
      const numeric = (mean(referenceRows(plus, K, 0.3, true)) - mean(referenceRows(minus, K, 0.3, true))) / (2 * h);
      expect(analytic[i][d]).toBeCloseTo(numeric, 7);
    }
  });

  it('scores aligned pairs lower than shuffled ones', async () => {
    const aligned = await F.infoNCE(tensor(Q), tensor(Q)).item();
    const shuffled = await F.infoNCE(tensor(Q), tensor([Q[1], Q[2], Q[3], Q[0]])).item();
    expect(aligned).toBeLessThan(shuffled);
  });

  it('refuses mismatched shapes and a non-positive temperature', () => {
    expect(() => F.infoNCE(tensor(Q), tensor(K.slice(1)))).toThrow(ShapeError);
    expect(() => F.infoNCE(tensor(Q), tensor(K), { temperature: 0 })).toThrow(ValueError);
  });
});
