/**
 * Log-loss (cross-entropy of predicted probabilities), as a metric.
 */
import { ShapeError, ValueError, isFloating, oneHot, tidy, formatShape, where, type Tensor } from '@tessera/core';

/** Options of {@link logLoss}. */
export interface LogLossOptions {
  /** Probabilities are clipped to [eps, 1 − eps] so a confident mistake costs a large but finite amount (default 1e-7). */
  eps?: number;
  /** `'mean'` over samples (default), `'sum'`, or `'none'` for one value per sample. */
  reduction?: 'mean' | 'sum' | 'none';
}


/** Per-sample binary log-loss −[y ln p + (1 − y) ln(1 − p)]; logits use the stable softplus form. */
function binaryLogLoss(scores: Tensor, labels: Tensor, eps: number): Tensor {
  const areProbabilities = scores.min().ge(0).logicalAnd(scores.max().le(1));
  const p = scores.clamp(eps, 1 - eps);
  const fromProbabilities = labels.mul(p.log()).add(labels.neg().add(1).mul(p.neg().add(1).log())).neg();
  // For logits z: max(z, 0) − z·y + ln(1 + e^(−|z|)), which never overflows.
  const fromLogits = scores.relu().sub(scores.mul(labels)).add(scores.abs().neg().exp().add(1).log());
  return where(areProbabilities, fromProbabilities, fromLogits);
}

/** Per-sample multi-class log-loss −Σₖ yₖ ln pₖ; rows that are not probability distributions are logits. */
function multiClassLogLoss(scores: Tensor, targetRows: Tensor, eps: number): Tensor {
  const rowSums = scores.sum(1);
  const areProbabilities = scores.min().ge(0).logicalAnd(rowSums.sub(1).abs().max().le(1e-3));
  const logProbabilities = where(areProbabilities, scores.clamp(eps, 1).log(), scores.logSoftmax(1));
  return targetRows.mul(logProbabilities).sum(1).neg();
}

/**
 * The log-loss of probabilistic predictions, as the course defines it: −(1/N) Σᵢ [yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)]
 * for binary predictions `[N]` / `[N, 1]`, and −(1/N) Σᵢ Σₖ yᵢₖ ln pᵢₖ for `[N, C]` predictions with class
 * indices or one-hot / probability targets. Predictions may be probabilities or logits (values outside
 * [0, 1], or rows not summing to 1, are treated as logits). A 0-d float32 tensor (`[N]` with `'none'`).
 * @example
 * await logLoss(tensor([0.9, 0.2]), tensor([1, 0])).item(); // −(ln 0.9 + ln 0.8) / 2 ≈ 0.164
 * await logLoss(tensor([[0.6, 0.4], [0.2, 0.8]]), tensor([0, 1], { dtype: 'int32' })).item(); // ≈ 0.367
 */
export function logLoss(prediction: Tensor, target: Tensor, options: LogLossOptions = {}): Tensor {
  const eps = options.eps ?? 1e-7;
  const reduction = options.reduction ?? 'mean';
  if (!(eps > 0 && eps < 0.5)) throw new ValueError(`logLoss: eps must lie in (0, 0.5), got ${eps}`);
  if (!isFloating(prediction.dtype)) throw new ValueError(`logLoss: predictions must be floating-point probabilities or logits, got ${prediction.dtype}`);
  return tidy(() => {
    const multiClass = prediction.ndim === 2 && prediction.shape[1] > 1;
    let perSample: Tensor;
    if (multiClass) {
      const [samples, classes] = prediction.shape;
      let targetRows: Tensor;
      if (target.ndim === 2 && target.shape[0] === samples && target.shape[1] === classes) {
        targetRows = target.float();
      } else if (target.ndim === 1 && target.shape[0] === samples) {
        targetRows = oneHot(isFloating(target.dtype) ? target.round().int() : target.int(), classes, 'float32');
      } else {
        throw new ShapeError(
          `logLoss: predictions ${formatShape(prediction.shape)} need targets of shape [${samples}] (class indices) or ${formatShape(prediction.shape)} (one-hot), got ${formatShape(target.shape)}`,
        );
      }
      perSample = multiClassLogLoss(prediction.float(), targetRows, eps);
    } else {
      const scores = prediction.ndim === 2 && prediction.shape[1] === 1 ? prediction.squeeze(1) : prediction;
      const labels = target.ndim === 2 && target.shape[1] === 1 ? target.squeeze(1) : target;
      if (scores.ndim !== 1 || labels.ndim !== 1 || scores.shape[0] !== labels.shape[0]) {
        throw new ShapeError(
          `logLoss: binary predictions ${formatShape(prediction.shape)} and targets ${formatShape(target.shape)} must both be [N] or [N, 1] with the same N`,
        );
      }
      perSample = binaryLogLoss(scores.float(), labels.float(), eps);
    }
    if (reduction === 'none') return perSample;
    if (reduction === 'sum') return perSample.sum();
    if (reduction === 'mean') return perSample.mean();
    throw new ValueError(`logLoss: unknown reduction '${String(reduction)}'; expected 'mean', 'sum' or 'none'`);
  });
}
