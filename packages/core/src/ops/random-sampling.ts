/**
 * Sampling from tensors of probabilities: multinomial (with and without replacement) and bernoulli.
 * Both draw float32 uniforms from core's Philox `rand` stream, so one seed gives the same samples on
 * every backend; the rest is compare, cumsum and topk on the backend.
 */
import { noGrad } from '../autograd/grad-mode';
import { ShapeError, ValueError } from '../errors';
import { tidy } from '../memory/scope';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { requireFloat } from './dispatch';
import { checkCount } from './index-policy';
import { rand } from './random';
import { topk } from './sort';

/** Options of {@link multinomial}. */
export interface MultinomialOptions {
  /** Draw with replacement (default false, as PyTorch). */
  replacement?: boolean;
}

/**
 * On backends that read synchronously, reject what PyTorch rejects: negative, NaN or infinite
 * weights, an all-zero row, and (without replacement) fewer non-zero categories than samples.
 * Other backends cannot check without a read; there such rows give unspecified samples.
 */
function checkWeights(probs: Tensor, rows: number, categories: number, numSamples: number, replacement: boolean): void {
  if (!probs.storage.backend.capabilities.syncRead) return;
  const weights = probs.dataSync();
  for (let row = 0; row < rows; row++) {
    let total = 0;
    let positive = 0;
    for (let c = 0; c < categories; c++) {
      const weight = weights[row * categories + c];
      if (!(weight >= 0) || weight === Infinity) {
        throw new ValueError(`multinomial: probabilities must be finite and non-negative, got ${weight} in row ${row} (input ${formatShape(probs.shape)})`);
      }
      total += weight;
      if (weight > 0) positive++;
    }
    if (total === 0) throw new ValueError(`multinomial: row ${row} of the probabilities sums to 0 (input ${formatShape(probs.shape)})`);
    if (!replacement && positive < numSamples) {
      throw new ValueError(`multinomial: cannot draw ${numSamples} samples without replacement from row ${row}, which has only ${positive} non-zero categories`);
    }
  }
}

/** With replacement: inverse-CDF sampling, `index = #{c : cdf[c] ≤ u · total}`. */
function sampleWithReplacement(weights: Tensor, numSamples: number): Tensor {
  const [rows, categories] = weights.shape;
  const uniform = rand([rows, numSamples], { device: weights.device }).cast(weights.dtype);
  const cdf = weights.cumsum(1);
  const threshold = uniform.mul(cdf.narrow(1, categories - 1, 1));
  const index = cdf.unsqueeze(1).le(threshold.unsqueeze(2)).int().sum(2);
  // Rounding can put u · total at the very top of the cdf: fall back to the last category with weight.
  const lastPositive = weights.gt(0).flip(1).int().argmax(1, true).neg().add(categories - 1);
  return index.minimum(lastPositive);
}

/**
 * Without replacement: the exponential-race trick PyTorch uses — the `n` largest of `p / E` with
 * `E ~ Exp(1)` are distributed as `n` successive draws that each remove the chosen category.
 */
function sampleWithoutReplacement(weights: Tensor, numSamples: number): Tensor {
  const uniform = rand(weights.shape, { device: weights.device }).cast(weights.dtype);
  const exponential = uniform.neg().add(1).log().neg();
  return topk(weights.div(exponential), numSamples, { dim: 1 }).indices;
}

/**
 * Draw `numSamples` category indices (int32) from each row of non-negative weights (1-D `[n]` or
 * 2-D `[rows, n]`, not necessarily normalised). Seeded by `manualSeed`; identical on every backend.
 * @example
 * manualSeed(0);
 * multinomial(tensor([0.1, 0.6, 0.3]), 4, { replacement: true }); // e.g. int32 [1, 2, 1, 1]
 * multinomial(logits.softmax(-1), 1);                              // one token per row
 */
export function multinomial(probs: Tensor, numSamples: number, options: MultinomialOptions = {}): Tensor {
  probs.assertLive('multinomial');
  requireFloat('multinomial', probs, '; probabilities must be floating point');
  const replacement = options.replacement ?? false;
  if (probs.ndim !== 1 && probs.ndim !== 2) {
    throw new ShapeError(`multinomial: expected 1-D or 2-D probabilities, got shape ${formatShape(probs.shape)}`);
  }
  checkCount('multinomial', 'numSamples', numSamples);
  const categories = probs.shape[probs.ndim - 1];
  const rows = probs.ndim === 2 ? probs.shape[0] : 1;
  if (numSamples === 0 || categories === 0) {
    throw new ValueError(`multinomial: need numSamples > 0 and at least one category, got ${numSamples} samples from shape ${formatShape(probs.shape)}`);
  }
  if (!replacement && numSamples > categories) {
    throw new ValueError(`multinomial: cannot draw ${numSamples} samples without replacement from ${categories} categories; pass { replacement: true }`);
  }
  checkWeights(probs, rows, categories, numSamples, replacement);
  return noGrad(() =>
    tidy(() => {
      const weights = probs.reshape([rows, categories]);
      // One draw is the same with or without replacement: take the O(n) inverse CDF instead of a sort.
      const samples = replacement || numSamples === 1 ? sampleWithReplacement(weights, numSamples) : sampleWithoutReplacement(weights, numSamples);
      return probs.ndim === 1 ? samples.reshape([numSamples]) : samples;
    }),
  );
}

/**
 * Draw 0 or 1 for each element, 1 with probability `p` (a floating tensor in [0, 1]); same dtype as `p`.
 * @example
 * manualSeed(0);
 * bernoulli(full([2, 3], 0.5)); // e.g. [[1, 0, 0], [1, 1, 0]]
 */
export function bernoulli(p: Tensor): Tensor {
  p.assertLive('bernoulli');
  requireFloat('bernoulli', p, '; probabilities must be floating point');
  return noGrad(() => tidy(() => rand(p.shape, { device: p.device }).lt(p).cast(p.dtype)));
}
