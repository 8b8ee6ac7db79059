/**
 * Attention that materialises its weights: softmax(q·kᵀ/√E + mask)·v, the path of
 * `MultiHeadAttention` when the caller asks for the weights (PyTorch 1.13's
 * `_scaled_dot_product_attention`, dropout applied to the returned weights as there).
 */
import { noGrad, tidy, where, type Tensor } from '@tessera/core';
import { F } from '@tessera/nn';

/** The attention output and the (dropped-out) weights it used. */
export interface AttentionResult {
  /** `[..., L, Ev]`. */
  output: Tensor;
  /** `[..., L, S]`, each row summing to 1 (0 for a row whose keys are all hidden). */
  weights: Tensor;
}

/**
 * q `[..., L, E]`, k `[..., S, E]`, v `[..., S, Ev]` and an optional additive mask broadcastable to
 * `[..., L, S]`. A query row whose keys are all hidden gets zero weights and a zero output (PyTorch
 * 1.13 gives NaN there; PyTorch 2's `scaled_dot_product_attention` and core's give 0).
 */
export function softmaxAttention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, dropoutP: number): AttentionResult {
  return tidy(() => {
    let scores = q.mul(1 / Math.sqrt(q.shape[q.ndim - 1])).matmul(k.transpose(-2, -1));
    let weights: Tensor;
    if (mask) {
      scores = scores.add(mask);
      // Rows with every score −∞ would be 0/0 in the softmax: run it on zeros there, then zero the weights.
      const hidden = noGrad(() => scores.amax(-1, true).eq(-Infinity));
      weights = where(hidden, 0, scores.where(hidden.logicalNot(), 0).softmax(-1));
    } else {
      weights = scores.softmax(-1);
    }
    weights = F.dropout(weights, dropoutP);
    return { output: weights.matmul(v), weights };
  });
}
