/**
 * The CPU backend in a browser page, bundled by `browser.test.ts` and run in headless Chromium:
 * which features it found (SIMD, threads through Web Workers when the page is cross-origin
 * isolated), representative kernels against core's float64 reference backend (sizes large enough
 * that matmul, element-wise ops and softmax are split across the workers), a few training steps,
 * and memory back to its baseline.
 */
import { conv2d, memory, noGrad, registerBackend, resolveBackend, setBackend, tensor, tidy, type Tensor } from '@tessera/core';
import { referencePlugin, seededValues } from '@tessera/core/testing';
import { createCpuPlugin, type CpuBackend } from '../../src/plugin';

/** What the page reports back to the test. */
export interface CpuPageReport {
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
  readonly config: CpuBackend['config'];
  readonly readyWorkers: number;
  readonly checks: { name: string; ok: boolean; detail: string }[];
}

registerBackend(createCpuPlugin({ threads: 2 }));
registerBackend(createCpuPlugin({ name: 'cpu-js', simd: false, priority: 0 }));
registerBackend(referencePlugin);

/** Largest |actual − expected| relative to |expected|, floored at 1 % of the largest |expected| (outputs near zero after cancellation). */
function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-2 * scale, 1e-30));
  return actual.length === expected.length ? worst : Infinity;
}

async function valuesOn(device: string, compute: (device: string) => Tensor): Promise<number[]> {
  const result = tidy(() => compute(device));
  const data = await result.data();
  result.dispose();
  return Array.from(data as ArrayLike<number>);
}

async function run(): Promise<CpuPageReport> {
  await setBackend('cpu');
  const backend = resolveBackend('cpu') as CpuBackend;
  await backend.pool?.whenReady(20_000);
  const readyWorkers = backend.pool?.readyWorkers ?? 0;
  const checks: CpuPageReport['checks'] = [];
  const baseline = memory().tensors;
  const compare = async (name: string, compute: (device: string) => Tensor, tolerance = 1e-4): Promise<void> => {
    const expected = await valuesOn('reference', compute);
    for (const device of ['cpu', 'cpu-js']) {
      const error = maxRelativeError(await valuesOn(device, compute), expected);
      checks.push({ name: `${name} on ${device}`, ok: error <= tolerance, detail: `max relative error ${error.toExponential(2)}` });
    }
  };
  // 192×160·160×176 is above the parallel threshold, so with threads it runs on the workers too.
  const a = seededValues(192 * 160, 1);
  const b = seededValues(160 * 176, 2);
  const big = seededValues(1 << 18, 3);
  await compare('matmul 192×160 · 160×176', (device) => tensor(a, { shape: [192, 160], device }).matmul(tensor(b, { shape: [160, 176], device })));
  await compare('matmul with both operands transposed', (device) => tensor(a, { shape: [160, 192], device }).T.matmul(tensor(b, { shape: [176, 160], device }).T));
  await compare('element-wise chain on 2^18 floats', (device) => tensor(big, { device }).mul(1.5).add(0.25).tanh().exp());
  await compare('softmax over 512 rows of 512', (device) => tensor(big, { shape: [512, 512], device }).softmax(1));
  await compare('sum over an axis of a transposed view', (device) => tensor(big, { shape: [512, 512], device }).T.sum(1));
  await compare('conv2d (padding, stride, bias)', (device) => {
    const x = tensor(seededValues(4 * 3 * 17 * 17, 4), { shape: [4, 3, 17, 17], device });
    const w = tensor(seededValues(8 * 3 * 3 * 3, 5), { shape: [8, 3, 3, 3], device });
    return conv2d(x, w, tensor(seededValues(8, 6), { device }), { stride: 2, padding: 1 });
  });
  // A few SGD steps of a small regression model: the loss must fall the same way as on the reference.
  const losses: Record<string, number[]> = {};
  for (const device of ['cpu', 'reference']) {
    const x = tensor(seededValues(64 * 32, 7), { shape: [64, 32], device });
    const y = tensor(seededValues(64 * 4, 8), { shape: [64, 4], device });
    const w = tidy(() => tensor(seededValues(32 * 4, 9), { shape: [32, 4], device }).mul(0.1)).requiresGrad_();
    losses[device] = [];
    for (let step = 0; step < 5; step++) {
      const loss = tidy(() => x.matmul(w).tanh().sub(y).square().mean());
      loss.backward();
      noGrad(() => tidy(() => w.assign(w.sub(w.grad!.mul(0.5)))));
      w.grad!.dispose();
      w.grad = null;
      losses[device].push((await loss.data())[0]);
      loss.dispose();
    }
    for (const t of [x, y, w]) t.dispose();
  }
  const lossError = maxRelativeError(losses.cpu, losses.reference);
  const falls = losses.cpu[4] < losses.cpu[0];
  checks.push({ name: 'training steps match the float64 reference', ok: lossError < 1e-4 && falls, detail: `losses ${losses.cpu.map((v) => v.toFixed(5)).join(', ')}; max relative error ${lossError.toExponential(2)}` });
  const leaked = memory().tensors - baseline;
  checks.push({ name: 'no tensors leak', ok: leaked === 0, detail: `${leaked} extra live tensors` });
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    config: backend.config,
    readyWorkers,
    checks,
  };
}

const target = globalThis as unknown as { __result?: CpuPageReport | { error: string } };
run().then(
  (report) => (target.__result = report),
  (error: Error) => (target.__result = { error: `${error.name}: ${error.message}\n${error.stack ?? ''}` }),
);
