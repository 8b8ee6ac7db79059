import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { loadSafetensors, parseSafetensors, serializeSafetensors, ShapeError, tensor, ValueError, type SafetensorsEntry, type Tensor } from '@tessera/core';
import { BertModel } from '../src/bert/bert-model';
import { BertForMaskedLM } from '../src/bert/bert-for-masked-lm';
import { BertForPreTraining } from '../src/bert/bert-for-pre-training';
import { BertForSequenceClassification } from '../src/bert/bert-for-sequence-classification';
import type { BertConfig } from '../src/bert/config';
import { maxDeviation } from './helpers';

// A tiny random BERT in Hugging Face's BertForPreTraining layout and its float64 outputs, written by
// test/fixtures/make_bert_fixture.py (PyTorch 1.13).
const here = (path: string) => new URL(`./fixtures/${path}`, import.meta.url);
const weights = new Uint8Array(readFileSync(here('bert-tiny/model.safetensors')));
const config = JSON.parse(readFileSync(here('bert-tiny/config.json'), 'utf8')) as BertConfig;
const reference = loadSafetensors(new Uint8Array(readFileSync(here('bert-tiny-reference.safetensors'))));

const worst: Record<string, number> = {};
afterAll(() => {
  console.log('max |Tessera − PyTorch| per output (float32 / float64 parameters):', worst);
});

async function expectNear(name: string, actual: Tensor, expected: Tensor, tolerance: number): Promise<void> {
  const deviation = await maxDeviation(actual, expected.cast(actual.dtype));
  worst[name] = Math.max(worst[name] ?? 0, deviation);
  expect(deviation, name).toBeLessThan(tolerance);
}

const inputs = () => ({ tokenTypeIds: reference.token_type_ids, attentionMask: reference.attention_mask });

/** The checkpoint's tensors as plain entries, to write variants of the file. */
function entries(bytes: Uint8Array): Record<string, SafetensorsEntry> {
  return { ...parseSafetensors(bytes).tensors };
}

function rewrite(change: (tensors: Record<string, SafetensorsEntry>) => Record<string, SafetensorsEntry>): Uint8Array {
  return serializeSafetensors(change(entries(weights)), { format: 'pt' });
}

describe('BERT matches the PyTorch reference (Hugging Face layout)', () => {
  for (const [dtype, tolerance] of [['float64', 1e-10], ['float32', 1e-4]] as const) {
    it(`BertForPreTraining: every hidden state, pooled output, both heads and losses (${dtype})`, async () => {
      const model = BertForPreTraining.fromPretrained(weights, config, { dtype }).eval();
      const out = model.forward(reference.input_ids, { ...inputs(), outputHiddenStates: true, labels: reference.mlm_labels, nextSentenceLabel: reference.next_sentence_label });
      expect(out.hiddenStates).toHaveLength(3);
      for (const [i, state] of out.hiddenStates!.entries()) await expectNear(`hidden_states.${i} ${dtype}`, state, reference[`hidden_states.${i}`], tolerance);
      await expectNear(`prediction_logits ${dtype}`, out.predictionLogits, reference.prediction_logits, tolerance);
      await expectNear(`seq_relationship_logits ${dtype}`, out.seqRelationshipLogits, reference.seq_relationship_logits, tolerance);
      await expectNear(`mlm_loss ${dtype}`, out.mlmLoss!, reference.mlm_loss, tolerance);
      await expectNear(`nsp_loss ${dtype}`, out.nspLoss!, reference.nsp_loss, tolerance);
      await expectNear(`total_loss ${dtype}`, out.loss!, reference.total_loss, tolerance);
    });

    it(`BertModel: last hidden state and pooled output (${dtype})`, async () => {
      const bert = BertModel.fromPretrained(weights, config, { dtype }).eval();
      const { lastHiddenState, poolerOutput } = bert.forward(reference.input_ids, inputs());
      await expectNear(`last_hidden_state ${dtype}`, lastHiddenState, reference.last_hidden_state, tolerance);
      await expectNear(`pooler_output ${dtype}`, poolerOutput!, reference.pooler_output, tolerance);
    });
  }

  it('BertForMaskedLM loads the pre-training checkpoint (the NSP head and pooler are ignored) and gives its MLM logits and loss', async () => {
    const mlm = BertForMaskedLM.fromPretrained(weights, config, { dtype: 'float64' }).eval();
    expect(mlm.bert.pooler).toBeNull();
    const { logits, loss } = mlm.forward(reference.input_ids, { ...inputs(), labels: reference.mlm_labels });
    await expectNear('mlm logits', logits, reference.prediction_logits, 1e-10);
    await expectNear('mlm loss', loss!, reference.mlm_loss, 1e-10);
  });

  it('BertForSequenceClassification: logits and cross-entropy of a fine-tuned checkpoint (bert.* + classifier.*)', async () => {
    const file = rewrite((tensors) => {
      const kept = Object.fromEntries(Object.entries(tensors).filter(([key]) => key.startsWith('bert.')));
      for (const key of ['classifier.weight', 'classifier.bias']) kept[key] = { dtype: 'float32', shape: [...reference[key].shape], data: reference[key].dataSync() as Float32Array };
      return kept;
    });
    const classifier = BertForSequenceClassification.fromPretrained(file, config, { dtype: 'float64' }).eval();
    expect(classifier.config.numLabels).toBe(3); // from id2label
    const { logits, loss } = classifier.forward(reference.input_ids, { ...inputs(), labels: reference.class_labels });
    await expectNear('class logits', logits, reference.class_logits, 1e-10);
    await expectNear('class loss', loss!, reference.class_loss, 1e-10);
  });

  it('defaults: no token types means all segment 0, no mask means every token is attended to', async () => {
    const bert = BertModel.fromPretrained(weights, config, { dtype: 'float64' }).eval();
    const { lastHiddenState } = bert.forward([Array.from(reference.input_ids.dataSync().slice(0, 9), Number)]);
    await expectNear('default last_hidden_state', lastHiddenState, reference.default_last_hidden_state, 1e-10);
  });

  it('padding changes nothing at the real positions: a row alone, unpadded, equals its padded form', async () => {
    const bert = BertModel.fromPretrained(weights, config, { dtype: 'float64' }).eval();
    const ids = reference.input_ids.narrow(0, 1, 1).narrow(1, 0, 6);
    const types = reference.token_type_ids.narrow(0, 1, 1).narrow(1, 0, 6);
    const { lastHiddenState } = bert.forward(ids, { tokenTypeIds: types });
    await expectNear('unpadded row', lastHiddenState, reference.last_hidden_state.narrow(0, 1, 1).narrow(1, 0, 6), 1e-10);
  });
});

describe('BERT checkpoints as Hugging Face writes them', () => {
  async function mlmLogits(bytes: Uint8Array): Promise<number> {
    const mlm = BertForMaskedLM.fromPretrained(bytes, config, { dtype: 'float64' }).eval();
    return maxDeviation(mlm.forward(reference.input_ids, inputs()).logits, reference.prediction_logits);
  }

  it('keys without the bert. prefix (a BertModel file) load into every class', async () => {
    const bare = rewrite((tensors) => Object.fromEntries(Object.entries(tensors).map(([key, value]) => [key.replace(/^bert\./, ''), value])));
    expect(await mlmLogits(bare)).toBeLessThan(1e-10);
    const base = rewrite((tensors) => Object.fromEntries(Object.entries(tensors).filter(([key]) => key.startsWith('bert.')).map(([key, value]) => [key.slice(5), value])));
    const bert = BertModel.fromPretrained(base, config, { dtype: 'float64' }).eval();
    expect(await maxDeviation(bert.forward(reference.input_ids, inputs()).poolerOutput!, reference.pooler_output)).toBeLessThan(1e-10);
    // A base file into a classifier: the classifier keeps its initialisation (the start of fine-tuning).
    const classifier = BertForSequenceClassification.fromPretrained(base, { ...config, num_labels: 3 });
    expect(classifier.forward(reference.input_ids, inputs()).logits.shape).toEqual([2, 3]);
  });

  it('the tied decoder stored (cls.predictions.decoder.weight and .bias) loads the same model', async () => {
    const stored = rewrite((tensors) => ({
      ...tensors,
      'cls.predictions.decoder.weight': tensors['bert.embeddings.word_embeddings.weight'],
      'cls.predictions.decoder.bias': tensors['cls.predictions.bias'],
    }));
    expect(await mlmLogits(stored)).toBeLessThan(1e-10);
    // Only the alias of the output bias.
    const aliasOnly = rewrite((tensors) => {
      const { 'cls.predictions.bias': bias, ...rest } = tensors;
      return { ...rest, 'cls.predictions.decoder.bias': bias };
    });
    expect(await mlmLogits(aliasOnly)).toBeLessThan(1e-10);
  });

  it('old gamma/beta LayerNorm names load', async () => {
    const old = rewrite((tensors) => Object.fromEntries(Object.entries(tensors).map(([key, value]) => [key.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'), value])));
    expect(Object.keys(parseSafetensors(old).tensors).some((key) => key.endsWith('LayerNorm.gamma'))).toBe(true);
    expect(await mlmLogits(old)).toBeLessThan(1e-10);
  });

  it('stateDict keys are Hugging Face\'s, the tied decoder included', () => {
    const keys = Object.keys(new BertForPreTraining(config).stateDict());
    for (const key of [
      'bert.embeddings.word_embeddings.weight', 'bert.embeddings.position_embeddings.weight', 'bert.embeddings.token_type_embeddings.weight',
      'bert.embeddings.LayerNorm.weight', 'bert.encoder.layer.1.attention.self.query.weight', 'bert.encoder.layer.1.attention.self.key.bias',
      'bert.encoder.layer.0.attention.self.value.weight', 'bert.encoder.layer.0.attention.output.dense.weight', 'bert.encoder.layer.0.attention.output.LayerNorm.bias',
      'bert.encoder.layer.0.intermediate.dense.weight', 'bert.encoder.layer.0.output.dense.bias', 'bert.encoder.layer.0.output.LayerNorm.weight',
      'bert.pooler.dense.weight', 'cls.predictions.bias', 'cls.predictions.transform.dense.weight', 'cls.predictions.transform.LayerNorm.bias',
      'cls.predictions.decoder.weight', 'cls.seq_relationship.weight',
    ]) expect(keys).toContain(key);
    const model = new BertForPreTraining(config);
    expect(model.cls.predictions.decoder.weight).toBe(model.bert.embeddings.word_embeddings.weight);
    expect(model.parameters().filter((p) => p === model.bert.embeddings.word_embeddings.weight)).toHaveLength(1);
  });

  it('errors name the tensor, the shapes and the config field', () => {
    const missing = rewrite((tensors) => {
      const { 'bert.encoder.layer.1.output.dense.weight': _, ...rest } = tensors;
      return rest;
    });
    expect(() => BertForPreTraining.fromPretrained(missing, config)).toThrow(/lack 1 tensor of BertForPreTraining: bert\.encoder\.layer\.1\.output\.dense\.weight/);
    expect(() => BertForPreTraining.fromPretrained(weights, { ...config, intermediate_size: 40 })).toThrow(ShapeError);
    expect(() => BertForPreTraining.fromPretrained(weights, { ...config, intermediate_size: 40 })).toThrow(/tensor 'bert\.encoder\.layer\.0\.intermediate\.dense\.weight' has shape \[37, 32\], expected \[40, 32\]/);
    expect(() => BertForPreTraining.fromPretrained(weights, { ...config, num_hidden_layers: 1 })).toThrow(/encoder layers 0 … 1 but config\.num_hidden_layers is 1/);
    expect(() => BertForPreTraining.fromPretrained(weights, { ...config, vocab_size: 100 })).toThrow(/word_embeddings\.weight.*\[99, 32\], expected \[100, 32\]/);
    const extra = rewrite((tensors) => ({ ...tensors, 'bert.encoder.layer.0.attention.self.rotary.weight': tensors['cls.predictions.bias'] }));
    expect(() => BertModel.fromPretrained(extra, config)).toThrow(/unexpected tensors for BertModel: bert\.encoder\.layer\.0\.attention\.self\.rotary\.weight/);
    expect(() => BertModel.fromPretrained(weights, { ...config, hidden_size: 30 })).toThrow(/hidden_size 30 is not a multiple of config\.num_attention_heads 4/);
    expect(() => BertModel.fromPretrained(weights, { ...config, position_embedding_type: 'relative_key' })).toThrow(ValueError);
    expect(() => new BertModel({ ...config, hidden_act: 'mish' })).toThrow(/hidden_act "mish" is not supported/);
  });

  it('input errors name the argument', () => {
    const bert = new BertModel(config);
    expect(() => bert.forward([[2, 99, 3]])).toThrow(/token id 99 .* out of range for vocabSize 99/);
    expect(() => bert.forward([[2, 5, 3]], { tokenTypeIds: [[0, 2, 0]] })).toThrow(/tokenTypeIds is out of range for vocabSize 2/);
    expect(() => bert.forward([[2, 5, 3]], { attentionMask: [[1, 1]] })).toThrow(/attentionMask must have the shape of input ids \[1, 3\], got \[1, 2\]/);
    expect(() => bert.forward([Array.from({ length: 41 }, () => 5)])).toThrow(/41 positions, more than config\.max_position_embeddings 40/);
    const mlm = new BertForMaskedLM(config);
    expect(() => mlm.forward([[2, 5, 3]], { labels: [[-100, 5]] })).toThrow(/labels must have the shape/);
  });
});

describe('BERT trains', () => {
  it('the MLM loss ignores −100 labels and its gradient reaches the tied embeddings through both paths', async () => {
    const model = BertForMaskedLM.fromPretrained(weights, config, { dtype: 'float64' }).eval();
    const labels = tensor([[-100, 7, -100, -100, -100, -100, -100, -100, -100], [-100, -100, -100, -100, -100, -100, -100, -100, -100]], { dtype: 'int32' });
    const { logits, loss } = model.forward(reference.input_ids, { ...inputs(), labels });
    const expected = logits.select(0, 0).select(0, 1).logSoftmax(-1).select(0, 7).neg();
    expect(await maxDeviation(loss!, expected)).toBeLessThan(1e-12);
    loss!.backward();
    const grad = model.bert.embeddings.word_embeddings.weight.grad!;
    // Row 7 is only reached through the tied decoder (token 7 is not in the input).
    expect(Array.from(reference.input_ids.dataSync()).includes(7)).toBe(false);
    expect(Math.abs(await grad.select(0, 7).abs().sum().item())).toBeGreaterThan(0);
  });
});
