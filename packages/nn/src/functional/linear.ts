/**
 * Affine maps, embeddings and dropout.
 */
import { fusedMatmul, gatherRows, rand, tidy, ShapeError, ValueError, type Tensor } from '@tessera/core';
import { expectFloating, expectIndicesInRange, expectInt, expectProbability, shapeText } from './checks';

/**
 * y = x·Wᵀ + b, with `weight` `[out, in]` and optional `bias` `[out]` (PyTorch's layout).
 * @example
 * linear(x, weight, bias); // x [N, 3], weight [2, 3], bias [2] → [N, 2]
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(`linear: weight must be 2-D [outFeatures, inFeatures], got ${shapeText(weight.shape)}`);
  const inFeatures = weight.shape[1];
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== inFeatures) {
    throw new ShapeError(
      `linear: input of shape ${shapeText(input.shape)} must end in inFeatures = ${inFeatures} (weight ${shapeText(weight.shape)})`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new ShapeError(`linear: bias must have shape [${weight.shape[0]}], got ${shapeText(bias.shape)}`);
  }
  // Rank ≥ 2 with a bias: one fused op, so a backend with the matmulBiasActivation kernel writes the
  // output once (the product with the bias added as it is stored) instead of product then sum.
  if (bias && input.ndim >= 2) return tidy(() => fusedMatmul(input, weight.transpose(0, 1), { bias }));
  return tidy(() => {
    const product = input.matmul(weight.transpose(0, 1));
    return bias ? product.add(bias) : product;
  });
}

/** Options of {@link embedding}. */
export interface EmbeddingOptions {
  /** Rows at this index get no gradient (the padding token's vector stays as it is). */
  paddingIdx?: number | null;
  /**
   * Give `weight` a row-sparse gradient (PyTorch's `sparse=True`): backward stores only the looked-up
   * rows (`rowSparseGrad(weight)`) and leaves `weight.grad` null; `SGD` and `SparseAdam` update just those rows.
   */
  sparse?: boolean;
}

/**
 * Look up rows of `weight` `[numEmbeddings, dim]` for int32 `input` of any shape → `[...input.shape, dim]`.
 * @example
 * embedding(tensor([[1, 2]], { dtype: 'int32' }), table); // [1, 2, dim]
 */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  expectInt('embedding', 'input', input);
  if (weight.ndim !== 2) throw new ShapeError(`embedding: weight must be 2-D [numEmbeddings, embeddingDim], got ${shapeText(weight.shape)}`);
  const count = weight.shape[0];
  expectIndicesInRange('embedding', 'index', input, count);
  const paddingIdx = normalizePaddingIdx('embedding', options.paddingIdx, count);
  return tidy(() => {
    const rows = gatherRows(weight, input, { sparseGrad: options.sparse === true });
    if (paddingIdx === null || !weight.requiresGrad) return rows;
    // Same values; the padding positions take theirs from a detached copy, so no gradient reaches that row.
    const isPadding = input.eq(paddingIdx).unsqueeze(-1);
    return rows.detach().where(isPadding, rows);
  });
}

/** Resolve a possibly negative padding index against the table size (PyTorch accepts −count ≤ idx < count). */
export function normalizePaddingIdx(op: string, paddingIdx: number | null | undefined, count: number): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -count || paddingIdx >= count) {
    throw new ValueError(`${op}: paddingIdx must be an integer in [${-count}, ${count}), got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? paddingIdx + count : paddingIdx;
}

/**
 * Inverted dropout: in training, zero each element with probability `p` and scale the survivors by
 * 1/(1 − p), so the expected value is unchanged and evaluation needs no rescaling. The mask comes from
 * core's `rand` (seeded Philox), so `manualSeed` makes it reproducible on every backend. Returns `input`
 * itself when not training or when `p` is 0.
 * @example
 * dropout(x, 0.2, model.training);
 */
export function dropout(input: Tensor, p = 0.5, training = true): Tensor {
  expectProbability('dropout', 'p', p);
  expectFloating('dropout', 'input', input);
  if (!training || p === 0) return input;
  return tidy(() => {
    if (p === 1) return input.mul(0);
    // Keep an element where its uniform draw u ∈ [0, 1) is ≥ p: probability 1 − p.
    const keep = rand(input.shape, { dtype: input.dtype, device: input.device }).ge(p);
    return input.mul(keep).mul(1 / (1 - p));
  });
}
