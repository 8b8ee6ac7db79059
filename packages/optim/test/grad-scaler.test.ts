import '@tessera/backend-cpu';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { autocast, memory, noGrad, tensor, tidy, ValueError, type Tensor } from '@tessera/core';
import { GradScaler, SGD } from '../src/index';
import { expectClose } from './helpers';

/** PyTorch 1.13's GradScaler driven on the CPU (see fixtures/grad-scaler.py): a 14-step SGD run with injected inf/NaN. */
const fixture = JSON.parse(readFileSync(new URL('./fixtures/grad-scaler.json', import.meta.url), 'utf8')) as {
  w0: number[];
  y: number[];
  lr: number;
  momentum: number;
  initScale: number;
  growthInterval: number;
  steps: { x: number[]; inject: [number, string] | null; explicitUnscale: boolean; stepped: boolean; scale: number; growthTracker: number; w: number[] }[];
  stateDict: Record<string, number>;
};

/** Replace one gradient entry (an injected overflow). */
function inject(param: Tensor, index: number, value: number): void {
  tidy(() =>
    noGrad(() => {
      const keep = tensor(Array.from({ length: param.shape[0] }, (_, i) => i !== index));
      param.grad!.assign(param.grad!.where(keep, value));
    }),
  );
}

/** One iteration on Σ (w·x − y)²: scale, backward, maybe inject, maybe unscale_, step, update. */
async function iterate(scaler: GradScaler, optimizer: SGD, w: Tensor, x: number[], y: Tensor, options: { inject?: [number, number]; unscale?: boolean } = {}): Promise<boolean> {
  optimizer.zeroGrad();
  tidy(() => {
    const loss = w.mul(tensor(x)).sub(y).pow(2).sum();
    scaler.scale(loss).backward();
  });
  if (options.inject) inject(w, ...options.inject);
  if (options.unscale) await scaler.unscale_(optimizer);
  const stepped = await scaler.step(optimizer);
  scaler.update();
  return stepped;
}

describe('GradScaler (PyTorch 1.13 torch.cuda.amp.GradScaler)', () => {
  it('replays PyTorch\'s scaler: skipped steps, scale trajectory, growth tracker and parameters', async () => {
    const w = tensor(fixture.w0, { requiresGrad: true });
    const y = tensor(fixture.y);
    const optimizer = new SGD([w], { lr: fixture.lr, momentum: fixture.momentum });
    const scaler = new GradScaler({ initScale: fixture.initScale, growthInterval: fixture.growthInterval });
    for (const [i, step] of fixture.steps.entries()) {
      const injected = step.inject ? ([step.inject[0], Number(step.inject[1])] as [number, number]) : undefined;
      const stepped = await iterate(scaler, optimizer, w, step.x, y, { inject: injected, unscale: step.explicitUnscale });
      expect(stepped, `step ${i} ran`).toBe(step.stepped);
      expect(scaler.getScale(), `scale after step ${i}`).toBe(step.scale);
      expect(scaler.stateDict().growthTracker, `growth tracker after step ${i}`).toBe(step.growthTracker);
      expectClose(Array.from(await w.data()), step.w, 2e-6, `w after step ${i}`);
    }
    expect(scaler.stateDict()).toEqual(fixture.stateDict);
  });

  it('an injected inf skips the step (parameters unchanged) and halves the scale', async () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const y = tensor([0, 0, 0]);
    const optimizer = new SGD([w], { lr: 0.1 });
    const scaler = new GradScaler();
    expect(scaler.getScale()).toBe(65536);
    const before = Array.from(await w.data());
    expect(await iterate(scaler, optimizer, w, [1, 1, 1], y, { inject: [2, Infinity] })).toBe(false);
    expect(Array.from(await w.data())).toEqual(before);
    expect(scaler.getScale()).toBe(32768);
    // A clean step runs with the true (unscaled) gradient: w − 0.1 · 2w.
    expect(await iterate(scaler, optimizer, w, [1, 1, 1], y)).toBe(true);
    expectClose(Array.from(await w.data()), [0.8, 1.6, 2.4], 1e-6);
    expect(scaler.getScale()).toBe(32768);
  });

  it('the scale doubles after growthInterval clean steps in a row (default 2000), and never grows to infinity', async () => {
    const w = tensor([0.5], { requiresGrad: true });
    const y = tensor([0]);
    const optimizer = new SGD([w], { lr: 1e-3 });
    expect(new GradScaler().getGrowthInterval()).toBe(2000);
    const scaler = new GradScaler({ growthInterval: 4 });
    for (let i = 0; i < 3; i++) await iterate(scaler, optimizer, w, [1], y);
    expect(scaler.getScale()).toBe(65536);
    await iterate(scaler, optimizer, w, [1], y);
    expect(scaler.getScale()).toBe(131072);
    await iterate(scaler, optimizer, w, [1], y, { inject: [0, Number.NaN] }); // resets the count
    for (let i = 0; i < 3; i++) await iterate(scaler, optimizer, w, [1], y);
    expect(scaler.getScale()).toBe(65536);
    await iterate(scaler, optimizer, w, [1], y);
    expect(scaler.getScale()).toBe(131072);

    const huge = new GradScaler({ initScale: 2 ** 127, growthInterval: 1 });
    optimizer.zeroGrad();
    tidy(() => huge.scale(w.sum()).backward()); // gradient 2¹²⁷: finite
    expect(await huge.step(optimizer)).toBe(true);
    huge.update();
    expect(huge.getScale()).toBe(2 ** 127); // 2¹²⁸ is not a float32: the scale stays
  });

  it('with autocast: steps are skipped while the scaled float16 gradients overflow, as in PyTorch, then it trains', async () => {
    const w = tensor([[0.1, -0.2], [0.3, 0.4]], { requiresGrad: true });
    const x = tensor([[1, 2], [3, 4]]);
    const optimizer = new SGD([w], { lr: 0.01 });
    const scaler = new GradScaler();
    const run = async () => {
      optimizer.zeroGrad();
      const loss = tidy(() => autocast(() => x.matmul(w).sum()));
      expect(loss.dtype).toBe('float32');
      tidy(() => scaler.scale(loss).backward());
      loss.dispose();
      await scaler.unscale_(optimizer);
      const stepped = await scaler.step(optimizer);
      scaler.update();
      return stepped;
    };
    // The float16 gradient of the product is xᵀ·S, up to 6·S: inf (> 65504, float16's largest) until S ≤ 8192.
    expect([await run(), await run(), await run()]).toEqual([false, false, false]);
    expect(scaler.getScale()).toBe(8192);
    expect(await run()).toBe(true);
    expect(w.grad!.dtype).toBe('float32');
    expectClose(Array.from(await w.grad!.data()), [4, 4, 6, 6], 1e-3); // xᵀ·1, unscaled
  });

  it('enforces PyTorch\'s call order and refuses float16 gradients', async () => {
    const w = tensor([1], { requiresGrad: true });
    const optimizer = new SGD([w], { lr: 0.1 });
    const scaler = new GradScaler();
    await expect(scaler.step(optimizer)).rejects.toThrow(/call scaler.scale\(loss\)/);
    tidy(() => scaler.scale(w.mul(2).sum()).backward());
    await scaler.unscale_(optimizer);
    await expect(scaler.unscale_(optimizer)).rejects.toThrow(/already been called/);
    await scaler.step(optimizer);
    await expect(scaler.step(optimizer)).rejects.toThrow(/step\(\) has already been called/);
    scaler.update();
    expect(() => scaler.update()).toThrow(/no inf checks/);

    const half = tensor([1], { dtype: 'float16', requiresGrad: true });
    const halfOptimizer = new SGD([half], { lr: 0.1 });
    tidy(() => scaler.scale(half.mul(2).sum()).backward());
    await expect(scaler.unscale_(halfOptimizer)).rejects.toThrow(/float16 gradients/);
    expect(() => new GradScaler({ growthFactor: 1 })).toThrow(ValueError);
    expect(() => new GradScaler({ backoffFactor: 1 })).toThrow(ValueError);
  });

  it('stateDict / loadStateDict resume the scale and the clean-step count; a disabled scaler passes through', async () => {
    const w = tensor([1], { requiresGrad: true });
    const optimizer = new SGD([w], { lr: 0.1 });
    const scaler = new GradScaler({ growthInterval: 3 });
    for (let i = 0; i < 2; i++) await iterate(scaler, optimizer, w, [1], tensor([0]));
    const restored = new GradScaler();
    restored.loadStateDict(scaler.stateDict());
    expect(restored.stateDict()).toEqual({ scale: 65536, growthFactor: 2, backoffFactor: 0.5, growthInterval: 3, growthTracker: 2 });
    await iterate(restored, optimizer, w, [1], tensor([0]));
    expect(restored.getScale()).toBe(131072);

    const off = new GradScaler({ enabled: false });
    const loss = tensor(3);
    expect(off.scale(loss)).toBe(loss);
    expect(off.getScale()).toBe(1);
    expect(off.stateDict()).toEqual({});
    expect(() => restored.loadStateDict({})).toThrow(/empty/);
  });

  it('leaves no tensors behind', async () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const y = tensor([0, 0]);
    const optimizer = new SGD([w], { lr: 0.1, momentum: 0.9 });
    const scaler = new GradScaler();
    await iterate(scaler, optimizer, w, [1, 1], y);
    const before = memory().tensors;
    for (let i = 0; i < 3; i++) await iterate(scaler, optimizer, w, [1, 1], y, { inject: i === 1 ? [0, Infinity] : undefined, unscale: i === 2 });
    expect(memory().tensors).toBe(before);
  });
});
