/**
 * The fused optimizer step on webgpu: an MLP trained with Adam (core's adamStep, what
 * `@tessera/optim`'s Adam/AdamW call) gives the cpu losses and the composite's, and a thousand
 * AdamW + AMSGrad steps leave live buffers, bytes, tensors and compiled pipelines flat.
 */
import '@tessera/backend-cpu';
import { adamStep, ensureBackend, keep, manualSeed, memory, randn, registerBackend, tensor, tidy, zerosLike } from '@tessera/core';
import { seededValues } from '@tessera/core/testing';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWebGPUPlugin } from '../src/plugin';
import type { WebGPUBackend } from '../src/webgpu-backend';
import { gpu, hasWebGPU } from './webgpu-environment';

interface AdamSettings {
  lr: number;
  weightDecay: number;
  decoupled: boolean;
  amsgrad: boolean;
  fused?: boolean;
}

/** A seeded MLP 16-32-4 on `device`, one Adam step per `step()`, returning the loss before the update. */
function createAdamMlp(device: string, settings: AdamSettings) {
  manualSeed(11);
  const params = tidy(() => [
    randn([16, 32], { device }).mul(0.25),
    randn([32], { device }).mul(0.1),
    randn([32, 4], { device }).mul(0.18),
    randn([4], { device }).mul(0.1),
  ]).map((t) => t.requiresGrad_());
  const state = params.map((p) => ({
    expAvg: keep(zerosLike(p)),
    expAvgSq: keep(zerosLike(p)),
    maxExpAvgSq: settings.amsgrad ? keep(zerosLike(p)) : null,
  }));
  const x = tensor(seededValues(24 * 16, 5), { shape: [24, 16], device });
  const labels = tensor(Int32Array.from({ length: 24 }, (_, i) => (i * 5 + 1) % 4), { shape: [24, 1], device });
  const [w1, b1, w2, b2] = params;
  let count = 0;
  return {
    async step(): Promise<number> {
      const loss = tidy(() => x.matmul(w1).add(b1).relu().matmul(w2).add(b2).logSoftmax(1).gather(1, labels).mean().neg());
      loss.backward();
      const value = await loss.item();
      loss.dispose();
      count++;
      params.forEach((p, k) => adamStep(p, p.grad!, state[k], { beta1: 0.9, beta2: 0.999, eps: 1e-8, step: count, ...settings }));
      for (const p of params) {
        p.grad!.dispose();
        p.grad = null;
      }
      return value;
    },
    dispose(): void {
      for (const t of [...params, x, labels, ...state.flatMap((s) => [s.expAvg, s.expAvgSq, s.maxExpAvgSq])]) t?.dispose();
    },
  };
}

async function losses(device: string, settings: AdamSettings, steps: number): Promise<number[]> {
  const mlp = createAdamMlp(device, settings);
  const values: number[] = [];
  for (let step = 0; step < steps; step++) values.push(await mlp.step());
  mlp.dispose();
  return values;
}

function expectSameLosses(actual: number[], expected: number[], label: string): void {
  actual.forEach((loss, step) => {
    const reference = expected[step];
    expect(Math.abs(loss - reference) / Math.abs(reference), `${label}, step ${step}: ${loss} vs ${reference}`).toBeLessThan(1e-5);
  });
}

describe.skipIf(!hasWebGPU)('the fused optimizer step on webgpu', () => {
  let backend: WebGPUBackend;
  beforeAll(async () => {
    registerBackend(createWebGPUPlugin({ gpu }));
    backend = (await ensureBackend('webgpu')) as WebGPUBackend;
  });
  afterEach(() => vi.restoreAllMocks());

  it('Adam, AdamW and AMSGrad train the seeded MLP to the cpu losses (1e-5), fused or composite', async () => {
    for (const settings of [
      { lr: 0.01, weightDecay: 0, decoupled: false, amsgrad: false },
      { lr: 0.01, weightDecay: 0.05, decoupled: false, amsgrad: true },
      { lr: 0.01, weightDecay: 0.05, decoupled: true, amsgrad: true },
    ]) {
      const kernel = vi.spyOn(backend, 'optimizerStep');
      const fused = await losses('webgpu', settings, 20);
      expect(kernel).toHaveBeenCalledTimes(20 * 4);
      kernel.mockClear();
      const composite = await losses('webgpu', { ...settings, fused: false }, 20);
      expect(kernel).not.toHaveBeenCalled();
      const cpu = await losses('cpu', settings, 20);
      expect(fused[19]).toBeLessThan(fused[0]); // it actually trains
      expectSameLosses(fused, cpu, `webgpu fused vs cpu ${JSON.stringify(settings)}`);
      expectSameLosses(composite, cpu, `webgpu composite vs cpu ${JSON.stringify(settings)}`);
    }
  });

  it('1,000 AdamW + AMSGrad steps leave live buffers, bytes and tensors flat, and compile each pipeline once', async () => {
    const mlp = createAdamMlp('webgpu', { lr: 0.01, weightDecay: 0.01, decoupled: true, amsgrad: true });
    for (let step = 0; step < 20; step++) await mlp.step();
    await backend.sync();
    const before = backend.memory();
    const tensorsBefore = memory().tensors;
    const createdBefore = backend.runtime.pool.stats().created;
    const pipelinesBefore = backend.runtime.pipelines.size;
    let last = 0;
    for (let step = 0; step < 1000; step++) last = await mlp.step();
    await backend.sync();
    const after = backend.memory();
    expect(Number.isFinite(last)).toBe(true);
    expect(after.buffers).toBe(before.buffers);
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(memory().tensors).toBe(tensorsBefore);
    expect(backend.runtime.pool.stats().created - createdBefore).toBeLessThanOrEqual(4);
    // Hyperparameters and bias corrections are uniforms: later steps reuse the compiled pipelines.
    expect(backend.runtime.pipelines.size).toBe(pipelinesBefore);
    mlp.dispose();
  });

  it('refuses float16 with a clear error (core runs its composite for it)', () => {
    const buffer = backend.alloc(4, 'float32');
    const view = { id: buffer, dtype: 'float32' as const, shape: [4], strides: [1], offset: 0 };
    expect(() =>
      backend.optimizerStep({
        kind: 'sgd', dtype: 'float16', size: 4, param: { id: buffer, offset: 0 }, grad: view, momentumBuffer: null,
        lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, firstStep: false,
      }),
    ).toThrow(/webgpu optimizerStep: float32 only, got float16/);
    expect(() =>
      backend.optimizerStep({
        kind: 'sgd', dtype: 'float32', size: 4, param: { id: buffer, offset: 2 }, grad: view, momentumBuffer: null,
        lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, firstStep: false,
      }),
    ).toThrow(/param \[2, 6\) is outside a buffer of 4/);
    backend.free(buffer);
  });
});
