/**
 * One Adam step over the parameters of the MLP 784-256-10 (W1 784×256, b1, W2 256×10, b2: 203,530
 * float32 values), as `@tessera/optim`'s Adam runs it (core's `adamStep` per parameter): the backend's
 * fused `optimizerStep` kernel (one pass per parameter) against core's composite of element-wise ops
 * (`fused: false`, about ten kernels and temporaries per parameter), on the same backend in one run.
 * Library comparisons (see suite.ts): `adam-step-cpu` on Tessera's cpu backend, `adam-step-webgpu` on
 * its webgpu backend when an adapter exists. Each timed run ends by reading b2 back.
 * The output check: the first step from zero moments, on 64 sampled elements of W1 and all of b2, must be
 * within 1e-6 + 1e-5 relative of a float64 host computation of PyTorch's Adam update (output `[1]`).
 */
import { lazy, normalData } from '../harness';
import type { ComparisonCase, Implementation, PreparedImplementation } from './suite';
import { webgpuAvailable, webgpuEnvironment } from './webgpu';

type Core = typeof import('@tessera/core');

const SHAPES: readonly (readonly number[])[] = [[784, 256], [256], [256, 10], [10]];
const HYPER = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/** Initial parameters and one gradient per parameter, identical for every implementation. */
const inputs = lazy(() =>
  SHAPES.map((shape, k) => {
    const size = shape.reduce((product, dim) => product * dim, 1);
    return { shape, param: normalData(size, 61 + k, 0.05), grad: normalData(size, 71 + k, 0.01) };
  }),
);

/** θ after Adam's first step from zero moments, in float64: θ − lr/(1−β₁) · (1−β₁)g / (√((1−β₂)g²)/√(1−β₂) + eps). */
function firstStepReference(theta: number, g: number): number {
  const { lr, beta1, beta2, eps } = HYPER;
  const m = (1 - beta1) * g;
  const v = (1 - beta2) * g * g;
  return theta - (lr / (1 - beta1)) * (m / (Math.sqrt(v) / Math.sqrt(1 - beta2) + eps));
}

const W1_SAMPLES = Array.from({ length: 64 }, (_, k) => Math.floor((((k * 2654435761) % 4294967296) / 4294967296) * 784 * 256));

/** Tessera's Adam step on `device`, through the fused kernel or the composite. */
function implementation(device: 'cpu' | 'webgpu', fused: boolean, loadCore: () => Promise<Core>): Implementation {
  return {
    id: `tessera-${device}-${fused ? 'fused' : 'composite'}`,
    name: `Tessera ${device} adamStep, ${fused ? 'fused optimizerStep kernel' : 'composite of core ops'}`,
    packageName: device === 'cpu' ? '@tessera/backend-cpu' : '@tessera/backend-webgpu',
    async prepare(): Promise<PreparedImplementation> {
      const core = await loadCore();
      const data = inputs();
      const params = data.map(({ shape, param }) => core.tensor(param, { shape: [...shape], device }));
      const grads = data.map(({ shape, grad }) => core.tensor(grad, { shape: [...shape], device }));
      const state = params.map((param) => ({ expAvg: core.zerosLike(param), expAvgSq: core.zerosLike(param) }));
      let step = 0;
      const adamStepAll = async (): Promise<void> => {
        step++;
        params.forEach((param, k) => core.adamStep(param, grads[k], state[k], { ...HYPER, step, fused }));
        await params[3].data();
      };
      return {
        run: adamStepAll,
        async output() {
          await adamStepAll(); // the first step: zero moments, step 1
          const [w1, , , b2] = await Promise.all(params.map((param) => param.data()));
          const checks = [
            ...W1_SAMPLES.map((index) => [w1[index], firstStepReference(data[0].param[index], data[0].grad[index])]),
            ...Array.from(b2, (value, index) => [value, firstStepReference(data[3].param[index], data[3].grad[index])]),
          ];
          return [checks.every(([got, want]) => Math.abs(got - want) <= 1e-6 + 1e-5 * Math.abs(want)) ? 1 : 0];
        },
        dispose() {
          for (const t of [...params, ...grads, ...state.flatMap((s) => [s.expAvg, s.expAvgSq])]) t.dispose();
        },
      };
    },
  };
}

async function cpuCore(): Promise<Core> {
  const core = await import('@tessera/core');
  await import('@tessera/backend-cpu'); // registers 'cpu'
  await core.ensureBackend('cpu');
  return core;
}

async function webgpuCore(): Promise<Core> {
  return (await webgpuEnvironment()).core;
}

function adamStepCase(device: 'cpu' | 'webgpu'): ComparisonCase {
  return {
    kind: 'comparison',
    id: `adam-step-${device}`,
    suite: 'adam-step',
    label: `Adam step, MLP 784-256-10 parameters (203,530 f32), ${device}`,
    unit: 'ms',
    opsPerRun: 1,
    subject: `tessera-${device}-fused`,
    reference: [`tessera-${device}-fused`],
    checkDescription: "first step: 64 sampled W1 values and all of b2 within 1e-6 + 1e-5 relative of a float64 host Adam update",
    implementations: [implementation(device, true, device === 'cpu' ? cpuCore : webgpuCore), implementation(device, false, device === 'cpu' ? cpuCore : webgpuCore)],
    ...(device === 'webgpu' ? { available: webgpuAvailable } : {}),
  };
}

/**
 * The Adam-step rows: fused vs composite on the cpu backend, and on webgpu where an adapter exists.
 * @example adamStepCases().map((c) => c.id) // ['adam-step-cpu', 'adam-step-webgpu']
 */
export function adamStepCases(): ComparisonCase[] {
  return [adamStepCase('cpu'), adamStepCase('webgpu')];
}
