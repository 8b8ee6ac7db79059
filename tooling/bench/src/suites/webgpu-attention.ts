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
import { normalData } from '../harness';
import { ATTENTION_CHECK, ATTENTION_HEAD_SIZE, ATTENTION_HEADS, ATTENTION_SHAPE, prepareAttentionWorkload } from './attention-workload';
import type { ComparisonCase, Implementation, PreparedImplementation } from './suite';
import { webgpuAvailable, webgpuEnvironment } from './webgpu';

type Core = typeof import('@tessera/core');
type Tensor = import('@tessera/core').Tensor;
/** What the peak-memory probe needs of a backend instance. */
interface ObservedBackend {
  alloc(size: number, dtype: string): unknown;
  memory(): { bytesInUse: number };
}

const [HEADS, HEAD_SIZE] = [ATTENTION_HEADS, ATTENTION_HEAD_SIZE];
const COMPOSITE_DEVICE = 'webgpu-composite-attention';
/** Lengths of the peak-memory probe (B 1, 8 heads, head size 64). */
const MEMORY_LENGTHS = [512, 1024, 2048];

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
      return prepareAttentionWorkload(core, device);
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
    label: `scaledDotProductAttention fwd+bwd, q/k/v [${ATTENTION_SHAPE.join(', ')}], causal, f32, webgpu`,
    unit: 'ms',
    opsPerRun: 1,
    subject: 'tessera-webgpu-fused',
    reference: ['tessera-webgpu-fused'],
    checkDescription: ATTENTION_CHECK,
    implementations: [implementation(true), implementation(false)],
    available: webgpuAvailable,
  };
}
