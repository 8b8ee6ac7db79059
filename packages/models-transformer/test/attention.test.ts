import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { DTypeError, ShapeError, ValueError, cat, scaledDotProductAttention as coreScaledDotProductAttention, manualSeed, memory, noGrad, ones, randn, tensor, tidy, zeros } from '@tessera/core';
import { MultiHeadAttention, scaledDotProductAttention } from '../src/index';
import { maxDeviation } from './helpers';

const f64 = { dtype: 'float64' } as const;

describe('MultiHeadAttention parameters follow torch.nn.MultiheadAttention', () => {
  it('packed in_proj_weight [3E, E] when kdim = vdim = embedDim, in PyTorch\'s key order', () => {
    const shapes = Object.entries(new MultiHeadAttention(8, 2).stateDict()).map(([key, value]) => [key, value.shape]);
    expect(shapes).toEqual([['in_proj_weight', [24, 8]], ['in_proj_bias', [24]], ['out_proj.weight', [8, 8]], ['out_proj.bias', [8]]]);
  });

  it('separate q/k/v weights when kdim or vdim differ; bias_k and bias_v with addBiasKV', () => {
    const shapes = Object.entries(new MultiHeadAttention(8, 2, { kdim: 3, vdim: 5, addBiasKV: true }).stateDict()).map(([key, value]) => [key, value.shape]);
    expect(shapes).toEqual([
      ['q_proj_weight', [8, 8]], ['k_proj_weight', [8, 3]], ['v_proj_weight', [8, 5]], ['in_proj_bias', [24]],
      ['bias_k', [1, 1, 8]], ['bias_v', [1, 1, 8]], ['out_proj.weight', [8, 8]], ['out_proj.bias', [8]],
    ]);
  });

  it('bias: false has neither in_proj_bias nor out_proj.bias', () => {
    expect(Object.keys(new MultiHeadAttention(4, 2, { bias: false }).stateDict())).toEqual(['in_proj_weight', 'out_proj.weight']);
  });

  it('initialisation: Xavier-uniform in_proj_weight (bound √(6/(E + 3E))), zero biases', async () => {
    manualSeed(7);
    const mha = new MultiHeadAttention(16, 4);
    const weights = Array.from(await mha.in_proj_weight!.data());
    const bound = Math.sqrt(6 / (16 + 48));
    expect(Math.max(...weights.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...weights.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    expect(Array.from(await mha.in_proj_bias!.data()).every((b) => b === 0)).toBe(true);
    expect(Array.from(await mha.out_proj.bias!.data()).every((b) => b === 0)).toBe(true);
  });
});

describe('MultiHeadAttention shapes, as PyTorch', () => {
  const mha = new MultiHeadAttention(8, 2, f64);
  const batchFirst = new MultiHeadAttention(8, 2, { ...f64, batchFirst: true });
  batchFirst.loadStateDict(mha.stateDict());

  it('sequence-first [L, B, E] → output [L, B, E], averaged weights [B, L, S]', () => {
    const [output, weights] = mha.forward(randn([3, 2, 8], f64), randn([5, 2, 8], f64), randn([5, 2, 8], f64));
    expect(output.shape).toEqual([3, 2, 8]);
    expect(weights!.shape).toEqual([2, 3, 5]);
  });

  it('per-head weights [B, heads, L, S] without averaging; null without needWeights', () => {
    const x = randn([3, 2, 8], f64);
    expect(mha.forward(x, x, x, { averageAttnWeights: false })[1]!.shape).toEqual([2, 2, 3, 3]);
    expect(mha.forward(x, x, x, { needWeights: false })[1]).toBeNull();
  });

  it('batchFirst gives the transposed result of sequence-first on the same weights', async () => {
    const [q, k] = [randn([2, 3, 8], f64), randn([2, 4, 8], f64)];
    const [output, weights] = batchFirst.forward(q, k, k);
    const [reference, referenceWeights] = mha.forward(q.transpose(0, 1), k.transpose(0, 1), k.transpose(0, 1));
    expect(await maxDeviation(output, reference.transpose(0, 1))).toBeLessThan(1e-14);
    expect(await maxDeviation(weights!, referenceWeights!)).toBeLessThan(1e-14);
  });

  it('unbatched 2-D inputs give the batch-of-one result without the batch dim', async () => {
    const [q, k] = [randn([3, 8], f64), randn([4, 8], f64)];
    const [output, weights] = mha.forward(q, k, k);
    const [reference, referenceWeights] = mha.forward(q.unsqueeze(1), k.unsqueeze(1), k.unsqueeze(1));
    expect(output.shape).toEqual([3, 8]);
    expect(weights!.shape).toEqual([3, 4]);
    expect(await maxDeviation(output, reference.squeeze(1))).toBeLessThan(1e-14);
    expect(await maxDeviation(weights!, referenceWeights!.squeeze(0))).toBeLessThan(1e-14);
  });
});

describe('MultiHeadAttention masks', () => {
  const mha = new MultiHeadAttention(8, 2, { ...f64, batchFirst: true });

  it('weights are a distribution over the keys that are not masked', async () => {
    const x = randn([2, 4, 8], f64);
    const padding = tensor([[false, false, true, false], [false, false, false, false]]);
    const [, weights] = mha.forward(x, x, x, { keyPaddingMask: padding });
    const rows = (await weights!.sum(-1).array()) as number[][];
    rows.flat().forEach((total) => expect(total).toBeCloseTo(1, 12));
    const masked = (await weights!.select(0, 0).select(-1, 2).array()) as number[];
    expect(masked.every((w) => w === 0)).toBe(true);
  });

  it('a bool mask (true = hidden) equals the additive float mask with −∞ there', async () => {
    const x = randn([2, 4, 8], f64);
    const hidden = tensor([[false, true, true, false], [false, false, true, true], [true, false, false, false], [false, false, false, true]]);
    const additive = zeros([4, 4], f64).maskedFill(hidden, -Infinity);
    const [a, wa] = mha.forward(x, x, x, { attnMask: hidden });
    const [b, wb] = mha.forward(x, x, x, { attnMask: additive });
    expect(await maxDeviation(a, b)).toBe(0);
    expect(await maxDeviation(wa!, wb!)).toBe(0);
  });

  it('isCausal equals an explicit upper-triangular mask, and a padded key equals a removed key', async () => {
    const x = randn([2, 4, 8], f64);
    const causal = ones([4, 4], { dtype: 'bool' }).triu(1);
    const [a] = mha.forward(x, x, x, { isCausal: true });
    const [b] = mha.forward(x, x, x, { attnMask: causal });
    expect(await maxDeviation(a, b)).toBe(0);

    const memory = randn([1, 5, 8], f64);
    const query = randn([1, 3, 8], f64);
    const [padded] = mha.forward(query, memory, memory, { keyPaddingMask: tensor([[false, false, false, true, true]]) });
    const kept = memory.narrow(1, 0, 3);
    const [removed] = mha.forward(query, kept, kept);
    expect(await maxDeviation(padded, removed)).toBeLessThan(1e-14);
  });

  it('a 3-D mask [B·heads, L, S] masks each batch entry and head separately', async () => {
    const x = randn([2, 3, 8], f64);
    const perHead = randn([4, 3, 3], f64);
    const [, weights] = mha.forward(x, x, x, { attnMask: perHead, averageAttnWeights: false });
    // Changing the mask of entry 2 = (batch 1, head 0) changes that head's weights and no other's.
    const changed = cat([perHead.narrow(0, 0, 2), perHead.narrow(0, 2, 1).mul(3), perHead.narrow(0, 3, 1)], 0);
    const [, after] = mha.forward(x, x, x, { attnMask: changed, averageAttnWeights: false });
    expect(await maxDeviation(after!.select(0, 0), weights!.select(0, 0))).toBe(0);
    expect(await maxDeviation(after!.select(0, 1).select(0, 1), weights!.select(0, 1).select(0, 1))).toBe(0);
    expect(await maxDeviation(after!.select(0, 1).select(0, 0), weights!.select(0, 1).select(0, 0))).toBeGreaterThan(1e-6);
  });

  it('a row whose keys are all masked gives zero weights and a zero attention output (no NaN), and finite gradients', async () => {
    const x = randn([1, 3, 8], f64).requiresGrad_();
    const [output, weights] = mha.forward(x, x, x, { keyPaddingMask: tensor([[true, true, true]]) });
    expect(Array.from(await weights!.data()).every((w) => w === 0)).toBe(true);
    // out_proj of a zero attention output is out_proj.bias (zero at initialisation).
    expect(Array.from(await output.data()).every((v) => v === 0)).toBe(true);
    output.sum().backward();
    expect(Array.from(await x.grad!.data()).every(Number.isFinite)).toBe(true);
  });

  it('needWeights: false (core\'s scaledDotProductAttention) gives the output of the weights path, masked rows included', async () => {
    const x = randn([2, 4, 8], f64);
    const options = {
      attnMask: tensor([[false, true, true, true], [false, false, true, true], [false, false, false, true], [false, false, false, false]]),
      keyPaddingMask: tensor([[false, false, false, true], [true, true, true, true]]),
    };
    const [withWeights] = mha.forward(x, x, x, options);
    const [fused, none] = mha.forward(x, x, x, { ...options, needWeights: false });
    expect(none).toBeNull();
    expect(await maxDeviation(fused, withWeights)).toBeLessThan(1e-14);
    expect(scaledDotProductAttention).toBe(coreScaledDotProductAttention);
  });

  it('dropout drops attention weights in training only', async () => {
    const dropping = new MultiHeadAttention(8, 2, { ...f64, batchFirst: true, dropout: 0.5 });
    const x = randn([2, 6, 8], f64);
    const [, trainWeights] = dropping.forward(x, x, x, { averageAttnWeights: false });
    expect(Array.from(await trainWeights!.data()).some((w) => w === 0)).toBe(true);
    dropping.eval();
    const [, evalWeights] = dropping.forward(x, x, x, { averageAttnWeights: false });
    expect(Array.from(await evalWeights!.data()).some((w) => w === 0)).toBe(false);
  });

  it('frees every intermediate tensor', () => {
    const x = randn([2, 3, 8], f64);
    const padding = tensor([[false, false, true], [false, false, false]]);
    const before = memory().tensors;
    noGrad(() => tidy(() => {
      mha.forward(x, x, x, { keyPaddingMask: padding, isCausal: true });
    }));
    expect(memory().tensors).toBe(before);
  });
});

describe('MultiHeadAttention errors name the module, the shapes and what was expected', () => {
  const mha = new MultiHeadAttention(8, 2, { ...f64, batchFirst: true });
  const x = randn([2, 3, 8], f64);

  it('embedDim not divisible by numHeads', () => {
    expect(() => new MultiHeadAttention(10, 3)).toThrow(ValueError);
    expect(() => new MultiHeadAttention(10, 3)).toThrow(/MultiHeadAttention: embedDim 10 is not divisible by numHeads 3/);
  });

  it('wrong feature sizes of query, key and value', () => {
    expect(() => mha.forward(randn([2, 3, 6], f64), x, x)).toThrow(/MultiHeadAttention\.forward: query has 6 features .*\[2, 3, 6\].*embedDim = 8/);
    const kv = new MultiHeadAttention(8, 2, { ...f64, kdim: 4, vdim: 5, batchFirst: true });
    expect(() => kv.forward(x, randn([2, 3, 5], f64), randn([2, 3, 5], f64))).toThrow(/key has 5 features .*kdim = 4/);
  });

  it('mismatched ranks, batch sizes and key/value lengths', () => {
    expect(() => mha.forward(x, randn([3, 8], f64), randn([3, 8], f64))).toThrow(ShapeError);
    expect(() => mha.forward(x, randn([3, 3, 8], f64), randn([3, 3, 8], f64))).toThrow(/same batch size/);
    expect(() => mha.forward(x, randn([2, 4, 8], f64), randn([2, 5, 8], f64))).toThrow(/key and value must have the same length/);
    expect(() => mha.forward(randn([8], f64), x, x)).toThrow(/query must be 2-D or 3-D/);
  });

  it('mask shapes: 2-D [L, S], 3-D [B·numHeads, L, S], key padding [B, S]', () => {
    expect(() => mha.forward(x, x, x, { attnMask: zeros([3, 4], f64) })).toThrow(/attnMask must have shape \[3, 3\].*got \[3, 4\]/);
    expect(() => mha.forward(x, x, x, { attnMask: zeros([2, 3, 3], f64) })).toThrow(/3-D attnMask must have shape \[4, 3, 3\] \(\[batch·numHeads, queries, keys\] = \[2·2, 3, 3\]\), got \[2, 3, 3\]/);
    expect(() => mha.forward(x, x, x, { keyPaddingMask: zeros([2, 4], { dtype: 'bool' }) })).toThrow(/keyPaddingMask must have shape \[2, 3\]/);
  });

  it('dtypes: inputs like the parameters, masks bool or the same float', () => {
    expect(() => mha.forward(randn([2, 3, 8]), x, x)).toThrow(DTypeError);
    expect(() => mha.forward(randn([2, 3, 8]), x, x)).toThrow(/query is float32, but the module's parameters are float64/);
    expect(() => mha.forward(x, x, x, { attnMask: zeros([3, 3], { dtype: 'int32' }) })).toThrow(/attnMask must be bool or an additive float64 mask.*int32/);
    expect(() => mha.forward(x, x, x, { keyPaddingMask: zeros([2, 3]) })).toThrow(/keyPaddingMask must be bool or an additive float64 mask.*float32/);
  });
});
