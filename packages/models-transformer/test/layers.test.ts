import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { ShapeError, ValueError, memory, noGrad, randn, tensor, tidy, type Tensor } from '@tessera/core';
import { LayerNorm, Linear } from '@tessera/nn';
import {
  Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer, generateSquareSubsequentMask,
} from '../src/index';
import { maxDeviation } from './helpers';

const f64 = { dtype: 'float64' } as const;
const small = { dimFeedforward: 16, dropout: 0, ...f64 } as const;

describe('generateSquareSubsequentMask', () => {
  it('is 0 on and below the diagonal and −∞ above, as PyTorch\'s', async () => {
    expect(await generateSquareSubsequentMask(3).array()).toEqual([
      [0, -Infinity, -Infinity],
      [0, 0, -Infinity],
      [0, 0, 0],
    ]);
    expect(Transformer.generateSquareSubsequentMask(2, f64).dtype).toBe('float64');
  });
});

describe('TransformerEncoder and TransformerDecoder stack copies of a layer (PyTorch\'s _get_clones)', () => {
  it('the clones start equal, are independent tensors, and do not include the layer passed in', async () => {
    const layer = new TransformerEncoderLayer(8, 2, small);
    const encoder = new TransformerEncoder(layer, 3);
    const [first, second] = [...encoder.layers] as TransformerEncoderLayer[];
    expect(first).not.toBe(layer);
    expect(first.linear1.weight).not.toBe(second.linear1.weight);
    expect(await maxDeviation(first.linear1.weight, second.linear1.weight)).toBe(0);
    expect(await maxDeviation(first.self_attn.in_proj_weight!, layer.self_attn.in_proj_weight!)).toBe(0);
    noGrad(() => first.linear1.weight.add_(1));
    expect(await maxDeviation(second.linear1.weight, layer.linear1.weight)).toBe(0);
  });

  it('clone() keeps requiresGrad flags and training mode', () => {
    const layer = new TransformerDecoderLayer(8, 2, small);
    layer.self_attn.freeze();
    layer.eval();
    const copy = layer.clone();
    expect(copy.self_attn.in_proj_weight!.requiresGrad).toBe(false);
    expect(copy.linear1.weight.requiresGrad).toBe(true);
    expect(copy.modules().every((m) => !m.training)).toBe(true);
  });

  it('a factory (index) => layer builds each layer itself', () => {
    const made: number[] = [];
    const decoder = new TransformerDecoder((index) => {
      made.push(index);
      return new TransformerDecoderLayer(8, 2, small);
    }, 2, { norm: new LayerNorm(8, f64) });
    expect(made).toEqual([0, 1]);
    expect(Object.keys(decoder.stateDict()).filter((key) => key.startsWith('norm'))).toEqual(['norm.weight', 'norm.bias']);
  });

  it('a layer without clone() is refused with the two accepted forms', () => {
    expect(() => new TransformerEncoder(new Linear(2, 2) as never, 2)).toThrow(/expected a layer with a clone\(\) method .* or a factory/);
    expect(() => new TransformerEncoder(new TransformerEncoderLayer(8, 2, small), 0)).toThrow(/numLayers must be a positive integer/);
  });
});

describe('Transformer', () => {
  it('has PyTorch\'s state-dict keys', () => {
    const model = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 });
    const layer = (prefix: string, attentions: string[], norms: number) => [
      ...attentions.flatMap((a) => [`${prefix}.${a}.in_proj_weight`, `${prefix}.${a}.in_proj_bias`, `${prefix}.${a}.out_proj.weight`, `${prefix}.${a}.out_proj.bias`]),
      `${prefix}.linear1.weight`, `${prefix}.linear1.bias`, `${prefix}.linear2.weight`, `${prefix}.linear2.bias`,
      ...Array.from({ length: norms }, (_, i) => [`${prefix}.norm${i + 1}.weight`, `${prefix}.norm${i + 1}.bias`]).flat(),
    ];
    expect(Object.keys(model.stateDict())).toEqual([
      ...layer('encoder.layers.0', ['self_attn'], 2), 'encoder.norm.weight', 'encoder.norm.bias',
      ...layer('decoder.layers.0', ['self_attn', 'multihead_attn'], 3), 'decoder.norm.weight', 'decoder.norm.bias',
    ]);
  });

  it('re-draws every matrix Xavier-uniform, so the layers no longer start equal; bias: false drops every bias', async () => {
    const model = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16 });
    const state = model.stateDict();
    expect(await maxDeviation(state['encoder.layers.0.linear1.weight'], state['encoder.layers.1.linear1.weight'])).toBeGreaterThan(0.01);
    const bound = Math.sqrt(6 / (8 + 16));
    expect(Math.max(...Array.from(await state['encoder.layers.0.linear1.weight'].data()).map(Math.abs))).toBeLessThanOrEqual(bound);
    const noBias = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, bias: false });
    expect(Object.keys(noBias.stateDict()).filter((key) => key.includes('bias'))).toEqual([]);
  });

  const model = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 2, ...small });
  const batchFirst = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 2, batchFirst: true, ...small });
  batchFirst.loadStateDict(model.stateDict());

  it('batchFirst and sequence-first agree on the same weights; unbatched equals a batch of one', async () => {
    const [src, tgt] = [randn([2, 5, 8], f64), randn([2, 4, 8], f64)];
    const out = batchFirst.forward(src, tgt);
    expect(out.shape).toEqual([2, 4, 8]);
    expect(await maxDeviation(out, model.forward(src.transpose(0, 1), tgt.transpose(0, 1)).transpose(0, 1))).toBeLessThan(1e-13);
    const single = model.forward(src.select(0, 0), tgt.select(0, 0));
    expect(single.shape).toEqual([4, 8]);
    expect(await maxDeviation(single, out.select(0, 0))).toBeLessThan(1e-13);
  });

  it('tgtIsCausal equals tgtMask = generateSquareSubsequentMask, and a causal decoder ignores later targets', async () => {
    const [src, tgt] = [randn([2, 5, 8], f64), randn([2, 4, 8], f64)];
    const masked = batchFirst.forward(src, tgt, { tgtMask: generateSquareSubsequentMask(4, f64) });
    expect(await maxDeviation(batchFirst.forward(src, tgt, { tgtIsCausal: true }), masked)).toBe(0);
    const changedLast = tgt.narrow(1, 0, 3).clone();
    const prefix = batchFirst.forward(src, changedLast, { tgtIsCausal: true });
    expect(await maxDeviation(prefix, masked.narrow(1, 0, 3))).toBeLessThan(1e-13);
  });

  it('padded source positions do not change the output', async () => {
    const [src, tgt] = [randn([2, 5, 8], f64), randn([2, 4, 8], f64)];
    const padding = tensor([[false, false, false, true, true], [false, false, false, false, false]]);
    const options = { srcKeyPaddingMask: padding, memoryKeyPaddingMask: padding };
    const out = batchFirst.forward(src, tgt, options);
    const noise = randn([2, 5, 8], f64).mul(tensor([[[0], [0], [0], [1], [1]], [[0], [0], [0], [0], [0]]], f64));
    expect(await maxDeviation(batchFirst.forward(src.add(noise), tgt, options), out)).toBeLessThan(1e-13);
  });

  it('dropout makes training runs differ; evaluation is deterministic', async () => {
    const dropping = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0.3, ...f64 });
    const [src, tgt] = [randn([5, 2, 8], f64), randn([4, 2, 8], f64)];
    expect(await maxDeviation(dropping.forward(src, tgt), dropping.forward(src, tgt))).toBeGreaterThan(1e-6);
    dropping.eval();
    expect(await maxDeviation(dropping.forward(src, tgt), dropping.forward(src, tgt))).toBe(0);
  });

  it('a custom activation function is used in every feed-forward block', async () => {
    const calls: number[] = [];
    const layer = new TransformerEncoderLayer(8, 2, { ...small, activation: (x: Tensor) => { calls.push(x.shape[x.ndim - 1]); return x.tanh(); } });
    new TransformerEncoder(layer, 2).forward(randn([3, 1, 8], f64));
    expect(calls).toEqual([16, 16]);
  });

  it('frees every intermediate tensor of a forward pass', () => {
    const [src, tgt] = [randn([2, 5, 8], f64), randn([2, 4, 8], f64)];
    const padding = tensor([[false, false, false, true, true], [false, false, false, false, false]]);
    const before = memory().tensors;
    noGrad(() => tidy(() => {
      batchFirst.forward(src, tgt, { srcKeyPaddingMask: padding, tgtIsCausal: true });
    }));
    expect(memory().tensors).toBe(before);
  });

  it('errors name the module, the shapes and what was expected', () => {
    expect(() => new Transformer({ dModel: 10, nhead: 4 })).toThrow(/TransformerEncoderLayer: dModel 10 is not divisible by nhead 4/);
    expect(() => new TransformerEncoderLayer(8, 2, { activation: 'swish' as never })).toThrow(ValueError);
    expect(() => batchFirst.forward(randn([2, 5, 8], f64), randn([3, 4, 8], f64))).toThrow(/Transformer\.forward: src and tgt must have the same batch size \(dim 0, batchFirst\), got shapes \[2, 5, 8\] and \[3, 4, 8\]/);
    expect(() => batchFirst.forward(randn([2, 5, 6], f64), randn([2, 4, 8], f64))).toThrow(/features of src .* must equal dModel = 8/);
    expect(() => batchFirst.forward(randn([2, 5, 8], f64), randn([4, 8], f64))).toThrow(ShapeError);
    const layer = new TransformerEncoderLayer(8, 2, small);
    expect(() => layer.forward(randn([3, 2, 4], f64))).toThrow(/TransformerEncoderLayer\.forward: src has 4 features .*dModel = 8/);
    expect(() => layer.forward(randn([3, 2, 8], f64), { srcMask: randn([3, 4], f64) })).toThrow(/attnMask must have shape \[3, 3\]/);
  });
});
