import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { memory, tensor, zeros, type Tensor } from '@tessera/core';
import { beamSearch } from '../src/index';

const EOS = 0;
const A = 1;
const B = 2;
const BOS = 3;

/** Next-token probabilities given the last token: greedy takes A (0.6), but B then eos (0.4 · 0.9) is best. */
const table: Record<number, number[]> = {
  [BOS]: [0, 0.6, 0.4, 0],
  [A]: [0.3, 0.35, 0.35, 0],
  [B]: [0.9, 0.05, 0.05, 0],
};

function step(lastTokens: number[], state: Tensor) {
  const rows = lastTokens.map((token) => table[token].map((p) => Math.log(p)));
  return { logProbs: tensor(rows), state: state.add(1) };
}

describe('beam search', () => {
  it('finds the sequence greedy decoding misses, with its exact log-probability', async () => {
    const state = zeros([1, 1, 2]);
    const [best] = await beamSearch(step, state, { beamWidth: 2, maxLength: 5, bos: BOS, eos: EOS });
    expect(best.tokens).toEqual([B]);
    expect(best.logProb).toBeCloseTo(Math.log(0.4 * 0.9), 6);
    const [greedy] = await beamSearch(step, state, { beamWidth: 1, maxLength: 5, bos: BOS, eos: EOS });
    expect(greedy.tokens[0]).toBe(A);
    expect(greedy.logProb).toBeLessThan(best.logProb);
    state.dispose();
  });

  it('with a wide beam it returns the most probable sequence of all (checked by enumeration)', async () => {
    let bestLogProb = -Infinity;
    const enumerate = (last: number, logProb: number, depth: number) => {
      table[last].forEach((p, token) => {
        if (p === 0) return;
        if (token === EOS) bestLogProb = Math.max(bestLogProb, logProb + Math.log(p));
        else if (depth < 4) enumerate(token, logProb + Math.log(p), depth + 1);
      });
    };
    enumerate(BOS, 0, 0);
    const state = zeros([1, 1, 2]);
    const [best] = await beamSearch(step, state, { beamWidth: 16, maxLength: 5, bos: BOS, eos: EOS });
    expect(best.logProb).toBeCloseTo(bestLogProb, 6);
    state.dispose();
  });

  it('reorders the state with the beams and frees every intermediate state', async () => {
    const state = zeros([1, 1, 2]);
    const before = memory().tensors;
    await beamSearch(step, state, { beamWidth: 3, maxLength: 6, bos: BOS, eos: EOS });
    expect(memory().tensors).toBe(before);
    expect(state.isDisposed).toBe(false);
    state.dispose();
  });
});
