/**
 * Scaled dot-product attention, forward + backward, as a transformer layer runs it: q, k, v
 * [B 8, heads 8, T 512, head size 64], causal, float32, `scaledDotProductAttention` then the
 * gradients of q, k and v for a fixed upstream gradient g (loss = Σ out ⊙ g); ms per step.
 * A library comparison (see suite.ts; TensorFlow.js has no attention op): Tessera's cpu backend with
 * its fused flash-attention kernels against a second cpu backend without `attention` and
 * `attentionBackward`, where core runs its composite (matmul, softmax, matmul over the [T, T] scores),
 * in the same process. Each implementation also reports, once, the bytes its backend holds between
 * forward and backward (what autograd keeps), the memory side of the comparison.
 * The output check: 16 sampled output rows within 1e-4 + 1e-4 relative of a float64 host computation
 * and every gradient finite (output `[1]`).
 */
import { cpuWithoutKernels } from '../cpu-without-kernels';
import { lazy, normalData } from '../harness';
import type { ComparisonCase, Implementation, PreparedImplementation } from './suite';

type Core = typeof import('@tessera/core');

const [BATCH, HEADS, T, HEAD_SIZE] = [8, 8, 512, 64];
const SHAPE = [BATCH, HEADS, T, HEAD_SIZE];
const SIZE = BATCH * HEADS * T * HEAD_SIZE;
const COMPOSITE_DEVICE = 'cpu-composite-attention';

const inputs = lazy(() => ({ q: normalData(SIZE, 91), k: normalData(SIZE, 92), v: normalData(SIZE, 93), g: normalData(SIZE, 94) }));

/** Output rows (flat row indices over [B, heads, T]) checked against the float64 host computation. */
const SAMPLED_ROWS = Array.from({ length: 16 }, (_, n) => (n * 2654435761) % (BATCH * HEADS * T));

/** Row `row` of causal attention in float64 from the host inputs. */
function referenceRow(row: number): Float64Array {
  const { q, k, v } = inputs();
  const problem = Math.floor(row / T), i = row % T;
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

async function cpuCore(): Promise<Core> {
  const core = await import('@tessera/core');
  await import('@tessera/backend-cpu'); // registers 'cpu'
  await core.ensureBackend('cpu');
  return core;
}

function implementation(fused: boolean): Implementation {
  return {
    id: fused ? 'tessera-fused' : 'tessera-composite',
    name: fused ? 'Tessera cpu, fused attention kernels (flash-attention blocks)' : 'Tessera cpu without the attention kernels (core composite)',
    packageName: '@tessera/backend-cpu',
    async prepare(): Promise<PreparedImplementation> {
      const core = await cpuCore();
      const device = fused ? 'cpu' : await cpuWithoutKernels(COMPOSITE_DEVICE, ['attention', 'attentionBackward']);
      const data = inputs();
      const [q, k, v] = [data.q, data.k, data.v].map((values) => core.tensor(values, { shape: SHAPE, device, requiresGrad: true }));
      const g = core.tensor(data.g, { shape: SHAPE, device });
      const step = async (): Promise<{ out: Float32Array; grads: Float32Array[] }> => {
        const out = core.scaledDotProductAttention(q, k, v, { isCausal: true });
        const loss = core.tidy(() => out.mul(g).sum());
        const grads = core.grad(loss, [q, k, v]) as import('@tessera/core').Tensor[];
        const values = { out: (await out.data()) as Float32Array, grads: (await Promise.all(grads.map((t) => t.data()))) as Float32Array[] };
        [out, loss, ...grads].forEach((t) => t.dispose());
        return values;
      };
      // Held between forward and backward: the saved tensors of the autograd graph (and the output).
      const before = core.memory().backends[device].bytesInUse;
      const out = core.scaledDotProductAttention(q, k, v, { isCausal: true });
      const held = core.memory().backends[device].bytesInUse - before;
      out.dispose();
      console.log(`attention-cpu: ${fused ? 'fused' : 'composite'} holds ${(held / 2 ** 20).toFixed(1)} MiB between forward and backward`);
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
    },
  };
}

/**
 * The attention row: fused kernels vs core's composite on the cpu backend.
 * @example attentionCase().id // 'attention-cpu'
 */
export function attentionCase(): ComparisonCase {
  return {
    kind: 'comparison',
    id: 'attention-cpu',
    suite: 'attention',
    label: `scaledDotProductAttention fwd+bwd, q/k/v [${SHAPE.join(', ')}], causal, f32, cpu`,
    unit: 'ms',
    opsPerRun: 1,
    subject: 'tessera-fused',
    reference: ['tessera-fused'],
    checkDescription: '16 sampled output rows within 1e-4 + 1e-4 relative of a float64 host computation; finite gradients',
    targets: { 'tessera-composite': 1 },
    implementations: [implementation(true), implementation(false)],
  };
}
