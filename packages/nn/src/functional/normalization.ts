/**
 * Layer and batch normalisation.
 */
import { layerNorm as coreLayerNorm, noGrad, tidy, ShapeError, ValueError, type Tensor } from '@tessera/core';
import { expectFloating, shapeText } from './checks';

/** Options of {@link layerNorm}. */
export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Normalise over the trailing `normalizedShape` dims: (x − mean)/√(var + eps)·weight + bias (biased variance).
 * @example
 * layerNorm(x, [512], gamma, beta, { eps: 1e-5 });
 */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: LayerNormOptions = {},
): Tensor {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  const trailing = input.shape.slice(input.ndim - shape.length);
  if (shape.length > input.ndim || trailing.some((size, d) => size !== shape[d])) {
    throw new ShapeError(`layerNorm: input of shape ${shapeText(input.shape)} does not end in normalizedShape ${shapeText(shape)}`);
  }
  return coreLayerNorm(input, shape, weight, bias, options.eps ?? 1e-5);
}

/** Options of {@link batchNorm}. */
export interface BatchNormOptions {
  /** Use the batch's statistics (and update the running ones) rather than the running ones (default false). */
  training?: boolean;
  /** Weight of the new batch in the running averages (default 0.1); `null` for a cumulative average. */
  momentum?: number | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** With `momentum: null`, the number of batches seen including this one (the averaging factor is 1/n). */
  numBatchesTracked?: number;
}

/**
 * Batch normalisation of `[N, C]` or `[N, C, L]` over every dim but the channel dim 1. In training the
 * batch's mean and biased variance normalise, and the running mean and *unbiased* variance are updated
 * in place: running ← (1 − momentum)·running + momentum·batch (PyTorch's convention). Otherwise the
 * running statistics normalise. Pass `null` running statistics to always use the batch's.
 * @example
 * batchNorm(x, runningMean, runningVar, gamma, beta, { training: true });
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: BatchNormOptions = {},
): Tensor {
  expectFloating('batchNorm', 'input', input);
  if (input.ndim < 2) throw new ShapeError(`batchNorm: expected an input of shape [N, C] or [N, C, L], got ${shapeText(input.shape)}`);
  const channels = input.shape[1];
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== channels)) {
      throw new ShapeError(`batchNorm: ${name} must have shape [${channels}] (the channels of input ${shapeText(input.shape)}), got ${shapeText(t.shape)}`);
    }
  }
  const training = options.training ?? false;
  const eps = options.eps ?? 1e-5;
  const dims = input.shape.map((_, d) => d).filter((d) => d !== 1);
  // Parameters broadcast along dim 1: [C] → [C, 1, …].
  const perChannel = (t: Tensor) => t.reshape([channels, ...input.shape.slice(2).map(() => 1)]);
  const useBatch = training || !runningMean || !runningVar;
  return tidy(() => {
    let mean: Tensor;
    let variance: Tensor;
    if (useBatch) {
      const count = input.size / channels;
      if (training && count <= 1) {
        throw new ValueError(`batchNorm: expected more than 1 value per channel when training, got input of shape ${shapeText(input.shape)}`);
      }
      mean = input.mean(dims, true);
      const centered = input.sub(mean);
      variance = centered.mul(centered).mean(dims, true);
      if (training && runningMean && runningVar) {
        const momentum = options.momentum === undefined ? 0.1 : options.momentum;
        const factor = momentum ?? 1 / Math.max(1, options.numBatchesTracked ?? 1);
        noGrad(() => {
          const batchMean = mean.reshape([channels]);
          const unbiased = variance.reshape([channels]).mul(count / (count - 1));
          runningMean.assign(runningMean.mul(1 - factor).add(batchMean.mul(factor)));
          runningVar.assign(runningVar.mul(1 - factor).add(unbiased.mul(factor)));
        });
      }
    } else {
      mean = perChannel(runningMean!);
      variance = perChannel(runningVar!);
    }
    let out = input.sub(mean).mul(variance.add(eps).rsqrt());
    if (weight) out = out.mul(perChannel(weight));
    if (bias) out = out.add(perChannel(bias));
    return out;
  });
}
