/**
 * Loading Hugging Face T5 checkpoints (`model.safetensors`) into T5Model and
 * T5ForConditionalGeneration, accepting them as Hugging Face writes them: the token embedding under
 * `shared.weight` and/or its tied copies `encoder.embed_tokens.weight`, `decoder.embed_tokens.weight`
 * (any one is enough); `lm_head.weight` stored or not when it is tied to the embedding (when
 * `tie_word_embeddings` is false it is required); the cross-attention relative bias some old files
 * carry (`decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight`, unused by T5, as
 * Hugging Face ignores it), and `lm_head.weight` in a T5Model (ignored). Everything else must match:
 * missing or unexpected tensors, other shapes and more blocks than the config are errors.
 */
import { formatShape, ShapeError, ValueError, type Tensor } from '@tessera/core';
import type { Module } from '@tessera/nn';
import { checkKeys, copyIntoModel, readCheckpoint, type CheckpointTensor } from '../io/checkpoint';
import type { ResolvedT5Config } from './config';

const EMBEDDING_KEYS = ['shared.weight', 'encoder.embed_tokens.weight', 'decoder.embed_tokens.weight'];
const IGNORED = new Set(['decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight']);

function deepestBlock(keys: Iterable<string>, stack: 'encoder' | 'decoder'): number {
  const pattern = new RegExp(`^${stack}\\.block\\.(\\d+)\\.`);
  return Math.max(-1, ...[...keys].map((key) => pattern.exec(key)).filter((match) => match !== null).map((match) => Number(match[1])));
}

/**
 * Copy a Hugging Face T5 checkpoint into `model` (built from the same config); checks everything
 * before copying anything.
 * @example
 * loadT5Weights('T5ForConditionalGeneration.fromPretrained', model, bytes);
 */
export function loadT5Weights(where: string, model: Module & { readonly config: ResolvedT5Config }, weights: Uint8Array | ArrayBuffer): void {
  const { config } = model;
  const file = readCheckpoint(where, weights, (key) => (IGNORED.has(key) ? null : key));
  for (const [stack, count, field] of [['encoder', config.numLayers, 'num_layers'], ['decoder', config.numDecoderLayers, 'num_decoder_layers']] as const) {
    const deepest = deepestBlock(file.keys(), stack);
    if (deepest >= count) throw new ValueError(`${where}: the weights have ${stack} blocks 0 … ${deepest} but config.${field} is ${count}: the config disagrees with the weights`);
  }
  const state = model.stateDict();
  const hasHead = 'lm_head.weight' in state;
  const headIsEmbedding = hasHead && config.tieWordEmbeddings;
  const embeddingShape = state['shared.weight'].shape;

  // The token embedding: any stored copy; every stored copy (and a stored tied head) must fit.
  const aliases = [...EMBEDDING_KEYS, ...(headIsEmbedding || !hasHead ? ['lm_head.weight'] : [])];
  for (const key of aliases) {
    const stored = file.get(key);
    if (stored && formatShape(stored.entry.shape) !== formatShape(embeddingShape)) {
      throw new ShapeError(`${where}: tensor '${key}' has shape ${formatShape(stored.entry.shape)}, expected ${formatShape(embeddingShape)} (vocab_size ${config.vocabSize} × d_model ${config.dModel}): the config disagrees with the weights`);
    }
  }
  const embeddingKey = EMBEDDING_KEYS.find((key) => file.has(key));
  const copies: { name: string; target: Tensor; source: CheckpointTensor }[] = [];
  const missing: string[] = [];
  if (embeddingKey) copies.push({ name: 'shared.weight', target: state['shared.weight'], source: file.get(embeddingKey)! });
  else missing.push(`shared.weight (or ${EMBEDDING_KEYS.slice(1).join(' or ')})`);

  const used = new Set(aliases);
  for (const [name, target] of Object.entries(state)) {
    if (used.has(name)) continue;
    const source = file.get(name);
    used.add(name);
    if (source) copies.push({ name, target, source });
    else missing.push(name);
  }
  const unexpected = [...file.keys()].filter((key) => !used.has(key));
  checkKeys(where, model.constructor.name, unexpected, missing);
  copyIntoModel(where, copies);
}
