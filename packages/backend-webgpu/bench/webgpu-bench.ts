/**
 * Side-by-side WebGPU benchmark: Tessera's webgpu backend vs TensorFlow.js's webgpu backend on the
 * same adapter (Dawn in Node), medians of interleaved timed runs that each end with a read back.
 * `pnpm --filter @tessera/backend-webgpu bench [--quick] [--large] [--only=NAME]` (--large adds matmul 4096;
 * --only keeps the cases whose name contains NAME).
 */
import * as tf from '@tensorflow/tfjs';
import { conv2d, ensureBackend, fusedMatmul, layerNorm, registerBackend, tensor, tidy, type Tensor } from '@tessera/core';
import { create, globals } from 'webgpu';
import { createWebGPUPlugin } from '../src/plugin';
import type { WebGPUBackend } from '../src/webgpu-backend';
import { createMlp } from '../test/mlp';
import { seededValues } from '@tessera/core/testing';

Object.assign(globalThis, globals);
const gpu = create([]) as GPU;
(globalThis as { navigator?: unknown }).navigator = { gpu, userAgent: 'node' };

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const rounds = quick ? 3 : 7;

/** A prepared side: the timed body and what to free afterwards. */
interface Prepared {
  run: () => Promise<void>;
  dispose: () => void;
}

interface Case {
  name: string;
  unit: 'GFLOP/s' | 'ms';
  work: number;
  tessera: () => Promise<Prepared>;
  tfjs: () => Promise<Prepared>;
}

const values = seededValues;

const tesseraRun = (inputs: Tensor[], compute: () => Tensor): Prepared => ({
  async run() {
    const result = tidy(compute);
    await result.data();
    result.dispose();
  },
  dispose: () => inputs.forEach((t) => t.dispose()),
});
const tfjsRun = (inputs: tf.Tensor[], compute: () => tf.Tensor): Prepared => ({
  async run() {
    const result = tf.tidy(compute);
    await result.data();
    result.dispose();
  },
  dispose: () => inputs.forEach((t) => t.dispose()),
});

function matmulCase(n: number): Case {
  const a = values(n * n, 1);
  const b = values(n * n, 2);
  return {
    name: `matmul ${n}×${n} f32`, unit: 'GFLOP/s', work: 2 * n ** 3,
    tessera: async () => {
      const x = tensor(a, { shape: [n, n], device: 'webgpu' });
      const y = tensor(b, { shape: [n, n], device: 'webgpu' });
      return tesseraRun([x, y], () => x.matmul(y));
    },
    tfjs: async () => {
      const x = tf.tensor2d(a, [n, n]);
      const y = tf.tensor2d(b, [n, n]);
      return tfjsRun([x, y], () => tf.matMul(x, y));
    },
  };
}

/** A dense layer's forward pass, relu(x·w + b): Tessera's matmulBiasActivation kernel vs tf.fused.matMul. */
function fusedDenseCase(m: number, k: number, n: number): Case {
  const [xs, ws, bs] = [values(m * k, 10), values(k * n, 11), values(n, 12)];
  return {
    name: `fused dense relu([${m}, ${k}]·[${k}, ${n}] + b) f32`, unit: 'GFLOP/s', work: 2 * m * k * n,
    tessera: async () => {
      const x = tensor(xs, { shape: [m, k], device: 'webgpu' });
      const w = tensor(ws, { shape: [k, n], device: 'webgpu' });
      const b = tensor(bs, { device: 'webgpu' });
      return tesseraRun([x, w, b], () => fusedMatmul(x, w, { bias: b, activation: 'relu' }));
    },
    tfjs: async () => {
      const x = tf.tensor2d(xs, [m, k]);
      const w = tf.tensor2d(ws, [k, n]);
      const b = tf.tensor1d(bs);
      return tfjsRun([x, w, b], () => tf.fused.matMul({ a: x, b: w, bias: b, activation: 'relu' }));
    },
  };
}

const rows = 1024;
const features = 1024;
const softmaxCase: Case = {
  name: `softmax [${rows}, ${features}]`, unit: 'ms', work: 0,
  tessera: async () => {
    const x = tensor(values(rows * features, 3), { shape: [rows, features], device: 'webgpu' });
    return tesseraRun([x], () => x.softmax(1));
  },
  tfjs: async () => {
    const x = tf.tensor2d(values(rows * features, 3), [rows, features]);
    return tfjsRun([x], () => tf.softmax(x));
  },
};

const layerNormCase: Case = {
  name: `layerNorm [${rows}, ${features}]`, unit: 'ms', work: 0,
  tessera: async () => {
    const x = tensor(values(rows * features, 4), { shape: [rows, features], device: 'webgpu' });
    const gamma = tensor(values(features, 5), { device: 'webgpu' });
    const beta = tensor(values(features, 6), { device: 'webgpu' });
    return tesseraRun([x, gamma, beta], () => layerNorm(x, [features], gamma, beta, 1e-5));
  },
  tfjs: async () => {
    const x = tf.tensor2d(values(rows * features, 4), [rows, features]);
    const gamma = tf.tensor1d(values(features, 5));
    const beta = tf.tensor1d(values(features, 6));
    return tfjsRun([x, gamma, beta], () => {
      const { mean, variance } = tf.moments(x, 1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), gamma), beta);
    });
  },
};

const [batch, channels, size, filters] = [8, 32, 32, 64];
const conv2dCase: Case = {
  name: `conv2d [${batch}, ${channels}, ${size}, ${size}] * [${filters}, ${channels}, 3, 3] pad 1`, unit: 'GFLOP/s',
  work: 2 * batch * filters * size * size * channels * 9,
  tessera: async () => {
    const x = tensor(values(batch * channels * size * size, 7), { shape: [batch, channels, size, size], device: 'webgpu' });
    const w = tensor(values(filters * channels * 9, 8), { shape: [filters, channels, 3, 3], device: 'webgpu' });
    return tesseraRun([x, w], () => conv2d(x, w, null, { padding: 1 }));
  },
  tfjs: async () => {
    // tfjs is NHWC with [KH, KW, C, O] filters: the same work in its native layout.
    const x = tf.tensor4d(values(batch * channels * size * size, 7), [batch, size, size, channels]);
    const w = tf.tensor4d(values(filters * channels * 9, 8), [3, 3, channels, filters]);
    return tfjsRun([x, w], () => tf.conv2d(x, w, 1, 'same'));
  },
};

const mlp = { inputs: 784, hidden: 256, classes: 10, batch: 128 };
const mlpCase: Case = {
  name: `MLP train step ${mlp.inputs}→${mlp.hidden}→${mlp.classes}, batch ${mlp.batch}`, unit: 'ms', work: 0,
  tessera: async () => {
    const model = createMlp('webgpu', mlp);
    return { run: async () => void (await model.step()), dispose: () => model.dispose() };
  },
  tfjs: async () => {
    const w1 = tf.variable(tf.randomNormal([mlp.inputs, mlp.hidden], 0, 1 / Math.sqrt(mlp.inputs)));
    const b1 = tf.variable(tf.zeros([mlp.hidden]));
    const w2 = tf.variable(tf.randomNormal([mlp.hidden, mlp.classes], 0, 1 / Math.sqrt(mlp.hidden)));
    const b2 = tf.variable(tf.zeros([mlp.classes]));
    const x = tf.tensor2d(values(mlp.batch * mlp.inputs, 9), [mlp.batch, mlp.inputs]);
    const labels = tf.oneHot(tf.tensor1d(Array.from({ length: mlp.batch }, (_, i) => (i * 7 + 3) % mlp.classes), 'int32'), mlp.classes);
    const optimizer = tf.train.sgd(0.1);
    return {
      async run() {
        const loss = optimizer.minimize(() => {
          const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2);
          return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), labels), 1))) as tf.Scalar;
        }, true)!;
        await loss.data();
        loss.dispose();
      },
      dispose: () => [w1, b1, w2, b2, x, labels].forEach((t) => t.dispose()),
    };
  },
};

async function time(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

async function main(): Promise<void> {
  registerBackend(createWebGPUPlugin({ gpu }));
  let backend: WebGPUBackend;
  try {
    backend = (await ensureBackend('webgpu')) as WebGPUBackend;
  } catch (error) {
    // `pnpm bench` runs every package's bench: without an adapter this one reports why and steps aside.
    if (process.env.TESSERA_REQUIRE_WEBGPU === '1') throw error;
    console.log(`webgpu bench skipped: ${(error as Error).message}`);
    return;
  }
  // tfjs-backend-webgpu registers itself at import only if navigator.gpu exists, so import it now.
  await import('@tensorflow/tfjs-backend-webgpu');
  await tf.setBackend('webgpu');
  await tf.ready();
  const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  const cases = [matmulCase(1024), matmulCase(2048), ...(args.has('--large') ? [matmulCase(4096)] : []), fusedDenseCase(512, 1024, 1024), softmaxCase, layerNormCase, conv2dCase, mlpCase]
    .filter((benchmark) => only === undefined || benchmark.name.includes(only));
  const lines = [
    `adapter: ${backend.features.adapter}; tfjs ${tf.version_core} webgpu; ${rounds} interleaved rounds after 2 warm-up runs each; every run reads its result back`,
    '',
    '| case | unit | tessera webgpu | tfjs webgpu | tessera / tfjs |',
    '|---|---|---|---|---|',
  ];
  for (const benchmark of cases) {
    process.stderr.write(`running ${benchmark.name} ...\n`);
    const tessera = await benchmark.tessera();
    const tfjs = await benchmark.tfjs();
    for (let warm = 0; warm < 2; warm++) {
      await tessera.run();
      await tfjs.run();
    }
    const times = { tessera: [] as number[], tfjs: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      times.tessera.push(await time(tessera.run));
      times.tfjs.push(await time(tfjs.run));
    }
    tessera.dispose();
    tfjs.dispose();
    const metric = (ms: number) => (benchmark.unit === 'ms' ? ms : benchmark.work / (ms * 1e6));
    const ours = metric(median(times.tessera));
    const theirs = metric(median(times.tfjs));
    const ratio = benchmark.unit === 'ms' ? theirs / ours : ours / theirs;
    lines.push(`| ${benchmark.name} | ${benchmark.unit} | ${ours.toFixed(2)} | ${theirs.toFixed(2)} | ${ratio.toFixed(2)}× ${ratio >= 1 ? 'faster' : 'slower'} |`);
  }
  console.log(lines.join('\n'));
  process.exit(0);
}

void main();
