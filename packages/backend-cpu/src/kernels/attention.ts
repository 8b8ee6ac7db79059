/**
 * Fused scaled dot-product attention in plain JavaScript (float64, and float32 when the WebAssembly
 * kernel does not apply): one query row at a time, holding that row's S scores — never the [L, S]
 * matrix. Arithmetic is float64 whatever the dtype, results stored in the output's dtype. The
 * backward recomputes each row's probabilities from the saved logsumexp (FlashAttention's backward,
 * one row per block). q, k, v, grad, out and logsumexp arrive contiguous from core (strided ones are
 * copied); the mask is read through its strides (0 on broadcast dims).
 */
import type { AttentionParams } from '@tessera/core/backend';
import { floatOperand as operand, floatTarget as target, type Operand } from './float-operands';
import type { ArrayView } from './strided';

/** The sizes of a call: BH problems of L queries and S keys, E-sized q/k rows and Ev-sized v rows. */
interface Sizes {
  readonly problems: number;
  readonly queries: number;
  readonly keys: number;
  readonly embed: number;
  readonly valueSize: number;
}

function sizesOf(q: ArrayView, v: ArrayView): Sizes {
  const [problems, queries, embed] = q.shape;
  const [, keys, valueSize] = v.shape;
  return { problems, queries, keys, embed, valueSize };
}

/**
 * Row `i` of problem `bh`: `scores[j] = scale·q_i·k_j + mask_ij` (−∞ above the diagonal when causal),
 * turned in place into `p_ij = e^{s_ij − lse_i}`. Returns lse_i (−∞ when every key is hidden; then p = 0).
 * When `knownLse` is given (the backward) it is used instead of the row's own.
 */
function rowProbabilities(
  scores: Float64Array, qs: Operand, ks: Operand, mask: ArrayView | null, params: AttentionParams, sizes: Sizes, bh: number, i: number, knownLse?: number,
): number {
  const { queries, keys, embed } = sizes;
  const qRow = qs.offset + (bh * queries + i) * embed;
  const visible = params.causal ? Math.min(keys, i + 1) : keys;
  let max = -Infinity;
  for (let j = 0; j < visible; j++) {
    const kRow = ks.offset + (bh * keys + j) * embed;
    let dot = 0;
    for (let e = 0; e < embed; e++) dot += qs.data[qRow + e] * ks.data[kRow + e];
    let s = params.scale * dot;
    if (mask) s += mask.data[mask.offset + bh * mask.strides[0] + i * mask.strides[1] + j * mask.strides[2]];
    scores[j] = s;
    if (s > max) max = s;
  }
  let lse = knownLse;
  if (lse === undefined) {
    let sum = 0;
    if (max !== -Infinity) for (let j = 0; j < visible; j++) sum += Math.exp(scores[j] - max);
    lse = max === -Infinity ? -Infinity : max + Math.log(sum);
  }
  for (let j = 0; j < keys; j++) scores[j] = j < visible && lse !== -Infinity ? Math.exp(scores[j] - lse) : 0;
  return lse;
}

/**
 * Attention forward (the `attention` optional kernel): out `[BH, L, Ev]`, logsumexp `[BH, L]`.
 * @example
 * attentionKernel(q, k, v, null, { scale: 0.125, causal: true }, outArray, lseArray);
 */
export function attentionKernel(q: ArrayView, k: ArrayView, v: ArrayView, mask: ArrayView | null, params: AttentionParams, out: unknown, logsumexp: unknown): void {
  const op = 'attention';
  const qs = operand(op, q), ks = operand(op, k), vs = operand(op, v);
  const outData = target(op, out), lseData = target(op, logsumexp);
  const sizes = sizesOf(q, v);
  const { problems, queries, keys, valueSize } = sizes;
  const scores = new Float64Array(keys);
  const row = new Float64Array(valueSize);
  for (let bh = 0; bh < problems; bh++) {
    for (let i = 0; i < queries; i++) {
      const index = bh * queries + i;
      lseData[index] = rowProbabilities(scores, qs, ks, mask, params, sizes, bh, i);
      row.fill(0);
      for (let j = 0; j < keys; j++) {
        const p = scores[j];
        if (p === 0) continue;
        const vRow = vs.offset + (bh * keys + j) * valueSize;
        for (let e = 0; e < valueSize; e++) row[e] += p * vs.data[vRow + e];
      }
      outData.set(row, index * valueSize);
    }
  }
}

/**
 * Attention backward (the `attentionBackward` optional kernel): gradQ, gradK, gradV shaped like q, k, v.
 * @example
 * attentionBackwardKernel(grad, q, k, v, null, out, lse, { scale: 0.125, causal: false }, dq, dk, dv);
 */
export function attentionBackwardKernel(
  grad: ArrayView, q: ArrayView, k: ArrayView, v: ArrayView, mask: ArrayView | null, out: ArrayView, logsumexp: ArrayView, params: AttentionParams,
  gradQ: unknown, gradK: unknown, gradV: unknown,
): void {
  const op = 'attentionBackward';
  const gs = operand(op, grad), qs = operand(op, q), ks = operand(op, k), vs = operand(op, v), os = operand(op, out), ls = operand(op, logsumexp);
  const dq = target(op, gradQ), dk = target(op, gradK), dv = target(op, gradV);
  const sizes = sizesOf(q, v);
  const { problems, queries, keys, embed, valueSize } = sizes;
  const scores = new Float64Array(keys);
  const dqRow = new Float64Array(embed);
  const dkProblem = new Float64Array(keys * embed);
  const dvProblem = new Float64Array(keys * valueSize);
  for (let bh = 0; bh < problems; bh++) {
    dkProblem.fill(0);
    dvProblem.fill(0);
    for (let i = 0; i < queries; i++) {
      const index = bh * queries + i;
      rowProbabilities(scores, qs, ks, mask, params, sizes, bh, i, ls.data[ls.offset + index]);
      const gRow = gs.offset + index * valueSize, oRow = os.offset + index * valueSize, qRow = qs.offset + index * embed;
      let delta = 0;
      for (let e = 0; e < valueSize; e++) delta += gs.data[gRow + e] * os.data[oRow + e];
      dqRow.fill(0);
      for (let j = 0; j < keys; j++) {
        const p = scores[j];
        if (p === 0) continue;
        const key = bh * keys + j;
        const vRow = vs.offset + key * valueSize, kRow = ks.offset + key * embed;
        let dp = 0;
        for (let e = 0; e < valueSize; e++) {
          const g = gs.data[gRow + e];
          dvProblem[j * valueSize + e] += p * g;
          dp += g * vs.data[vRow + e];
        }
        const ds = params.scale * p * (dp - delta);
        for (let e = 0; e < embed; e++) {
          dqRow[e] += ds * ks.data[kRow + e];
          dkProblem[j * embed + e] += ds * qs.data[qRow + e];
        }
      }
      dq.set(dqRow, index * embed);
    }
    dk.set(dkProblem, bh * keys * embed);
    dv.set(dvProblem, bh * keys * valueSize);
  }
}
