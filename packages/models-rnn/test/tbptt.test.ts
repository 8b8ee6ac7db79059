import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { manualSeed, memory, randn, tidy, type Tensor } from '@tessera/core';
import { F, Linear } from '@tessera/nn';
import { SGD } from '@tessera/optim';
import { LSTM, tbptt } from '../src/index';

describe('truncated backpropagation through time', () => {
  it('carries the state so that the windows together equal one full forward pass', async () => {
    manualSeed(11);
    const lstm = new LSTM(2, 3, { dtype: 'float64' });
    const sequence = randn([23, 2, 2], { dtype: 'float64' });
    const [, [hFull, cFull]] = lstm.forward(sequence);
    const final = tbptt(sequence, { window: 5 }, (window, state: [Tensor, Tensor] | undefined) => lstm.forward(window, state)[1]);
    const [h, c] = final!;
    for (const [got, want] of [[h, hFull], [c, cFull]]) {
      const difference = await got.sub(want).abs().max().item();
      expect(difference).toBeLessThan(1e-12);
    }
  });

  it('overlapping windows (stride < window) carry the state taken after `carryAt` steps', async () => {
    manualSeed(12);
    const lstm = new LSTM(2, 3, { dtype: 'float64' });
    const sequence = randn([20, 1, 2], { dtype: 'float64' });
    const [, [hFull]] = lstm.forward(sequence);
    const starts: number[] = [];
    const final = tbptt(sequence, { window: 6, stride: 4 }, (window, state: [Tensor, Tensor] | undefined, info) => {
      starts.push(info.start);
      const [, carried] = lstm.forward(window.narrow(0, 0, info.carryAt), state);
      return carried;
    });
    expect(starts).toEqual([0, 4, 8, 12, 16]);
    expect(await final![0].sub(hFull).abs().max().item()).toBeLessThan(1e-12);
  });

  it("earlier windows' inputs get exactly zero gradient from a later window's loss", async () => {
    manualSeed(13);
    const lstm = new LSTM(2, 3);
    const sequence = randn([12, 1, 2], { requiresGrad: true });
    tbptt(sequence, { window: 4 }, (window, state: [Tensor, Tensor] | undefined, { index }) => {
      const [output, next] = lstm.forward(window, state);
      if (index === 2) output.sum().backward(); // only the third window's loss
      return next;
    });
    const gradient = await sequence.grad!.abs().sum([1, 2]).data();
    for (let t = 0; t < 8; t++) expect(gradient[t]).toBe(0);
    for (let t = 8; t < 12; t++) expect(gradient[t]).toBeGreaterThan(0);
  });

  it('memory stays flat over 1,000 training windows', () => {
    manualSeed(14);
    const lstm = new LSTM(1, 8);
    const head = new Linear(8, 1);
    const optimizer = new SGD([...lstm.parameters(), ...head.parameters()], { lr: 0.01 });
    const series = tidy(() => randn([4001, 1, 1]));
    const inputs = series.narrow(0, 0, 4000);
    let before = 0;
    const final = tbptt(inputs, { window: 4 }, (window, state: [Tensor, Tensor] | undefined, { index, start, length }) => {
      if (index === 10) before = memory().tensors;
      optimizer.zeroGrad();
      const [output, next] = lstm.forward(window, state);
      F.mseLoss(head.forward(output), series.narrow(0, start + 1, length)).backward();
      optimizer.step();
      return next;
    });
    expect(memory().tensors).toBeLessThanOrEqual(before + 2);
    final!.forEach((part) => part.dispose());
  });

  it('rejects a window that is not a positive integer or a stride beyond the window', () => {
    const sequence = randn([4, 1, 1]);
    expect(() => tbptt(sequence, { window: 0 }, (w) => w)).toThrow(/window must be a positive integer/);
    expect(() => tbptt(sequence, { window: 2, stride: 3 }, (w) => w)).toThrow(/stride must be an integer in 1…window/);
  });
});
