/**
 * The browser smoke subset, bundled by `browser-smoke.test.ts` and run in headless Chromium on
 * `navigator.gpu`: representative kernels (fused attention among them) against core's float64
 * reference backend, Philox bit-exactness, a few MLP training steps and memory that returns to its
 * baseline.
 */
import { conv2d, fillPhiloxStream, manualSeed, memory, randomBits, registerBackend, scaledDotProductAttention, setBackend, tensor, tidy, type Tensor } from '@tessera/core';
import { ReferenceBackend, seededValues } from '@tessera/core/testing';
import { createWebGPUPlugin } from '../../src/plugin';
import { createMlp } from '../mlp';
import { BACKEND_API_VERSION } from '@tessera/core/backend';

interface SmokeResult {
  name: string;
  ok: boolean;
  detail: string;
}

registerBackend(createWebGPUPlugin());
registerBackend({ name: 'reference', apiVersion: BACKEND_API_VERSION, priority: 0, create: () => new ReferenceBackend() });

const values = seededValues;

function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1e-3 + Math.abs(expected[i])));
  return actual.length === expected.length ? worst : Infinity;
}

/** Run `compute` on webgpu and on the reference backend from the same host data and compare. */
async function compare(name: string, compute: (device: string) => Tensor, tolerance = 1e-4): Promise<SmokeResult> {
  const [actual, expected] = await Promise.all(['webgpu', 'reference'].map(async (device) => {
    const result = tidy(() => compute(device));
    const data = await result.data();
    result.dispose();
    return Array.from(data as ArrayLike<number>);
  }));
  const error = maxRelativeError(actual, expected);
  return { name, ok: error <= tolerance, detail: `max relative error ${error.toExponential(2)}` };
}

async function run(): Promise<SmokeResult[]> {
  const results: SmokeResult[] = [];
  await setBackend('webgpu');
  results.push({ name: 'webgpu is the default backend', ok: true, detail: 'setBackend(webgpu) resolved' });
  const baseline = memory().tensors;
  const a = values(37 * 53, 1);
  const b = values(53 * 29, 2);
  const image = values(2 * 3 * 9 * 9, 3);
  const kernel = values(4 * 3 * 3 * 3, 4);
  results.push(await compare('matmul 37×53 · 53×29', (device) => tensor(a, { shape: [37, 53], device }).matmul(tensor(b, { shape: [53, 29], device }))));
  results.push(await compare('matmul with transposed operands', (device) => tensor(a, { shape: [53, 37], device }).T.matmul(tensor(b, { shape: [29, 53], device }).T)));
  results.push(await compare('softmax along the last dim', (device) => tensor(a, { shape: [37, 53], device }).softmax(1)));
  results.push(await compare('layerNorm-style normalisation (mean/var)', (device) => {
    const x = tensor(a, { shape: [37, 53], device });
    return x.sub(x.mean(1, true)).div(x.var(1, true).add(1e-5).sqrt());
  }));
  results.push(await compare('sum and max over axes of a strided view', (device) => {
    const x = tensor(a, { shape: [37, 53], device }).T;
    return x.sum(1).add(x.max(0).values.sum());
  }));
  results.push(await compare('exp, tanh, sigmoid chain', (device) => tensor(a, { shape: [37, 53], device }).exp().tanh().sigmoid()));
  results.push(await compare('conv2d (padding, stride, bias)', (device) => {
    const x = tensor(image, { shape: [2, 3, 9, 9], device });
    const w = tensor(kernel, { shape: [4, 3, 3, 3], device });
    return conv2d(x, w, tensor([0.1, -0.2, 0.3, 0], { device }), { stride: 2, padding: 1 });
  }));
  const [queries, keys, valuesOfKeys] = [5, 6, 7].map((seed) => values(2 * 2 * 20 * 8, seed));
  results.push(await compare('scaledDotProductAttention, causal (the fused kernel)', (device) => {
    const [q, k, v] = [queries, keys, valuesOfKeys].map((data) => tensor(data, { shape: [2, 2, 20, 8], device }));
    return scaledDotProductAttention(q, k, v, { isCausal: true });
  }));
  manualSeed(42);
  const bits = randomBits([1001], { device: 'webgpu' });
  const gpuBits = (await bits.data()) as Int32Array;
  bits.dispose();
  const expectedBits = new Int32Array(1001);
  fillPhiloxStream(expectedBits, { distribution: 'bits', key: [42, 0], counter: [0, 0] });
  const mismatches = expectedBits.filter((word, i) => word !== gpuBits[i]).length;
  results.push({ name: 'Philox bits are bit-identical to core', ok: mismatches === 0, detail: `${mismatches} of 1001 words differ` });
  const losses: Record<string, number[]> = {};
  for (const device of ['webgpu', 'reference']) {
    const mlp = createMlp(device, { inputs: 16, hidden: 32, classes: 5, batch: 24 });
    losses[device] = [];
    for (let step = 0; step < 5; step++) losses[device].push(await mlp.step());
    mlp.dispose();
  }
  const lossError = maxRelativeError(losses.webgpu, losses.reference);
  results.push({ name: 'MLP: 5 SGD steps match the float64 reference', ok: lossError < 1e-4, detail: `losses ${losses.webgpu.map((x) => x.toFixed(5)).join(', ')}; max relative error ${lossError.toExponential(2)}` });
  const leaked = memory().tensors - baseline;
  results.push({ name: 'no tensors leak', ok: leaked === 0, detail: `${leaked} extra live tensors` });
  return results;
}

const target = globalThis as unknown as { __smoke?: SmokeResult[] | { error: string } };
run().then(
  (results) => (target.__smoke = results),
  (error: Error) => (target.__smoke = { error: `${error.name}: ${error.message}\n${error.stack ?? ''}` }),
);
