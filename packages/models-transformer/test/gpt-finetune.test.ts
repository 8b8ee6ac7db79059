import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { manualSeed, noGrad, tensor, type Tensor } from '@tessera/core';
import { AdamW } from '@tessera/optim';
import { GPT, type GPT2Config } from '../src/index';
import { maxDeviation } from './helpers';

const fixtureUrl = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

describe('fine-tuning the tiny GPT-2 checkpoint (AdamW, cpu) and writing it back', () => {
  it('the loss falls over a few AdamW steps; toGPT2 writes the fine-tuned weights, which load back exactly', async () => {
    const config = JSON.parse(readFileSync(fixtureUrl('gpt2-tiny/config.json'), 'utf8')) as GPT2Config;
    const gpt = GPT.fromGPT2(new Uint8Array(readFileSync(fixtureUrl('gpt2-tiny/model.safetensors'))), config, { dropout: 0.1 });
    // A short text as byte-like ids (printable ASCII − 32 fits the 97-token vocabulary).
    const text = 'To be, or not to be, that is the question: whether tis nobler in the mind to suffer. ';
    const ids = Array.from(text, (c) => c.charCodeAt(0) - 32);
    const block = 24;
    const batch = (starts: number[]): [Tensor, Tensor] => [
      tensor(starts.map((s) => ids.slice(s, s + block)), { dtype: 'int32' }),
      tensor(starts.map((s) => ids.slice(s + 1, s + block + 1)), { dtype: 'int32' }),
    ];
    const [x, y] = batch([0, 20, 40, 60]);
    const lossOf = () => noGrad(() => gpt.eval().forward(x, { targets: y }).loss!.itemSync());
    const initial = lossOf();

    manualSeed(0);
    gpt.train();
    const optimizer = new AdamW(gpt.parameterGroups(0.01), { lr: 3e-3 });
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      const { logits, loss } = gpt.forward(x, { targets: y });
      losses.push(await loss!.item());
      optimizer.zeroGrad();
      loss!.backward();
      optimizer.step();
      loss!.dispose();
      logits.dispose();
    }
    optimizer.dispose();
    const final = lossOf();
    expect(final).toBeLessThan(initial * 0.8);
    expect(losses.at(-1)!).toBeLessThan(losses[0]);

    const { weights, config: written } = await gpt.toGPT2();
    const reloaded = GPT.fromGPT2(weights, written);
    const original = GPT.fromGPT2(new Uint8Array(readFileSync(fixtureUrl('gpt2-tiny/model.safetensors'))), config);
    const [tuned, back, before] = noGrad(() => [gpt.eval().forward(x).logits, reloaded.forward(x).logits, original.forward(x).logits]);
    expect(await maxDeviation(back, tuned)).toBe(0);
    expect(await maxDeviation(before, tuned)).toBeGreaterThan(0.01);
    [tuned, back, before, x, y].forEach((t) => t.dispose());
    [gpt, reloaded, original].forEach((m) => m.dispose());
  });
});
