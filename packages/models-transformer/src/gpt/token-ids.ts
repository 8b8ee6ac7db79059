/**
 * Checks of token ids shared by GPT's forward and its generation: integer dtype or integral values,
 * ids inside the vocabulary, the expected rank — each error names the method, the bad id and where it is.
 */
import { DTypeError, ShapeError, ValueError, formatShape, isTensor, tensor, type Tensor } from '@tessera/core';

/** Token ids as a caller may pass them: an int32 tensor, one sequence, or a batch of equal-length sequences. */
export type TokenIds = Tensor | readonly number[] | readonly (readonly number[])[];

function position(flat: number, shape: readonly number[]): string {
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `[${index.join(', ')}]`;
}

/** The first value of `values` that is not an integer id in [0, vocabSize), described with its position. */
function checkValues(where: string, what: string, values: ArrayLike<number>, shape: readonly number[], vocabSize: number, ignoreIndex?: number): void {
  for (let i = 0; i < values.length; i++) {
    const id = Number(values[i]);
    if (id === ignoreIndex) continue;
    if (!Number.isInteger(id)) throw new ValueError(`${where}: ${what} must be integer token ids, got ${id} at ${position(i, shape)}`);
    if (id < 0 || id >= vocabSize) {
      const ignore = ignoreIndex === undefined ? '' : ` (or ${ignoreIndex} to ignore a position)`;
      throw new ValueError(`${where}: token id ${id} at ${position(i, shape)} of ${what} is out of range for vocabSize ${vocabSize}: ids must be in [0, ${vocabSize - 1}]${ignore}`);
    }
  }
}

/**
 * `ids` as a 2-D int32 tensor `[B, T]` (nested arrays are converted; a floating tensor of integral
 * values is cast), with every id checked against the vocabulary where the backend reads synchronously.
 * Returns the tensor and whether the caller must dispose it (it made a new one).
 * @example
 * const { ids, owned } = idsTensor('GPT.forward', 'ids', [[1, 2, 3]], 65);
 */
export function idsTensor(where: string, what: string, value: Tensor | readonly (readonly number[])[], vocabSize: number, ignoreIndex?: number): { ids: Tensor; owned: boolean } {
  if (!isTensor(value)) {
    if (!Array.isArray(value) || !value.every((row) => Array.isArray(row))) {
      throw new ValueError(`${where}: ${what} must be a [batch, time] int32 Tensor or an array of token-id arrays, got ${describe(value)}`);
    }
    const rows = value as readonly (readonly number[])[];
    const shape = [rows.length, rows[0]?.length ?? 0];
    if (rows.some((row) => row.length !== shape[1])) throw new ShapeError(`${where}: the rows of ${what} must have the same length, got lengths ${rows.map((r) => r.length).join(', ')}`);
    checkValues(where, what, rows.flat(), shape, vocabSize, ignoreIndex);
    return { ids: tensor(rows as number[][], { dtype: 'int32' }), owned: true };
  }
  if (value.ndim !== 2) throw new ShapeError(`${where}: ${what} must be 2-D [batch, time], got shape ${formatShape(value.shape)}`);
  if (value.dtype === 'bool') throw new DTypeError(`${where}: ${what} must be int32 token ids, got a bool tensor of shape ${formatShape(value.shape)}`);
  if (value.canReadSync) checkValues(where, what, value.dataSync(), value.shape, vocabSize, ignoreIndex);
  if (value.dtype === 'int32') return { ids: value, owned: false };
  return { ids: value.int(), owned: true };
}

/**
 * Token ids as host rows (for generation), with the rank and every id checked; `single` says the
 * caller passed one sequence (a number array or a 1-D tensor).
 * @example
 * const { rows, single } = await idRows('GPT.generate', [5, 9, 2], 65); // [[5, 9, 2]], true
 */
export async function idRows(where: string, value: TokenIds, vocabSize: number): Promise<{ rows: number[][]; single: boolean }> {
  let rows: number[][];
  let single: boolean;
  if (isTensor(value)) {
    if (value.ndim !== 1 && value.ndim !== 2) throw new ShapeError(`${where}: ids must be 1-D [time] or 2-D [batch, time], got shape ${formatShape(value.shape)}`);
    if (value.dtype === 'bool') throw new DTypeError(`${where}: ids must be int32 token ids, got a bool tensor of shape ${formatShape(value.shape)}`);
    single = value.ndim === 1;
    const flat = Array.from(await value.data(), Number);
    const [batch, time] = single ? [1, value.shape[0]] : value.shape;
    rows = Array.from({ length: batch }, (_, b) => flat.slice(b * time, (b + 1) * time));
  } else if (Array.isArray(value) && value.every((item) => typeof item === 'number')) {
    single = true;
    rows = [[...(value as number[])]];
  } else if (Array.isArray(value) && value.every((item) => Array.isArray(item))) {
    single = false;
    rows = (value as number[][]).map((row) => [...row]);
    if (rows.some((row) => row.length !== rows[0].length)) throw new ShapeError(`${where}: the prompts of a batch must have the same length, got lengths ${rows.map((r) => r.length).join(', ')}`);
  } else {
    throw new ValueError(`${where}: ids must be a Tensor, an array of token ids or an array of such arrays, got ${describe(value)}`);
  }
  if (rows.length === 0 || rows[0].length === 0) throw new ValueError(`${where}: the prompt must hold at least one token (got ${rows.length} rows of ${rows[0]?.length ?? 0})`);
  checkValues(where, 'ids', rows.flat(), [rows.length, rows[0].length], vocabSize);
  return { rows, single };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  return typeof value;
}
