/**
 * Layer normalisation: the backend's fused kernel when present, else a composite; the gradient is
 * written in core ops from the saved mean and reciprocal standard deviation.
 */
import { isGradEnabled, noGrad } from '../autograd/grad-mode';
import { autocastNeedsFloat32, autocastOp } from '../autograd/autocast';
import { recordOp } from '../autograd/record';
import { isFloating } from '../dtype';
import { DTypeError, ShapeError } from '../errors';
import { tidy } from '../memory/scope';
import { formatShape, sizeOf } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { backendOf, runKernelMulti, viewOf } from './dispatch';
import { contiguous } from './view';

/** Mean and reciprocal standard deviation (biased variance) over `dims`, kept as size-1 dims. */
function statistics(x: Tensor, dims: readonly number[], eps: number): [Tensor, Tensor] {
  const average = x.mean([...dims], true);
  const centered = x.sub(average);
  const squared = centered.mul(centered);
  const variance = squared.mean([...dims], true);
  const shifted = variance.add(eps);
  const inverse = shifted.rsqrt();
  for (const temp of [centered, squared, variance, shifted]) temp.dispose();
  return [average, inverse];
}

/**
 * Normalise over the trailing `normalizedShape` dims: `(x − mean) / √(var + eps) · weight + bias`
 * (biased variance, as PyTorch).
 * @example
 * layerNorm(x, [512], gamma, beta, 1e-5);
 */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  if (autocastNeedsFloat32(x, weight, bias)) return autocastOp('layerNorm', 'float32', [x, normalizedShape, weight, bias, eps], layerNorm);
  const operands = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const backend = backendOf('layerNorm', operands);
  if (!isFloating(x.dtype) || operands.some((t) => t.dtype !== x.dtype)) {
    throw new DTypeError(`layerNorm: input, weight and bias must share one floating dtype, got ${operands.map((t) => t.dtype).join(', ')}`);
  }
  const count = normalizedShape.length;
  const trailing = x.shape.slice(x.ndim - count);
  if (count === 0 || count > x.ndim || trailing.some((size, i) => size !== normalizedShape[i])) {
    throw new ShapeError(`layerNorm: normalizedShape ${formatShape(normalizedShape)} must equal the trailing dims of the input ${formatShape(x.shape)}`);
  }
  for (const [name, param] of [['weight', weight], ['bias', bias]] as const) {
    if (param && (param.ndim !== count || param.shape.some((size, i) => size !== normalizedShape[i]))) {
      throw new ShapeError(`layerNorm: ${name} must have shape ${formatShape(normalizedShape)}, got ${formatShape(param.shape)}`);
    }
  }
  const normSize = sizeOf(normalizedShape);
  const dims = normalizedShape.map((_, i) => x.ndim - count + i);
  const statShape = x.shape.map((size, d) => (d >= x.ndim - count ? 1 : size));

  const [out, mean, rstd] = noGrad(() => {
    if (backend.layerNorm && normSize > 0) {
      const input = contiguous(x);
      const rows = x.size / normSize;
      const flatParam = (param: Tensor | null) => (param ? viewOf(param) : null);
      const results = runKernelMulti(
        backend,
        [{ shape: x.shape, dtype: x.dtype }, { shape: [rows], dtype: x.dtype }, { shape: [rows], dtype: x.dtype }],
        [viewOf(input)],
        ([output, meanOut, rstdOut], [view]) =>
          backend.layerNorm!(view, flatParam(weight), flatParam(bias), normSize, eps, output, meanOut, rstdOut),
      );
      input.dispose();
      const [result, rowMean, rowRstd] = results;
      const shapedMean = rowMean.reshape(statShape);
      const shapedRstd = rowRstd.reshape(statShape);
      rowMean.dispose();
      rowRstd.dispose();
      return [result, shapedMean, shapedRstd];
    }
    return tidy(() => {
      const [average, inverse] = statistics(x, dims, eps);
      let result = x.sub(average).mul(inverse);
      if (weight) result = result.mul(weight);
      if (bias) result = result.add(bias);
      return [result, average, inverse];
    });
  });

  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  const needs = { weight: weight?.requiresGrad ?? false, bias: bias?.requiresGrad ?? false };
  recordOp(
    'layerNorm',
    inputs,
    out,
    (grad, [savedX, savedMean, savedRstd, savedWeight]) => {
      const batchDims = savedX.shape.map((_, d) => d).filter((d) => !dims.includes(d));
      // The saved statistics are constants; a recorded backward (createGraph) needs them as functions of x.
      const [rowMean, rowRstd] = isGradEnabled() && savedX.requiresGrad ? statistics(savedX, dims, eps) : [savedMean, savedRstd];
      const normalized = savedX.sub(rowMean).mul(rowRstd);
      const gradNormalized = savedWeight ? grad.mul(savedWeight) : grad;
      const meanGrad = gradNormalized.mean(dims, true);
      const projected = gradNormalized.mul(normalized).mean(dims, true);
      const gradX = savedX.requiresGrad ? gradNormalized.sub(meanGrad).sub(normalized.mul(projected)).mul(rowRstd) : null;
      const grads: (Tensor | null)[] = [gradX];
      if (weight) grads.push(needs.weight ? grad.mul(normalized).sum(batchDims) : null);
      if (bias) grads.push(needs.bias ? grad.sum(batchDims) : null);
      return grads;
    },
    { save: weight ? [x, mean, rstd, weight] : [x, mean, rstd] },
  );
  mean.dispose();
  rstd.dispose();
  return out;
}
