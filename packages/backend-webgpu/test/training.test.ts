/**
 * Same numbers everywhere, and no leaks: the seeded MLP trained on cpu and on webgpu gives the
 * same losses, and a thousand training steps leave live buffers and bytes flat.
 */
import '@tessera/backend-cpu';
import { ensureBackend, memory, registerBackend } from '@tessera/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWebGPUPlugin } from '../src/plugin';
import type { WebGPUBackend } from '../src/webgpu-backend';
import { createMlp } from './mlp';
import { gpu, hasWebGPU } from './webgpu-environment';

describe.skipIf(!hasWebGPU)('training on webgpu', () => {
  let backend: WebGPUBackend;
  beforeAll(async () => {
    registerBackend(createWebGPUPlugin({ gpu }));
    backend = (await ensureBackend('webgpu')) as WebGPUBackend;
  });

  it('the seeded MLP trained 20 steps gives the cpu losses to 1e-5 relative', async () => {
    const sizes = { inputs: 32, hidden: 64, classes: 10, batch: 48 };
    const losses: Record<string, number[]> = {};
    for (const device of ['cpu', 'webgpu']) {
      const mlp = createMlp(device, sizes);
      losses[device] = [];
      for (let step = 0; step < 20; step++) losses[device].push(await mlp.step());
      mlp.dispose();
    }
    expect(losses.webgpu[19]).toBeLessThan(losses.webgpu[0]); // it actually trains
    losses.webgpu.forEach((loss, step) => {
      const expected = losses.cpu[step];
      expect(Math.abs(loss - expected) / Math.abs(expected), `step ${step}: webgpu ${loss}, cpu ${expected}`).toBeLessThan(1e-5);
    });
  });

  it('1,000 training steps leave live buffers and bytes flat, and the pool stops growing', async () => {
    const mlp = createMlp('webgpu', { inputs: 8, hidden: 16, classes: 4, batch: 16 });
    for (let step = 0; step < 20; step++) await mlp.step();
    await backend.sync();
    const before = backend.memory();
    const tensorsBefore = memory().tensors;
    const createdBefore = backend.runtime.pool.stats().created;
    let last = 0;
    for (let step = 0; step < 1000; step++) last = await mlp.step();
    await backend.sync();
    const after = backend.memory();
    expect(Number.isFinite(last)).toBe(true);
    expect(after.buffers).toBe(before.buffers);
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(memory().tensors).toBe(tensorsBefore);
    // Steady state reuses pooled buffers instead of creating new ones.
    expect(backend.runtime.pool.stats().created - createdBefore).toBeLessThanOrEqual(4);
    mlp.dispose();
  });
});
