/**
 * WebGPU: Tessera's `webgpu` backend vs TensorFlow.js `webgpu`, both on the same adapter (Dawn, the
 * `webgpu` package, in Node; a software Vulkan driver where there is no GPU). Library comparisons
 * (see suite.ts): the tensor sides of this harness are CPU backends, so each row here times the two
 * WebGPU implementations run by run. Every timed run reads its result back.
 * The output check: each implementation's result on sampled elements must be within 1e-3 relative
 * of a float64 host reference (output `[1]`), so a broken kernel shows as a mismatch, not as fast.
 */
import type { ComparisonCase, Implementation, PreparedImplementation } from './suite';
import { seededValues } from '@tessera/core/testing';

type Tf = typeof import('@tensorflow/tfjs');
type Core = typeof import('@tessera/core');

interface Environment {
  tf: Tf;
  core: Core;
}

let environment: Promise<Environment> | null = null;
// Module scope: Dawn crashes if the GPU object is collected while a device made from it lives.
let dawnGpu: unknown = null;

/**
 * Start Dawn once, register Tessera's webgpu plugin and tfjs's webgpu backend on the same GPU.
 * @example const { core } = await webgpuEnvironment();
 */
export function webgpuEnvironment(): Promise<Environment> {
  environment ??= (async () => {
    // A non-literal specifier keeps the bundler away from Dawn's native addon (resolved at run time).
    const dawnPackage = 'webgpu';
    const dawn = (await import(dawnPackage)) as { create: (flags: string[]) => GPU; globals: object };
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    dawnGpu = gpu;
    if (!(await gpu.requestAdapter())) throw new Error('no WebGPU adapter (install a Vulkan driver, e.g. Mesa lavapipe)');
    Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true, writable: true });
    const core = await import('@tessera/core');
    const { createWebGPUPlugin } = await import('@tessera/backend-webgpu/plugin');
    core.registerBackend(createWebGPUPlugin({ gpu }));
    await core.ensureBackend('webgpu');
    const tf = await import('@tensorflow/tfjs');
    // tfjs-backend-webgpu registers itself at import only when navigator.gpu exists.
    await import('@tensorflow/tfjs-backend-webgpu');
    return { tf, core };
  })();
  return environment;
}

const values = seededValues;

/** 1 when every sampled element is within 1e-3 relative (plus 1e-4 absolute) of the float64 reference. */
function sampledCheck(result: ArrayLike<number>, samples: readonly number[], reference: (index: number) => number): number[] {
  const ok = samples.every((index) => {
    const expected = reference(index);
    return Math.abs(result[index] - expected) <= 1e-4 + 1e-3 * Math.abs(expected);
  });
  return [ok ? 1 : 0];
}

function samplesOf(count: number): number[] {
  return Array.from({ length: 64 }, (_, k) => Math.floor(((k * 2654435761) % 4294967296) / 4294967296 * count));
}

/** One row: the same computation as a Tessera body and a tfjs body. */
interface WebgpuWork {
  id: string;
  label: string;
  unit: 'GFLOP/s' | 'ms';
  workPerRun?: number;
  outputSize: number;
  reference: (index: number) => number;
  tessera(env: Environment): { compute: () => import('@tessera/core').Tensor; dispose: () => void };
  tfjs(env: Environment): { compute: () => import('@tensorflow/tfjs').Tensor; dispose: () => void };
}

function comparison(work: WebgpuWork): ComparisonCase {
  const samples = samplesOf(work.outputSize);
  const implementation = (id: string, name: string, packageName: string, make: (env: Environment) => { run: () => Promise<ArrayLike<number>>; dispose: () => void }): Implementation => ({
    id,
    name,
    packageName,
    async prepare(): Promise<PreparedImplementation> {
      const env = await webgpuEnvironment();
      if (id === 'tfjs-webgpu') await env.tf.setBackend('webgpu');
      const body = make(env);
      return {
        run: async () => void (await body.run()),
        output: async () => sampledCheck(await body.run(), samples, work.reference),
        dispose: body.dispose,
      };
    },
  });
  return {
    kind: 'comparison',
    id: `webgpu-${work.id}`,
    suite: 'webgpu',
    label: `webgpu ${work.label}`,
    unit: work.unit,
    workPerRun: work.workPerRun,
    opsPerRun: 1,
    subject: 'tessera-webgpu',
    reference: ['tessera-webgpu'],
    checkDescription: '64 sampled outputs within 1e-3 of a float64 host reference',
    implementations: [
      implementation('tessera-webgpu', 'Tessera webgpu', '@tessera/backend-webgpu', (env) => {
        const { compute, dispose } = work.tessera(env);
        return {
          async run() {
            const result = env.core.tidy(compute);
            const data = (await result.data()) as Float32Array;
            result.dispose();
            return data;
          },
          dispose,
        };
      }),
      implementation('tfjs-webgpu', 'TensorFlow.js webgpu', '@tensorflow/tfjs-backend-webgpu', (env) => {
        const { compute, dispose } = work.tfjs(env);
        return {
          async run() {
            await env.tf.setBackend('webgpu');
            const result = env.tf.tidy(compute);
            const data = (await result.data()) as Float32Array;
            result.dispose();
            return data;
          },
          dispose,
        };
      }),
    ],
  };
}

function matmulWork(n: number): WebgpuWork {
  const a = values(n * n, 11 + n);
  const b = values(n * n, 13 + n);
  return {
    id: `matmul-${n}`, label: `matmul ${n}×${n} f32`, unit: 'GFLOP/s', workPerRun: 2 * n ** 3, outputSize: n * n,
    reference: (index) => {
      const row = Math.floor(index / n);
      const column = index % n;
      let total = 0;
      for (let k = 0; k < n; k++) total += a[row * n + k] * b[k * n + column];
      return total;
    },
    tessera: ({ core }) => {
      const x = core.tensor(a, { shape: [n, n], device: 'webgpu' });
      const y = core.tensor(b, { shape: [n, n], device: 'webgpu' });
      return { compute: () => x.matmul(y), dispose: () => [x, y].forEach((t) => t.dispose()) };
    },
    tfjs: ({ tf }) => {
      const x = tf.tensor2d(a, [n, n]);
      const y = tf.tensor2d(b, [n, n]);
      return { compute: () => tf.matMul(x, y), dispose: () => [x, y].forEach((t) => t.dispose()) };
    },
  };
}

const ROWS = 1024;
const FEATURES = 1024;

function rowwise(id: string, label: string, seed: number, reference: (row: Float32Array, k: number) => number, tessera: (core: Core, x: import('@tessera/core').Tensor) => import('@tessera/core').Tensor, tfjs: (tf: Tf, x: import('@tensorflow/tfjs').Tensor2D) => import('@tensorflow/tfjs').Tensor): WebgpuWork {
  const data = values(ROWS * FEATURES, seed);
  return {
    id, label: `${label} [${ROWS}, ${FEATURES}]`, unit: 'ms', outputSize: ROWS * FEATURES,
    reference: (index) => reference(data.subarray(Math.floor(index / FEATURES) * FEATURES, (Math.floor(index / FEATURES) + 1) * FEATURES), index % FEATURES),
    tessera: ({ core }) => {
      const x = core.tensor(data, { shape: [ROWS, FEATURES], device: 'webgpu' });
      return { compute: () => tessera(core, x), dispose: () => x.dispose() };
    },
    tfjs: ({ tf }) => {
      const x = tf.tensor2d(data, [ROWS, FEATURES]);
      return { compute: () => tfjs(tf, x), dispose: () => x.dispose() };
    },
  };
}

const softmaxWork = rowwise('softmax', 'softmax', 21, (row, k) => {
  const max = Math.max(...row);
  let total = 0;
  for (const value of row) total += Math.exp(value - max);
  return Math.exp(row[k] - max) / total;
}, (_, x) => x.softmax(1), (tf, x) => tf.softmax(x));

const layerNormWork = rowwise('layernorm', 'layerNorm (no affine)', 22, (row, k) => {
  const mean = row.reduce((sum, value) => sum + value, 0) / row.length;
  const variance = row.reduce((sum, value) => sum + (value - mean) ** 2, 0) / row.length;
  return (row[k] - mean) / Math.sqrt(variance + 1e-5);
}, (core, x) => core.layerNorm(x, [FEATURES], null, null, 1e-5), (tf, x) => {
  const { mean, variance } = tf.moments(x, 1, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
});

const [BATCH, CHANNELS, SIZE, FILTERS] = [8, 32, 32, 64];
function conv2dWork(): WebgpuWork {
  const image = values(BATCH * CHANNELS * SIZE * SIZE, 31); // NCHW for Tessera
  const kernel = values(FILTERS * CHANNELS * 9, 32); // [O, C, 3, 3] for Tessera
  const at = (n: number, c: number, h: number, w: number) => (h < 0 || w < 0 || h >= SIZE || w >= SIZE ? 0 : image[((n * CHANNELS + c) * SIZE + h) * SIZE + w]);
  return {
    id: 'conv2d', label: `conv2d [${BATCH}, ${CHANNELS}, ${SIZE}, ${SIZE}] * [${FILTERS}, ${CHANNELS}, 3, 3] pad 1`, unit: 'GFLOP/s',
    workPerRun: 2 * BATCH * FILTERS * SIZE * SIZE * CHANNELS * 9, outputSize: BATCH * FILTERS * SIZE * SIZE,
    // NCHW flat index (tfjs results are transposed back to NCHW before the check).
    reference: (index) => {
      const w = index % SIZE;
      const h = Math.floor(index / SIZE) % SIZE;
      const o = Math.floor(index / (SIZE * SIZE)) % FILTERS;
      const n = Math.floor(index / (SIZE * SIZE * FILTERS));
      let total = 0;
      for (let c = 0; c < CHANNELS; c++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) total += at(n, c, h + i - 1, w + j - 1) * kernel[((o * CHANNELS + c) * 3 + i) * 3 + j];
      return total;
    },
    tessera: ({ core }) => {
      const x = core.tensor(image, { shape: [BATCH, CHANNELS, SIZE, SIZE], device: 'webgpu' });
      const w = core.tensor(kernel, { shape: [FILTERS, CHANNELS, 3, 3], device: 'webgpu' });
      return { compute: () => core.conv2d(x, w, null, { padding: 1 }), dispose: () => [x, w].forEach((t) => t.dispose()) };
    },
    tfjs: ({ tf }) => {
      // tfjs's native layout: NHWC input, [KH, KW, C, O] filter (converted once, untimed); the output is transposed back to NCHW.
      const x = tf.tidy(() => tf.transpose(tf.tensor4d(image, [BATCH, CHANNELS, SIZE, SIZE]), [0, 2, 3, 1]));
      const w = tf.tidy(() => tf.transpose(tf.tensor4d(kernel, [FILTERS, CHANNELS, 3, 3]), [2, 3, 1, 0]));
      return { compute: () => tf.transpose(tf.conv2d(x as import('@tensorflow/tfjs').Tensor4D, w as import('@tensorflow/tfjs').Tensor4D, 1, 'same'), [0, 3, 1, 2]), dispose: () => [x, w].forEach((t) => t.dispose()) };
    },
  };
}

/**
 * The WebGPU rows: matmul 1024 and 2048 (4096 with `BENCH_WEBGPU_LARGE=1`: minutes per run on a software adapter), softmax, layerNorm, conv2d.
 * @example webgpuCases().map((c) => c.id) // ['webgpu-matmul-1024', ...]
 */
export function webgpuCases(): ComparisonCase[] {
  const sizes = process.env.BENCH_WEBGPU_LARGE === '1' ? [1024, 2048, 4096] : [1024, 2048];
  const cases = [...sizes.map((n) => comparison(matmulWork(n))), comparison(softmaxWork), comparison(layerNormWork), comparison(conv2dWork())];
  return cases.map((benchmark) => ({ ...benchmark, available: webgpuAvailable }));
}

/**
 * Whether a WebGPU adapter exists; with `TESSERA_REQUIRE_WEBGPU=1` its absence is an error instead.
 * @example await webgpuAvailable() // true, or why not
 */
export async function webgpuAvailable(): Promise<true | string> {
  if (process.env.TESSERA_REQUIRE_WEBGPU === '1') return true;
  try {
    await webgpuEnvironment();
    return true;
  } catch (error) {
    return (error as Error).message;
  }
}

void dawnGpu;
