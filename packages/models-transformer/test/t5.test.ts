import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { loadSafetensors, parseSafetensors, serializeSafetensors, ShapeError, tensor, type SafetensorsEntry, type Tensor } from '@tessera/core';
import { T5Model } from '../src/t5/t5-model';
import { shiftRight, T5ForConditionalGeneration } from '../src/t5/t5-for-conditional-generation';
import { relativePositionBucket } from '../src/t5/relative-position';
import type { T5Config } from '../src/t5/config';
import { maxDeviation } from './helpers';

// Two tiny random T5s in Hugging Face's layout and their float64 outputs, written by
// test/fixtures/make_t5_fixture.py (PyTorch 1.13): t5-tiny (ReLU, tied head, 8 buckets, max distance
// 20, 2 encoder / 3 decoder blocks) and t5-tiny-gated (gated-GELU, untied head, 32 buckets, 128).
const here = (path: string) => new URL(`./fixtures/${path}`, import.meta.url);
const CASES = ['t5-tiny', 't5-tiny-gated'] as const;
const fixtures = Object.fromEntries(
  CASES.map((name) => [
    name,
    {
      weights: new Uint8Array(readFileSync(here(`${name}/model.safetensors`))),
      config: JSON.parse(readFileSync(here(`${name}/config.json`), 'utf8')) as T5Config,
      reference: loadSafetensors(new Uint8Array(readFileSync(here(`${name}-reference.safetensors`)))),
    },
  ]),
) as Record<(typeof CASES)[number], { weights: Uint8Array; config: T5Config; reference: Record<string, Tensor> }>;

const worst: Record<string, number> = {};
afterAll(() => {
  console.log('max |Tessera − PyTorch| per output:', worst);
});

async function expectNear(name: string, actual: Tensor, expected: Tensor, tolerance: number): Promise<void> {
  const deviation = await maxDeviation(actual, expected.cast(actual.dtype));
  worst[name] = Math.max(worst[name] ?? 0, deviation);
  expect(deviation, name).toBeLessThan(tolerance);
}

function rows(t: Tensor): number[][] {
  const [batch, time] = t.shape;
  const flat = Array.from(t.dataSync(), Number);
  return Array.from({ length: batch }, (_, b) => flat.slice(b * time, (b + 1) * time));
}

function rewrite(weights: Uint8Array, change: (tensors: Record<string, SafetensorsEntry>) => Record<string, SafetensorsEntry>): Uint8Array {
  return serializeSafetensors(change({ ...parseSafetensors(weights).tensors }), { format: 'pt' });
}

describe('T5 matches the PyTorch reference (Hugging Face layout)', () => {
  for (const name of CASES) {
    const { weights, config, reference } = fixtures[name];
    for (const [dtype, tolerance] of [['float64', 1e-10], ['float32', 1e-4]] as const) {
      it(`${name}: encoder states, logits and loss with labels shifted right (${dtype})`, async () => {
        const t5 = T5ForConditionalGeneration.fromPretrained(weights, config, { dtype }).eval();
        const out = t5.forward(reference.input_ids, { attentionMask: reference.attention_mask, labels: reference.labels });
        await expectNear(`${name} encoder_last_hidden_state ${dtype}`, out.encoderLastHiddenState, reference.encoder_last_hidden_state, tolerance);
        await expectNear(`${name} logits ${dtype}`, out.logits, reference.logits, tolerance);
        await expectNear(`${name} loss ${dtype}`, out.loss!, reference.loss, tolerance);
      });
    }

    it(`${name}: T5Model's decoder output; decoderInputIds given = labels shifted right`, async () => {
      const t5 = T5Model.fromPretrained(weights, config, { dtype: 'float64' }).eval();
      const { lastHiddenState } = t5.forward(reference.input_ids, { attentionMask: reference.attention_mask, decoderInputIds: reference.decoder_input_ids });
      await expectNear(`${name} decoder_last_hidden_state`, lastHiddenState, reference.decoder_last_hidden_state, 1e-10);
      expect(rows(shiftRight(reference.labels, 0, 0))).toEqual(rows(reference.decoder_input_ids));
    });

    it(`${name}: relative position buckets equal Hugging Face's for offsets −300 … 300`, () => {
      const relative = Array.from({ length: 601 }, (_, i) => i - 300);
      const table = (key: string) => Array.from(reference[key].dataSync(), Number);
      const numBuckets = config.relative_attention_num_buckets!;
      const maxDistance = config.relative_attention_max_distance!;
      expect(relative.map((r) => relativePositionBucket(r, { bidirectional: true, numBuckets, maxDistance }))).toEqual(table('buckets.bidirectional'));
      expect(relative.map((r) => relativePositionBucket(r, { bidirectional: false, numBuckets, maxDistance }))).toEqual(table('buckets.causal'));
      expect(relative.map((r) => relativePositionBucket(r, { bidirectional: true, numBuckets: 32, maxDistance: 128 }))).toEqual(table('buckets.default.bidirectional'));
      expect(relative.map((r) => relativePositionBucket(r, { bidirectional: false, numBuckets: 32, maxDistance: 128 }))).toEqual(table('buckets.default.causal'));
    });

    for (const dtype of ['float64', 'float32'] as const) {
      it(`${name}: greedy generation equals PyTorch's greedy loop, cached (${dtype})`, async () => {
        const t5 = T5ForConditionalGeneration.fromPretrained(weights, config, { dtype });
        const out = (await t5.generate(rows(reference.input_ids), { maxNewTokens: 10, attentionMask: reference.attention_mask, eosTokenId: null })) as number[][];
        expect(out.map((row) => row.slice(1))).toEqual(rows(reference.greedy));
        expect(out.map((row) => row[0])).toEqual([0, 0]); // decoder_start_token_id first, as Hugging Face returns it
      });
    }
  }
});

describe('T5 generation', () => {
  const { weights, config, reference } = fixtures['t5-tiny'];
  const t5 = T5ForConditionalGeneration.fromPretrained(weights, config, { dtype: 'float64' });
  const ids = rows(reference.input_ids);
  const attentionMask = reference.attention_mask;

  it('the cache gives the tokens of recomputing the decoder every step: greedy, sampling, beam search', async () => {
    for (const options of [{}, { temperature: 1.2, topK: 20, seed: 5 }, { temperature: 0.9, topP: 0.9, seed: 11 }, { numBeams: 3 }, { numBeams: 4, lengthPenalty: 1 }]) {
      const cached = await t5.generate(ids, { maxNewTokens: 9, attentionMask, eosTokenId: 38, ...options });
      const uncached = await t5.generate(ids, { maxNewTokens: 9, attentionMask, eosTokenId: 38, useCache: false, ...options });
      expect(cached, JSON.stringify(options)).toEqual(uncached);
    }
  });

  it('rows end at eos and are padded after it, in Hugging Face\'s layout; a tensor in gives a tensor out', async () => {
    // Row 1's greedy continuation is 6, 6, 6, 38, …: with eos 38 it stops after four tokens.
    expect(rows(reference.greedy)[1].slice(0, 4)).toEqual([6, 6, 6, 38]);
    const out = (await t5.generate(ids, { maxNewTokens: 10, attentionMask, eosTokenId: 38 })) as number[][];
    expect(out[1]).toEqual([0, 6, 6, 6, 38, ...new Array(6).fill(0)]);
    expect(out[0]).toEqual([0, ...rows(reference.greedy)[0]]);
    const asTensor = (await t5.generate(reference.input_ids, { maxNewTokens: 4, attentionMask, eosTokenId: 38 })) as Tensor;
    expect(asTensor.dtype).toBe('int32');
    expect(rows(asTensor)).toEqual([out[0].slice(0, 5), out[1].slice(0, 5)]);
    // One sequence in, one sequence out.
    expect(await t5.generate(ids[0], { maxNewTokens: 3, eosTokenId: null })).toEqual([0, ...rows(reference.greedy)[0].slice(0, 3)]);
  });

  it('one beam is greedy; more beams find a sequence at least as probable as greedy', async () => {
    const greedy = (await t5.generate([ids[0]], { maxNewTokens: 6, eosTokenId: null })) as number[][];
    expect(await t5.generate([ids[0]], { maxNewTokens: 6, eosTokenId: null, numBeams: 1 })).toEqual(greedy);
    const beams = (await t5.generate([ids[0]], { maxNewTokens: 6, eosTokenId: null, numBeams: 4 })) as number[][];
    const logProb = (sequence: number[]) => {
      const labels = [sequence.slice(1)];
      const { logits } = t5.eval().forward([ids[0]], { decoderInputIds: [sequence.slice(0, -1)] });
      const logProbs = logits.logSoftmax(-1);
      return labels[0].reduce((sum, token, t) => sum + logProbs.select(0, 0).select(0, t).select(0, token).itemSync(), 0);
    };
    expect(logProb(beams[0])).toBeGreaterThanOrEqual(logProb(greedy[0]) - 1e-12);
  });

  it('rejects bad options by name', async () => {
    await expect(t5.generate(ids, { maxNewTokens: 0 })).rejects.toThrow(/maxNewTokens must be a positive integer/);
    await expect(t5.generate(ids, { maxNewTokens: 3, numBeams: 2, temperature: 1 })).rejects.toThrow(/beam search \(numBeams 2\) is deterministic/);
    await expect(t5.generate(ids, { maxNewTokens: 3, eosTokenId: 64 })).rejects.toThrow(/eosTokenId must be a token id in \[0, 63\]/);
    await expect(t5.generate([[1, 64]], { maxNewTokens: 3 })).rejects.toThrow(/token id 64/);
  });
});

describe('T5 checkpoints as Hugging Face writes them', () => {
  const { weights, config, reference } = fixtures['t5-tiny'];
  const gated = fixtures['t5-tiny-gated'];
  async function logitsDeviation(bytes: Uint8Array, cfg = config, ref = reference): Promise<number> {
    const t5 = T5ForConditionalGeneration.fromPretrained(bytes, cfg, { dtype: 'float64' }).eval();
    return maxDeviation(t5.forward(ref.input_ids, { attentionMask: ref.attention_mask, labels: ref.labels }).logits, ref.logits);
  }

  it('the tied copies stored (encoder/decoder.embed_tokens, lm_head) or only one of them load the same model', async () => {
    const all = rewrite(weights, (t) => ({ ...t, 'encoder.embed_tokens.weight': t['shared.weight'], 'decoder.embed_tokens.weight': t['shared.weight'], 'lm_head.weight': t['shared.weight'] }));
    expect(await logitsDeviation(all)).toBeLessThan(1e-10);
    const encoderCopyOnly = rewrite(weights, (t) => {
      const { 'shared.weight': shared, ...rest } = t;
      return { ...rest, 'encoder.embed_tokens.weight': shared };
    });
    expect(await logitsDeviation(encoderCopyOnly)).toBeLessThan(1e-10);
    // The cross-attention bias of old files is ignored, as Hugging Face ignores it.
    const old = rewrite(weights, (t) => ({ ...t, 'decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight': t['decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight'] }));
    expect(await logitsDeviation(old)).toBeLessThan(1e-10);
    // A T5ForConditionalGeneration file into T5Model: lm_head is ignored.
    expect(() => T5Model.fromPretrained(gated.weights, gated.config)).not.toThrow();
  });

  it('stateDict keys are Hugging Face\'s; the tied head and embed_tokens share shared.weight', () => {
    const t5 = new T5ForConditionalGeneration(config);
    const keys = Object.keys(t5.stateDict());
    for (const key of [
      'shared.weight', 'encoder.embed_tokens.weight', 'decoder.embed_tokens.weight', 'lm_head.weight',
      'encoder.block.0.layer.0.SelfAttention.q.weight', 'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight',
      'encoder.block.1.layer.0.SelfAttention.o.weight', 'encoder.block.1.layer.0.layer_norm.weight', 'encoder.block.1.layer.1.DenseReluDense.wi.weight',
      'encoder.block.1.layer.1.DenseReluDense.wo.weight', 'encoder.block.1.layer.1.layer_norm.weight', 'encoder.final_layer_norm.weight',
      'decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight', 'decoder.block.2.layer.1.EncDecAttention.k.weight',
      'decoder.block.2.layer.1.layer_norm.weight', 'decoder.block.2.layer.2.DenseReluDense.wi.weight', 'decoder.final_layer_norm.weight',
    ]) expect(keys).toContain(key);
    expect(keys.filter((key) => key.includes('relative_attention_bias'))).toEqual(['encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight', 'decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight']);
    expect(keys.some((key) => key.endsWith('.bias') && !key.includes('relative_attention_bias'))).toBe(false); // no biases anywhere
    expect(t5.lm_head.weight).toBe(t5.shared.weight);
    expect(Object.keys(new T5ForConditionalGeneration(gated.config).stateDict())).toContain('decoder.block.0.layer.2.DenseReluDense.wi_1.weight');
  });

  it('errors name the tensor, the shapes and the config field', () => {
    const untied = rewrite(gated.weights, (t) => {
      const { 'lm_head.weight': _, ...rest } = t;
      return rest;
    });
    expect(() => T5ForConditionalGeneration.fromPretrained(untied, gated.config)).toThrow(/lack 1 tensor of T5ForConditionalGeneration: lm_head\.weight/);
    const noEmbedding = rewrite(weights, (t) => {
      const { 'shared.weight': _, ...rest } = t;
      return rest;
    });
    expect(() => T5ForConditionalGeneration.fromPretrained(noEmbedding, config)).toThrow(/shared\.weight \(or encoder\.embed_tokens\.weight or decoder\.embed_tokens\.weight\)/);
    expect(() => T5ForConditionalGeneration.fromPretrained(weights, { ...config, num_decoder_layers: 2 })).toThrow(/decoder blocks 0 … 2 but config\.num_decoder_layers is 2/);
    expect(() => T5ForConditionalGeneration.fromPretrained(weights, { ...config, d_ff: 50 })).toThrow(ShapeError);
    expect(() => T5ForConditionalGeneration.fromPretrained(weights, { ...config, d_ff: 50 })).toThrow(/'encoder\.block\.0\.layer\.1\.DenseReluDense\.wi\.weight' has shape \[48, 32\], expected \[50, 32\]/);
    expect(() => T5ForConditionalGeneration.fromPretrained(weights, { ...config, vocab_size: 65 })).toThrow(/'shared\.weight' has shape \[64, 32\], expected \[65, 32\]/);
    expect(() => T5ForConditionalGeneration.fromPretrained(weights, { ...config, feed_forward_proj: 'gated-gelu' })).toThrow(/unexpected tensors for T5ForConditionalGeneration: encoder\.block\.0\.layer\.1\.DenseReluDense\.wi\.weight.*; the weights lack 10 tensors of T5ForConditionalGeneration: encoder\.block\.0\.layer\.1\.DenseReluDense\.wi_0\.weight/);
    expect(() => new T5Model({ ...config, feed_forward_proj: 'double-gelu' })).toThrow(/feed_forward_proj 'double-gelu' is not valid/);
    const t5 = new T5ForConditionalGeneration(config);
    expect(() => t5.forward([[5, 6]])).toThrow(/pass labels .* or decoderInputIds/);
    expect(() => t5.forward([[5, 6]], { labels: [[5, 6]], attentionMask: [[1, 1, 1]] })).toThrow(/attentionMask must have the shape of input ids \[1, 2\], got \[1, 3\]/);
    expect(() => t5.forward([[5, 6]], { labels: [[5, 64]] })).toThrow(/token id 64 .* of labels/);
  });
});

describe('T5 trains', () => {
  it('the loss ignores −100 labels, and gradients reach the shared embedding and both position-bias tables', async () => {
    const { weights, config, reference } = fixtures['t5-tiny'];
    const t5 = T5ForConditionalGeneration.fromPretrained(weights, config, { dtype: 'float64' }).eval();
    const labels = tensor([[7, -100, -100, 9, -100, -100, -100], [-100, -100, -100, -100, -100, -100, -100]], { dtype: 'int32' });
    const { logits, loss } = t5.forward(reference.input_ids, { attentionMask: reference.attention_mask, labels, decoderInputIds: reference.decoder_input_ids });
    const logProbs = logits.select(0, 0).logSoftmax(-1);
    expect(await maxDeviation(loss!, logProbs.select(0, 0).select(0, 7).add(logProbs.select(0, 3).select(0, 9)).div(-2))).toBeLessThan(1e-12);
    loss!.backward();
    for (const [name, parameter] of t5.namedParameters()) {
      if (name.includes('relative_attention_bias') || name === 'shared.weight') expect(await parameter.grad!.abs().sum().item(), name).toBeGreaterThan(0);
    }
  });
});
