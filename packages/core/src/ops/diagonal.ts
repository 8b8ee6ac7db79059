/**
 * Diagonals: `diag` (vector → matrix and matrix → vector, with an offset, differentiable both ways)
 * and the index lists `triuIndices`/`trilIndices`.
 */
import { recordOp } from '../autograd/record';
import { ShapeError } from '../errors';
import { tidy } from '../memory/scope';
import { formatShape } from '../shape';
import { Tensor } from '../tensor/tensor';
import { where } from './binary';
import { arange, tensor, type CreationOptions } from './creation';
import { checkCount } from './index-policy';

/** Length of diagonal `offset` of a `rows × cols` matrix. */
function diagonalLength(rows: number, cols: number, offset: number): number {
  return Math.max(0, offset >= 0 ? Math.min(rows, cols - offset) : Math.min(rows + offset, cols));
}

/** A `rows × cols` matrix, zero except diagonal `offset`, which holds the vector `values`. */
function embedDiagonal(values: Tensor, rows: number, cols: number, offset: number): Tensor {
  return tidy(() => {
    // Row r of the diagonal holds values[r − max(0, −offset)]: pad the vector to one value per row.
    const before = Math.max(0, -offset);
    const perRow = values.pad([before, rows - values.shape[0] - before]).unsqueeze(1);
    const rowIndex = arange(rows, undefined, 1, { device: values.device }).unsqueeze(1);
    const onDiagonal = arange(cols, undefined, 1, { device: values.device }).sub(rowIndex).eq(offset);
    return where(onDiagonal, perRow, values.dtype === 'bool' ? false : 0);
  });
}

/**
 * PyTorch's `diag`: a 1-D input becomes a square matrix with it on diagonal `offset` (above the main
 * diagonal when positive); a 2-D input gives its diagonal `offset` as a vector (a view).
 * @example
 * diag(tensor([1, 2]));              // [[1, 0], [0, 2]]
 * diag(tensor([[1, 2], [3, 4]]), 1); // [2]
 */
export function diag(x: Tensor, offset = 0): Tensor {
  x.assertLive('diag');
  if (!Number.isInteger(offset)) throw new ShapeError(`diag: offset must be an integer, got ${offset}`);
  if (x.ndim === 1) {
    const size = x.shape[0] + Math.abs(offset);
    return embedDiagonal(x, size, size, offset);
  }
  if (x.ndim !== 2) throw new ShapeError(`diag: expected a 1-D or 2-D tensor, got shape ${formatShape(x.shape)}`);
  const [rows, cols] = x.shape;
  const length = diagonalLength(rows, cols, offset);
  const start = length === 0 ? 0 : offset >= 0 ? offset * x.strides[1] : -offset * x.strides[0];
  const view = new Tensor(x.storage.retain(), [length], [x.strides[0] + x.strides[1]], x.offset + start);
  return recordOp('diag', [x], view, (grad) => [embedDiagonal(grad, rows, cols, offset)]);
}

/** The (row, col) pairs with `col − row` on the kept side of `offset`, row-major, as int32 `[2, n]`. */
function triangleIndices(op: string, rows: number, cols: number, offset: number, keep: (delta: number) => boolean, options: CreationOptions): Tensor {
  checkCount(op, 'row', rows);
  checkCount(op, 'col', cols);
  if (!Number.isInteger(offset)) throw new ShapeError(`${op}: offset must be an integer, got ${offset}`);
  const rowList: number[] = [];
  const colList: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (keep(c - r)) {
        rowList.push(r);
        colList.push(c);
      }
    }
  }
  return tensor(Int32Array.from([...rowList, ...colList]), { device: options.device, shape: [2, rowList.length] });
}

/**
 * Indices of the upper triangle (`col − row ≥ offset`) of a `row × col` matrix, as int32 `[2, n]`.
 * @example
 * triuIndices(3, 3, 1); // [[0, 0, 1], [1, 2, 2]]
 */
export function triuIndices(row: number, col: number, offset = 0, options: CreationOptions = {}): Tensor {
  return triangleIndices('triuIndices', row, col, offset, (delta) => delta >= offset, options);
}

/**
 * Indices of the lower triangle (`col − row ≤ offset`) of a `row × col` matrix, as int32 `[2, n]`.
 * @example
 * trilIndices(3, 3); // [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
 */
export function trilIndices(row: number, col: number, offset = 0, options: CreationOptions = {}): Tensor {
  return triangleIndices('trilIndices', row, col, offset, (delta) => delta <= offset, options);
}
