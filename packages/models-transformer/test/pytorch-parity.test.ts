import { afterAll, describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import type { Tensor } from '@tessera/core';
import { LayerNorm, type Module } from '@tessera/nn';
import {
  MultiHeadAttention, RotaryEmbedding, Transformer, TransformerEncoder, TransformerEncoderLayer,
  type MultiHeadAttentionOptions, type MultiHeadAttentionForwardOptions, type TransformerOptions,
} from '../src/index';
import { expectClose, fixture, stateDictOf } from './helpers';

// Float64 end to end: only rounding separates Tessera from PyTorch.
const TOLERANCE = 1e-10;
const worst: Record<string, number> = {};

afterAll(() => {
  // The largest deviation from PyTorch per fixture, for the record (vitest prints it with --reporter=verbose).
  console.log('max |Tessera − PyTorch| per fixture:', worst);
});

/** Compare one tensor and remember the worst deviation of the fixture. */
async function check(name: string, actual: Tensor, expected: Tensor): Promise<void> {
  const deviation = await expectClose(actual, expected, TOLERANCE);
  worst[name] = Math.max(worst[name] ?? 0, deviation);
}

/** Load the fixture's weights, run `run`, backpropagate Σ output·dy, compare outputs and every gradient. */
async function checkCase(
  name: string,
  module: Module,
  record: Record<string, Tensor>,
  inputNames: string[],
  run: (inputs: Record<string, Tensor>) => Record<string, Tensor>,
): Promise<void> {
  module.loadStateDict(stateDictOf(record, module.stateDict()));
  const inputs = Object.fromEntries(inputNames.map((key) => [key, record[`x.${key}`].detach().requiresGrad_()]));
  const outputs = run(inputs);
  expect(Object.keys(outputs).sort()).toEqual(Object.keys(record).filter((key) => key.startsWith('y.')).map((key) => key.slice(2)).sort());
  let objective: Tensor | null = null;
  for (const [key, output] of Object.entries(outputs)) {
    await check(name, output, record[`y.${key}`]);
    const term = output.mul(record[`dy.${key}`]).sum();
    objective = objective ? objective.add(term) : term;
  }
  objective!.backward();
  for (const key of inputNames) await check(name, inputs[key].grad!, record[`grad.${key}`]);
  for (const [key, parameter] of module.namedParameters()) await check(name, parameter.grad!, record[`grad.${key}`]);
}

/** The fixture's mask (bool or float64) or undefined. */
function mask(record: Record<string, Tensor>, key: string): Tensor | undefined {
  return record[`mask.${key}`];
}

interface MhaConfig {
  embedDim: number;
  numHeads: number;
  options: MultiHeadAttentionOptions;
  forward: MultiHeadAttentionForwardOptions;
}

describe('MultiHeadAttention matches torch.nn.MultiheadAttention (float64): outputs, weights, input and parameter gradients', () => {
  const cases: [string, string][] = [
    ['mha-self', 'self-attention, sequence-first, bool causal mask + bool key padding, averaged weights'],
    ['mha-cross-kvdim', 'cross-attention, batchFirst, kdim/vdim (separate q/k/v weights), 3-D float mask, per-head weights'],
    ['mha-unbatched-bias-kv', 'unbatched 2-D inputs, bias_k/bias_v, zero attention slot, 3-D bool mask [heads, L, S]'],
    ['mha-no-bias', 'no biases, batchFirst, float (additive) key padding mask, needWeights false'],
  ];
  for (const [name, description] of cases) {
    it(`${name}: ${description}`, async () => {
      const { record, config } = fixture<MhaConfig>(name);
      const mha = new MultiHeadAttention(config.embedDim, config.numHeads, { ...config.options, dtype: 'float64' });
      const selfAttention = !record['x.key'];
      await checkCase(name, mha, record, selfAttention ? ['query'] : ['query', 'key', 'value'], (x) => {
        const [query, key, value] = selfAttention ? [x.query, x.query, x.query] : [x.query, x.key, x.value];
        const [output, weights] = mha.forward(query, key, value, {
          ...config.forward,
          attnMask: mask(record, 'attn_mask'),
          keyPaddingMask: mask(record, 'key_padding_mask'),
        });
        if (config.forward.needWeights === false) expect(weights).toBeNull();
        const outputs: Record<string, Tensor> = { output };
        if (weights) outputs.weights = weights;
        return outputs;
      });
    });
  }
});

describe('Transformer matches torch.nn.Transformer (2 + 2 layers, float64, every mask)', () => {
  for (const name of ['transformer-post-relu', 'transformer-pre-gelu']) {
    it(`${name}: output, src/tgt gradients and every parameter gradient`, async () => {
      const { record, config } = fixture<TransformerOptions>(name);
      const model = new Transformer({ ...config, dtype: 'float64' });
      expect(Object.keys(model.stateDict())).toEqual(Object.keys(record).filter((key) => !/^(x|y|dy|mask|grad)\./.test(key)));
      await checkCase(name, model, record, ['src', 'tgt'], ({ src, tgt }) => ({
        output: model.forward(src, tgt, {
          srcMask: mask(record, 'src_mask'),
          tgtMask: mask(record, 'tgt_mask'),
          memoryMask: mask(record, 'memory_mask'),
          srcKeyPaddingMask: mask(record, 'src_key_padding_mask'),
          tgtKeyPaddingMask: mask(record, 'tgt_key_padding_mask'),
          memoryKeyPaddingMask: mask(record, 'memory_key_padding_mask'),
        }),
      }));
    });
  }
});

describe('TransformerEncoder matches torch.nn.TransformerEncoder (float64)', () => {
  it('2 cloned gelu layers + final LayerNorm, bool mask and key padding', async () => {
    const { record, config } = fixture<{ dModel: number; nhead: number; numLayers: number; layerNormEps: number } & TransformerOptions>('encoder');
    const layer = new TransformerEncoderLayer(config.dModel, config.nhead, { ...config, dtype: 'float64' });
    const encoder = new TransformerEncoder(layer, config.numLayers, { norm: new LayerNorm(config.dModel, { eps: config.layerNormEps, dtype: 'float64' }) });
    await checkCase('encoder', encoder, record, ['src'], ({ src }) => ({
      output: encoder.forward(src, { mask: mask(record, 'mask'), srcKeyPaddingMask: mask(record, 'src_key_padding_mask') }),
    }));
  });
});

describe('RotaryEmbedding matches Llama\'s rotate_half / apply_rotary_pos_emb written in PyTorch', () => {
  const { record, config } = fixture<{ headDim: number; cases: Record<string, { base: number; offset: number }> }>('rope');
  for (const [tag, { base, offset }] of Object.entries(config.cases)) {
    it(`base ${base}, offset ${offset}: q and k [B, heads, T, headDim]`, async () => {
      const rope = new RotaryEmbedding(config.headDim, { base, maxLen: 16, dtype: 'float64' });
      const [q, k] = rope.apply(record[`${tag}.q`], record[`${tag}.k`], { offset });
      await check('rope', q, record[`${tag}.q_out`]);
      await check('rope', k, record[`${tag}.k_out`]);
    });
  }
});
