import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { manualSeed, memory, philox4x32, tensor, ValueError, zeros, type Tensor } from '@tessera/core';
import { beamSearch, decodeTokens, nextTokenProbabilities, PhiloxGenerator, sampleNextTokens, sampleFromProbabilities } from '../src/index';

const softmax = (values: number[]) => {
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
};

describe('PhiloxGenerator', () => {
  it('draws core Philox4x32-10 blocks under key = seed, counter 0, 1, …', () => {
    const generator = new PhiloxGenerator(7);
    const words = Array.from({ length: 8 }, () => generator.nextWord());
    expect(words.slice(0, 4)).toEqual(Array.from(philox4x32([0, 0, 0, 0], [7, 0])));
    expect(words.slice(4)).toEqual(Array.from(philox4x32([1, 0, 0, 0], [7, 0])));
  });

  it('uniforms are in [0, 1), repeat for a seed and differ between seeds', () => {
    const draws = (seed: number) => {
      const generator = new PhiloxGenerator(seed);
      return Array.from({ length: 1000 }, () => generator.uniform());
    };
    const a = draws(1);
    expect(a.every((u) => u >= 0 && u < 1)).toBe(true);
    expect(draws(1)).toEqual(a);
    expect(draws(2)).not.toEqual(a);
    expect(a.reduce((s, u) => s + u, 0) / a.length).toBeCloseTo(0.5, 1);
  });

  it('fromGlobalStream follows manualSeed', async () => {
    manualSeed(3);
    const first = (await PhiloxGenerator.fromGlobalStream()).seed;
    manualSeed(3);
    expect((await PhiloxGenerator.fromGlobalStream()).seed).toBe(first);
    expect(() => new PhiloxGenerator(-1)).toThrow(ValueError);
  });
});

describe('nextTokenProbabilities', () => {
  const logits = [1.5, -0.5, 3, 0.25, 3, -2];

  it('is softmax(logits / temperature) without filters', () => {
    const probs = nextTokenProbabilities(logits, { temperature: 0.7 });
    softmax(logits.map((l) => l / 0.7)).forEach((p, i) => expect(probs[i]).toBeCloseTo(p, 12));
  });

  it('temperature 0 puts all the mass on the first largest logit (greedy)', () => {
    expect(Array.from(nextTokenProbabilities(logits, { temperature: 0, topK: 1, topP: 0.1 }))).toEqual([0, 0, 1, 0, 0, 0]);
  });

  it('topK keeps the k largest logits (and ties with the k-th), renormalised', () => {
    const probs = nextTokenProbabilities(logits, { topK: 3 });
    const kept = softmax([1.5, 3, 3]);
    expect(probs[0]).toBeCloseTo(kept[0], 12);
    expect(probs[2]).toBeCloseTo(kept[1], 12);
    expect(probs[4]).toBeCloseTo(kept[2], 12);
    expect([probs[1], probs[3], probs[5]]).toEqual([0, 0, 0]);
    // k = 1 with a tie at the top keeps both, as nanoGPT's `logits < v[:, [-1]]` does.
    const tied = nextTokenProbabilities(logits, { topK: 1 });
    expect(tied[2]).toBeCloseTo(0.5, 12);
    expect(tied[4]).toBeCloseTo(0.5, 12);
    expect(Array.from(nextTokenProbabilities(logits, { topK: 100 }))).toEqual(Array.from(nextTokenProbabilities(logits)));
  });

  it('topP keeps the smallest most-probable set reaching topP (Hugging Face TopPLogitsWarper)', () => {
    const probs = [0.5, 0.3, 0.15, 0.05];
    const asLogits = probs.map(Math.log);
    const kept = nextTokenProbabilities(asLogits, { topP: 0.75 });
    expect(kept[0]).toBeCloseTo(0.5 / 0.8, 12);
    expect(kept[1]).toBeCloseTo(0.3 / 0.8, 12);
    expect([kept[2], kept[3]]).toEqual([0, 0]);
    // The most probable token always stays.
    expect(Array.from(nextTokenProbabilities(asLogits, { topP: 0.01 })).map((p) => Math.round(p * 1e9) / 1e9)).toEqual([1, 0, 0, 0]);
    // top-k first, then top-p on the renormalised remainder: 0.5/0.95 < 0.6 ≤ (0.5+0.3)/0.95.
    const both = nextTokenProbabilities(asLogits, { topK: 3, topP: 0.6 });
    expect(both[0]).toBeCloseTo(0.5 / 0.8, 12);
    expect(both[2]).toBe(0);
  });

  it('rejects bad options and unusable logits', () => {
    expect(() => nextTokenProbabilities([1, 2], { temperature: -1 })).toThrow(/temperature must be a finite number ≥ 0/);
    expect(() => nextTokenProbabilities([1, 2], { topK: 0 })).toThrow(/topK must be a positive integer/);
    expect(() => nextTokenProbabilities([1, 2], { topP: 0 })).toThrow(/topP must be in \(0, 1\]/);
    expect(() => nextTokenProbabilities([1, NaN])).toThrow(/logit 1 is NaN/);
    expect(() => nextTokenProbabilities([-Infinity, -Infinity])).toThrow(/every logit is -Infinity/);
  });
});

describe('sampling', () => {
  it('draws tokens with the filtered probabilities (20 000 draws, each frequency within 0.012)', () => {
    const probs = nextTokenProbabilities([0.2, 1.4, -0.3, 0.9, 2.1], { temperature: 0.9, topP: 0.95 });
    const generator = new PhiloxGenerator(11);
    const counts = new Array(5).fill(0);
    const draws = 20_000;
    for (let i = 0; i < draws; i++) counts[sampleFromProbabilities(probs, generator)]++;
    counts.forEach((count, token) => expect(Math.abs(count / draws - probs[token])).toBeLessThan(0.012));
    expect(counts[probs.findIndex((p) => p === 0)]).toBe(0);
  });

  it('sampleNextTokens picks per row; greedy needs no generator', async () => {
    const logits = tensor([[0, 5, 1], [7, 0, 1]]);
    expect(await sampleNextTokens(logits, { temperature: 0 }, null)).toEqual([1, 0]);
    await expect(sampleNextTokens(logits, {}, null)).rejects.toThrow(/needs a PhiloxGenerator/);
    const a = await sampleNextTokens(logits, { temperature: 2 }, new PhiloxGenerator(5));
    expect(await sampleNextTokens(logits, { temperature: 2 }, new PhiloxGenerator(5))).toEqual(a);
    logits.dispose();
  });
});

describe('decodeTokens', () => {
  /** A toy model: next token = (previous + 1) mod 5 with certainty, starting from `start` per row. */
  const counter = (start: number[]) => (previous: number[] | null) => {
    const next = previous ? previous.map((t) => (t + 1) % 5) : start;
    return tensor(next.map((token) => Array.from({ length: 5 }, (_, i) => (i === token ? 10 : 0))));
  };

  it('yields one token per row per step and stops at maxNewTokens', async () => {
    const steps: number[][] = [];
    for await (const tokens of decodeTokens(counter([0, 2]), { maxNewTokens: 4, temperature: 0 })) steps.push(tokens);
    expect(steps).toEqual([[0, 2], [1, 3], [2, 4], [3, 0]]);
  });

  it('a row that produced a stop token repeats it; the loop ends when every row has stopped', async () => {
    const steps: number[][] = [];
    for await (const tokens of decodeTokens(counter([1, 3]), { maxNewTokens: 10, temperature: 0, stopTokens: [4] })) steps.push(tokens);
    expect(steps).toEqual([[1, 3], [2, 4], [3, 4], [4, 4]]);
  });

  it('frees every logits tensor, also when the consumer breaks early', async () => {
    const before = memory().tensors;
    for await (const [token] of decodeTokens(counter([0]), { maxNewTokens: 10, temperature: 1, seed: 1 })) if (token === 3) break;
    expect(memory().tensors).toBe(before);
  });

  it('the same seed gives the same tokens; greedy leaves the global stream alone', async () => {
    const uniform = () => tensor([Array.from({ length: 50 }, () => 0)]);
    const run = async (seed?: number) => {
      const out: number[] = [];
      for await (const [token] of decodeTokens(uniform, { maxNewTokens: 30, seed })) out.push(token);
      return out;
    };
    expect(await run(9)).toEqual(await run(9));
    expect(await run(9)).not.toEqual(await run(10));
    manualSeed(4);
    const unseeded = await run();
    manualSeed(4);
    for await (const tokens of decodeTokens(counter([0]), { maxNewTokens: 3, temperature: 0 })) void tokens;
    expect(await run()).toEqual(unseeded);
  });

  it('rejects bad options before calling the model', async () => {
    const calls: unknown[] = [];
    const model = (previous: number[] | null) => {
      calls.push(previous);
      return zeros([1, 3]);
    };
    await expect(decodeTokens(model, { maxNewTokens: -1 }).next()).rejects.toThrow(/maxNewTokens must be a non-negative integer/);
    await expect(decodeTokens(model, { maxNewTokens: 2, seed: 1.5 }).next()).rejects.toThrow(/seed must be a non-negative safe integer/);
    await expect(decodeTokens(model, { maxNewTokens: 2, stopTokens: [0.5] }).next()).rejects.toThrow(/stopTokens/);
    expect(calls).toEqual([]);
  });
});

describe('beamSearch (shared by every decoder)', () => {
  it('passes each beam’s tokens so far and runs maxLength tokens without eos', async () => {
    const seen: number[][][] = [];
    const step = (lastTokens: number[], state: Tensor, sequences: readonly number[][]) => {
      seen.push(sequences.map((s) => [...s]));
      // Token 1 is always best, token 0 second.
      return { logProbs: tensor(lastTokens.map(() => [Math.log(0.3), Math.log(0.6), Math.log(0.1)])), state: state.add(0) };
    };
    const state = zeros([1, 2]);
    const before = memory().tensors;
    const [best, second] = await beamSearch(step, state, { beamWidth: 2, maxLength: 3, bos: 2, stateBatchDim: 0 });
    expect(memory().tensors).toBe(before);
    expect(best.tokens).toEqual([1, 1, 1]);
    expect(best.logProb).toBeCloseTo(3 * Math.log(0.6), 6);
    expect(second.tokens).toEqual([1, 1, 0]);
    expect(seen[0]).toEqual([[]]);
    expect(seen[2]).toEqual([[1, 1], [1, 0]]);
    state.dispose();
  });
});
