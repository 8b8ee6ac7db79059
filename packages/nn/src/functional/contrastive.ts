/**
 * Contrastive losses: InfoNCE with in-batch negatives, the self-supervised objective that pulls each
 * query toward its own key and away from every other key in the batch.
 */
import { arange, tidy, ShapeError, ValueError, type Tensor } from '@tessera/core';
import { expectFloating, shapeText } from './checks';
import { crossEntropy, type ReductionOptions } from './losses';

/** Options of {@link infoNCE}. */
export interface InfoNCEOptions extends ReductionOptions {
  /** τ: the similarities are divided by it before the softmax (default 0.1). */
  temperature?: number;
  /** Compare unit vectors (cosine similarity; default true) or raw dot products. */
  normalize?: boolean;
  /** Average the query→key and the key→query losses (CLIP's symmetric form; default false). */
  symmetric?: boolean;
}

/**
 * InfoNCE (van den Oord et al. 2018) with in-batch negatives: for `queries` and `keys` `[N, D]` where
 * row i of each is a positive pair, the logits are `s_ij = sim(q_i, k_j) / τ` and the loss of row i is
 * the cross-entropy of picking j = i among the N keys — `−log(e^{s_ii} / Σ_j e^{s_ij})` — so the other
 * N − 1 keys of the batch are the negatives. `sim` is the cosine (default) or the dot product.
 * @example
 * const loss = F.infoNCE(encoder.forward(anchors), encoder.forward(positives), { temperature: 0.05 });
 */
export function infoNCE(queries: Tensor, keys: Tensor, options: InfoNCEOptions = {}): Tensor {
  const op = 'infoNCE';
  expectFloating(op, 'queries', queries);
  expectFloating(op, 'keys', keys);
  if (queries.ndim !== 2 || keys.ndim !== 2 || queries.shape[0] !== keys.shape[0] || queries.shape[1] !== keys.shape[1]) {
    throw new ShapeError(`${op}: queries and keys must both be [N, D] with row i a positive pair, got ${shapeText(queries.shape)} and ${shapeText(keys.shape)}`);
  }
  const temperature = options.temperature ?? 0.1;
  if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) {
    throw new ValueError(`${op}: temperature must be a positive number, got ${String(temperature)}`);
  }
  const reduction = options.reduction ?? 'mean';
  return tidy(() => {
    const unit = (x: Tensor) => x.div(x.mul(x).sum(1, true).sqrt().clampMin(1e-12));
    const q = options.normalize === false ? queries : unit(queries);
    const k = options.normalize === false ? keys : unit(keys);
    const logits = q.matmul(k.transpose(0, 1)).div(temperature);
    const labels = arange(0, queries.shape[0], 1, { dtype: 'int32', device: queries.device });
    const forward = crossEntropy(logits, labels, { reduction });
    if (!options.symmetric) return forward;
    return forward.add(crossEntropy(logits.transpose(0, 1), labels, { reduction })).mul(0.5);
  });
}
