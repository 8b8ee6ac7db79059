/**
 * Op level, for ops whose output shape depends on the values (nonzero, maskedSelect, unique, boolean
 * mask indexing, allclose): their async forms must work on every backend, including those without
 * sync reads, and give the reference's results.
 */
import { referencePlugin } from '@tessera/core/testing';
import { describe } from 'vitest';
import type { CoreApi, CoreTensor } from './core-api';
import { createRng, seedFor, sizeOf, type Rng, type ValueDomain } from './generators';
import type { Suite } from './harness';
import { caseKey, makeTensor, opInputData, opTolerance, outputsOf, useCore, type OpInput } from './ops';
import { expectClose } from './tolerance';

/** One async case: inputs and how to run it through core's API on one device. */
interface AsyncOpCase {
  readonly name: string;
  readonly inputs: readonly OpInput[];
  run(api: CoreApi, ...inputs: CoreTensor[]): Promise<unknown>;
}

const ties: ValueDomain = { kind: 'choices', values: [-1, 0, 0.5, 1] };
const wide: ValueDomain = { kind: 'uniform', low: -2, high: 2 };

/** A boolean result as a one-element int32 tensor, so it is compared like any output. */
async function asTensor(api: CoreApi, device: string, answer: Promise<boolean>): Promise<CoreTensor> {
  return api.tensor(Int32Array.of((await answer) ? 1 : 0), { device });
}

const ASYNC_OP_CASES: readonly AsyncOpCase[] = [
  { name: 'nonzeroAsync', inputs: [{ shape: [3, 4, 2], domain: ties }], run: (_api, x) => x.nonzeroAsync() },
  { name: 'maskedSelectAsync (broadcast mask)', inputs: [{ shape: [3, 5], domain: wide }, { shape: [5], dtype: 'bool' }], run: (_api, x, mask) => x.maskedSelectAsync(mask) },
  {
    name: 'uniqueAsync (inverse, counts)',
    inputs: [{ shape: [4, 6], domain: ties }],
    run: (_api, x) => x.uniqueAsync({ returnInverse: true, returnCounts: true }),
  },
  { name: 'uniqueAsync (dim)', inputs: [{ shape: [6, 2], domain: { kind: 'choices', values: [0, 1] } }], run: (_api, x) => x.uniqueAsync({ dim: 0, returnCounts: true }) },
  { name: 'indexAsync (bool mask)', inputs: [{ shape: [4, 3], domain: wide }, { shape: [4], dtype: 'bool' }], run: (_api, x, mask) => x.indexAsync([mask, '1:']) },
  {
    name: 'allclose',
    inputs: [{ shape: [3, 4], domain: ties }, { shape: [3, 4], domain: ties }],
    run: async (api, a, b) => [await asTensor(api, a.device, a.allclose(a)), await asTensor(api, a.device, a.allclose(b, { atol: 0.5 }))],
  },
];

/** Run a case on both devices and compare every output's shape, dtype and values. */
async function compareAsyncCase(suite: Suite, api: CoreApi, opCase: AsyncOpCase, rng: Rng): Promise<void> {
  const values = opCase.inputs.map((input) => opInputData(rng, input));
  const made: CoreTensor[] = [];
  const runOn = async (device: string, floatDtype: 'float32' | 'float64') => {
    const inputs = api.tidy(() => opCase.inputs.map((input, i) => makeTensor(api, input, values[i], device, floatDtype).reshape([...input.shape]) as CoreTensor));
    made.push(...inputs);
    const outputs = outputsOf(await opCase.run(api, ...inputs));
    made.push(...outputs);
    return outputs;
  };
  try {
    const actual = await runOn(suite.plugin.name, 'float32');
    const expected = await runOn(referencePlugin.name, 'float64');
    if (actual.length !== expected.length) throw new Error(`${opCase.name}: ${actual.length} outputs on ${suite.plugin.name}, ${expected.length} on reference`);
    const terms = Math.max(...opCase.inputs.map((input) => sizeOf(input.shape)));
    for (let k = 0; k < actual.length; k++) {
      const what = `${opCase.name} on ${suite.plugin.name}${actual.length > 1 ? ` (output ${k})` : ''}`;
      if (actual[k].device !== suite.plugin.name) throw new Error(`${what}: result is on ${actual[k].device}`);
      if (actual[k].shape.join(',') !== expected[k].shape.join(',')) throw new Error(`${what}: shape [${actual[k].shape}] but the reference gives [${expected[k].shape}]`);
      const floating = actual[k].dtype === 'float32';
      const expectedDtype = expected[k].dtype === 'float64' ? 'float32' : expected[k].dtype;
      if (actual[k].dtype !== expectedDtype) throw new Error(`${what}: dtype ${actual[k].dtype} but the reference gives ${expected[k].dtype}`);
      const { tolerance, scale } = opTolerance(suite, terms);
      expectClose(await actual[k].data(), await expected[k].data(), what, { tolerance: floating ? tolerance : null, scale, magnitudeFloor: 1, shape: actual[k].shape });
    }
  } finally {
    for (const t of made) t.dispose();
  }
}

/**
 * Declare the checks of the data-dependent ops' async forms.
 * @example
 * describeDataDependentOps(suite);
 */
export function describeDataDependentOps(suite: Suite): void {
  describe('data-dependent ops through their async forms (plugin float32 vs reference float64)', () => {
    const core = useCore(suite);
    for (const opCase of ASYNC_OP_CASES) {
      const key = `ops.${caseKey(opCase)}`;
      suite.check(`${opCase.name} on ${suite.plugin.name} matches the reference`, key, async ({ options }) => {
        const { api, reason } = core();
        if (!api) throw new Error(`op-level checks cannot run: ${reason}`);
        await compareAsyncCase(suite, api, opCase, createRng(seedFor(options.seed, key)));
      });
    }
  });
}
