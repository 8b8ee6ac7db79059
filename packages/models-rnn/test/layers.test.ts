import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { manualSeed, randn, zeros, DTypeError, ShapeError, ValueError, type Tensor } from '@tessera/core';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '../src/index';

async function expectClose(actual: Tensor, expected: Tensor, tolerance = 1e-12): Promise<void> {
  expect(actual.shape).toEqual(expected.shape);
  const [got, want] = [await actual.data(), await expected.data()];
  for (let i = 0; i < want.length; i++) expect(Math.abs(Number(got[i]) - Number(want[i]))).toBeLessThanOrEqual(tolerance);
}

const f64 = { dtype: 'float64' } as const;

describe('cells run the same step as the sequence layers', () => {
  it('LSTMCell stepped over time equals a one-layer LSTM with copied weights', async () => {
    manualSeed(7);
    const lstm = new LSTM(3, 5, f64);
    const cell = new LSTMCell(3, 5, f64);
    cell.loadStateDict({
      weight_ih: lstm.stateDict().weight_ih_l0, weight_hh: lstm.stateDict().weight_hh_l0,
      bias_ih: lstm.stateDict().bias_ih_l0, bias_hh: lstm.stateDict().bias_hh_l0,
    });
    const x = randn([4, 2, 3], f64);
    const [output, [hN, cN]] = lstm.forward(x);
    let state: [Tensor, Tensor] | undefined;
    for (let t = 0; t < 4; t++) {
      state = cell.forward(x.select(0, t), state);
      await expectClose(state[0], output.select(0, t));
    }
    await expectClose(state![0], hN.select(0, 0));
    await expectClose(state![1], cN.select(0, 0));
  });

  it('GRUCell and RNNCell match one step of GRU and RNN, batched and unbatched', async () => {
    manualSeed(8);
    for (const [Layer, Cell] of [[GRU, GRUCell], [RNN, RNNCell]] as const) {
      const layer = new Layer(3, 4, f64);
      const cell = new Cell(3, 4, f64);
      const weights = layer.stateDict();
      cell.loadStateDict({ weight_ih: weights.weight_ih_l0, weight_hh: weights.weight_hh_l0, bias_ih: weights.bias_ih_l0, bias_hh: weights.bias_hh_l0 });
      const x = randn([1, 2, 3], f64);
      const h0 = randn([1, 2, 4], f64);
      const [, hN] = layer.forward(x, h0);
      await expectClose(cell.forward(x.select(0, 0), h0.select(0, 0)), hN.select(0, 0));
      await expectClose(cell.forward(x.select(0, 0).select(0, 1), h0.select(0, 0).select(0, 1)), hN.select(0, 0).select(0, 1));
    }
  });
});

describe('shapes follow PyTorch', () => {
  it('time-major and batch-first layouts give the same numbers, transposed', async () => {
    manualSeed(3);
    const timeMajor = new GRU(3, 4, { ...f64, numLayers: 2, bidirectional: true });
    const batchFirst = new GRU(3, 4, { ...f64, numLayers: 2, bidirectional: true, batchFirst: true });
    batchFirst.loadStateDict(timeMajor.stateDict());
    const x = randn([6, 2, 3], f64);
    const [a, hA] = timeMajor.forward(x);
    const [b, hB] = batchFirst.forward(x.transpose(0, 1));
    expect(a.shape).toEqual([6, 2, 8]);
    expect(b.shape).toEqual([2, 6, 8]);
    expect(hA.shape).toEqual([4, 2, 4]);
    await expectClose(b.transpose(0, 1), a);
    await expectClose(hB, hA);
  });

  it('an unbatched 2-D input [T, features] gives [T, D·H] and states [D·numLayers, H]', async () => {
    manualSeed(4);
    const lstm = new LSTM(3, 4, { ...f64, numLayers: 2, bidirectional: true, batchFirst: true });
    const x = randn([5, 3], f64);
    const [output, [hN, cN]] = lstm.forward(x);
    expect(output.shape).toEqual([5, 8]);
    expect(hN.shape).toEqual([4, 4]);
    expect(cN.shape).toEqual([4, 4]);
    const [batched, [hB]] = lstm.forward(x.unsqueeze(0));
    await expectClose(output, batched.squeeze(0));
    await expectClose(hN, hB.squeeze(1));
  });

  it('the initial state defaults to zeros', async () => {
    manualSeed(5);
    const rnn = new RNN(2, 3, f64);
    const x = randn([4, 1, 2], f64);
    const [a] = rnn.forward(x);
    const [b] = rnn.forward(x, zeros([1, 1, 3], f64));
    await expectClose(a, b);
  });

  it('dropout acts between layers in training mode only', async () => {
    manualSeed(6);
    const lstm = new LSTM(3, 8, { numLayers: 2, dropout: 0.5 });
    const x = randn([4, 2, 3]);
    lstm.eval();
    const [first] = lstm.forward(x);
    const [second] = lstm.forward(x);
    await expectClose(first, second, 0);
    lstm.train();
    const [trained] = lstm.forward(x);
    const difference = await trained.sub(first).abs().sum().item();
    expect(difference).toBeGreaterThan(0);
  });
});

describe('bad input gets a clear error naming what was expected', () => {
  const lstm = new LSTM(3, 4, { numLayers: 2 });
  it('wrong rank', () => {
    expect(() => lstm.forward(randn([2, 3, 4, 3]))).toThrow(ShapeError);
    expect(() => lstm.forward(randn([2, 3, 4, 3]))).toThrow(/LSTM\.forward: expected a 2-D or 3-D input/);
  });
  it('wrong feature size', () => {
    expect(() => lstm.forward(randn([5, 2, 7]))).toThrow(/input has 7 features .* inputSize 3/);
  });
  it('initial state of the wrong shape or dtype', () => {
    const h0 = zeros([2, 2, 4]);
    expect(() => lstm.forward(randn([5, 2, 3]), [zeros([1, 2, 4]), h0])).toThrow(/h0 .* must have shape \[2, 2, 4\], got \[1, 2, 4\]/);
    expect(() => lstm.forward(randn([5, 2, 3]), [h0, zeros([2, 2, 4], f64)])).toThrow(DTypeError);
    expect(() => new GRU(3, 4).forward(randn([5, 2, 3]), zeros([1, 3, 4]))).toThrow(/h0 .* \[1, 2, 4\]/);
  });
  it('lengths longer than the sequence or of the wrong count', () => {
    expect(() => lstm.forward(randn([5, 2, 3]), undefined, { lengths: [6, 2] })).toThrow(/lengths\[0\] = 6 must be an integer in 1…5/);
    expect(() => lstm.forward(randn([5, 2, 3]), undefined, { lengths: [5] })).toThrow(/lengths has 1 entries, but the batch has 2/);
  });
  it('a state dict with a missing or misshaped key', () => {
    const { weight_hh_l1: _dropped, ...partial } = lstm.stateDict();
    expect(() => new LSTM(3, 4, { numLayers: 2 }).loadStateDict(partial)).toThrow(/missing keys: weight_hh_l1/);
    expect(() => new LSTM(3, 5, { numLayers: 2 }).loadStateDict(lstm.stateDict())).toThrow(ShapeError);
  });
  it('bad constructor options', () => {
    expect(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' })).toThrow(ValueError);
    expect(() => new GRU(3, 0)).toThrow(/hiddenSize must be a positive integer/);
    expect(() => new LSTM(3, 4, { dropout: 2 })).toThrow(/dropout must be a probability/);
  });
});
