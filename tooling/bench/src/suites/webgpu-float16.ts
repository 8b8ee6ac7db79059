/**
 * float16 matmul on Tessera's webgpu backend beside float32 on the same adapter: the same register-tiled
 * kernel, with `vec4<f16>` loads (half the bytes read) and f32 accumulation, against the float32 kernel.
 * Library comparisons (see suite.ts): subject `tessera-webgpu-float16`, other `tessera-webgpu-float32`;
 * every timed run reads its result back (float16 results widen to float32 on the host). Runs only where
 * the adapter has `shader-f16` (Mesa lavapipe has it); otherwise the rows are reported as skipped.
 * The output check: both multiply the same float16-rounded inputs, and 64 sampled outputs must be within
 * 1e-3 relative (one float16 rounding is at most 4.9e-4) plus 1e-3 absolute of a float64 host product.
 */
import { seededValues } from '@tessera/core/testing';
import type { ComparisonCase, Implementation, PreparedImplementation } from './suite';
import { webgpuAvailable, webgpuEnvironment } from './webgpu';

type Core = typeof import('@tessera/core');

/** Inputs in [−1, 1) rounded to float16, so both dtypes multiply exactly the same numbers. */
function halfValues(core: Core, count: number, seed: number): Float32Array {
  return core.fromFloat16Bits(core.toFloat16Bits(seededValues(count, seed)));
}

function samplesOf(count: number): number[] {
  return Array.from({ length: 64 }, (_, k) => Math.floor((((k * 2654435761) % 4294967296) / 4294967296) * count));
}

/** `n × n` matmul on webgpu in `dtype`; its output is 1 when every sampled element passes the check. */
function implementation(n: number, dtype: 'float16' | 'float32'): Implementation {
  return {
    id: `tessera-webgpu-${dtype}`,
    name: `Tessera webgpu matmul, ${dtype}`,
    packageName: '@tessera/backend-webgpu',
    async prepare(): Promise<PreparedImplementation> {
      const { core } = await webgpuEnvironment();
      const a = halfValues(core, n * n, 41 + n);
      const b = halfValues(core, n * n, 43 + n);
      const x = core.tensor(a, { shape: [n, n], device: 'webgpu', dtype });
      const y = core.tensor(b, { shape: [n, n], device: 'webgpu', dtype });
      const product = async (): Promise<ArrayLike<number>> => {
        const result = core.tidy(() => x.matmul(y));
        const data = await result.data();
        result.dispose();
        return data;
      };
      return {
        run: async () => void (await product()),
        async output() {
          const result = await product();
          const ok = samplesOf(n * n).every((index) => {
            const row = Math.floor(index / n);
            const column = index % n;
            let expected = 0;
            for (let k = 0; k < n; k++) expected += a[row * n + k] * b[k * n + column];
            return Math.abs(result[index] - expected) <= 1e-3 + 1e-3 * Math.abs(expected);
          });
          return [ok ? 1 : 0];
        },
        dispose: () => [x, y].forEach((t) => t.dispose()),
      };
    },
  };
}

/** Whether the webgpu backend exists here and stores float16 (its device has `shader-f16`). */
async function float16Available(): Promise<true | string> {
  const available = await webgpuAvailable();
  if (available !== true) return available;
  const { core } = await webgpuEnvironment();
  const backend = await core.ensureBackend('webgpu');
  return backend.capabilities.dtypes.includes('float16') ? true : "the WebGPU adapter has no 'shader-f16', so the webgpu backend has no float16";
}

function matmulCase(n: number): ComparisonCase {
  return {
    kind: 'comparison',
    id: `webgpu-f16-matmul-${n}`,
    suite: 'webgpu',
    label: `webgpu matmul ${n}×${n} f16 vs f32`,
    unit: 'GFLOP/s',
    workPerRun: 2 * n ** 3,
    opsPerRun: 1,
    subject: 'tessera-webgpu-float16',
    reference: ['tessera-webgpu-float16'],
    checkDescription: '64 sampled outputs of the float16-rounded inputs within 1e-3 + 1e-3 relative of a float64 host product',
    implementations: [implementation(n, 'float16'), implementation(n, 'float32')],
    available: float16Available,
  };
}

/**
 * The float16 webgpu rows: matmul 1024 and 2048, float16 against float32.
 * @example webgpuFloat16Cases().map((c) => c.id) // ['webgpu-f16-matmul-1024', 'webgpu-f16-matmul-2048']
 */
export function webgpuFloat16Cases(): ComparisonCase[] {
  return [matmulCase(1024), matmulCase(2048)];
}
