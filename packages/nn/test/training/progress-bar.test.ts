import '@tessera/backend-cpu';
import { manualSeed, randn, tensor, type Tensor } from '@tessera/core';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressBar, fit } from '../../src/training/index';
import { TinyLinear, TinySGD } from './helpers';

const crossEntropy = (logits: Tensor, labels: Tensor) => logits.logSoftmax(1).gather(1, labels.unsqueeze(1)).neg().mean();

/** A stream that records what the bar draws. */
function recordingStream() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('ProgressBar', () => {
  it('draws epoch, batches, loss, the first metric, validation numbers and an ETA', async () => {
    manualSeed(0);
    const model = new TinyLinear(2, 2);
    const batch = () => [randn([4, 2]), tensor([0, 1, 0, 1], { dtype: 'int32' })] as [Tensor, Tensor];
    const train = [batch(), batch(), batch()];
    const val = [batch()];
    const { stream, text } = recordingStream();
    const bar = new ProgressBar({ stream, noTTYOutput: true, fps: 1000 });
    await fit(model, { train, val, loss: crossEntropy, optimizer: new TinySGD(model.parameters(), 0.1), epochs: 2, metrics: ['accuracy'], callbacks: [bar] });
    const output = text();
    expect(output).toMatch(/epoch 1\/2 \|[█░]{20}\| 3\/3 \| loss \d\.\d{4} \| accuracy \d\.\d{4} \| val_loss \d\.\d{4} \| val_accuracy \d\.\d{4} \| ETA /);
    expect(output).toMatch(/epoch 2\/2 /);
  });

  it('works without metrics or a known number of batches', async () => {
    const model = new TinyLinear(2, 2);
    const train = {
      *[Symbol.iterator]() {
        for (let i = 0; i < 2; i++) yield [randn([4, 2]), tensor([0, 1, 0, 1], { dtype: 'int32' })] as [Tensor, Tensor];
      },
    };
    const { stream, text } = recordingStream();
    await fit(model, { train, loss: crossEntropy, optimizer: new TinySGD(model.parameters(), 0.1), epochs: 1, callbacks: [new ProgressBar({ stream, noTTYOutput: true, fps: 1000 })] });
    expect(text()).toMatch(/epoch 1\/1 \|.*\| 2\/2 \| loss \d\.\d{4} \| ETA/);
  });

  describe('in a step run', () => {
    const mse = (prediction: Tensor, target: Tensor) => prediction.sub(target).pow(2).mean();
    const endless = {
      *[Symbol.iterator]() {
        for (;;) yield [randn([4, 2]), randn([4, 1])] as [Tensor, Tensor];
      },
    };

    it('prints a plain line every `every` steps, after each evaluation and at the end when not a terminal', async () => {
      manualSeed(0);
      const model = new TinyLinear(2, 1);
      const { stream, text } = recordingStream();
      await fit(model, {
        train: endless,
        val: [[randn([4, 2]), randn([4, 1])]],
        loss: mse,
        optimizer: new TinySGD(model.parameters(), 0.1),
        steps: 7,
        evalInterval: 3,
        callbacks: [new ProgressBar({ stream, every: 2 })],
      });
      const lines = text().trimEnd().split('\n');
      expect(lines.map((line) => Number(/^step (\d+)\/7 /.exec(line)?.[1]))).toEqual([2, 3, 4, 6, 7]);
      expect(lines[0]).toMatch(/^step 2\/7 \|█{5}░{15}\| loss \d+\.\d{4} \| \d+ tok\/s \| ETA \d+s$/);
      expect(lines[1]).toMatch(/^step 3\/7 \|.*\| loss \d+\.\d{4} \| val_loss \d+\.\d{4} \| .* tok\/s \| ETA /);
      expect(lines[4]).toMatch(/^step 7\/7 \|█{20}\| .* \| ETA 0s$/);
      expect(text()).not.toContain('\r');
    });

    it('redraws one line in a terminal, cut to its width, and ends it with a newline', async () => {
      const model = new TinyLinear(2, 1);
      const { stream, text } = recordingStream();
      Object.assign(stream, { isTTY: true, columns: 40 });
      await fit(model, { train: endless, loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), steps: 5, callbacks: [new ProgressBar({ stream, fps: 1e6 })] });
      const frames = text().split('\r').filter(Boolean);
      expect(frames.length).toBeGreaterThanOrEqual(5);
      for (const frame of frames) expect(frame.replace('\x1b[K', '').replace('\n', '').length).toBeLessThanOrEqual(39);
      expect(frames[0]).toMatch(/^step 1\/5 \|/);
      expect(text().endsWith('\x1b[K\n')).toBe(true);
    });

    it('stays silent off a terminal with noTTYOutput: false, and rejects a bad `every`', async () => {
      const model = new TinyLinear(2, 1);
      const quiet = recordingStream();
      await fit(model, { train: endless, loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), steps: 3, callbacks: [new ProgressBar({ stream: quiet.stream, noTTYOutput: false })] });
      expect(quiet.text()).toBe('');
      await expect(fit(model, { train: endless, loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), steps: 3, callbacks: [new ProgressBar({ every: 0 })] })).rejects.toThrow(
        /ProgressBar: every must be a positive integer, got 0/,
      );
    });
  });
});
