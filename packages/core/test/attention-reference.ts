/**
 * Scaled dot-product attention written as explicit float64 loops, the oracle of the attention tests
 * (independent of core's ops): a host reference on broadcast shapes, and a 'loops' backend whose
 * `attention`/`attentionBackward` kernels follow the optional-kernel contract, so the tests reach
 * core's kernel path (flattening, mask views, the single autograd node) as well as the composite.
 */
import { BACKEND_API_VERSION, broadcastShapes, registerBackend, setBackend, type Backend } from '../src/index';
import { elementSpan, type AttentionParams, type OutputBuffer, type StridedView } from '../src/backend-api';
import { ReferenceBackend } from '../src/testing';

/** A host array with its shape; a bool mask holds 0/1. */
export interface HostArray {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** The element `[...batchIndex, row, col]` of `t`, broadcasting every dim of size 1 (and missing leading dims). */
function at(t: HostArray, batchIndex: readonly number[], row: number, col: number): number {
  const index = [...batchIndex, row, col];
  const lead = index.length - t.shape.length;
  let flat = 0;
  for (let d = 0; d < t.shape.length; d++) flat = flat * t.shape[d] + (t.shape[d] === 1 ? 0 : index[d + lead]);
  return t.data[flat];
}

/** Every multi-index of `shape` in row-major order. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const total = shape.reduce((a, b) => a * b, 1);
  for (let n = 0; n < total; n++) {
    const index: number[] = [];
    let rest = n;
    for (let d = shape.length - 1; d >= 0; d--) {
      index.unshift(rest % shape[d]);
      rest = Math.floor(rest / shape[d]);
    }
    yield index;
  }
}

/** What {@link referenceAttention} takes: PyTorch's arguments on host arrays. */
export interface ReferenceCase {
  readonly q: HostArray;
  readonly k: HostArray;
  readonly v: HostArray;
  readonly mask?: HostArray & { readonly bool?: boolean };
  readonly causal?: boolean;
  readonly scale?: number;
}

/**
 * `softmax(q·kᵀ·scale + mask)·v` with broadcast batch dims, in float64 loops; a row whose scores are
 * all −∞ gives 0. Returns the output and its shape `[...batch, L, Ev]`.
 */
export function referenceAttention({ q, k, v, mask, causal = false, scale }: ReferenceCase): HostArray & { data: Float64Array } {
  const [queries, embed] = q.shape.slice(-2);
  const keys = k.shape[k.shape.length - 2];
  const valueSize = v.shape[v.shape.length - 1];
  const batch = broadcastShapes('reference', q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2), mask ? mask.shape.slice(0, -2) : []);
  const factor = scale ?? 1 / Math.sqrt(embed);
  const out: number[] = [];
  for (const b of indices(batch)) {
    for (let i = 0; i < queries; i++) {
      const scores = new Array<number>(keys);
      for (let j = 0; j < keys; j++) {
        let dot = 0;
        for (let e = 0; e < embed; e++) dot += at(q, b, i, e) * at(k, b, j, e);
        let s = dot * factor;
        if (mask) {
          const m = at(mask, b, mask.shape.length >= 2 ? i : 0, mask.shape.length >= 1 ? j : 0);
          s = mask.bool ? (m ? s : -Infinity) : s + m;
        }
        if (causal && j > i) s = -Infinity;
        scores[j] = s;
      }
      const max = Math.max(-Infinity, ...scores);
      const weights = scores.map((s) => (max === -Infinity ? 0 : Math.exp(s - max)));
      const total = weights.reduce((a, c) => a + c, 0);
      for (let e = 0; e < valueSize; e++) {
        let sum = 0;
        for (let j = 0; j < keys; j++) if (weights[j] !== 0) sum += (weights[j] / total) * at(v, b, j, e);
        out.push(sum);
      }
    }
  }
  return { data: Float64Array.from(out), shape: [...batch, queries, valueSize] };
}

/** Every element a view reaches, from element 0 (so the view's own offset and strides index it). */
function read(backend: ReferenceBackend, view: StridedView): number[] {
  return Array.from(backend.readSync(view.id, view.dtype, 0, elementSpan(view)[1] + 1) as Float64Array);
}

/** The contract's scores of problem `bh`, row `i`: scale·q_i·k_j + mask_ij, −∞ above the diagonal when causal. */
function kernelScores(backend: ReferenceBackend, q: StridedView, k: StridedView, mask: StridedView | null, params: AttentionParams, bh: number, i: number): number[] {
  const [, queries, embed] = q.shape;
  const keys = k.shape[1];
  const qData = read(backend, q);
  const kData = read(backend, k);
  const maskData = mask ? read(backend, mask) : null;
  const scores: number[] = [];
  for (let j = 0; j < keys; j++) {
    let dot = 0;
    for (let e = 0; e < embed; e++) dot += qData[q.offset + (bh * queries + i) * embed + e] * kData[k.offset + (bh * keys + j) * embed + e];
    let s = params.scale * dot;
    if (maskData && mask) s += maskData[mask.offset + bh * mask.strides[0] + i * mask.strides[1] + j * mask.strides[2]];
    if (params.causal && j > i) s = -Infinity;
    scores.push(s);
  }
  return scores;
}

/** How often the 'loops' kernels ran, so tests can tell the kernel path from the composite. */
export const loopKernelCalls = { attention: 0, attentionBackward: 0 };

/**
 * `attention` and `attentionBackward` as the contract states them, in plain loops over the flat views
 * (the reference backend reads synchronously). Every operand is read whole, so these are for small tests.
 */
function loopKernels(backend: ReferenceBackend): Pick<Backend, 'attention' | 'attentionBackward'> {
  const typed = (dtype: string, data: number[]) => (dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data));
  const probabilities = (q: StridedView, k: StridedView, mask: StridedView | null, params: AttentionParams, bh: number, i: number, lse: number) =>
    kernelScores(backend, q, k, mask, params, bh, i).map((s) => (lse === -Infinity ? 0 : Math.exp(s - lse)));
  return {
    attention(q, k, v, mask, params, out: OutputBuffer, logsumexp: OutputBuffer) {
      loopKernelCalls.attention++;
      const [bhCount, queries] = q.shape;
      const [, keys, valueSize] = v.shape;
      const vData = read(backend, v);
      const outData: number[] = [];
      const lseData: number[] = [];
      for (let bh = 0; bh < bhCount; bh++) {
        for (let i = 0; i < queries; i++) {
          const scores = kernelScores(backend, q, k, mask, params, bh, i);
          const max = Math.max(...scores);
          const lse = max === -Infinity ? -Infinity : max + Math.log(scores.reduce((a, s) => a + Math.exp(s - max), 0));
          lseData.push(lse);
          for (let e = 0; e < valueSize; e++) {
            let sum = 0;
            for (let j = 0; j < keys; j++) if (lse !== -Infinity) sum += Math.exp(scores[j] - lse) * vData[v.offset + (bh * keys + j) * valueSize + e];
            outData.push(sum);
          }
        }
      }
      backend.write(out.id, typed(out.dtype, outData));
      backend.write(logsumexp.id, typed(logsumexp.dtype, lseData));
      return true;
    },
    attentionBackward(grad, q, k, v, mask, out, logsumexp, params, gradQ, gradK, gradV) {
      loopKernelCalls.attentionBackward++;
      const [bhCount, queries, embed] = q.shape;
      const [, keys, valueSize] = v.shape;
      const [g, qData, kData, vData, o, lse] = [grad, q, k, v, out, logsumexp].map((view) => read(backend, view));
      const dq = new Array<number>(bhCount * queries * embed).fill(0);
      const dk = new Array<number>(bhCount * keys * embed).fill(0);
      const dv = new Array<number>(bhCount * keys * valueSize).fill(0);
      for (let bh = 0; bh < bhCount; bh++) {
        for (let i = 0; i < queries; i++) {
          const row = bh * queries + i;
          const p = probabilities(q, k, mask, params, bh, i, lse[logsumexp.offset + row]);
          let delta = 0;
          for (let e = 0; e < valueSize; e++) delta += g[grad.offset + row * valueSize + e] * o[out.offset + row * valueSize + e];
          for (let j = 0; j < keys; j++) {
            const key = bh * keys + j;
            let dp = 0;
            for (let e = 0; e < valueSize; e++) {
              dv[key * valueSize + e] += p[j] * g[grad.offset + row * valueSize + e];
              dp += g[grad.offset + row * valueSize + e] * vData[v.offset + key * valueSize + e];
            }
            const ds = p[j] * (dp - delta);
            for (let e = 0; e < embed; e++) {
              dq[row * embed + e] += params.scale * ds * kData[k.offset + key * embed + e];
              dk[key * embed + e] += params.scale * ds * qData[q.offset + row * embed + e];
            }
          }
        }
      }
      backend.write(gradQ.id, typed(gradQ.dtype, dq));
      backend.write(gradK.id, typed(gradK.dtype, dk));
      backend.write(gradV.id, typed(gradV.dtype, dv));
      return true;
    },
  };
}

/** Register 'loops': the reference backend plus the loop `attention` kernels (idempotent). */
export async function registerLoopsBackend(): Promise<void> {
  registerBackend({
    name: 'loops',
    apiVersion: BACKEND_API_VERSION,
    priority: -3,
    create: () => {
      const backend = new ReferenceBackend();
      Object.defineProperty(backend, 'name', { value: 'loops' });
      return Object.assign(backend, loopKernels(backend)) as Backend;
    },
  });
  await setBackend('loops');
}
