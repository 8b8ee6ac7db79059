/**
 * The point sets that `pca`, `tsne` and `trustworthiness` take, as one row-major host matrix.
 */
import { ShapeError, ValueError, isTensor, type Tensor } from '@tessera/core';
import { decodeAll } from '../vectors/vector-storage';
import { WordVectors } from '../vectors/word-vectors';

/**
 * Points: a `[n, dim]` tensor, a `WordVectors` (its rows), an array of rows, or a flat typed array
 * of n·dim values (then give `dim`).
 */
export type PointsInput = Tensor | WordVectors | readonly ArrayLike<number>[] | Float32Array | Float64Array;

/** Points as a row-major float64 host matrix. */
export interface HostMatrix {
  values: Float64Array;
  rows: number;
  cols: number;
}

/** Read `input` into a float64 host matrix (tensors are read asynchronously). */
export async function hostMatrix(op: string, input: PointsInput, dim?: number): Promise<HostMatrix> {
  if (isTensor(input)) {
    const t = input as Tensor;
    if (t.ndim !== 2) throw new ShapeError(`${op}: points must be a 2-D tensor [n, dim], got shape [${t.shape.join(', ')}]`);
    return { values: Float64Array.from(await t.data()), rows: t.shape[0], cols: t.shape[1] };
  }
  if (input instanceof WordVectors) return { values: Float64Array.from(decodeAll(input.vectorStorage)), rows: input.count, cols: input.dim };
  if (input instanceof Float32Array || input instanceof Float64Array) {
    if (dim === undefined || !Number.isInteger(dim) || dim < 1 || input.length % dim !== 0) {
      throw new ShapeError(`${op}: a flat array of ${input.length} values needs a dim that divides it (options.dim), got ${dim}`);
    }
    return { values: Float64Array.from(input), rows: input.length / dim, cols: dim };
  }
  if (!Array.isArray(input)) throw new ValueError(`${op}: points must be a tensor, WordVectors, an array of rows or a typed array`);
  const rows = input as readonly ArrayLike<number>[];
  const cols = rows.length > 0 ? rows[0].length : 0;
  const values = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new ShapeError(`${op}: row ${i} has ${row.length} values, expected ${cols} like row 0`);
    for (let j = 0; j < cols; j++) values[i * cols + j] = row[j];
  });
  return { values, rows: rows.length, cols };
}
