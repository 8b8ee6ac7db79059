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
});
