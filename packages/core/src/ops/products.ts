/**
 * Products built on matmul and broadcasting: outer, addmm (`β·input + α·m1·m2`) and its batched
 * form baddbmm, with PyTorch's shape rules and `beta = 0` ignoring the input (NaN there does not leak).
 */
import { ShapeError, ValueError } from '../errors';
import { autocastActive, autocastOp } from '../autograd/autocast';
import { tidy } from '../memory/scope';
import { broadcastShapes, formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { matmul } from './matmul';

/**
 * The outer product of two vectors: `out[i][j] = a[i] · b[j]`.
 * @example
 * outer(tensor([1, 2]), tensor([3, 4, 5])); // [[3, 4, 5], [6, 8, 10]]
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  a.assertLive('outer');
  b.assertLive('outer');
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new ShapeError(`outer: expected two 1-D tensors, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  return tidy(() => a.unsqueeze(1).mul(b.unsqueeze(0)));
}

/** Scale factors of {@link addmm} and {@link baddbmm}. */
export interface AddmmOptions {
  /** Multiplier of `input` (default 1; 0 ignores the input's values). */
  beta?: number;
  /** Multiplier of the product (default 1). */
  alpha?: number;
}

function scaledSum(op: string, input: Tensor, product: Tensor, options: AddmmOptions): Tensor {
  const { beta = 1, alpha = 1 } = options;
  if (typeof beta !== 'number' || typeof alpha !== 'number') throw new ValueError(`${op}: beta and alpha must be numbers, got ${beta} and ${alpha}`);
  const shape = broadcastShapes(op, input.shape, product.shape);
  if (shape.length !== product.ndim || shape.some((size, d) => size !== product.shape[d])) {
    throw new ShapeError(`${op}: input ${formatShape(input.shape)} must broadcast to the product's shape ${formatShape(product.shape)}`);
  }
  const scaled = alpha === 1 ? product : product.mul(alpha);
  if (beta === 0) return scaled; // as PyTorch: the input is not read, so its NaN/∞ do not leak
  return scaled.add(beta === 1 ? input : input.mul(beta));
}

function checkOperands(op: string, rank: number, m1: Tensor, m2: Tensor): void {
  const batch = rank === 3 ? 'batch ' : '';
  if (m1.ndim !== rank || m2.ndim !== rank) {
    throw new ShapeError(`${op}: expected two ${rank}-D ${batch}matrices, got shapes ${formatShape(m1.shape)} and ${formatShape(m2.shape)}`);
  }
  if (m1.shape[rank - 1] !== m2.shape[rank - 2] || (rank === 3 && m1.shape[0] !== m2.shape[0])) {
    throw new ShapeError(`${op}: ${batch}matrices of shapes ${formatShape(m1.shape)} and ${formatShape(m2.shape)} cannot be multiplied`);
  }
}

/**
 * `beta · input + alpha · (m1 @ m2)` for matrices `m1 [n, m]`, `m2 [m, p]`; `input` broadcasts to `[n, p]`.
 * @example
 * addmm(bias, x, w, { beta: 1, alpha: 0.5 });
 */
export function addmm(input: Tensor, m1: Tensor, m2: Tensor, options: AddmmOptions = {}): Tensor {
  if (autocastActive()) return autocastOp('addmm', 'lowerPrecision', [input, m1, m2, options], addmm);
  input.assertLive('addmm');
  checkOperands('addmm', 2, m1, m2);
  return tidy(() => scaledSum('addmm', input, matmul(m1, m2), options));
}

/**
 * Batched {@link addmm}: `beta · input + alpha · (b1 @ b2)` for `b1 [B, n, m]`, `b2 [B, m, p]`;
 * `input` broadcasts to `[B, n, p]`.
 * @example
 * baddbmm(scores, q, k.transpose(1, 2), { beta: 0, alpha: 1 / Math.sqrt(d) });
 */
export function baddbmm(input: Tensor, b1: Tensor, b2: Tensor, options: AddmmOptions = {}): Tensor {
  if (autocastActive()) return autocastOp('baddbmm', 'lowerPrecision', [input, b1, b2, options], baddbmm);
  input.assertLive('baddbmm');
  checkOperands('baddbmm', 3, b1, b2);
  return tidy(() => scaledSum('baddbmm', input, matmul(b1, b2), options));
}
