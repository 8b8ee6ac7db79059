/**
 * The sequence-chapter examples (@tessera/models-rnn) in quick mode, each checked against a floor.
 */
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../src/examples/index';

const quiet = { quick: true, print: () => {} };

async function run<T>(name: string): Promise<T> {
  const module = await EXAMPLES[name].load();
  return (await module.main(quiet)) as T;
}

interface Exploding { lossBefore: number; gradientNorm: number; updateNorm: number; lossAfter: number }

describe('sequence examples (quick mode)', () => {
  it('vanishing-gradients: a tanh RNN loses the gradient over 100 steps, remembering LSTM/GRU gates keep ≥ 100× more; sigmoid depth shrinks, clipping tames explosion', async () => {
    const result = await run<{
      throughTime: { atInit: { rnn: number; lstm: number; gru: number }; remembering: { lstm: number; gru: number } };
      parameterCounts: { lstm: number; gru: number };
      depth: { sigmoid: number[]; relu: number[]; sigmoidShrink: number };
      exploding: { plain: Exploding; clipped: Exploding };
    }>('vanishing-gradients');
    const { atInit, remembering } = result.throughTime;
    expect(atInit.rnn).toBeLessThan(1e-3);
    expect(remembering.lstm).toBeGreaterThan(100 * atInit.rnn);
    expect(remembering.gru).toBeGreaterThan(100 * atInit.rnn);
    expect(result.parameterCounts.gru * 4).toBe(result.parameterCounts.lstm * 3);
    // σ′ ≤ 0.25: the per-layer factor of the sigmoid net stays well below 1; ReLU's stays near it.
    expect(result.depth.sigmoidShrink).toBeLessThan(0.3);
    expect(result.depth.relu[0] / result.depth.relu[9]).toBeGreaterThan(0.1);
    const { plain, clipped } = result.exploding;
    expect(plain.gradientNorm).toBeGreaterThan(1e6);
    expect(clipped.updateNorm).toBeCloseTo(0.01, 4); // lr × the clipped norm 1
    expect(Number.isFinite(clipped.lossAfter)).toBe(true);
    expect(plain.updateNorm).toBeGreaterThan(1e4 * clipped.updateNorm);
  });
});

describe('time series (quick mode)', () => {
  it('time-series: the GRU forecast beats the naive last-value forecast on held-out steps', async () => {
    const result = await run<{ modelMSE: number; naiveMSE: number; trainingLoss: number[] }>('time-series');
    expect(result.trainingLoss.at(-1)!).toBeLessThan(result.trainingLoss[0]);
    expect(result.modelMSE).toBeLessThan(0.7 * result.naiveMSE);
  });
});

describe('char-generator (quick mode)', () => {
  it('learns names below 2.45 nats/char; temperature → 0 is argmax decoding and entropy rises with temperature', async () => {
    const result = await run<{
      initialLoss: number; validationLoss: number[]; nearZero: string[];
      samples: { temperature: number; entropy: number; names: string[] }[];
    }>('char-generator');
    expect(result.initialLoss).toBeGreaterThan(3);
    expect(result.validationLoss.at(-1)!).toBeLessThan(2.45);
    const [greedy, ...sampled] = result.samples;
    expect(greedy.temperature).toBe(0);
    expect(result.nearZero).toEqual(greedy.names);
    expect(greedy.names.every((name) => name === greedy.names[0])).toBe(true);
    for (let i = 1; i < sampled.length; i++) expect(sampled[i].entropy).toBeGreaterThan(sampled[i - 1].entropy);
  });
});

describe('two-books (quick mode)', () => {
  it('an LSTM and bag of words + logistic regression both tell Moby Dick from the State of the Union on held-out sentences', async () => {
    const result = await run<{ bowAccuracy: number; lstmAccuracy: number }>('two-books');
    expect(result.bowAccuracy).toBeGreaterThan(0.8);
    expect(result.lstmAccuracy).toBeGreaterThan(0.7);
  });
});

describe('seq2seq-dates (quick mode)', () => {
  // Quick mode trains for a fraction of the full run (which reaches exact match 1.0 with both decoders,
  // see the README); the floor here is on characters in the right place.
  it('the encoder–decoder learns to write ISO dates: most characters right after a short run, greedy and beam', async () => {
    const result = await run<{ greedyExactMatch: number; beamExactMatch: number; greedyCharacterAccuracy: number; beamCharacterAccuracy: number }>('seq2seq-dates');
    expect(result.greedyCharacterAccuracy).toBeGreaterThan(0.6);
    expect(result.beamCharacterAccuracy).toBeGreaterThan(0.6);
  });
});
