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
import { ATTENTION_CHECK, ATTENTION_SHAPE, prepareAttentionWorkload } from './attention-workload';
import type { ComparisonCase, Implementation, PreparedImplementation } from './suite';

type Core = typeof import('@tessera/core');

const COMPOSITE_DEVICE = 'cpu-composite-attention';

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
      return prepareAttentionWorkload(core, device, (q, k, v) => {
        // Held between forward and backward: the saved tensors of the autograd graph (and the output).
        const before = core.memory().backends[device].bytesInUse;
        const out = core.scaledDotProductAttention(q, k, v, { isCausal: true });
        const held = core.memory().backends[device].bytesInUse - before;
        out.dispose();
        console.log(`attention-cpu: ${fused ? 'fused' : 'composite'} holds ${(held / 2 ** 20).toFixed(1)} MiB between forward and backward`);
      });
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
    label: `scaledDotProductAttention fwd+bwd, q/k/v [${ATTENTION_SHAPE.join(', ')}], causal, f32, cpu`,
    unit: 'ms',
    opsPerRun: 1,
    subject: 'tessera-fused',
    reference: ['tessera-fused'],
    checkDescription: ATTENTION_CHECK,
    targets: { 'tessera-composite': 1 },
    implementations: [implementation(true), implementation(false)],
  };
}
