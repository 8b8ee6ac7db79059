/**
 * The row softmax kernel (contiguous rows held in registers, vec4 when 4-aligned): long rows of
 * every width class and alignment, with ±1000, −∞ and NaN logits, against a float64 reference.
 */
import { ensureBackend, registerBackend, tensor, type Tensor } from '@tessera/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWebGPUPlugin } from '../src/plugin';
import { gpu, hasWebGPU } from './webgpu-environment';

function logits(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const u = state / 2 ** 32;
    out[i] = u < 0.02 ? 1000 : u < 0.04 ? -1000 : u < 0.06 ? -Infinity : (u - 0.5) * 12;
  }
  return out;
}

/** float64 softmax / logSoftmax of each row of `length`. */
function reference(data: Float32Array, length: number, logarithm: boolean): Float64Array {
  const out = new Float64Array(data.length);
  for (let start = 0; start < data.length; start += length) {
    const row = Array.from(data.subarray(start, start + length));
    const maximum = row.some(Number.isNaN) ? NaN : Math.max(...row);
    const total = row.reduce((sum, v) => sum + Math.exp(v - maximum), 0);
    row.forEach((v, k) => (out[start + k] = logarithm ? v - maximum - Math.log(total) : Math.exp(v - maximum) / total));
  }
  return out;
}

function expectRowsClose(actual: Float32Array, expected: Float64Array, logarithm: boolean, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      expect(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${what} [${i}]: ${a} vs ${e}`).toBe(true);
      continue;
    }
    const bound = logarithm ? 2e-5 * Math.max(1, Math.abs(e)) : 1e-5 * Math.abs(e) + 1e-7;
    if (!(Math.abs(a - e) <= bound)) expect.fail(`${what} [${i}]: ${a} vs ${e}`);
  }
}

describe.skipIf(!hasWebGPU)('row softmax on webgpu', () => {
  beforeAll(async () => {
    registerBackend(createWebGPUPlugin({ gpu }));
    await ensureBackend('webgpu');
  });

  // Aligned 128 / 1024 / 4096: vec4 rows (4096 fills 64 threads × 16 registers); 130, 1019 and offset 1: scalar
  // rows; scalar 4096 and 4100: the tree kernel.
  for (const length of [128, 130, 1019, 1024, 4096, 4100]) {
    for (const shift of [0, 1, 4]) {
      it(`rows of ${length}, view offset ${shift}`, async () => {
        const rows = 5;
        const data = logits(shift + rows * length, length * 31 + shift);
        const row = (r: number) => data.subarray(shift + r * length, shift + (r + 1) * length);
        row(1).fill(-Infinity); // an all −∞ row: NaN, as on cpu
        row(2)[length - 1] = NaN;
        row(3).fill(5); // constant row
        const base = tensor(data, { device: 'webgpu' });
        const narrowed = base.narrow(0, shift, rows * length);
        const x: Tensor = narrowed.reshape([rows, length]);
        const body = data.subarray(shift);
        for (const logarithm of [false, true]) {
          const y = logarithm ? x.logSoftmax(1) : x.softmax(1);
          expectRowsClose((await y.data()) as Float32Array, reference(body, length, logarithm), logarithm, `${logarithm ? 'logSoftmax' : 'softmax'} ${rows}×${length}+${shift}`);
          y.dispose();
        }
        for (const t of [x, narrowed, base]) t.dispose();
      });
    }
  }
});
