import '@tessera/backend-cpu';
import { loadSafetensors, manualSeed, randn, readSafetensorsMetadata, type Tensor } from '@tessera/core';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelCheckpoint, fit, writeFileAtomic, type Callback } from '../../src/training/index';
import { TinyLinear, TinySGD } from './helpers';

const mse = (prediction: Tensor, target: Tensor) => prediction.sub(target).pow(2).mean();

let folder: string;
beforeEach(async () => {
  manualSeed(0);
  folder = await mkdtemp(join(tmpdir(), 'tessera-checkpoint-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Feeds fit a scripted val_loss through a callback placed before the checkpoint. */
function scriptedValLoss(values: number[]): Callback {
  return { onEpochEnd: (epoch, logs) => void (logs.val_loss = values[epoch]) };
}

describe('ModelCheckpoint', () => {
  it('saves the state dict as safetensors that load back to the same weights', async () => {
    const model = new TinyLinear(3, 2);
    const path = join(folder, 'model.safetensors');
    const checkpoint = new ModelCheckpoint({ path, monitor: 'loss' });
    await fit(model, { train: [[randn([4, 3]), randn([4, 2])]], loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), epochs: 2, callbacks: [checkpoint] });
    const bytes = new Uint8Array(await readFile(path));
    const loaded = loadSafetensors(bytes);
    expect(Object.keys(loaded).sort()).toEqual(['bias', 'weight']);
    expect(await loaded.weight.array()).toEqual(await model.weight.array());
    expect(readSafetensorsMetadata(bytes)).toMatchObject({ format: 'pt', epoch: '2' });
    expect(checkpoint.saved).toEqual([path, path]);
  });

  it('in a step run, considers every step whose logs have the monitored key (val_loss: each evaluation)', async () => {
    const model = new TinyLinear(3, 2);
    const scripted: Record<number, number> = { 2: 3, 4: 1, 6: 2 };
    const script: Callback = { onStepEnd: (step, logs) => void (logs.val_loss !== undefined && (logs.val_loss = scripted[step])) };
    const checkpoint = new ModelCheckpoint({ path: join(folder, 'best-{step}.safetensors'), saveBestOnly: true });
    const batch = () => [randn([4, 3]), randn([4, 2])] as [Tensor, Tensor];
    const train = { *[Symbol.iterator]() { for (;;) yield batch(); } };
    await fit(model, { train, val: [batch()], loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), steps: 6, evalInterval: 2, callbacks: [script, checkpoint] });
    expect(checkpoint.saved).toEqual([join(folder, 'best-2.safetensors'), join(folder, 'best-4.safetensors')]);
    expect([checkpoint.bestStep, checkpoint.best, checkpoint.bestEpoch]).toEqual([4, 1, -1]);
    expect(readSafetensorsMetadata(new Uint8Array(await readFile(join(folder, 'best-4.safetensors'))))).toMatchObject({ format: 'pt', step: '4', val_loss: '1' });
  });

  it('with saveBestOnly, saves only when the monitored value improves (min mode for losses)', async () => {
    const model = new TinyLinear(2, 1);
    const checkpoint = new ModelCheckpoint({ path: join(folder, 'epoch-{epoch}-{val_loss}.safetensors'), saveBestOnly: true });
    await fit(model, {
      train: [[randn([4, 2]), randn([4, 1])]],
      loss: mse,
      optimizer: new TinySGD(model.parameters(), 0.1),
      epochs: 5,
      callbacks: [scriptedValLoss([0.9, 0.5, 0.7, 0.4, 0.6]), checkpoint],
    });
    expect(checkpoint.saved.map((path) => path.slice(folder.length + 1))).toEqual([
      'epoch-1-0.9000.safetensors',
      'epoch-2-0.5000.safetensors',
      'epoch-4-0.4000.safetensors',
    ]);
    expect(checkpoint.best).toBe(0.4);
    expect(checkpoint.bestEpoch).toBe(3);
  });

  it('picks max mode for accuracy-like keys', () => {
    expect(new ModelCheckpoint({ path: 'x', monitor: 'val_accuracy' }).mode).toBe('max');
    expect(new ModelCheckpoint({ path: 'x', monitor: 'val_loss' }).mode).toBe('min');
    expect(new ModelCheckpoint({ path: 'x', monitor: 'val_loss', mode: 'max' }).mode).toBe('max');
  });

  it('names a missing monitored key', async () => {
    const model = new TinyLinear(2, 1);
    const checkpoint = new ModelCheckpoint({ path: join(folder, 'm.safetensors'), saveBestOnly: true });
    await expect(
      fit(model, { train: [[randn([4, 2]), randn([4, 1])]], loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), epochs: 1, callbacks: [checkpoint] }),
    ).rejects.toThrow(/monitored key 'val_loss' is not in the epoch logs \(loss, lr\)/);
    expect(() => new ModelCheckpoint({ path: '' })).toThrow(/non-empty file path/);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary files', async () => {
    const path = join(folder, 'sub', 'weights.bin');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(path, new Uint8Array([4, 5]));
    expect([...(await readFile(path))]).toEqual([4, 5]);
    expect(await readdir(join(folder, 'sub'))).toEqual(['weights.bin']);
  });

  it('on failure keeps the old file intact and removes the temporary file', async () => {
    // Renaming a file over a non-empty folder fails after the temporary file was fully written.
    const path = join(folder, 'blocked');
    await mkdir(path);
    await writeFile(join(path, 'keep.txt'), 'old');
    await expect(writeFileAtomic(path, new Uint8Array([9]))).rejects.toThrow();
    expect(await readdir(folder)).toEqual(['blocked']);
    expect(await readFile(join(path, 'keep.txt'), 'utf8')).toBe('old');
  });

  it('readers never see a partial checkpoint: every read during repeated saves parses', async () => {
    const path = join(folder, 'model.safetensors');
    const model = new TinyLinear(64, 64);
    const checkpoint = new ModelCheckpoint({ path, monitor: 'loss' });
    const reads: Promise<void>[] = [];
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        try {
          const bytes = new Uint8Array(await readFile(path));
          const tensors = loadSafetensors(bytes);
          for (const t of Object.values(tensors)) t.dispose();
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    reads.push(reader);
    await fit(model, { train: [[randn([8, 64]), randn([8, 64])]], loss: mse, optimizer: new TinySGD(model.parameters(), 0.01), epochs: 8, callbacks: [checkpoint] });
    stop = true;
    await Promise.all(reads);
    expect(checkpoint.saved).toHaveLength(8);
  });
});
