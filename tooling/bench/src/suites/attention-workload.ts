/**
 * The attention bench workload both backends run (attention.ts on cpu, webgpu-attention.ts on webgpu):
 * q, k, v [B 8, heads 8, T 512, head size 64], causal, float32, `scaledDotProductAttention` then the
 * gradients of q, k and v for a fixed upstream gradient g (loss = Σ out ⊙ g). The output check: 16
 * sampled output rows within 1e-4 + 1e-4 relative of a float64 host computation and every gradient
 * finite (output `[1]`).
 */
import { lazy, normalData } from '../harness';
import type { PreparedImplementation } from './suite';

type Core = typeof import('@tessera/core');
type Tensor = import('@tessera/core').Tensor;

const [BATCH, HEADS, T, HEAD_SIZE] = [8, 8, 512, 64];
/** The q/k/v shape of the workload. */
export const ATTENTION_SHAPE = [BATCH, HEADS, T, HEAD_SIZE];
/** Heads and head size, for probes at other lengths. */
export const ATTENTION_HEADS = HEADS;
export const ATTENTION_HEAD_SIZE = HEAD_SIZE;
const SIZE = BATCH * HEADS * T * HEAD_SIZE;

/** The row-check description both cases report. */
export const ATTENTION_CHECK = '16 sampled output rows within 1e-4 + 1e-4 relative of a float64 host computation; finite gradients';

const inputs = lazy(() => ({ q: normalData(SIZE, 91), k: normalData(SIZE, 92), v: normalData(SIZE, 93), g: normalData(SIZE, 94) }));

/** Output rows (flat row indices over [B, heads, T]) checked against the float64 host computation. */
const SAMPLED_ROWS = Array.from({ length: 16 }, (_, n) => (n * 2654435761) % (BATCH * HEADS * T));

/** Row `row` of causal attention in float64 from the host inputs. */
function referenceRow(row: number): Float64Array {
  const { q, k, v } = inputs();
  const problem = Math.floor(row / T);
  const i = row % T;
  const base = problem * T * HEAD_SIZE;
  const scores = Array.from({ length: i + 1 }, (_, j) => {
    let dot = 0;
    for (let e = 0; e < HEAD_SIZE; e++) dot += q[base + i * HEAD_SIZE + e] * k[base + j * HEAD_SIZE + e];
    return dot / Math.sqrt(HEAD_SIZE);
  });
  const max = Math.max(...scores);
  const weights = scores.map((s) => Math.exp(s - max));
  const total = weights.reduce((a, b) => a + b, 0);
  const out = new Float64Array(HEAD_SIZE);
  weights.forEach((w, j) => {
    for (let e = 0; e < HEAD_SIZE; e++) out[e] += (w / total) * v[base + j * HEAD_SIZE + e];
  });
  return out;
}

/**
 * The workload's tensors on `device` and its timed step, output check and cleanup.
 * `beforeRun` sees the inputs once (e.g. to log what autograd holds between forward and backward).
 * @example const prepared = prepareAttentionWorkload(core, 'cpu'); await prepared.run();
 */
export function prepareAttentionWorkload(
  core: Core,
  device: string,
  beforeRun?: (q: Tensor, k: Tensor, v: Tensor) => void,
): PreparedImplementation {
  const data = inputs();
  const [q, k, v] = [data.q, data.k, data.v].map((values) => core.tensor(values, { shape: ATTENTION_SHAPE, device, requiresGrad: true }));
  const g = core.tensor(data.g, { shape: ATTENTION_SHAPE, device });
  const step = async (): Promise<{ out: Float32Array; grads: Float32Array[] }> => {
    const out = core.scaledDotProductAttention(q, k, v, { isCausal: true });
    const loss = core.tidy(() => out.mul(g).sum());
    const grads = core.grad(loss, [q, k, v]) as Tensor[];
    const values = { out: (await out.data()) as Float32Array, grads: (await Promise.all(grads.map((t) => t.data()))) as Float32Array[] };
    [out, loss, ...grads].forEach((t) => t.dispose());
    return values;
  };
  beforeRun?.(q, k, v);
  return {
    async run() {
      await step();
    },
    async output() {
      const { out, grads } = await step();
      const rowsMatch = SAMPLED_ROWS.every((row) =>
        Array.from(referenceRow(row)).every((want, e) => Math.abs(out[row * HEAD_SIZE + e] - want) <= 1e-4 + 1e-4 * Math.abs(want)),
      );
      return [rowsMatch && grads.every((grad) => grad.every(Number.isFinite)) ? 1 : 0];
    },
    dispose() {
      [q, k, v, g].forEach((t) => t.dispose());
    },
  };
}
