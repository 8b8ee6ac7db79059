/**
 * BERT's inputs as tensors: token ids, segment (token type) ids and the padding mask, each checked
 * (shape, ids in range) with errors that name the method and the argument.
 */
import { DTypeError, formatShape, isTensor, ShapeError, tensor, ValueError, zeros, type Tensor } from '@tessera/core';
import { idsTensor } from '../gpt/token-ids';
import type { ResolvedBertConfig } from './config';

/** Token ids as a BERT forward takes them: an int32 tensor `[batch, time]` or arrays of ids. */
export type BertIds = Tensor | readonly (readonly number[])[];

/** The options every BERT forward takes. */
export interface BertInputOptions {
  /** `[batch, time]` segment ids (0 for sentence A, 1 for sentence B; default all 0). */
  tokenTypeIds?: BertIds;
  /** `[batch, time]` 1 (or true) for tokens to attend to, 0 (false) for padding (default all 1). */
  attentionMask?: Tensor | readonly (readonly number[])[];
}

/** The checked inputs, and the tensors made here (the caller disposes them). */
export interface BertInputs {
  readonly ids: Tensor;
  readonly tokenTypeIds: Tensor;
  /** Bool `[batch, 1, 1, time]`, true where a key may be attended to; null when no mask was given. */
  readonly keyMask: Tensor | null;
  readonly owned: Tensor[];
}

function checkShape(where: string, what: string, value: Tensor, shape: readonly number[]): void {
  if (value.ndim !== 2 || value.shape[0] !== shape[0] || value.shape[1] !== shape[1]) {
    throw new ShapeError(`${where}: ${what} must have the shape of input ids ${formatShape(shape)}, got ${formatShape(value.shape)}`);
  }
}

/**
 * The attention mask as a bool key mask `[batch, 1, 1, time]` (Hugging Face's extended attention mask,
 * as a bool instead of (1 − mask)·min added to the scores).
 * @example
 * keyMaskOf('BertModel.forward', 'attentionMask', [[1, 1, 0]], [1, 3]); // bool [1, 1, 1, 3]
 */
export function keyMaskOf(where: string, what: string, mask: Tensor | readonly (readonly number[])[], shape: readonly number[], device?: string): { keyMask: Tensor; owned: Tensor[] } {
  const owned: Tensor[] = [];
  let source: Tensor;
  if (isTensor(mask)) source = mask;
  else if (Array.isArray(mask) && mask.every((row) => Array.isArray(row))) {
    source = tensor(mask as number[][], { dtype: 'int32', device });
    owned.push(source);
  } else {
    throw new ValueError(`${where}: ${what} must be a [batch, time] Tensor or an array of 0/1 arrays, got ${mask === null ? 'null' : typeof mask}`);
  }
  checkShape(where, what, source, shape);
  const keep = source.dtype === 'bool' ? source : source.ne(0);
  if (keep !== source) owned.push(keep);
  const keyMask = keep.reshape([shape[0], 1, 1, shape[1]]);
  owned.push(keyMask);
  return { keyMask, owned };
}

/**
 * Check and convert BERT's inputs for `config`.
 * @example
 * const inputs = bertInputs('BertModel.forward', config, [[2, 7, 3]], { attentionMask: [[1, 1, 1]] });
 */
export function bertInputs(where: string, config: ResolvedBertConfig, ids: BertIds, options: BertInputOptions): BertInputs {
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: options must be an object ({ tokenTypeIds, attentionMask, … }), got ${String(options)}`);
  const owned: Tensor[] = [];
  const input = idsTensor(where, 'input ids', ids, config.vocabSize);
  if (input.owned) owned.push(input.ids);
  const shape = input.ids.shape;
  if (shape[1] > config.maxPositionEmbeddings) {
    throw new ShapeError(`${where}: the input has ${shape[1]} positions, more than config.max_position_embeddings ${config.maxPositionEmbeddings}`);
  }
  let tokenTypeIds: Tensor;
  if (options.tokenTypeIds === undefined) {
    tokenTypeIds = zeros([...shape], { dtype: 'int32', device: input.ids.device });
    owned.push(tokenTypeIds);
  } else {
    if (isTensor(options.tokenTypeIds) && options.tokenTypeIds.dtype === 'bool') throw new DTypeError(`${where}: tokenTypeIds must be int32 segment ids, got bool`);
    const types = idsTensor(where, 'tokenTypeIds', options.tokenTypeIds, config.typeVocabSize);
    if (types.owned) owned.push(types.ids);
    checkShape(where, 'tokenTypeIds', types.ids, shape);
    tokenTypeIds = types.ids;
  }
  let keyMask: Tensor | null = null;
  if (options.attentionMask !== undefined && options.attentionMask !== null) {
    const made = keyMaskOf(where, 'attentionMask', options.attentionMask, shape, input.ids.device);
    keyMask = made.keyMask;
    owned.push(...made.owned);
  }
  return { ids: input.ids, tokenTypeIds, keyMask, owned };
}
