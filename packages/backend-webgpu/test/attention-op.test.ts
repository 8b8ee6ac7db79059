/**
 * Core's `scaledDotProductAttention` on webgpu runs the fused kernels (forward and backward) and
 * matches core's float64 reference backend, values and gradients; and its peak memory grows linearly
 * with the sequence length, where the composite (the same backend without the kernels) grows with
 * its square.
 */
import { ensureBackend, randn, registerBackend, scaledDotProductAttention, tensor, tidy, type Tensor, type ScaledDotProductAttentionOptions } from '@tessera/core';
import { referencePlugin, seededValues } from '@tessera/core/testing';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWebGPUPlugin } from '../src/plugin';
import type { WebGPUBackend } from '../src/webgpu-backend';
import { gpu, hasWebGPU } from './webgpu-environment';

/** Every element within `tolerance · max(1, max|expected|)`. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance: number): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let scale = 1;
  for (let index = 0; index < expected.length; index++) scale = Math.max(scale, Math.abs(expected[index]));
  for (let index = 0; index < expected.length; index++) {
    if (!(Math.abs(actual[index] - expected[index]) <= tolerance * scale)) expect.fail(`${what}[${index}]: ${actual[index]}, expected ${expected[index]}`);
  }
}

interface Case {
  readonly label: string;
  readonly q: number[];
  readonly k: number[];
  readonly v: number[];
  readonly causal?: boolean;
  /** A mask of this shape: bool (true = may attend) or additive. */
  readonly mask?: { shape: number[]; bool: boolean };
}

const CASES: readonly Case[] = [
  { label: 'causal, L ≠ S, E ≠ Ev', q: [2, 3, 70, 16], k: [2, 3, 90, 16], v: [2, 3, 90, 24], causal: true },
  { label: 'bool key-padding mask [B, 1, 1, S] (copied per batch by core)', q: [2, 2, 33, 8], k: [2, 2, 40, 8], v: [2, 2, 40, 8], mask: { shape: [2, 1, 1, 40], bool: true } },
  { label: 'additive [L, S] mask broadcast over batch and heads', q: [2, 2, 20, 12], k: [2, 2, 30, 12], v: [2, 2, 30, 5], mask: { shape: [20, 30], bool: false } },
  { label: 'k and v shared across heads (batch broadcast)', q: [2, 4, 17, 8], k: [2, 1, 25, 8], v: [2, 1, 25, 8] },
];

describe.skipIf(!hasWebGPU)('scaledDotProductAttention on webgpu', () => {
  let webgpu: WebGPUBackend;
  beforeAll(async () => {
    registerBackend(referencePlugin);
    registerBackend(createWebGPUPlugin({ gpu }));
    webgpu = (await ensureBackend('webgpu')) as WebGPUBackend;
    await ensureBackend('reference');
  });
  afterEach(() => vi.restoreAllMocks());

  let seed = 1;
  const values = (shape: number[]) => Array.from(seededValues(shape.reduce((a, b) => a * b, 1), seed++), (x) => 1.5 * x);

  for (const c of CASES) {
    it(`runs the fused kernels and matches float64: ${c.label}`, async () => {
      const forward = vi.spyOn(webgpu, 'attention');
      const backward = vi.spyOn(webgpu, 'attentionBackward');
      const data = [values(c.q), values(c.k), values(c.v)];
      const outShape = [...c.q.slice(0, -1), c.v[c.v.length - 1]];
      const weights = values(outShape);
      // Bool masks hide about a fifth of the keys; additive ones are biases with a tenth −∞.
      const maskData = c.mask ? values(c.mask.shape) : null;
      const run = async (device: string, dtype: 'float32' | 'float64') => {
        const [q, k, v] = data.map((d, n) => tensor(d, { shape: [c.q, c.k, c.v][n], dtype, device, requiresGrad: true }));
        const mask = maskData && c.mask
          ? c.mask.bool
            ? tensor(Uint8Array.from(maskData, (x) => (x > -0.6 ? 1 : 0)), { shape: c.mask.shape, dtype: 'bool', device })
            : tensor(maskData.map((x) => (x < -1.2 ? -Infinity : x)), { shape: c.mask.shape, dtype, device })
          : null;
        const options: ScaledDotProductAttentionOptions = { isCausal: c.causal ?? false, attnMask: mask };
        const out = scaledDotProductAttention(q, k, v, options);
        const loss = tidy(() => out.mul(tensor(weights, { shape: outShape, dtype, device })).sum());
        loss.backward();
        const results = await Promise.all([out, q.grad!, k.grad!, v.grad!].map((t) => t.data()));
        for (const t of [q, k, v, out, loss, q.grad!, k.grad!, v.grad!, ...(mask ? [mask] : [])]) t.dispose();
        return results;
      };
      const [actual, expected] = [await run('webgpu', 'float32'), await run('reference', 'float64')];
      expect(forward).toHaveReturnedWith(true);
      expect(backward).toHaveReturnedWith(true);
      ['out', 'gradQ', 'gradK', 'gradV'].forEach((name, n) => expectClose(actual[n] as Float32Array, expected[n] as Float64Array, name, 1e-4));
    });
  }

  /** The same backend without its attention kernels: core then runs its composite of matmul, softmax and matmul. */
  const withoutAttentionKernels = async (): Promise<WebGPUBackend> => {
    registerBackend(createWebGPUPlugin({ gpu, name: 'webgpu-composite', priority: 0 }));
    const backend = (await ensureBackend('webgpu-composite')) as WebGPUBackend;
    Object.assign(backend, { attention: undefined, attentionBackward: undefined });
    return backend;
  };

  /** Peak bytes in use on `backend` over a causal forward and backward of 8 heads of head dim 64 at length `length`. */
  const peakBytes = async (backend: WebGPUBackend, device: string, length: number): Promise<number> => {
    const baseline = backend.memory().bytesInUse;
    let peak = baseline;
    const alloc = backend.alloc.bind(backend);
    // Observe every allocation (core allocates every tensor, saved or temporary, through alloc).
    vi.spyOn(backend, 'alloc').mockImplementation((size, dtype) => {
      const id = alloc(size, dtype);
      peak = Math.max(peak, backend.memory().bytesInUse);
      return id;
    });
    const [q, k, v] = [0, 1, 2].map(() => tidy(() => randn([1, 8, length, 64], { device }).requiresGrad_()));
    const out = scaledDotProductAttention(q, k, v, { isCausal: true });
    const loss = out.sum();
    loss.backward();
    await q.grad!.data();
    for (const t of [q, k, v, out, loss, q.grad!, k.grad!, v.grad!] as Tensor[]) t.dispose();
    vi.restoreAllMocks();
    return peak - baseline;
  };

  it('fused peak memory grows linearly with the length (≤ 2.2× per doubling); the composite’s grows about 4×', async () => {
    // T = 512, 1024, 2048 take a minute on lavapipe: tooling/bench's attention-webgpu row measures those.
    const fused = [128, 256, 512];
    const fusedPeaks: number[] = [];
    for (const length of fused) fusedPeaks.push(await peakBytes(webgpu, 'webgpu', length));
    const composite = await withoutAttentionKernels();
    const compositePeaks: number[] = [];
    for (const length of [128, 256]) compositePeaks.push(await peakBytes(composite, 'webgpu-composite', length));
    const ratios = fusedPeaks.slice(1).map((peak, n) => peak / fusedPeaks[n]);
    console.log(`attention peak bytes, fused at T = ${fused.join('/')}: ${fusedPeaks.join(' / ')} (×${ratios.map((r) => r.toFixed(2)).join(', ×')}); composite at T = 128/256: ${compositePeaks.join(' / ')}`);
    for (const ratio of ratios) expect(ratio).toBeLessThanOrEqual(2.2);
    expect(compositePeaks[1] / compositePeaks[0]).toBeGreaterThan(3);
    // At T = 256 the composite holds the [8, 256, 256] scores several times over; the fused path never does.
    expect(fusedPeaks[1]).toBeLessThan(compositePeaks[1] / 2);
  });
});
