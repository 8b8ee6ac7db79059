/**
 * Weight penalties to add to a loss (the course's L1 and L2 regularisation, and elastic net).
 *
 * Convention: `l2Penalty` is Σw² without a ½, exactly as the course writes L₂ = λΣw², whose gradient is
 * 2λw. An optimizer's `weightDecay: wd` adds wd·w to the gradient, i.e. it is the gradient of (wd/2)·Σw²:
 * `loss + λ·l2Penalty(params)` equals SGD with `weightDecay: 2λ` — the course's w ← w(1 − 2λη) − η∂L/∂w.
 */
import { tidy, ValueError, type Tensor } from '@tessera/core';

function total(op: string, params: Iterable<Tensor>, term: (p: Tensor) => Tensor): Tensor {
  const list = [...params];
  if (!list.length) throw new ValueError(`${op}: expected at least one parameter tensor`);
  return tidy(() => list.map((p) => term(p).sum()).reduce((sum, part) => sum.add(part)));
}

/**
 * L1 penalty Σ|w| over every element of every tensor (a 0-d tensor, differentiable: gradient sign(w)).
 * Adding λ·l1Penalty drives weights to exactly zero (sparse models).
 * @example
 * const loss = criterion.forward(out, y).add(l1Penalty(model.parameters()).mul(1e-4));
 */
export function l1Penalty(params: Iterable<Tensor>): Tensor {
  return total('l1Penalty', params, (p) => p.abs());
}

/**
 * L2 penalty Σw² over every element (no ½; gradient 2w). λ·l2Penalty ≡ `weightDecay: 2λ` in SGD.
 * @example
 * const loss = criterion.forward(out, y).add(l2Penalty(model.parameters()).mul(1e-4));
 */
export function l2Penalty(params: Iterable<Tensor>): Tensor {
  return total('l2Penalty', params, (p) => p.mul(p));
}

/**
 * The course's elastic net: α·Σ|w| + (1 − α)·Σw², with mixing α ∈ [0, 1] (default 0.5).
 * Scale the result by the overall strength λ.
 * @example
 * const penalty = elasticNetPenalty(model.parameters(), 0.3).mul(1e-3);
 */
export function elasticNetPenalty(params: Iterable<Tensor>, alpha = 0.5): Tensor {
  if (!(alpha >= 0 && alpha <= 1)) throw new ValueError(`elasticNetPenalty: alpha must be in [0, 1], got ${alpha}`);
  const list = [...params];
  return tidy(() => l1Penalty(list).mul(alpha).add(l2Penalty(list).mul(1 - alpha)));
}

