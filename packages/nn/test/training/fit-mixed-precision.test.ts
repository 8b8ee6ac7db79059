import '@tessera/backend-cpu';
import { autocast, manualSeed, randint, randn, tensor, tidy, type Tensor } from '@tessera/core';
import { GradScaler, SGD } from '@tessera/optim';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { F, MLP, fit } from '../../src/index';

const loss = (logits: Tensor, labels: Tensor) => F.crossEntropy(logits, labels);

/** Three Gaussian blobs in 6-D, one batch per entry. */
function blobs(batches: number, size: number): [Tensor, Tensor][] {
  return Array.from({ length: batches }, () =>
    tidy(() => {
      const labels = randint(0, 3, [size], { dtype: 'int32' });
      const centres = F.oneHot(labels, 3).float().matmul(randn([3, 6]).mul(0).add(tensor([[3, 0, 0, 0, 0, 0], [0, 3, 0, 0, 0, 0], [0, 0, 3, 0, 0, 0]])));
      return [randn([size, 6]).add(centres), labels] as [Tensor, Tensor];
    }),
  );
}

function twins(): [MLP, MLP] {
  manualSeed(11);
  const a = new MLP({ sizes: [6, 32, 3] });
  const b = new MLP({ sizes: [6, 32, 3] });
  b.loadStateDict(a.stateDict());
  return [a, b];
}

describe('fit({ mixedPrecision })', () => {
  it('trains under autocast with a GradScaler: the loss falls, stays finite and follows the float32 run; weights stay float32', async () => {
    const [mixed, full] = twins();
    manualSeed(12);
    const train = blobs(6, 32);
    const val = blobs(1, 64);
    const mixedHistory = await fit(mixed, { train, val, loss, optimizer: new SGD(mixed.parameters(), { lr: 0.1, momentum: 0.9 }), steps: 30, mixedPrecision: true });
    const fullHistory = await fit(full, { train, val, loss, optimizer: new SGD(full.parameters(), { lr: 0.1, momentum: 0.9 }), steps: 30 });
    const losses = mixedHistory.steps.map((logs) => logs.loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0] / 4);
    expect(mixedHistory.steps[0].loss_scale).toBe(65536);
    expect(mixed.parameters().every((p) => p.dtype === 'float32')).toBe(true);
    expect(Math.abs(mixedHistory.last!.val_loss - fullHistory.last!.val_loss)).toBeLessThan(0.02);
  });

  it('a step whose scaled float16 gradients overflow is skipped and the scale halves, until it fits', async () => {
    const [model] = twins();
    manualSeed(13);
    const scaler = new GradScaler({ initScale: 2 ** 24 });
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const before = await model.parameters()[0].data();
    const history = await fit(model, { train: blobs(2, 16), loss, optimizer, steps: 12, mixedPrecision: { scaler } });
    const scales = history.steps.map((logs) => logs.loss_scale);
    // Seven overflowing steps halve 2²⁴ down to 2¹⁷, where the float16 gradients fit; then it trains.
    expect(scales).toEqual([24, 23, 22, 21, 20, 19, 18, 17, 17, 17, 17, 17].map((e) => 2 ** e));
    expect(Array.from(await model.parameters()[0].data())).not.toEqual(Array.from(before));
  });

  it('saves the scaler in checkpoints and restores it on resume', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-mp-'));
    try {
      const [model] = twins();
      manualSeed(14);
      const train = blobs(2, 16);
      const scaler = new GradScaler({ initScale: 2 ** 20, growthInterval: 3 });
      await fit(model, { train, loss, optimizer: new SGD(model.parameters(), { lr: 0.1 }), steps: 4, mixedPrecision: { scaler }, checkpoint: { dir } });
      const resumed = new GradScaler();
      await fit(model, { train, loss, optimizer: new SGD(model.parameters(), { lr: 0.1 }), steps: 4, mixedPrecision: { scaler: resumed }, checkpoint: { dir }, resume: true });
      expect(resumed.stateDict()).toEqual(scaler.stateDict());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('losses compute in float32 under autocast; binaryCrossEntropy is refused there, as in PyTorch', async () => {
    const logits = randn([4, 3]).half();
    const labels = tensor([0, 1, 2, 0], { dtype: 'int32' });
    autocast(() => {
      expect(F.crossEntropy(logits, labels).dtype).toBe('float32');
      expect(F.mseLoss(logits, randn([4, 3])).dtype).toBe('float32');
      expect(F.binaryCrossEntropyWithLogits(logits, randn([4, 3]).sigmoid()).dtype).toBe('float32');
      expect(() => F.binaryCrossEntropy(logits.sigmoid(), randn([4, 3]).sigmoid())).toThrow(/unsafe to autocast/);
    });
    await expect(fit(new MLP({ sizes: [2, 2] }), { train: [], loss, optimizer: new SGD(new MLP({ sizes: [2, 2] }).parameters(), { lr: 1 }), steps: 1, mixedPrecision: 'yes' as never })).rejects.toThrow(/mixedPrecision/);
  });
});
