/**
 * Loading Hugging Face BERT checkpoints (`model.safetensors`) into the BERT classes, accepting them
 * as Hugging Face writes them:
 *  - keys with the `bert.` prefix (BertForPreTraining, BertForMaskedLM, BertForSequenceClassification
 *    files) or without it (BertModel files), into any of the four classes;
 *  - the MLM decoder tied to the word embeddings stored (`cls.predictions.decoder.weight`) or not, and
 *    the output bias as `cls.predictions.bias` and/or its alias `cls.predictions.decoder.bias`;
 *  - old TensorFlow-converted LayerNorm names `gamma` / `beta`;
 *  - the `embeddings.position_ids` / `token_type_ids` buffers older files carry (ignored).
 * Heads the model lacks (`cls.*` in a BertModel, `pooler.*` in BertForMaskedLM) are ignored, as
 * Hugging Face does when it loads a pre-training checkpoint for fine-tuning; a pooler or classifier the
 * file lacks keeps its fresh initialisation (the usual start of fine-tuning). Everything else must
 * match: missing or unexpected tensors, other shapes and more layers than the config are errors.
 */
import { formatShape, ShapeError, ValueError, type Tensor } from '@tessera/core';
import type { Module } from '@tessera/nn';
import { checkKeys, copyIntoModel, readCheckpoint, type CheckpointTensor } from '../io/checkpoint';
import type { ResolvedBertConfig } from './config';

const BUFFERS = new Set(['embeddings.position_ids', 'embeddings.token_type_ids']);
const HEAD_PREFIXES = ['cls.predictions.', 'cls.seq_relationship.', 'pooler.', 'classifier.'];

/** A file key as the loader compares it: without `bert.`, with LayerNorm `gamma`/`beta` renamed; null for a buffer. */
function normalizeKey(fileKey: string): string | null {
  let key = fileKey.startsWith('bert.') ? fileKey.slice('bert.'.length) : fileKey;
  key = key.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
  return BUFFERS.has(key) ? null : key;
}

/** The model's own state key without the `bert.` of the task models. */
function canonical(name: string): string {
  return name.startsWith('bert.') ? name.slice('bert.'.length) : name;
}

/**
 * Copy a Hugging Face BERT checkpoint into `model` (built from the same config); checks everything
 * before copying anything.
 * @example
 * loadBertWeights('BertForMaskedLM.fromPretrained', model, bytes);
 */
export function loadBertWeights(where: string, model: Module & { readonly config: ResolvedBertConfig }, weights: Uint8Array | ArrayBuffer): void {
  const { config } = model;
  const file = readCheckpoint(where, weights, normalizeKey);
  const state = model.stateDict();
  const modelKeys = new Set(Object.keys(state).map(canonical));

  const deepest = Math.max(-1, ...[...file.keys()].map((key) => /^encoder\.layer\.(\d+)\./.exec(key)).filter((match) => match !== null).map((match) => Number(match[1])));
  if (deepest >= config.numHiddenLayers) {
    throw new ValueError(`${where}: the weights have encoder layers 0 … ${deepest} but config.num_hidden_layers is ${config.numHiddenLayers}: the config disagrees with the weights`);
  }

  const used = new Set<string>();
  const copies: { name: string; target: Tensor; source: CheckpointTensor }[] = [];
  const missing: string[] = [];
  const fileHasPooler = [...file.keys()].some((key) => key.startsWith('pooler.'));
  for (const [name, target] of Object.entries(state)) {
    const key = canonical(name);
    if (key === 'cls.predictions.decoder.weight' && config.tieWordEmbeddings) {
      // Tied to the word embeddings: a stored copy must fit, and the embedding table is what loads.
      const stored = file.get(key);
      if (stored && formatShape(stored.entry.shape) !== formatShape(target.shape)) {
        throw new ShapeError(`${where}: tensor '${stored.fileKey}' has shape ${formatShape(stored.entry.shape)}, expected ${formatShape(target.shape)} (it is tied to the word embeddings)`);
      }
      used.add(key);
      continue;
    }
    let sourceKey = key;
    if (key === 'cls.predictions.bias' && !file.has(key)) sourceKey = 'cls.predictions.decoder.bias';
    const source = file.get(sourceKey);
    if (!source) {
      const keepsInitialisation = key.startsWith('classifier.') || (key.startsWith('pooler.') && !fileHasPooler);
      if (!keepsInitialisation) missing.push(key);
      continue;
    }
    used.add(sourceKey);
    copies.push({ name, target, source });
  }
  // The bias alias, when both are stored, must fit too.
  const alias = file.get('cls.predictions.decoder.bias');
  if (alias && modelKeys.has('cls.predictions.bias')) {
    if (formatShape(alias.entry.shape) !== formatShape([config.vocabSize])) {
      throw new ShapeError(`${where}: tensor '${alias.fileKey}' has shape ${formatShape(alias.entry.shape)}, expected [${config.vocabSize}] (it is cls.predictions.bias)`);
    }
    used.add('cls.predictions.decoder.bias');
  }

  const headTheModelLacks = (key: string) => HEAD_PREFIXES.some((prefix) => key.startsWith(prefix) && ![...modelKeys].some((own) => own.startsWith(prefix)));
  const unexpected = [...file.values()].filter(({ fileKey }) => {
    const key = normalizeKey(fileKey)!;
    return !used.has(key) && !headTheModelLacks(key);
  });
  const prefixed = Object.keys(state).some((name) => name.startsWith('bert.'));
  const shown = missing.map((key) => (prefixed && !HEAD_PREFIXES.some((p) => key.startsWith(p)) ? `bert.${key}` : key));
  checkKeys(where, model.constructor.name, unexpected.map((t) => t.fileKey), shown);
  copyIntoModel(where, copies);
}
