/**
 * Batch encoding: many texts (or text pairs) → equal-length rows of ids with attention masks, token
 * type ids and character offsets; padding on either side, truncation, `maxLength`; optional int32
 * tensors. Works with any tokenizer that has `encode(text)` (and `encodeWithOffsets` for offsets).
 */
import type { Tensor } from '@tessera/core';
import { TokenizerError } from './byte-level';

/** What batch encoding needs from a tokenizer. */
export interface EncodesText {
  encode(text: string): number[];
  encodeWithOffsets?(text: string): { ids: number[]; offsets: [number, number][] };
}

/** Options of `encodeBatch`. */
export interface BatchEncodeOptions {
  /** `true`/`'longest'`: pad to the longest row; `'maxLength'`: pad to `maxLength`; `false` (default): no padding. */
  padding?: boolean | 'longest' | 'maxLength';
  /** Pad on the `'right'` (default) or `'left'` (decoder-only generation). */
  paddingSide?: 'left' | 'right';
  /** Pad id. Default 0. */
  padId?: number;
  /** Cut rows longer than `maxLength`. Default: true when `maxLength` is given. */
  truncation?: boolean;
  /** Drop tokens from the `'right'` (default) or `'left'`. */
  truncationSide?: 'left' | 'right';
  /** Longest row, special tokens included. */
  maxLength?: number;
  /** Ids added around each sequence: `[cls] a [sep]` / `[cls] a [sep] b [sep]` (BERT style) when given. */
  clsId?: number;
  sepId?: number;
  /** Ids added as `[bos] a [eos]` when given (GPT / Llama style). */
  bosId?: number;
  eosId?: number;
  /** Also return each token's `[start, end)` offsets (special and pad tokens get `[0, 0]`). */
  returnOffsets?: boolean;
}

/** Rows of equal length (when padded) and what a model needs beside the ids. */
export interface BatchEncoding {
  inputIds: number[][];
  /** 1 for real tokens, 0 for padding. */
  attentionMask: number[][];
  /** 0 for the first text of a pair (and its special tokens), 1 for the second. */
  tokenTypeIds: number[][];
  /** Character offsets into the text a token came from (`[0, 0]` for special and pad tokens). */
  offsets?: [number, number][][];
  /** Unpadded length of each row. */
  lengths: number[];
  /** The rows as int32 tensors `[batch, length]` (needs `@tessera/core` and a backend; rows must be equal length). */
  toTensors(): Promise<{ inputIds: Tensor; attentionMask: Tensor; tokenTypeIds: Tensor }>;
}

interface Segment {
  ids: number[];
  offsets: [number, number][];
}

/**
 * Encodes a batch of texts or `[text, pair]` tuples.
 * @example
 * const batch = encodeBatch(tokenizer, ['hello world', 'hi'], { padding: true, maxLength: 16 });
 * batch.inputIds; // [[31373, 995], [5303, 0]]
 * batch.attentionMask; // [[1, 1], [1, 0]]
 * const { inputIds } = await batch.toTensors(); // int32 [2, 2]
 */
export function encodeBatch(tokenizer: EncodesText, texts: readonly (string | readonly [string, string])[], options: BatchEncodeOptions = {}): BatchEncoding {
  if (tokenizer === null || typeof tokenizer !== 'object' || typeof tokenizer.encode !== 'function') throw new TokenizerError('encodeBatch: the tokenizer needs an encode(text) method');
  if (!Array.isArray(texts)) throw new TokenizerError(`encodeBatch: expected an array of texts, got ${typeof texts === 'string' ? 'a single string (wrap it in an array)' : typeof texts}`);
  const { padding = false, paddingSide = 'right', padId = 0, truncationSide = 'right', maxLength, returnOffsets = false } = options;
  const truncation = options.truncation ?? maxLength !== undefined;
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 0)) throw new TokenizerError(`encodeBatch: maxLength must be a non-negative integer, got ${String(maxLength)}`);
  if (padding === 'maxLength' && maxLength === undefined) throw new TokenizerError("encodeBatch: padding 'maxLength' needs maxLength");
  if (returnOffsets && typeof tokenizer.encodeWithOffsets !== 'function') throw new TokenizerError('encodeBatch: returnOffsets needs a tokenizer with encodeWithOffsets(text)');
  if (paddingSide !== 'left' && paddingSide !== 'right') throw new TokenizerError(`encodeBatch: paddingSide must be 'left' or 'right', got ${JSON.stringify(paddingSide)}`);
  if (truncationSide !== 'left' && truncationSide !== 'right') throw new TokenizerError(`encodeBatch: truncationSide must be 'left' or 'right', got ${JSON.stringify(truncationSide)}`);

  const encodeText = (text: unknown, index: number): Segment => {
    if (typeof text !== 'string') throw new TokenizerError(`encodeBatch: text ${index} is ${text === null ? 'null' : typeof text}, not a string`);
    if (returnOffsets) return tokenizer.encodeWithOffsets!(text);
    return { ids: tokenizer.encode(text), offsets: [] };
  };
  const rows = texts.map((item, index) => {
    const pair = Array.isArray(item);
    const first = encodeText(pair ? item[0] : item, index);
    const second = pair ? encodeText(item[1], index) : undefined;
    const bert = options.clsId !== undefined || options.sepId !== undefined;
    const extra = bert ? (options.clsId !== undefined ? 1 : 0) + (options.sepId !== undefined ? (second ? 2 : 1) : 0) : (options.bosId !== undefined ? 1 : 0) + (options.eosId !== undefined ? 1 : 0);
    if (truncation && maxLength !== undefined) {
      const budget = Math.max(0, maxLength - extra);
      if (second === undefined) cut(first, budget, truncationSide);
      else {
        // Longest first: trim the longer of the two, one token at a time, as Hugging Face does.
        while (first.ids.length + second.ids.length > budget) {
          const longer = first.ids.length >= second.ids.length ? first : second;
          if (longer.ids.length === 0) break;
          cut(longer, longer.ids.length - 1, truncationSide);
        }
      }
    }
    const ids: number[] = [];
    const types: number[] = [];
    const offsets: [number, number][] = [];
    const special = (id: number | undefined, type: number): void => {
      if (id === undefined) return;
      ids.push(id);
      types.push(type);
      offsets.push([0, 0]);
    };
    const body = (segment: Segment, type: number): void => {
      segment.ids.forEach((id, k) => {
        ids.push(id);
        types.push(type);
        offsets.push(segment.offsets[k] ?? [0, 0]);
      });
    };
    if (bert) {
      special(options.clsId, 0);
      body(first, 0);
      special(options.sepId, 0);
      if (second) {
        body(second, 1);
        special(options.sepId, 1);
      }
    } else {
      special(options.bosId, 0);
      body(first, 0);
      if (second) body(second, 1);
      special(options.eosId, second ? 1 : 0);
    }
    if (truncation && maxLength !== undefined && ids.length > maxLength) {
      // Only when the special tokens alone exceed maxLength.
      ids.length = types.length = offsets.length = maxLength;
    }
    return { ids, types, offsets };
  });

  const lengths = rows.map((row) => row.ids.length);
  const target = padding === 'maxLength' ? maxLength! : padding === true || padding === 'longest' ? Math.max(0, ...lengths) : 0;
  const pad = <T>(row: T[], value: () => T): T[] => {
    if (row.length >= target) return row;
    const fill = Array.from({ length: target - row.length }, value);
    return paddingSide === 'right' ? [...row, ...fill] : [...fill, ...row];
  };
  const inputIds = rows.map((row) => pad(row.ids, () => padId));
  const attentionMask = rows.map((row) => pad(row.ids.map(() => 1), () => 0));
  const tokenTypeIds = rows.map((row) => pad(row.types, () => 0));
  const result: BatchEncoding = {
    inputIds,
    attentionMask,
    tokenTypeIds,
    lengths,
    async toTensors() {
      const width = inputIds[0]?.length ?? 0;
      if (inputIds.some((row) => row.length !== width)) throw new TokenizerError('BatchEncoding.toTensors: rows have different lengths; encode with { padding: true }');
      const { tensor } = await import('@tessera/core');
      const make = (rowsOf: number[][]): Tensor => {
        const flat = new Int32Array(rowsOf.length * width);
        rowsOf.forEach((row, i) => flat.set(row, i * width));
        return tensor(flat, { dtype: 'int32' }).reshape([rowsOf.length, width]);
      };
      return { inputIds: make(inputIds), attentionMask: make(attentionMask), tokenTypeIds: make(tokenTypeIds) };
    },
  };
  if (returnOffsets) result.offsets = rows.map((row) => pad(row.offsets, () => [0, 0] as [number, number]));
  return result;
}

function cut(segment: Segment, length: number, side: 'left' | 'right'): void {
  if (segment.ids.length <= length) return;
  if (side === 'right') {
    segment.ids = segment.ids.slice(0, length);
    segment.offsets = segment.offsets.slice(0, length);
  } else {
    segment.ids = segment.ids.slice(segment.ids.length - length);
    segment.offsets = segment.offsets.slice(Math.max(0, segment.offsets.length - length));
  }
}
