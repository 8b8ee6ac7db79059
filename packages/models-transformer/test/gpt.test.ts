import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { DTypeError, manualSeed, memory, noGrad, randn, ShapeError, tensor, ValueError, type Tensor } from '@tessera/core';
import { F } from '@tessera/nn';
import { AdamW } from '@tessera/optim';
import { GPT, cacheLength, type GPTOptions } from '../src/index';
import { maxDeviation } from './helpers';

const small: GPTOptions = { vocabSize: 11, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 8 };
const ids = (rows: number[][]) => tensor(rows, { dtype: 'int32' });

async function std(t: Tensor): Promise<{ mean: number; std: number }> {
  const values = Array.from(await t.data(), Number);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) };
}

describe('GPT parameters follow nanoGPT / GPT-2', () => {
  it('names as nanoGPT, lm_head.weight tied to transformer.wte.weight', () => {
    const gpt = new GPT({ ...small, nLayer: 1 });
    const state = gpt.stateDict();
    expect(Object.entries(state).map(([key, value]) => [key, value.shape])).toEqual([
      ['transformer.wte.weight', [11, 8]],
      ['transformer.wpe.weight', [16, 8]],
      ['transformer.h.0.ln_1.weight', [8]],
      ['transformer.h.0.ln_1.bias', [8]],
      ['transformer.h.0.attn.c_attn.weight', [24, 8]],
      ['transformer.h.0.attn.c_attn.bias', [24]],
      ['transformer.h.0.attn.c_proj.weight', [8, 8]],
      ['transformer.h.0.attn.c_proj.bias', [8]],
      ['transformer.h.0.ln_2.weight', [8]],
      ['transformer.h.0.ln_2.bias', [8]],
      ['transformer.h.0.mlp.c_fc.weight', [32, 8]],
      ['transformer.h.0.mlp.c_fc.bias', [32]],
      ['transformer.h.0.mlp.c_proj.weight', [8, 32]],
      ['transformer.h.0.mlp.c_proj.bias', [8]],
      ['transformer.ln_f.weight', [8]],
      ['transformer.ln_f.bias', [8]],
      ['lm_head.weight', [11, 8]],
    ]);
    expect(state['lm_head.weight']).toBe(state['transformer.wte.weight']);
    // The tied weight is one parameter: V·C + P·C + L·(12C² + 13C) + 2C.
    expect(gpt.parameters()).toHaveLength(16);
    expect(gpt.numParameters()).toBe(11 * 8 + 16 * 8 + (12 * 64 + 13 * 8) + 2 * 8);
    gpt.dispose();
  });

  it('bias: false drops every bias (linear layers and layer norms), as nanoGPT', () => {
    const gpt = new GPT({ ...small, bias: false });
    expect(Object.keys(gpt.stateDict()).filter((key) => key.endsWith('.bias'))).toEqual([]);
    expect(gpt.numParameters()).toBe(11 * 8 + 16 * 8 + 2 * (12 * 64 + 2 * 8) + 8);
    gpt.dispose();
  });

  it('initialises as nanoGPT: N(0, 0.02), c_proj N(0, 0.02/√(2·nLayer)), zero biases, unit norms', async () => {
    manualSeed(3);
    const gpt = new GPT({ vocabSize: 64, blockSize: 64, nLayer: 2, nHead: 2, nEmbd: 64 });
    const state = gpt.stateDict();
    for (const key of ['transformer.wte.weight', 'transformer.wpe.weight', 'transformer.h.0.attn.c_attn.weight', 'transformer.h.1.mlp.c_fc.weight']) {
      const { mean, std: s } = await std(state[key]);
      expect(Math.abs(mean), key).toBeLessThan(0.002);
      expect(s / 0.02, key).toBeCloseTo(1, 1);
    }
    for (const key of ['transformer.h.0.attn.c_proj.weight', 'transformer.h.1.mlp.c_proj.weight']) expect((await std(state[key])).std / (0.02 / 2), key).toBeCloseTo(1, 1);
    expect(await state['transformer.h.0.attn.c_attn.bias'].abs().sum().item()).toBe(0);
    expect(Array.from(await state['transformer.h.1.ln_2.weight'].data())).toEqual(new Array(64).fill(1));
    gpt.dispose();
  });

  it('parameterGroups: weight decay on the 2-D weights only, as nanoGPT’s configure_optimizers; AdamW takes them', () => {
    const gpt = new GPT(small);
    const [decay, noDecay] = gpt.parameterGroups(0.1);
    expect(decay.weightDecay).toBe(0.1);
    expect(noDecay.weightDecay).toBe(0);
    expect(decay.params.every((p) => p.ndim === 2)).toBe(true);
    expect(noDecay.params.every((p) => p.ndim === 1)).toBe(true);
    expect(decay.params).toHaveLength(2 + 2 * 4);
    expect(new Set([...decay.params, ...noDecay.params])).toEqual(new Set(gpt.parameters()));
    const optimizer = new AdamW(gpt.parameterGroups(0.1), { lr: 1e-3 });
    expect(optimizer.paramGroups.map((group) => group.weightDecay)).toEqual([0.1, 0]);
    gpt.dispose();
  });
});

describe('GPT.forward', () => {
  it('logits [B, T, vocab]; loss is the mean cross-entropy against the given targets (−1 ignored); ≈ ln(vocab) at init', async () => {
    manualSeed(1);
    const gpt = new GPT({ ...small, vocabSize: 50 });
    const x = ids([[1, 2, 3, 4], [5, 6, 7, 8]]);
    const y = ids([[2, 3, 4, -1], [6, 7, 8, 9]]);
    const { logits, loss } = gpt.forward(x, { targets: y });
    expect(logits.shape).toEqual([2, 4, 50]);
    const expected = F.crossEntropy(logits.reshape([8, 50]), y.reshape([8]), { ignoreIndex: -1 });
    expect(await loss!.item()).toBeCloseTo(await expected.item(), 6);
    expect(Math.abs((await loss!.item()) - Math.log(50))).toBeLessThan(0.1);
    expect(gpt.forward(x).loss).toBeUndefined();
    gpt.dispose();
  });

  it('is causal: a later token never changes the logits of an earlier position', async () => {
    const gpt = new GPT(small);
    const a = gpt.forward(ids([[1, 2, 3, 4, 5]])).logits;
    const b = gpt.forward(ids([[1, 2, 3, 9, 0]])).logits;
    expect(await maxDeviation(a.narrow(1, 0, 3), b.narrow(1, 0, 3))).toBeLessThan(1e-6);
    expect(await maxDeviation(a.narrow(1, 3, 1), b.narrow(1, 3, 1))).toBeGreaterThan(1e-4);
    gpt.dispose();
  });

  it('forwardCached over chunks (bottom-right causal mask) and single tokens equals the full forward', async () => {
    const gpt = new GPT({ ...small, dtype: 'float64' });
    const sequence = [[3, 1, 4, 1, 5, 9, 2, 6, 5, 3], [2, 7, 1, 8, 2, 8, 1, 8, 2, 8]];
    const full = gpt.forward(sequence).logits;
    const { first, chunk, last } = noGrad(() => {
      const first = gpt.forwardCached(ids(sequence.map((row) => row.slice(0, 4))), null);
      const chunk = gpt.forwardCached(ids(sequence.map((row) => row.slice(4, 9))), first.cache);
      const last = gpt.forwardCached(ids(sequence.map((row) => row.slice(9))), chunk.cache, { lastPositionOnly: true });
      return { first, chunk, last };
    });
    expect(cacheLength(chunk.cache)).toBe(9);
    expect(cacheLength(last.cache)).toBe(10);
    expect(last.logits.shape).toEqual([2, 11]);
    expect(await maxDeviation(first.logits, full.narrow(1, 0, 4))).toBeLessThan(1e-12);
    expect(await maxDeviation(chunk.logits, full.narrow(1, 4, 5))).toBeLessThan(1e-12);
    expect(await maxDeviation(last.logits, full.narrow(1, 9, 1).reshape([2, 11]))).toBeLessThan(1e-12);
    gpt.dispose();
  });

  it('the tied weight gets the gradient of both its uses (finite differences, float64)', async () => {
    manualSeed(5);
    const gpt = new GPT({ ...small, dtype: 'float64' });
    const x = ids([[1, 2, 3, 4, 5, 6]]);
    const y = ids([[2, 3, 4, 5, 6, 7]]);
    const { loss } = gpt.forward(x, { targets: y });
    loss!.backward();
    const wte = gpt.transformer.wte.weight;
    const grad = await wte.grad!.data();
    const original = await wte.data();
    const h = 1e-6;
    for (const flat of [2 * 8 + 3, 7 * 8 + 1, 10 * 8 + 5]) {
      // Row 2 is an input token (embedding path) and a target; row 7 a target only; row 10 neither.
      const at = (delta: number) => {
        const values = Float64Array.from(original);
        values[flat] += delta;
        noGrad(() => wte.assign(tensor(values, { dtype: 'float64', shape: wte.shape })));
        return noGrad(() => gpt.forward(x, { targets: y }).loss!.itemSync());
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      noGrad(() => wte.assign(tensor(original, { dtype: 'float64', shape: wte.shape })));
      expect(Math.abs(numeric - Number(grad[flat]))).toBeLessThan(1e-7);
    }
    gpt.dispose();
  });

  it('dropout acts in training mode only', async () => {
    manualSeed(2);
    const gpt = new GPT({ ...small, dropout: 0.5 });
    const x = ids([[1, 2, 3]]);
    const [a, b] = [gpt.forward(x).logits, gpt.forward(x).logits];
    expect(await maxDeviation(a, b)).toBeGreaterThan(1e-3);
    gpt.eval();
    const [c, d] = [gpt.forward(x).logits, gpt.forward(x).logits];
    expect(await maxDeviation(c, d)).toBe(0);
    gpt.dispose();
  });
});

describe('GPT errors name the problem', () => {
  const gpt = new GPT(small);

  it('an id out of range names the id, its position and the vocabulary size', () => {
    expect(() => gpt.forward(ids([[1, 2], [3, 11]]))).toThrow(ValueError);
    expect(() => gpt.forward(ids([[1, 2], [3, 11]]))).toThrow('GPT.forward: token id 11 at [1, 1] of ids is out of range for vocabSize 11: ids must be in [0, 10]');
    expect(() => gpt.forward([[-1]])).toThrow(/token id -1 at \[0, 0\]/);
    expect(() => gpt.forward([[1]], { targets: [[12]] })).toThrow(/token id 12 at \[0, 0\] of targets is out of range for vocabSize 11: ids must be in \[0, 10\] \(or -1 to ignore a position\)/);
  });

  it('a sequence longer than blockSize says how to crop it', () => {
    expect(() => gpt.forward([Array.from({ length: 17 }, () => 1)])).toThrow(ShapeError);
    expect(() => gpt.forward([Array.from({ length: 17 }, () => 1)])).toThrow('sequence length 17 exceeds blockSize 16; crop the input to its last 16 tokens');
  });

  it('non-integer ids, wrong ranks and dtypes, mismatched targets', async () => {
    expect(() => gpt.forward(tensor([[1, 2.5]]))).toThrow('GPT.forward: ids must be integer token ids, got 2.5 at [0, 1]');
    const fromFloat = gpt.forward(tensor([[1, 2]])).logits;
    const fromInt = gpt.forward(ids([[1, 2]])).logits;
    expect(await maxDeviation(fromFloat, fromInt)).toBe(0);
    expect(() => gpt.forward(tensor([1, 2], { dtype: 'int32' }))).toThrow('GPT.forward: ids must be 2-D [batch, time], got shape [2]');
    expect(() => gpt.forward(tensor([[true]]))).toThrow(DTypeError);
    expect(() => gpt.forward([[1, 2]], { targets: [[1]] })).toThrow('GPT.forward: targets must have the shape of ids [1, 2], got [1, 1]');
    expect(() => gpt.forward([[1, 2], [3]])).toThrow(/rows of ids must have the same length/);
  });

  it('bad hyperparameters', () => {
    expect(() => new GPT({ ...small, nHead: 3 })).toThrow('GPT: nEmbd 8 must be divisible by nHead 3');
    expect(() => new GPT({ ...small, vocabSize: 0 })).toThrow('GPT: vocabSize must be a positive integer, got 0');
    expect(() => new GPT({ ...small, dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
  });

  it('frees what it makes: a forward without gradients or targets leaves only the logits', () => {
    const before = memory().tensors;
    const { logits } = noGrad(() => gpt.forward([[1, 2, 3]]));
    expect(memory().tensors).toBe(before + 1);
    logits.dispose();
    expect(memory().tensors).toBe(before);
    // Each block part on its own, outside any tidy, leaves only its output.
    const x = randn([1, 3, 8]);
    const start = memory().tensors;
    for (const part of [gpt.blocks[0], gpt.blocks[0].attn, gpt.blocks[0].mlp]) {
      const y = noGrad(() => part.forward(x));
      expect(memory().tensors, part.constructor.name).toBe(start + 1);
      y.dispose();
    }
    x.dispose();
  });
});
