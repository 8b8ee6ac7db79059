import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { loadSafetensors, type Tensor } from '@tessera/core';
import { GRU, LSTM, RNN, type RecurrentLayer } from '../src/index';

/** Load a fixture written by test/fixtures/make_fixtures.py (PyTorch 1.13, float64). */
function fixture(name: string): Record<string, Tensor> {
  return loadSafetensors(new Uint8Array(readFileSync(new URL(`./fixtures/${name}.safetensors`, import.meta.url))));
}

/** The module's own state-dict entries of a fixture (everything but inputs, outputs and gradients). */
function stateDictOf(record: Record<string, Tensor>, module: RecurrentLayer): Record<string, Tensor> {
  const keys = Object.keys(module.stateDict());
  return Object.fromEntries(keys.map((key) => [key, record[key]]));
}

async function expectClose(actual: Tensor, expected: Tensor, tolerance = 1e-10): Promise<void> {
  expect(actual.shape).toEqual(expected.shape);
  const [got, want] = [await actual.data(), await expected.data()];
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(Number(got[i]) - Number(want[i])));
  expect(worst).toBeLessThan(tolerance);
}

const options = { numLayers: 2, bidirectional: true, batchFirst: true, dtype: 'float64' } as const;
const cases = [
  { name: 'rnn-tanh', make: () => new RNN(4, 3, options) },
  { name: 'rnn-relu', make: () => new RNN(4, 3, { ...options, nonlinearity: 'relu' }) },
  { name: 'lstm', make: () => new LSTM(4, 3, options) },
  { name: 'gru', make: () => new GRU(4, 3, options) },
  { name: 'rnn-lengths', make: () => new RNN(4, 3, options) },
  { name: 'lstm-lengths', make: () => new LSTM(4, 3, options) },
  { name: 'gru-lengths', make: () => new GRU(4, 3, options) },
];

describe('2-layer bidirectional batch-first layers match PyTorch value by value (float64)', () => {
  for (const { name, make } of cases) {
    it(`${name}: outputs, final states, input/state gradients and parameter gradients`, async () => {
      const record = fixture(name);
      const module = make();
      module.loadStateDict(stateDictOf(record, module));
      const isLSTM = module instanceof LSTM;
      const x = record.x.detach().requiresGrad_();
      const h0 = record.h0.detach().requiresGrad_();
      const c0 = isLSTM ? record.c0.detach().requiresGrad_() : null;
      const lengths = record.lengths ? Array.from(await record.lengths.data(), Number) : undefined;
      let output: Tensor;
      let hN: Tensor;
      let cN: Tensor | null = null;
      if (module instanceof LSTM) {
        [output, [hN, cN]] = module.forward(x, [h0, c0!], { lengths });
      } else {
        [output, hN] = (module as RNN | GRU).forward(x, h0, { lengths });
      }
      await expectClose(output, record.output);
      await expectClose(hN, record.hN);
      if (cN) await expectClose(cN, record.cN);

      let objective = output.mul(record.grad_output).sum().add(hN.mul(record.grad_hN).sum());
      if (cN) objective = objective.add(cN.mul(record.grad_cN).sum());
      objective.backward();
      await expectClose(x.grad!, record['x.grad']);
      await expectClose(h0.grad!, record['h0.grad']);
      if (c0) await expectClose(c0.grad!, record['c0.grad']);
      for (const [key, parameter] of module.namedParameters()) await expectClose(parameter.grad!, record[`grad.${key}`]);
    });
  }
});

describe('state dicts are laid out exactly as PyTorch', () => {
  it('keys and shapes of a 2-layer bidirectional LSTM', () => {
    const lstm = new LSTM(4, 3, { numLayers: 2, bidirectional: true });
    const shapes = Object.fromEntries(Object.entries(lstm.stateDict()).map(([key, value]) => [key, value.shape]));
    expect(shapes).toEqual({
      weight_ih_l0: [12, 4], weight_hh_l0: [12, 3], bias_ih_l0: [12], bias_hh_l0: [12],
      weight_ih_l0_reverse: [12, 4], weight_hh_l0_reverse: [12, 3], bias_ih_l0_reverse: [12], bias_hh_l0_reverse: [12],
      weight_ih_l1: [12, 6], weight_hh_l1: [12, 3], bias_ih_l1: [12], bias_hh_l1: [12],
      weight_ih_l1_reverse: [12, 6], weight_hh_l1_reverse: [12, 3], bias_ih_l1_reverse: [12], bias_hh_l1_reverse: [12],
    });
  });

  it('without bias there are no bias keys, as in PyTorch', () => {
    expect(Object.keys(new GRU(2, 5, { bias: false }).stateDict())).toEqual(['weight_ih_l0', 'weight_hh_l0']);
  });

  it('GRU has three quarters of the parameters of an LSTM of the same size', () => {
    const lstm = new LSTM(32, 64, { numLayers: 2 });
    const gru = new GRU(32, 64, { numLayers: 2 });
    expect(gru.numParameters() * 4).toBe(lstm.numParameters() * 3);
  });
});
