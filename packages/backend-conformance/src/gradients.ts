/**
 * Gradients through the plugin: for every differentiable op, `backward()` of a random weighted sum
 * of its outputs on the plugin (float32) must give the same input gradients as on the reference
 * backend (float64) — and, where the plugin lists float16, float16 gradients equal to the reference's
 * float16 ones. Where the plugin has float64, core's `gradcheck` (finite differences) must pass too.
 * Core owns the gradient rules, so a failure here means a kernel the rules call misbehaves on the plugin.
 */
import { referencePlugin } from '@tessera/core/testing';
import { describe } from 'vitest';
import { loadCoreApi, type CoreApi, type CoreTensor } from './core-api';
import { createRng, seedFor, sizeOf, type Rng } from './generators';
import type { Suite } from './harness';
import { OP_CASES, PRECISIONS, caseKey, makeTensor, opInputData, opTolerance, outputsOf, precisionSuffix, useCore, type OpCase, type Precision } from './ops';
import { expectClose } from './tolerance';
import type { DType } from '@tessera/core/backend';

const isFloat = (dtype: DType) => dtype === 'float32' || dtype === 'float64' || dtype === 'float16';

/**
 * `Σₖ sum(outₖ · wₖ)` over an op's float outputs, with weights drawn from `rng` (the same rng
 * state gives the same weights on both devices). Call inside `tidy`.
 */
function weightedLoss(api: CoreApi, outputs: CoreTensor[], rng: Rng, device: string, dtype: DType): CoreTensor {
  let loss: CoreTensor | null = null;
  for (const out of outputs.filter((candidate) => isFloat(candidate.dtype))) {
    const weights = Array.from({ length: sizeOf(out.shape) }, () => rng.uniform(-1, 1));
    const weight = api.tensor(dtype === 'float64' ? Float64Array.from(weights) : Float32Array.from(weights), { device, dtype }).reshape([...out.shape]) as CoreTensor;
    const term = out.mul(weight).sum() as CoreTensor;
    loss = loss ? (loss.add(term) as CoreTensor) : term;
  }
  if (!loss) throw new Error('the op has no float output to differentiate');
  return loss;
}

/** Gradients of one case on one device (every tensor made on the way is freed by tidy). */
async function gradientsOn(api: CoreApi, opCase: OpCase, values: number[][], device: string, floatDtype: DType, weightSeed: number): Promise<Float64Array[]> {
  const isFloatInput = (i: number) => (opCase.inputs[i].dtype ?? 'float32') === 'float32';
  // Keep the float leaves (disposing a leaf would free its grad); tidy frees everything else.
  const floatLeaves = api.tidy(() => {
    const leaves = opCase.inputs.map((input, i) => makeTensor(api, input, values[i], device, floatDtype, isFloatInput(i)));
    const shaped = leaves.map((leaf, i) => leaf.reshape([...opCase.inputs[i].shape]) as CoreTensor);
    const outputs = outputsOf(opCase.run(api, ...shaped));
    weightedLoss(api, outputs, createRng(weightSeed), device, floatDtype).backward();
    return leaves.filter((_, i) => isFloatInput(i));
  });
  try {
    return await Promise.all(
      floatLeaves.map(async (leaf, k) => {
        if (!leaf.grad) throw new Error(`${opCase.name} on ${device}: float input ${k} has no grad after backward()`);
        return Float64Array.from(await leaf.grad.data());
      }),
    );
  } finally {
    for (const leaf of floatLeaves) leaf.dispose();
  }
}

/** Compare a case's input gradients on the plugin with the reference's. */
async function compareGradients(suite: Suite, api: CoreApi, opCase: OpCase, rng: Rng, precision: Precision): Promise<void> {
  const values = opCase.inputs.map((input) => opInputData(rng, input));
  const weightSeed = rng.int(0, 2 ** 31);
  const actual = await gradientsOn(api, opCase, values, suite.plugin.name, precision.plugin, weightSeed);
  const expected = await gradientsOn(api, opCase, values, referencePlugin.name, precision.reference, weightSeed);
  const floatInputs = opCase.inputs.filter((input) => (input.dtype ?? 'float32') === 'float32');
  const terms = Math.max(...opCase.inputs.map((input) => sizeOf(input.shape)));
  actual.forEach((grad, k) => {
    const { tolerance, scale } = opTolerance(suite, terms * 4, precision.plugin);
    expectClose(grad, expected[k], `d(loss)/d(input ${k}) of ${opCase.name} on ${suite.plugin.name}`, { tolerance, scale, magnitudeFloor: 1, shape: floatInputs[k].shape });
  });
}

/** Run core's gradcheck on the plugin in float64. */
async function gradcheckOnPlugin(suite: Suite, api: CoreApi, opCase: OpCase, rng: Rng): Promise<void> {
  const { gradcheck } = loadCoreApi();
  if (!gradcheck) throw new Error('@tessera/core/testing does not export gradcheck yet');
  const device = suite.plugin.name;
  const values = opCase.inputs.map((input) => opInputData(rng, input));
  const fixed = opCase.inputs.map((input, i) => ((input.dtype ?? 'float32') === 'float32' ? null : makeTensor(api, input, values[i], device, 'float64')));
  const leaves = opCase.inputs.flatMap((input, i) => ((input.dtype ?? 'float32') === 'float32' ? [makeTensor(api, input, values[i], device, 'float64', true)] : []));
  const weightSeed = rng.int(0, 2 ** 31);
  const fn = (...floatLeaves: CoreTensor[]): CoreTensor => {
    let next = 0;
    const inputs = opCase.inputs.map((input, i) => (fixed[i] ?? floatLeaves[next++]).reshape([...input.shape]) as CoreTensor);
    return weightedLoss(api, outputsOf(opCase.run(api, ...inputs)), createRng(weightSeed), device, 'float64');
  };
  try {
    const passed = await gradcheck(fn, leaves);
    if (passed !== true) throw new Error(`gradcheck of ${opCase.name} on ${device} returned ${String(passed)}`);
  } finally {
    for (const t of [...leaves, ...fixed]) t?.dispose();
  }
}

/**
 * Declare the gradient checks.
 * @example
 * describeGradients(suite);
 */
export function describeGradients(suite: Suite): void {
  describe('gradients through the plugin', () => {
    const core = useCore(suite);
    for (const opCase of OP_CASES.filter((candidate) => candidate.grad)) {
      for (const precision of PRECISIONS) {
        const float16 = precision.plugin === 'float16';
        const key = `gradients.${caseKey(opCase)}${precisionSuffix(precision)}`;
        suite.check(
          `backward through ${opCase.name} on ${suite.plugin.name} gives the reference's input gradients${float16 ? ' in float16' : ''}`,
          key,
          async ({ options }) => {
            const { api, reason } = core();
            if (!api) throw new Error(`gradient checks cannot run: ${reason}`);
            await compareGradients(suite, api, opCase, createRng(seedFor(options.seed, key)), precision);
          },
          float16 ? { dtype: 'float16' } : {},
        );
      }
      suite.check(
        `gradcheck (finite differences) passes for ${opCase.name} on ${suite.plugin.name} in float64`,
        `gradcheck.${caseKey(opCase)}:float64`,
        async ({ options }) => {
          const { api, reason } = core();
          if (!api) throw new Error(`gradcheck cannot run: ${reason}`);
          await gradcheckOnPlugin(suite, api, opCase, createRng(seedFor(options.seed, `gradcheck.${caseKey(opCase)}`)));
        },
        { dtype: 'float64' },
      );
    }
  });
}
