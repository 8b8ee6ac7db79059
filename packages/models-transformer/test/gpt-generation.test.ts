import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { isTensor, manualSeed, memory, noGrad, tensor, tidy, ValueError } from '@tessera/core';
import { GPT, type GPT2Config } from '../src/index';

const fixtureUrl = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
/** The tiny GPT-2 of make_gpt2_fixture.py: vocab 97, blockSize 64, logits spread wide (no near ties). */
const tiny = () =>
  GPT.fromGPT2(
    new Uint8Array(readFileSync(fixtureUrl('gpt2-tiny/model.safetensors'))),
    JSON.parse(readFileSync(fixtureUrl('gpt2-tiny/config.json'), 'utf8')) as GPT2Config,
  );
const prompt = [5, 17, 42, 8, 93, 1];

describe('GPT.generate: cached and uncached decoding give identical tokens', () => {
  const gpt = tiny();

  it('greedy, within and across the blockSize window (the cache is recomputed when the window slides)', async () => {
    for (const maxNewTokens of [20, 64]) {
      const cached = await gpt.generate(prompt, { maxNewTokens, temperature: 0 });
      const uncached = await gpt.generate(prompt, { maxNewTokens, temperature: 0, useCache: false });
      expect(cached).toHaveLength(prompt.length + maxNewTokens);
      expect(cached).toEqual(uncached);
    }
  });

  it('seeded sampling with temperature, topK and topP', async () => {
    for (const options of [{ temperature: 1 }, { temperature: 0.7, topK: 10 }, { temperature: 1.3, topP: 0.9 }, { topK: 20, topP: 0.8 }]) {
      const cached = await gpt.generate(prompt, { maxNewTokens: 62, seed: 7, ...options });
      expect(await gpt.generate(prompt, { maxNewTokens: 62, seed: 7, useCache: false, ...options })).toEqual(cached);
    }
  });

  it('on a fresh nanoGPT-initialised model in training mode with dropout (generation runs in eval mode and restores it)', async () => {
    manualSeed(0);
    const fresh = new GPT({ vocabSize: 65, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0.2 });
    const cached = await fresh.generate([[1, 2, 3], [4, 5, 6]], { maxNewTokens: 30, seed: 3 });
    expect(await fresh.generate([[1, 2, 3], [4, 5, 6]], { maxNewTokens: 30, seed: 3, useCache: false })).toEqual(cached);
    expect(fresh.training).toBe(true);
    fresh.dispose();
  });
});

describe('GPT.generate semantics', () => {
  const gpt = tiny();

  it('returns prompt + new tokens in the form given: number[], number[][], a [B, T + n] or [T + n] int32 tensor', async () => {
    const single = await gpt.generate(prompt, { maxNewTokens: 5, temperature: 0 });
    expect(single.slice(0, prompt.length)).toEqual(prompt);
    const batch = await gpt.generate([prompt, [9, 9, 9, 9, 9, 9]], { maxNewTokens: 5, temperature: 0 });
    expect(batch[0]).toEqual(single);
    expect(batch[1]).toEqual(await gpt.generate([9, 9, 9, 9, 9, 9], { maxNewTokens: 5, temperature: 0 }));
    const fromTensor = await gpt.generate(tensor([prompt], { dtype: 'int32' }), { maxNewTokens: 5, temperature: 0 });
    expect(isTensor(fromTensor) && fromTensor.dtype).toBe('int32');
    expect(fromTensor.shape).toEqual([1, prompt.length + 5]);
    expect(await fromTensor.array()).toEqual([single]);
    const flat = await gpt.generate(tensor(prompt, { dtype: 'int32' }), { maxNewTokens: 5, temperature: 0 });
    expect(flat.shape).toEqual([prompt.length + 5]);
    [fromTensor, flat].forEach((t) => t.dispose());
  });

  it('greedy is the argmax of the model’s last logits at every step', async () => {
    const out = await gpt.generate(prompt, { maxNewTokens: 6, temperature: 0 });
    for (let step = 0; step < 6; step++) {
      const context = out.slice(0, prompt.length + step);
      const argmax = noGrad(() => tidy(() => gpt.forward([context]).logits.narrow(1, context.length - 1, 1).reshape([97]).argmax()));
      const last = await argmax.item();
      argmax.dispose();
      expect(out[prompt.length + step]).toBe(last);
    }
  });

  it('seeds: the same seed repeats, another differs, no seed follows manualSeed', async () => {
    const run = (seed?: number) => gpt.generate(prompt, { maxNewTokens: 30, temperature: 1, seed });
    expect(await run(1)).toEqual(await run(1));
    expect(await run(1)).not.toEqual(await run(2));
    manualSeed(11);
    const a = await run();
    manualSeed(11);
    expect(await run()).toEqual(a);
  });

  it('stops after a stop token (which is kept); other rows of a batch pad with their stop token', async () => {
    const free = await gpt.generate(prompt, { maxNewTokens: 20, temperature: 0 });
    const stop = free[prompt.length + 3];
    const firstStop = free.indexOf(stop, prompt.length);
    const stopped = await gpt.generate(prompt, { maxNewTokens: 20, temperature: 0, stopTokens: [stop] });
    expect(stopped).toEqual(free.slice(0, firstStop + 1));
    const [row] = await gpt.generate([prompt, prompt], { maxNewTokens: 20, temperature: 0, stopTokens: [stop] });
    expect(row).toEqual(stopped);
  });

  it('streams the tokens generate produces, and stops generating when the loop breaks', async () => {
    const expected = await gpt.generate(prompt, { maxNewTokens: 12, temperature: 0.8, seed: 4 });
    const streamed: number[] = [];
    for await (const token of gpt.stream(prompt, { maxNewTokens: 12, temperature: 0.8, seed: 4 })) streamed.push(token);
    expect([...prompt, ...streamed]).toEqual(expected);
    const before = memory().tensors;
    const early: number[] = [];
    for await (const token of gpt.stream(prompt, { maxNewTokens: 12, temperature: 0.8, seed: 4 })) {
      early.push(token);
      if (early.length === 3) break;
    }
    expect(early).toEqual(streamed.slice(0, 3));
    expect(memory().tensors).toBe(before);
  });

  it('leaks no tensor over a 200-token generation, cached or not, across the window', async () => {
    for (const useCache of [true, false]) {
      const before = memory();
      await gpt.generate(prompt, { maxNewTokens: 200, temperature: 0.9, topK: 30, seed: 1, useCache });
      const after = memory();
      expect(after.tensors).toBe(before.tensors);
      expect(after.bytesInUse).toBe(before.bytesInUse);
    }
  });

  it('errors', async () => {
    await expect(gpt.generate(prompt, { maxNewTokens: -1 })).rejects.toThrow('GPT.generate: maxNewTokens must be a non-negative integer, got -1');
    await expect(gpt.generate(prompt, { maxNewTokens: 2, temperature: -0.5 })).rejects.toThrow(/GPT.generate: temperature must be a finite number ≥ 0/);
    await expect(gpt.generate([1, 97], { maxNewTokens: 2 })).rejects.toThrow('GPT.generate: token id 97 at [0, 1] of ids is out of range for vocabSize 97');
    await expect(gpt.generate([], { maxNewTokens: 2 })).rejects.toThrow(ValueError);
    await expect(gpt.generate([1.5], { maxNewTokens: 2 })).rejects.toThrow(/integer token ids, got 1.5/);
    await expect(gpt.stream([[1], [2]], { maxNewTokens: 2 }).next()).rejects.toThrow(/streams one sequence, got a batch of 2/);
    await expect(gpt.generate(prompt, { maxNewTokens: 2, useCache: 'yes' as unknown as boolean })).rejects.toThrow(/useCache must be a boolean/);
    expect(await gpt.generate(prompt, { maxNewTokens: 0 })).toEqual(prompt);
  });
});

describe('GPT.beamSearch (nn’s beamSearch over the KV cache)', () => {
  const gpt = tiny();

  /** log P(continuation | prompt) from full forward passes. */
  async function logProbOf(context: number[], continuation: number[]): Promise<number> {
    let total = 0;
    const sequence = [...context];
    for (const token of continuation) {
      const window = sequence.slice(-64);
      const logProbs = noGrad(() => tidy(() => gpt.forward([window]).logits.narrow(1, window.length - 1, 1).reshape([97]).logSoftmax(-1)));
      total += Number((await logProbs.data())[token]);
      logProbs.dispose();
      sequence.push(token);
    }
    return total;
  }

  it('beamWidth 1 is greedy; a wider beam finds a sequence at least as probable; log-probabilities are exact', async () => {
    const greedy = (await gpt.generate(prompt, { maxNewTokens: 8, temperature: 0 })).slice(prompt.length);
    const [one] = await gpt.beamSearch(prompt, { beamWidth: 1, maxNewTokens: 8 });
    expect(one.tokens).toEqual(greedy);
    const [best] = await gpt.beamSearch(prompt, { beamWidth: 5, maxNewTokens: 8 });
    expect(best.tokens).toHaveLength(8);
    expect(best.logProb).toBeGreaterThanOrEqual(one.logProb - 1e-6);
    expect(best.logProb).toBeCloseTo(await logProbOf(prompt, best.tokens), 4);
    expect(one.logProb).toBeCloseTo(await logProbOf(prompt, greedy), 4);
  });

  it('cached and uncached beams agree, also when the context crosses blockSize; no tensor leaks', async () => {
    const longPrompt = Array.from({ length: 60 }, (_, i) => (i * 37) % 97);
    const before = memory().tensors;
    const cached = await gpt.beamSearch(longPrompt, { beamWidth: 3, maxNewTokens: 10 });
    const uncached = await gpt.beamSearch(longPrompt, { beamWidth: 3, maxNewTokens: 10, useCache: false });
    expect(memory().tensors).toBe(before);
    expect(cached.map((h) => h.tokens)).toEqual(uncached.map((h) => h.tokens));
    cached.forEach((h, i) => expect(h.logProb).toBeCloseTo(uncached[i].logProb, 4));
    expect(cached[0].logProb).toBeCloseTo(await logProbOf(longPrompt, cached[0].tokens), 4);
  });

  it('ends hypotheses at eos, which is left out of the tokens', async () => {
    const greedy = (await gpt.generate(prompt, { maxNewTokens: 8, temperature: 0 })).slice(prompt.length);
    const [one] = await gpt.beamSearch(prompt, { beamWidth: 1, maxNewTokens: 8, eos: greedy[2] });
    expect(one.tokens).toEqual(greedy.slice(0, 2));
  });
});
