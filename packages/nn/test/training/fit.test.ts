import '@tessera/backend-cpu';
import { manualSeed, memory, randn, tensor, tidy, type Tensor } from '@tessera/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { fit, schedulerWantsMetric, type Callback, type Logs } from '../../src/training/index';
import { TinyLinear, TinySGD, batches } from './helpers';

const mse = (prediction: Tensor, target: Tensor) => prediction.sub(target).pow(2).mean();

/** y = 2x₁ − 3x₂ + 1 on fresh random batches (a new tensor per batch, like a DataLoader). */
function regressionData(batchCount: number, batchSize = 8) {
  return batches(() =>
    Array.from({ length: batchCount }, () =>
      tidy(() => {
        const x = randn([batchSize, 2]);
        const y = x.matmul(tensor([[2], [-3]])).add(1);
        return [x, y] as [Tensor, Tensor];
      }),
    ),
  );
}

/** Two Gaussian blobs, class 0 around (−2, −2) and class 1 around (2, 2), as logits targets. */
function blobs(count: number): [Tensor, Tensor][] {
  const half = count / 2;
  return tidy(() => {
    const x = randn([count, 2]).add(tensor(Array.from({ length: count }, (_, i) => (i < half ? [-2, -2] : [2, 2]))));
    const y = tensor(Array.from({ length: count }, (_, i) => (i < half ? 0 : 1)), { dtype: 'int32' });
    return [[x, y]] as [Tensor, Tensor][];
  });
}

const crossEntropy = (logits: Tensor, labels: Tensor) => {
  const logProbabilities = logits.logSoftmax(1);
  return logProbabilities.gather(1, labels.unsqueeze(1)).neg().mean();
};

describe('fit', () => {
  beforeEach(() => manualSeed(0));

  it('lowers the training loss and returns one log entry per epoch', async () => {
    const model = new TinyLinear(2, 1);
    const optimizer = new TinySGD(model.parameters(), 0.1);
    const history = await fit(model, { train: regressionData(10), loss: mse, optimizer, epochs: 5 });
    expect(history.epochs).toHaveLength(5);
    expect(history.seconds).toHaveLength(5);
    const losses = history.series('loss');
    expect(losses[4]).toBeLessThan(losses[0] / 10);
    expect(history.epochs[0].lr).toBe(0.1);
    expect(optimizer.steps).toBe(50);
    expect(await model.weight.array()).toEqual([[expect.closeTo(2, 1)], [expect.closeTo(-3, 1)]]);
  });

  it('reports validation loss and metrics under val_ keys, and the mean over samples', async () => {
    const model = new TinyLinear(2, 2);
    const train = blobs(40);
    const val = blobs(20);
    const history = await fit(model, { train, val, loss: crossEntropy, optimizer: new TinySGD(model.parameters(), 0.5), epochs: 3, metrics: ['accuracy', 'f1', 'logLoss'] });
    const last = history.last!;
    expect(Object.keys(last).sort()).toEqual(['accuracy', 'f1', 'logLoss', 'loss', 'lr', 'val_accuracy', 'val_f1', 'val_logLoss', 'val_loss'].sort());
    expect(last.val_accuracy).toBeGreaterThan(0.9);
    // The logLoss metric of logits equals the cross-entropy loss.
    expect(last.val_logLoss).toBeCloseTo(last.val_loss, 5);
  });

  it('trains in train mode and validates in eval mode without gradients, then restores the mode', async () => {
    const model = new TinyLinear(2, 1);
    await fit(model, { train: regressionData(2), val: regressionData(1), loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), epochs: 2 });
    expect(model.calls.map((call) => call.training)).toEqual([true, true, false, true, true, false]);
    expect(model.calls.map((call) => call.gradEnabled)).toEqual([true, true, false, true, true, false]);
    expect(model.training).toBe(true);
  });

  it('keeps memory flat: the live tensor count does not grow with epochs', async () => {
    const model = new TinyLinear(2, 2);
    const optimizer = new TinySGD(model.parameters(), 0.1);
    const train = batches(() => blobs(32).concat(blobs(32)));
    const val = batches(() => blobs(16));
    const options = { train, val, loss: crossEntropy, optimizer, metrics: ['accuracy' as const, 'precision' as const, 'logLoss' as const] };
    await fit(model, { ...options, epochs: 1 });
    const afterOne = memory().tensors;
    const perBatch: number[] = [];
    await fit(model, { ...options, epochs: 6, callbacks: [{ onBatchEnd: () => void perBatch.push(memory().tensors) }] });
    expect(memory().tensors).toBe(afterOne);
    // Every epoch has the same per-batch counts (the helper makes an epoch's batches up front, so they differ within one).
    const epochs = Array.from({ length: 6 }, (_, epoch) => perBatch.slice(epoch * 2, epoch * 2 + 2));
    expect(new Set(epochs.map((counts) => counts.join(','))).size).toBe(1);
  });

  it('does not dispose batches given as an array (they are reused every epoch) but disposes loader batches', async () => {
    const model = new TinyLinear(2, 1);
    const x = randn([4, 2]);
    const y = randn([4, 1]);
    await fit(model, { train: [[x, y]], loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), epochs: 3 });
    expect(x.isDisposed).toBe(false);

    const made: Tensor[] = [];
    const loader = {
      *[Symbol.iterator]() {
        const pair: [Tensor, Tensor] = [randn([4, 2]), randn([4, 1])];
        made.push(...pair);
        yield pair;
      },
    };
    await fit(model, { train: loader, loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), epochs: 2 });
    expect(made.every((t) => t.isDisposed)).toBe(true);
  });

  it('accepts async iterables', async () => {
    const model = new TinyLinear(2, 1);
    const train = {
      async *[Symbol.asyncIterator]() {
        yield [randn([4, 2]), randn([4, 1])] as const;
      },
    };
    const history = await fit(model, { train, loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), epochs: 2 });
    expect(history.epochs).toHaveLength(2);
  });

  it('steps the scheduler once per epoch, giving plateau schedules val_loss', async () => {
    const model = new TinyLinear(2, 1);
    const optimizer = new TinySGD(model.parameters(), 0.1);
    const plain: (number | undefined)[] = [];
    const stepLR = {
      step(metric?: number) {
        plain.push(metric);
        optimizer.paramGroups[0].lr *= 0.5;
      },
    };
    const history = await fit(model, { train: regressionData(2), loss: mse, optimizer, epochs: 3, scheduler: stepLR });
    expect(plain).toEqual([undefined, undefined, undefined]);
    expect(history.series('lr')).toEqual([0.1, 0.05, 0.025]);

    class ReduceLROnPlateau {
      readonly seen: number[] = [];
      patience = 2;
      step(metric?: number) {
        this.seen.push(metric!);
      }
    }
    const plateau = new ReduceLROnPlateau();
    expect(schedulerWantsMetric(plateau)).toBe(true);
    const withVal = await fit(model, { train: regressionData(2), val: regressionData(1), loss: mse, optimizer, epochs: 2, scheduler: plateau });
    expect(plateau.seen).toEqual(withVal.series('val_loss'));
  });

  it('calls callbacks in order and stops when onEpochEnd returns true', async () => {
    const model = new TinyLinear(2, 1);
    const events: string[] = [];
    const batchLogs: Logs[] = [];
    const recorder: Callback = {
      onTrainBegin: (ctx) => void events.push(`trainBegin epochs=${ctx.epochs} batches=${ctx.batchesPerEpoch}`),
      onEpochBegin: (epoch) => void events.push(`epochBegin ${epoch}`),
      onBatchEnd: (batch, logs) => {
        events.push(`batchEnd ${batch}`);
        batchLogs.push(logs);
      },
      onEpochEnd: async (epoch) => {
        events.push(`epochEnd ${epoch}`);
        return epoch === 1;
      },
      onTrainEnd: (logs) => void events.push(`trainEnd ${Object.keys(logs).includes('loss')}`),
    };
    const history = await fit(model, { train: regressionData(2), loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), epochs: 10, callbacks: [recorder] });
    expect(events).toEqual([
      'trainBegin epochs=10 batches=2',
      'epochBegin 0', 'batchEnd 0', 'batchEnd 1', 'epochEnd 0',
      'epochBegin 1', 'batchEnd 0', 'batchEnd 1', 'epochEnd 1',
      'trainEnd true',
    ]);
    expect(history.epochs).toHaveLength(2);
    expect(history.stoppedEarly).toBe(true);
    expect(batchLogs[1].loss).toBeCloseTo((batchLogs[0].batchLoss + batchLogs[1].batchLoss) / 2, 5);
  });

  it('stops when a callback sets ctx.stopTraining', async () => {
    const model = new TinyLinear(2, 1);
    const stopper: Callback = { onEpochEnd: (_epoch, _logs, ctx) => void (ctx.stopTraining = true) };
    const history = await fit(model, { train: regressionData(1), loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), epochs: 5, callbacks: [stopper] });
    expect(history.epochs).toHaveLength(1);
  });

  it('prints one line per epoch when verbose', async () => {
    const model = new TinyLinear(2, 2);
    const lines: string[] = [];
    await fit(model, { train: blobs(8), loss: crossEntropy, optimizer: new TinySGD(model.parameters(), 0.1), epochs: 2, metrics: ['accuracy'], verbose: true, print: (line) => lines.push(line) });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^epoch 2\/2 - loss \d\.\d{4} - accuracy \d\.\d{4} - lr 0\.1000 - \d+\.\d\ds$/);
  });

  it('rejects a non-scalar loss, an unknown metric, bad epochs and empty data with clear errors', async () => {
    const model = new TinyLinear(2, 1);
    const optimizer = new TinySGD(model.parameters(), 0.1);
    const train = [[randn([4, 2]), randn([4, 1])]] as [Tensor, Tensor][];
    await expect(fit(model, { train, loss: (p, t) => p.sub(t), optimizer, epochs: 1 })).rejects.toThrow(/must return a single value .*shape \[4, 1\]/);
    await expect(fit(model, { train, loss: mse, optimizer, epochs: 1, metrics: ['auroc' as any] })).rejects.toThrow(/unknown metric 'auroc'/);
    await expect(fit(model, { train, loss: mse, optimizer, epochs: -1 })).rejects.toThrow(/epochs must be a non-negative integer/);
    await expect(fit(model, { train: [], loss: mse, optimizer, epochs: 1 })).rejects.toThrow(/yielded no batches/);
    await expect(fit(model, { train: [[randn([4, 2])]], loss: mse, optimizer, epochs: 1 })).rejects.toThrow(/each training batch must be an \[input, target\] pair of tensors, got 1 element/);
    const plateau = { patience: 1, step() {} };
    await expect(fit(model, { train, loss: mse, optimizer, epochs: 1, scheduler: plateau, schedulerMonitor: 'val_accuracy' })).rejects.toThrow(/monitors 'val_accuracy'/);
  });
});
