/**
 * Vector and matrix norms with PyTorch's `torch.linalg` semantics, as differentiable compositions of
 * core ops (the spectral and nuclear norms through svdvals).
 */
import { ShapeError, ValueError } from '../errors';
import { where } from '../ops/binary';
import { normalizeDims, formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { checkLinalgInput } from './common';
import { svdvals } from './svd';

/** Orders of a matrix norm: Frobenius, nuclear, max/min column sum (±1), max/min singular value (±2), max/min row sum (±∞). */
export type MatrixNormOrd = 'fro' | 'nuc' | 1 | -1 | 2 | -2 | number;

/**
 * Σ|x|^ord)^(1/ord) over `dim` (all elements by default); ord ∞ / −∞ is max / min |x|, ord 0 counts
 * non-zeros (PyTorch's `torch.linalg.vector_norm`). Differentiable (subgradient 0 at x = 0).
 * @example
 * linalg.vectorNorm(tensor([3, 4])); // 5
 */
export function vectorNorm(x: Tensor, ord = 2, dim?: number | number[] | null, keepdim = false): Tensor {
  checkLinalgInput('vectorNorm', x, 0);
  if (Number.isNaN(ord)) throw new ValueError('linalg.vectorNorm: ord must be a number, got NaN');
  const dims = dim === undefined || dim === null ? undefined : normalizeDims('linalg.vectorNorm', dim, x.ndim);
  const magnitude = x.abs();
  if (ord === Infinity) return magnitude.amax(dims, keepdim);
  if (ord === -Infinity) return magnitude.amin(dims, keepdim);
  if (ord === 0) return x.ne(0).cast(x.dtype).sum(dims, keepdim);
  if (ord === 1) return magnitude.sum(dims, keepdim);
  if (ord === 2) {
    // √Σx² with a zero subgradient at 0 (√'s derivative would give 0·∞ there).
    const squares = x.square().sum(dims, keepdim);
    const positive = squares.gt(0);
    return where(positive, where(positive, squares, 1).sqrt(), 0);
  }
  if (ord < 0) return magnitude.pow(ord).sum(dims, keepdim).pow(1 / ord); // a zero entry gives ∞ → norm 0, as PyTorch
  // Zero entries and a zero norm are kept out of pow, whose derivative is not finite there.
  const zeroEntry = magnitude.eq(0);
  const powered = where(zeroEntry, 0, where(zeroEntry, 1, magnitude).pow(ord)).sum(dims, keepdim);
  const zeroNorm = powered.eq(0);
  return where(zeroNorm, 0, where(zeroNorm, 1, powered).pow(1 / ord));
}

function matrixDims(op: string, A: Tensor, dim: readonly number[]): [number, number] {
  if (dim.length !== 2) throw new ShapeError(`linalg.${op}: dim must name two dims, got [${dim.join(', ')}]`);
  const [row, col] = normalizeDims(`linalg.${op}`, [...dim], A.ndim);
  if (row === col) throw new ShapeError(`linalg.${op}: dim must name two different dims, got [${dim.join(', ')}] for shape ${formatShape(A.shape)}`);
  return [row, col];
}

/**
 * Matrix norms over the two dims `dim` (default the last two): 'fro', 'nuc', 1, −1, 2, −2, ∞, −∞ as
 * PyTorch's `torch.linalg.matrix_norm`. Differentiable.
 * @example
 * linalg.matrixNorm(tensor([[1, -2], [3, 4]]), 1); // 6 (largest column sum of |a|)
 */
export function matrixNorm(A: Tensor, ord: MatrixNormOrd = 'fro', dim: readonly number[] = [-2, -1], keepdim = false): Tensor {
  checkLinalgInput('matrixNorm', A);
  const [row, col] = matrixDims('matrixNorm', A, dim);
  const restore = (value: Tensor, reducedOrder: number[]) =>
    keepdim ? reducedOrder.reduce((result, d) => result.unsqueeze(d), value) : value;
  if (ord === 'fro') return vectorNorm(A, 2, [row, col], keepdim);
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    // Move the two dims last, take singular values, reduce them.
    const others = A.shape.map((_, d) => d).filter((d) => d !== row && d !== col);
    const singular = svdvals(A.permute([...others, row, col]));
    const value = ord === 'nuc' ? singular.sum(-1) : ord === 2 ? singular.amax(-1) : singular.amin(-1);
    return restore(value, [row, col].sort((a, b) => a - b));
  }
  if (ord === 1 || ord === -1 || ord === Infinity || ord === -Infinity) {
    // ±1: column sums (over rows), then max/min over columns; ±∞: row sums, then over rows.
    const [sumDim, extremeDim] = ord === 1 || ord === -1 ? [row, col] : [col, row];
    const sums = A.abs().sum(sumDim, true);
    const value = ord > 0 ? sums.amax(extremeDim, true) : sums.amin(extremeDim, true);
    return keepdim ? value : value.squeeze([row, col]);
  }
  throw new ValueError(`linalg.matrixNorm: ord must be 'fro', 'nuc', 1, -1, 2, -2, Infinity or -Infinity, got ${String(ord)}`);
}

/**
 * PyTorch's `torch.linalg.norm`: a matrix norm when `ord` is a string or `dim` names two dims (or the
 * input is 2-D with an `ord` and no `dim`), else a vector norm (2-norm of all elements by default).
 * @example
 * linalg.norm(tensor([[1, 2], [3, 4]]));          // √30 (Frobenius)
 * linalg.norm(tensor([[1, 2], [3, 4]]), 'nuc');   // sum of singular values
 */
export function norm(A: Tensor, ord?: MatrixNormOrd | null, dim?: number | number[] | null, keepdim = false): Tensor {
  checkLinalgInput('norm', A, 0);
  const dims = dim === undefined || dim === null ? null : typeof dim === 'number' ? [dim] : dim;
  if (ord === undefined || ord === null) {
    return dims && dims.length === 2 ? matrixNorm(A, 'fro', dims, keepdim) : vectorNorm(A, 2, dims, keepdim);
  }
  if (dims === null) {
    if (A.ndim === 2) return matrixNorm(A, ord, [-2, -1], keepdim);
    if (A.ndim === 1 && typeof ord === 'number') return vectorNorm(A, ord, null, keepdim);
    throw new ShapeError(`linalg.norm: with an ord and no dim the input must be 1-D or 2-D, got shape ${formatShape(A.shape)}`);
  }
  if (dims.length === 2) return matrixNorm(A, ord, dims, keepdim);
  if (dims.length === 1 && typeof ord === 'number') return vectorNorm(A, ord, dims, keepdim);
  throw new ShapeError(`linalg.norm: dim must name one dim (vector norm, numeric ord) or two (matrix norm), got [${dims.join(', ')}] with ord ${String(ord)}`);
}
