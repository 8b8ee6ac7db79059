import '@tessera/backend-cpu';
import { loadSafetensors, manualSeed, memory, noGrad, randn, randint, tidy, type Tensor } from '@tessera/core';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { F, MLP, ModelCheckpoint, fit } from '../../src/index';
import { TinySGD } from './helpers';

function classificationBatches(count: number): [Tensor, Tensor][] {
  return Array.from({ length: count }, () => [randn([16, 4]), randint(0, 3, [16], { dtype: 'int32' })] as [Tensor, Tensor]);
}

describe('fit with nn Modules', () => {
  it('validates in eval mode: dropout is off, so the val loss matches a manual eval-mode pass', async () => {
    manualSeed(0);
    const model = new MLP({ sizes: [4, 32, 3], dropout: 0.5 });
    const train = classificationBatches(4);
    const val = classificationBatches(1);
    const history = await fit(model, { train, val, loss: (logits, labels) => F.crossEntropy(logits, labels), optimizer: new TinySGD(model.parameters(), 0.1), epochs: 2 });
    expect(model.training).toBe(true);
    model.eval();
    const manual = noGrad(() => tidy(() => F.crossEntropy(model.forward(val[0][0]), val[0][1])));
    expect(history.last!.val_loss).toBeCloseTo(await manual.item(), 5);
    model.train();
  });

  it('keeps memory flat over epochs with a real MLP (dropout masks included)', async () => {
    manualSeed(0);
    const model = new MLP({ sizes: [4, 16, 16, 3], dropout: 0.2 });
    const optimizer = new TinySGD(model.parameters(), 0.05);
    const train = classificationBatches(3);
    const options = { train, val: classificationBatches(1), loss: (logits: Tensor, labels: Tensor) => F.crossEntropy(logits, labels), optimizer, metrics: ['accuracy' as const, 'f1' as const] };
    await fit(model, { ...options, epochs: 1 });
    const before = memory().tensors;
    await fit(model, { ...options, epochs: 5 });
    expect(memory().tensors).toBe(before);
  });

  it('a best checkpoint loads into a fresh model with loadStateDict and reproduces its outputs', async () => {
    manualSeed(0);
    const folder = await mkdtemp(join(tmpdir(), 'tessera-fit-module-'));
    try {
      const model = new MLP({ sizes: [4, 8, 3] });
      const path = join(folder, 'best.safetensors');
      await fit(model, {
        train: classificationBatches(2),
        loss: (logits, labels) => F.crossEntropy(logits, labels),
        optimizer: new TinySGD(model.parameters(), 0.1),
        epochs: 3,
        callbacks: [new ModelCheckpoint({ path, monitor: 'loss', saveBestOnly: true })],
      });
      const weights = loadSafetensors(new Uint8Array(await readFile(path)));
      expect(Object.keys(weights).sort()).toEqual(['layers.0.bias', 'layers.0.weight', 'layers.2.bias', 'layers.2.weight']);
      const fresh = new MLP({ sizes: [4, 8, 3] });
      const { missingKeys, unexpectedKeys } = fresh.loadStateDict(weights);
      expect([missingKeys, unexpectedKeys]).toEqual([[], []]);
      const x = randn([5, 4]);
      // The last epoch had the lowest loss here, so the file holds the final weights.
      expect(await noGrad(() => fresh.forward(x)).array()).toEqual(await noGrad(() => model.forward(x)).array());
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
