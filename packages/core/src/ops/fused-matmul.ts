/**
 * `activation(a · b + bias)` as one op: the backend's fused `matmulBiasActivation` kernel when it has
 * one (the product is written once, with the bias and activation applied on the way out), else the
 * composite matmul → add → activation. The gradient is the same either way and reads only the
 * operands and the output.
 */
import { FUSED_ACTIVATIONS, type FusedActivation } from '../backend/backend';
import { noGrad } from '../autograd/grad-mode';
import { autocastActive, autocastOp } from '../autograd/autocast';
import { recordOp } from '../autograd/record';
import { isFloating, promoteTypes } from '../dtype';
import { DTypeError, ShapeError, ValueError } from '../errors';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { castIfNeeded, disposeIfTemp } from './cast';
import { backendOf, viewOf } from './dispatch';
import { matmulBatched } from './matmul';
import { sumToShape } from './reduce-to-shape';
import { gradientFromOutput, unaryOp } from './unary';
import { contiguous } from './view';

/** Options of {@link fusedMatmul}. */
export interface FusedMatmulOptions {
  /** Added to every row of the product: a 1-D tensor as long as the product's last dim, or null. */
  bias?: Tensor | null;
  /** Applied last (default `'none'`). */
  activation?: FusedActivation;
}

/**
 * `activation(a · b + bias)` in one op (TensorFlow.js's `tf.fused.matMul`, PyTorch's `addmm` plus an
 * activation): `a` `[..., M, K]` and `b` `[..., K, N]` follow {@link matmul}'s batch broadcasting
 * (both need at least 2 dims), `bias` is `[N]`, and `activation` is `'none'`, `'relu'`, `'sigmoid'`
 * or `'tanh'`. Backends with the optional `matmulBiasActivation` kernel write the product once;
 * others run matmul, add and the activation. Differentiable in `a`, `b` and `bias`.
 * @example
 * const hidden = fusedMatmul(x, w1, { bias: b1, activation: 'relu' }); // relu(x·w1 + b1)
 */
export function fusedMatmul(a: Tensor, b: Tensor, options: FusedMatmulOptions = {}): Tensor {
  const op = 'fusedMatmul';
  if (autocastActive()) return autocastOp(op, 'lowerPrecision', [a, b, options.bias ?? null], (x, w, bias) => fusedMatmul(x, w, { ...options, bias }));
  const bias = options.bias ?? null;
  const activation = options.activation ?? 'none';
  const backend = backendOf(op, bias ? [a, b, bias] : [a, b]);
  if (!FUSED_ACTIVATIONS.includes(activation)) {
    throw new ValueError(`${op}: activation must be one of ${FUSED_ACTIVATIONS.join(', ')}, got ${String(activation)}`);
  }
  const operands = bias ? [a, b, bias] : [a, b];
  if (operands.some((t) => !isFloating(t.dtype))) {
    throw new DTypeError(
      `${op}: expected floating-point operands, got ${operands.map((t) => `${t.dtype} ${formatShape(t.shape)}`).join(', ')}; cast with .float()`,
    );
  }
  if (a.ndim < 2 || b.ndim < 2) {
    throw new ShapeError(`${op}: both operands need at least 2 dims, got ${formatShape(a.shape)} and ${formatShape(b.shape)}; use matmul for vectors`);
  }
  const n = b.shape[b.ndim - 1];
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== n)) {
    throw new ShapeError(`${op}: bias must have shape [${n}] (the last dim of ${formatShape(b.shape)}), got ${formatShape(bias.shape)}`);
  }
  const dtype = operands.map((t) => t.dtype).reduce(promoteTypes);
  const left = castIfNeeded(a, dtype);
  const right = castIfNeeded(b, dtype);
  const shift = bias ? castIfNeeded(bias, dtype) : null;
  try {
    const kernel = backend.matmulBiasActivation;
    const out = noGrad(() => {
      if (!kernel) {
        const product = matmulBatched(left, right);
        if (!shift && activation === 'none') return product;
        const shifted = shift ? product.add(shift) : product;
        const result = activation === 'none' ? shifted : unaryOp(activation, shifted);
        if (shifted !== product) product.dispose();
        if (result !== shifted) shifted.dispose();
        return result;
      }
      const biasInput = shift ? contiguous(shift) : null;
      try {
        return matmulBatched(left, right, (target, va, vb, output, [biasView]) => kernel.call(target, va, vb, biasView ?? null, activation, output), biasInput ? [viewOf(biasInput)] : []);
      } finally {
        if (biasInput) disposeIfTemp(biasInput, shift);
      }
    });
    const leftShape = left.shape;
    const rightShape = right.shape;
    const biasNeedsGrad = shift?.requiresGrad ?? false;
    recordOp(
      op,
      shift ? [left, right, shift] : [left, right],
      out,
      (grad, [savedA, savedB], y) => {
        const local = activation === 'none' ? grad : gradientFromOutput(activation, grad, y!);
        return [
          savedA.requiresGrad ? sumToShape(local.matmul(savedB.transpose(-1, -2)), leftShape) : null,
          savedB.requiresGrad ? sumToShape(savedA.transpose(-1, -2).matmul(local), rightShape) : null,
          ...(shift ? [biasNeedsGrad ? sumToShape(local, [n]) : null] : []),
        ];
      },
      { save: [left, right], saveOutput: true },
    );
    return out;
  } finally {
    disposeIfTemp(left, a);
    disposeIfTemp(right, b);
    if (shift && bias) disposeIfTemp(shift, bias);
  }
}
