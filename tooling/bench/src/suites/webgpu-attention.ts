/**
 * Scaled dot-product attention on webgpu, forward + backward, as a transformer layer runs it: q, k, v
 * [B 8, heads 8, T 512, head size 64], causal, float32, `scaledDotProductAttention` then the
 * gradients of q, k and v for a fixed upstream gradient g (loss = Σ out ⊙ g); ms per step.
 * A library comparison (see suite.ts; TensorFlow.js has no attention op): Tessera's webgpu backend
 * with its fused attention kernels against a second webgpu backend on the same adapter without
 * `attention` and `attentionBackward`, where core runs its composite (matmul, softmax, matmul over
 * the [T, T] scores), in the same process. On a software adapter (lavapipe, llvmpipe) these are CPU
 * timings of the generated WGSL, not GPU timings.
 * The memory side: each implementation logs once the peak bytes its backend holds over one forward +
 * backward at B 1, heads 8, head size 64, T = 512, 1024 and 2048 (every allocation observed).
 * The output check: 16 sampled output rows within 1e-4 + 1e-4 relative of a float64 host computation
 * and every gradient finite (output `[1]`).
 */
import { lazy, normalData } from '../harness';
import type { ComparisonCase, Implementation, PreparedImplementation } from './suite';
import { webgpuAvailable, webgpuEnvironment } from './webgpu';

type Core = typeof import('@tessera/core');
type Tensor = import('@tessera/core').Tensor;
/** What the peak-memory probe needs of a backend instance. */
interface ObservedBackend {
  alloc(size: number, dtype: string): unknown;
  memory(): { bytesInUse: number };
}

const [BATCH, HEADS, T, HEAD_SIZE] = [8, 8, 512, 64];
const SHAPE = [BATCH, HEADS, T, HEAD_SIZE];
const SIZE = BATCH * HEADS * T * HEAD_SIZE;
const COMPOSITE_DEVICE = 'webgpu-composite-attention';
/** Lengths of the peak-memory probe (B 1, 8 heads, head size 64). */
const MEMORY_LENGTHS = [512, 1024, 2048];

const inputs = lazy(() => ({ q: normalData(SIZE, 191), k: normalData(SIZE, 192), v: normalData(SIZE, 193), g: normalData(SIZE, 194) }));

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
 * Register (once) and create a second webgpu backend on the same GPU without the attention kernels.
 * @example const device = await webgpuWithoutAttention(core); // 'webgpu-composite-attention'
 */
async function webgpuWithoutAttention(core: Core): Promise<string> {
  if (!core.listBackends().includes(COMPOSITE_DEVICE)) {
    const { createWebGPUPlugin } = await import('@tessera/backend-webgpu/plugin');
    const gpu = (globalThis as unknown as { navigator: { gpu: GPU } }).navigator.gpu;
    const plugin = createWebGPUPlugin({ gpu, name: COMPOSITE_DEVICE, priority: -1 });
    core.registerBackend({
      ...plugin,
      async create() {
        const backend = await plugin.create();
        // Own undefined properties shadow the prototype's kernels: exactly a backend without them.
        for (const kernel of ['attention', 'attentionBackward']) Object.defineProperty(backend, kernel, { value: undefined });
        return backend;
      },
    });
  }
  await core.ensureBackend(COMPOSITE_DEVICE);
  return COMPOSITE_DEVICE;
}

/** One causal forward + backward at B 1, 8 heads, head size 64, length `length`: the peak bytes the backend held above its start. */
async function peakBytes(core: Core, device: string, length: number): Promise<number> {
  const backend = (await core.ensureBackend(device)) as unknown as ObservedBackend;
  const baseline = backend.memory().bytesInUse;
  let peak = baseline;
  const alloc = backend.alloc;
  // Every tensor, saved or temporary, is allocated through alloc: observe the total after each.
  Object.defineProperty(backend, 'alloc', {
    configurable: true,
    value: (size: number, dtype: string) => {
      const id = alloc.call(backend, size, dtype);
      peak = Math.max(peak, backend.memory().bytesInUse);
      return id;
    },
  });
  try {
    const shape = [1, HEADS, length, HEAD_SIZE];
    const [q, k, v] = [1, 2, 3].map((seed) => core.tensor(normalData(length * HEADS * HEAD_SIZE, 300 + seed), { shape, device, requiresGrad: true }));
    const out = core.scaledDotProductAttention(q, k, v, { isCausal: true });
    const loss = out.sum();
    const grads = core.grad(loss, [q, k, v]) as Tensor[];
    await grads[0].data();
    [q, k, v, out, loss, ...grads].forEach((t) => t.dispose());
  } finally {
    delete (backend as { alloc?: unknown }).alloc;
  }
  return peak - baseline;
}

function implementation(fused: boolean): Implementation {
  return {
    id: fused ? 'tessera-webgpu-fused' : 'tessera-webgpu-composite',
    name: fused ? 'Tessera webgpu, fused attention kernels (flash-attention tiles)' : 'Tessera webgpu without the attention kernels (core composite)',
    packageName: '@tessera/backend-webgpu',
    async prepare(): Promise<PreparedImplementation> {
      const { core } = await webgpuEnvironment();
      const device = fused ? 'webgpu' : await webgpuWithoutAttention(core);
      const peaks: string[] = [];
      for (const length of MEMORY_LENGTHS) peaks.push(`T ${length}: ${((await peakBytes(core, device, length)) / 2 ** 20).toFixed(1)} MiB`);
      console.log(`attention-webgpu: ${fused ? 'fused' : 'composite'} peak bytes in use over fwd+bwd, [1, 8, T, 64] causal: ${peaks.join(', ')}`);
      const data = inputs();
      const [q, k, v] = [data.q, data.k, data.v].map((values) => core.tensor(values, { shape: SHAPE, device, requiresGrad: true }));
      const g = core.tensor(data.g, { shape: SHAPE, device });
      const step = async (): Promise<{ out: Float32Array; grads: Float32Array[] }> => {
        const out = core.scaledDotProductAttention(q, k, v, { isCausal: true });
        const loss = core.tidy(() => out.mul(g).sum());
        const grads = core.grad(loss, [q, k, v]) as Tensor[];
        const values = { out: (await out.data()) as Float32Array, grads: (await Promise.all(grads.map((t) => t.data()))) as Float32Array[] };
        [out, loss, ...grads].forEach((t) => t.dispose());
        return values;
      };
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
 * The webgpu attention row: fused kernels vs core's composite on the same adapter.
 * @example webgpuAttentionCase().id // 'attention-webgpu' (`--only attention` runs it beside attention-cpu)
 */
export function webgpuAttentionCase(): ComparisonCase {
  return {
    kind: 'comparison',
    id: 'attention-webgpu',
    suite: 'attention',
    label: `scaledDotProductAttention fwd+bwd, q/k/v [${SHAPE.join(', ')}], causal, f32, webgpu`,
    unit: 'ms',
    opsPerRun: 1,
    subject: 'tessera-webgpu-fused',
    reference: ['tessera-webgpu-fused'],
    checkDescription: '16 sampled output rows within 1e-4 + 1e-4 relative of a float64 host computation; finite gradients',
    implementations: [implementation(true), implementation(false)],
    available: webgpuAvailable,
  };
}
