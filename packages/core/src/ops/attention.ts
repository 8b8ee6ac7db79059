/**
 * Scaled dot-product attention, `softmax(q·kᵀ·scale + mask)·v`, as one op: the backend's fused
 * `attention` kernel when it has one (flash-attention style: the `[L, S]` score matrix is never held
 * whole), else the composite of matmul, core's softmax and matmul with ordinary autograd.
 *
 * Rows whose keys are all masked have no softmax (every score is −∞); they output 0 and pass back
 * zero gradients on both paths, never NaN. The composite neutralises those rows' scores before the
 * softmax and zeroes their weights after it; the kernel contract says the same (lse = −∞, out = 0).
 *
 * The kernel path records one autograd node. Its gradient runs the backend's `attentionBackward`
 * kernel, or the flash-attention formulas as core ops (dV = Pᵀ·dO, dS = P∘(dO·Vᵀ − δ), dQ = scale·dS·K,
 * dK = scale·dSᵀ·Q) on weights P recomputed from the saved inputs — the path taken under `createGraph`
 * and when an additive mask needs its gradient, so gradients of gradients stay exact.
 */
import type { Backend, DType, StridedView } from '../backend/backend';
import { isGradEnabled, noGrad } from '../autograd/grad-mode';
import { autocastActive, autocastOp } from '../autograd/autocast';
import { recordOp } from '../autograd/record';
import { isFloating } from '../dtype';
import { DTypeError, ShapeError, ValueError } from '../errors';
import { tidy } from '../memory/scope';
import { broadcastShapes, collapseDims, formatShape, sizeOf } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { where } from './binary';
import { arange } from './creation';
import { backendOf, runKernelMulti, viewOf } from './dispatch';
import { rand } from './random';
import { sumToShape } from './reduce-to-shape';
import { softmax } from './softmax';
import { contiguous, expand, reshape } from './view';

const OP = 'scaledDotProductAttention';

/** Options of {@link scaledDotProductAttention} (PyTorch's keyword arguments, camelCase). */
export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcastable to `[..., L, S]`: bool (true = the query may attend to the key) or an additive
   * floating mask of q's dtype (e.g. 0 and −∞, or ALiBi biases; differentiable).
   */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights, applied whenever > 0 (as PyTorch's functional). Default 0. */
  dropoutP?: number;
  /** Hide key j from query i when j > i (top-left aligned lower triangle). Not together with `attnMask`. */
  isCausal?: boolean;
  /** Multiplies q·kᵀ; default 1/√E. */
  scale?: number | null;
}

/** The resolved sizes of one call. */
interface Problem {
  /** Broadcast batch dims of q, k, v and the mask. */
  readonly batch: number[];
  readonly queries: number;
  readonly keys: number;
  readonly valueSize: number;
  readonly scale: number;
  readonly causal: boolean;
}

function shapesText(q: Tensor, k: Tensor, v: Tensor): string {
  return `q ${formatShape(q.shape)} (${q.dtype}), k ${formatShape(k.shape)} (${k.dtype}), v ${formatShape(v.shape)} (${v.dtype})`;
}

/** Validate the operands (shapes, dtypes, options) and resolve the sizes. */
function checkOperands(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, options: ScaledDotProductAttentionOptions): Problem {
  const operands = shapesText(q, k, v);
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) {
    throw new ShapeError(`${OP}: q, k and v need at least 2 dims ([..., L, E], [..., S, E], [..., S, Ev]), got ${operands}`);
  }
  if (!isFloating(q.dtype) || k.dtype !== q.dtype || v.dtype !== q.dtype) {
    throw new DTypeError(`${OP}: q, k and v must share one floating dtype, got ${operands}; cast them first (e.g. .float())`);
  }
  const [queries, embed] = q.shape.slice(-2);
  const [keys, keyEmbed] = k.shape.slice(-2);
  const [values, valueSize] = v.shape.slice(-2);
  if (keyEmbed !== embed) throw new ShapeError(`${OP}: q and k must end in the same embedding size E, got ${operands}`);
  if (values !== keys) throw new ShapeError(`${OP}: k and v must have the same number of keys S (dim -2), got ${operands}`);
  const shapes = [q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2)];
  if (mask) {
    if (mask.dtype !== 'bool' && mask.dtype !== q.dtype) {
      throw new DTypeError(`${OP}: attnMask must be bool or q's dtype ${q.dtype} (additive), got ${mask.dtype} of shape ${formatShape(mask.shape)}`);
    }
    const [rows, cols] = [mask.shape[mask.ndim - 2] ?? 1, mask.shape[mask.ndim - 1] ?? 1];
    if ((rows !== 1 && rows !== queries) || (cols !== 1 && cols !== keys)) {
      throw new ShapeError(`${OP}: attnMask of shape ${formatShape(mask.shape)} does not broadcast to the scores [..., ${queries}, ${keys}] (L = ${queries}, S = ${keys}) of ${operands}`);
    }
    shapes.push(mask.shape.slice(0, -2));
  }
  let batch: number[];
  try {
    batch = broadcastShapes(OP, ...shapes);
  } catch {
    const masked = mask ? ` and attnMask ${formatShape(mask.shape)}` : '';
    throw new ShapeError(`${OP}: the batch dims (all but the last two) of ${operands}${masked} cannot be broadcast together`);
  }
  if (mask && options.isCausal) throw new ValueError(`${OP}: give attnMask or isCausal, not both (as PyTorch); fold the causal mask into attnMask`);
  const dropoutP = options.dropoutP ?? 0;
  if (!(dropoutP >= 0 && dropoutP <= 1)) throw new ValueError(`${OP}: dropoutP must be in [0, 1], got ${dropoutP}`);
  const scale = options.scale ?? 1 / Math.sqrt(embed);
  if (typeof scale !== 'number' || Number.isNaN(scale)) throw new ValueError(`${OP}: scale must be a number, got ${String(scale)}`);
  return { batch, queries, keys, valueSize, scale, causal: options.isCausal ?? false };
}

/** A bool mask as an additive one of `dtype` (0 where attending, −∞ where hidden); a float mask as it is. */
function additiveMask(mask: Tensor | null, dtype: DType): Tensor | null {
  if (!mask || mask.dtype !== 'bool') return mask;
  return where(mask, 0, -Infinity).cast(dtype);
}

/** The causal mask `[L, S]` as additive 0/−∞ of `dtype`: key j is hidden from query i when j > i. */
function causalMask(queries: number, keys: number, dtype: DType, device: string): Tensor {
  return tidy(() => {
    const hidden = arange(0, keys, 1, { device }).unsqueeze(0).gt(arange(0, queries, 1, { device }).unsqueeze(1));
    return where(hidden, -Infinity, 0).cast(dtype);
  });
}

/**
 * The attention weights `softmax(q·kᵀ·scale + mask)` `[..., L, S]`, with rows whose scores are all −∞
 * set to 0 (their scores are replaced by 0 before the softmax, so nothing produces NaN on the way).
 * Differentiable in q, k and an additive mask.
 */
function attentionWeights(q: Tensor, k: Tensor, mask: Tensor | null, problem: Problem): Tensor {
  return tidy(() => {
    let scores = q.matmul(k.transpose(-2, -1)).mul(problem.scale);
    if (mask) scores = scores.add(mask);
    if (problem.causal) scores = scores.add(causalMask(problem.queries, problem.keys, q.dtype, q.device));
    if (problem.keys === 0) return scores;
    // Causal alone never hides a whole row (key 0 is visible to every query); a mask can.
    if (!mask) return softmax(scores, -1);
    const hidden = noGrad(() => scores.amax(-1, true).eq(-Infinity));
    return where(hidden, 0, softmax(where(hidden, 0, scores), -1));
  });
}

/** Inverted dropout on the weights: keep each with probability 1 − p and scale the kept by 1/(1 − p). */
function dropWeights(weights: Tensor, p: number): Tensor {
  if (p === 0) return weights;
  if (p === 1) return weights.mul(0);
  const keep = rand(weights.shape, { dtype: weights.dtype, device: weights.device }).ge(p);
  return weights.mul(keep).mul(1 / (1 - p));
}

/** The composite: matmul, softmax, matmul, with ordinary autograd. */
function composite(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, problem: Problem, dropoutP: number): Tensor {
  return tidy(() => dropWeights(attentionWeights(q, k, additiveMask(mask, q.dtype), problem), dropoutP).matmul(v));
}

/**
 * The gradients `[dq, dk, dv, dMask]` (each summed to its operand's shape) for `grad` `[...batch, L, Ev]`,
 * as core ops on weights recomputed from the inputs: differentiable again under `createGraph`.
 */
function attentionGradient(grad: Tensor, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, problem: Problem): Tensor[] {
  const weights = attentionWeights(q, k, mask, problem);
  const gradWeights = grad.matmul(v.transpose(-2, -1));
  const gradScores = weights.mul(gradWeights.sub(weights.mul(gradWeights).sum(-1, true)));
  return [
    sumToShape(gradScores.matmul(k).mul(problem.scale), q.shape),
    sumToShape(gradScores.transpose(-2, -1).matmul(q).mul(problem.scale), k.shape),
    sumToShape(weights.transpose(-2, -1).matmul(grad), v.shape),
    ...(mask ? [sumToShape(gradScores, mask.shape)] : []),
  ];
}

/** `t` broadcast to `[...batch, rows, cols]` and laid out as a contiguous `[BH, rows, cols]` (a copy only when needed). */
function flattenBatch(t: Tensor, batch: readonly number[]): Tensor {
  const [rows, cols] = t.shape.slice(-2);
  return tidy(() => reshape(contiguous(expand(t, [...batch, rows, cols])), [sizeOf(batch), rows, cols]));
}

/**
 * The additive mask as the kernel's `[BH, L, S]` view: broadcast dims get stride 0. When the mask's
 * batch strides do not merge into one BH stride (e.g. `[B, 1, 1, S]` over B × H), the mask is copied
 * at `[...batch, its L or 1, its S or 1]` — small for padding masks — and `temp` holds that copy.
 */
function maskView(mask: Tensor, problem: Problem): { view: StridedView; temp: Tensor | null } {
  const { batch, queries, keys } = problem;
  const lead = batch.length - (mask.ndim - 2);
  const batchStrides = (t: Tensor) => batch.map((dim, i) => (i < lead || t.shape[i - lead] !== dim ? 0 : t.strides[i - lead]));
  let source = mask;
  let temp: Tensor | null = null;
  let collapsed = collapseDims(batch, [batchStrides(mask)]);
  if (collapsed.shape.length > 1) {
    temp = noGrad(() => contiguous(expand(mask, [...batch, ...mask.shape.slice(-2)])));
    source = temp;
    collapsed = collapseDims(batch, [batchStrides(source)]);
  }
  const rank = source.ndim;
  const rowStride = source.shape[rank - 2] === queries ? source.strides[rank - 2] : 0;
  const colStride = source.shape[rank - 1] === keys ? source.strides[rank - 1] : 0;
  const view: StridedView = {
    id: source.storage.id,
    dtype: source.dtype,
    shape: [sizeOf(batch), queries, keys],
    strides: [collapsed.strides[0]?.[0] ?? 0, rowStride, colStride],
    offset: source.offset,
  };
  return { view, temp };
}

/** Run `compute` with the kernel's flat operands: q, k, v as `[BH, ·, ·]` contiguous, and the mask view. */
function withKernelOperands<T>(
  q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, problem: Problem, compute: (views: StridedView[], mask: StridedView | null) => T,
): T {
  const flat = noGrad(() => [q, k, v].map((t) => flattenBatch(t, problem.batch)));
  const masked = mask ? maskView(mask, problem) : null;
  try {
    return compute(flat.map(viewOf), masked?.view ?? null);
  } finally {
    for (const t of flat) t.dispose();
    masked?.temp?.dispose();
  }
}

/** The backend's backward kernel: `[dq, dk, dv]` summed to q, k, v's shapes, or null when it has none or declines. */
function backwardKernel(backend: Backend, grad: Tensor, saved: readonly Tensor[], mask: Tensor | null, problem: Problem): Tensor[] | null {
  if (!backend.attentionBackward) return null;
  const [q, k, v, out, logsumexp] = saved;
  const dtype = q.dtype;
  const { batch, queries, keys, scale, causal } = problem;
  const bh = sizeOf(batch);
  const embed = q.shape[q.ndim - 1];
  let accepted = true;
  const gradFlat = contiguous(grad);
  const grads = withKernelOperands(q, k, v, mask, problem, ([qv, kv, vv], maskv) =>
    runKernelMulti(
      backend,
      [{ shape: [bh, queries, embed], dtype }, { shape: [bh, keys, embed], dtype }, { shape: [bh, keys, problem.valueSize], dtype }],
      [viewOf(gradFlat), qv, kv, vv, viewOf(out), viewOf(logsumexp), ...(maskv ? [maskv] : [])],
      ([gq, gk, gv], [g, qi, ki, vi, o, lse, m]) => {
        accepted = backend.attentionBackward!(g, qi, ki, vi, m ?? null, o, lse, { scale, causal }, gq, gk, gv) !== false;
      },
    ),
  );
  gradFlat.dispose();
  if (!accepted) {
    for (const t of grads) t.dispose();
    return null;
  }
  return grads.map((g, i) => {
    const operand = saved[i];
    return sumToShape(g.reshape([...batch, ...g.shape.slice(1)]), operand.shape);
  });
}

/**
 * Scaled dot-product attention as PyTorch 2's `torch.nn.functional.scaled_dot_product_attention`:
 * `softmax(q·kᵀ·scale + mask)·v` with q `[..., L, E]`, k `[..., S, E]`, v `[..., S, Ev]` (batch dims
 * broadcast) → `[..., L, Ev]`. `attnMask` is bool (true = may attend) or additive of q's dtype,
 * broadcastable to `[..., L, S]`; `isCausal` hides keys after each query; `dropoutP` drops attention
 * weights (whenever > 0); `scale` defaults to 1/√E. A query whose keys are all masked outputs 0 (and
 * passes back zero gradients) instead of NaN. Backends with the optional `attention` kernel run it
 * fused (float32/float64 without dropout); others run the composite. Differentiable in q, k, v and an
 * additive mask, to any order.
 * @example
 * const out = scaledDotProductAttention(q, k, v, { isCausal: true }); // q, k, v [B, H, T, 64]
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  if (autocastActive()) {
    return autocastOp(OP, 'lowerPrecision', [q, k, v, options.attnMask ?? null], (cq, ck, cv, attnMask) => scaledDotProductAttention(cq, ck, cv, { ...options, attnMask }));
  }
  const rawMask = options.attnMask ?? null;
  const backend = backendOf(OP, rawMask ? [q, k, v, rawMask] : [q, k, v]);
  const problem = checkOperands(q, k, v, rawMask, options);
  const dropoutP = options.dropoutP ?? 0;
  const { batch, queries, keys, valueSize } = problem;
  const bh = sizeOf(batch);
  const fusable = backend.attention && (q.dtype === 'float32' || q.dtype === 'float64') && dropoutP === 0 && bh * queries * keys > 0;
  if (!fusable) return composite(q, k, v, rawMask, problem, dropoutP);

  // A 2-d view of a lower-rank mask, so every mask has [..., rows, cols].
  const mask = rawMask && noGrad(() => additiveMask(rawMask.ndim >= 2 ? rawMask : rawMask.reshape([1, 1, ...rawMask.shape].slice(-2)), q.dtype));
  const dtype = q.dtype;
  let accepted = true;
  const [out, logsumexp] = noGrad(() =>
    withKernelOperands(q, k, v, mask, problem, ([qv, kv, vv], maskv) =>
      runKernelMulti(backend, [{ shape: [bh, queries, valueSize], dtype }, { shape: [bh, queries], dtype }], maskv ? [qv, kv, vv, maskv] : [qv, kv, vv], (outs, views) => {
        accepted = backend.attention!(views[0], views[1], views[2], views[3] ?? null, { scale: problem.scale, causal: problem.causal }, outs[0], outs[1]) !== false;
      }),
    ),
  );
  if (!accepted) {
    for (const t of [out, logsumexp, mask]) if (t && t !== rawMask) t.dispose();
    return composite(q, k, v, rawMask, problem, dropoutP);
  }
  // The float mask that needs a gradient is the caller's tensor itself (reshaped): keep its graph link.
  const gradMask = rawMask && rawMask.dtype !== 'bool' && rawMask.requiresGrad ? rawMask : null;
  recordOp(
    OP,
    gradMask ? [q, k, v, gradMask] : [q, k, v],
    out,
    (grad, saved, savedOut) => {
      const [savedQ, savedK, savedV, savedLse, savedMask] = saved;
      const gradBatch = grad.reshape([...batch, queries, valueSize]);
      // The mask as the formulas see it: the caller's tensor (with its graph) when it needs a gradient.
      const formulaMask = savedMask ? (savedMask.ndim >= 2 ? savedMask : savedMask.reshape([1, 1, ...savedMask.shape].slice(-2))) : null;
      const grads =
        isGradEnabled() || savedMask?.requiresGrad
          ? attentionGradient(gradBatch, savedQ, savedK, savedV, formulaMask, problem)
          : (backwardKernel(backend, grad, [savedQ, savedK, savedV, savedOut!, savedLse], formulaMask, problem) ??
            attentionGradient(gradBatch, savedQ, savedK, savedV, formulaMask, problem));
      const needs = [savedQ, savedK, savedV, ...(savedMask ? [savedMask] : [])].map((t) => t.requiresGrad);
      return needs.map((needed, i) => (needed ? (i === 3 && grads[3] ? grads[3].reshape(savedMask!.shape) : grads[i]) : null));
    },
    { save: [q, k, v, logsumexp, ...(mask ? [gradMask ?? mask] : [])], saveOutput: true },
  );
  logsumexp.dispose();
  if (mask && mask !== rawMask) mask.dispose();
  const result = reshape(out, [...batch, queries, valueSize]);
  out.dispose();
  return result;
}
