/**
 * Matmul tile choice: on a software adapter the 128×128 tile serves every matmul with M, N ≥ 128,
 * so check it against a float64 reference with ragged edges and every transpose combination.
 */
import { ensureBackend, registerBackend, tensor, type Tensor } from '@tessera/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWebGPUPlugin } from '../src/plugin';
import type { WebGPUBackend } from '../src/webgpu-backend';
import { gpu, hasWebGPU } from './webgpu-environment';
import { seededValues } from '@tessera/core/testing';

const values = seededValues;

describe.skipIf(!hasWebGPU)('matmul tiles on webgpu', () => {
  let backend: WebGPUBackend;
  beforeAll(async () => {
    registerBackend(createWebGPUPlugin({ gpu }));
    backend = (await ensureBackend('webgpu')) as WebGPUBackend;
  });

  it('reports whether the adapter is a software one', () => {
    expect(typeof backend.features.software).toBe('boolean');
    expect(backend.runtime.software).toBe(backend.features.software);
  });

  const [m, k, n] = [131, 70, 133];
  for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
    it(`[${m}, ${k}] × [${k}, ${n}]${transposeA ? ', A transposed' : ''}${transposeB ? ', B transposed' : ''}`, async () => {
      const a = values(m * k, 1);
      const b = values(k * n, 2);
      // Stored transposed where asked, then viewed back with transpose(0, 1).
      const aStored = transposeA ? Float32Array.from({ length: m * k }, (_, i) => a[(i % m) * k + Math.floor(i / m)]) : a;
      const bStored = transposeB ? Float32Array.from({ length: k * n }, (_, i) => b[(i % k) * n + Math.floor(i / k)]) : b;
      const x = tensor(aStored, { shape: transposeA ? [k, m] : [m, k], device: 'webgpu' });
      const y = tensor(bStored, { shape: transposeB ? [n, k] : [k, n], device: 'webgpu' });
      const xv: Tensor = transposeA ? x.transpose(0, 1) : x;
      const yv: Tensor = transposeB ? y.transpose(0, 1) : y;
      const product = xv.matmul(yv);
      const actual = (await product.data()) as Float32Array;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let expected = 0;
          for (let p = 0; p < k; p++) expected += a[i * k + p] * b[p * n + j];
          const got = actual[i * n + j];
          if (!(Math.abs(got - expected) <= 1e-5 * k)) expect.fail(`[${i}, ${j}]: ${got} vs ${expected}`);
        }
      }
      for (const t of new Set([product, xv, yv, x, y])) t.dispose();
    });
  }
});
