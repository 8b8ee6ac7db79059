/**
 * Op level: core's public ops run on the plugin (float32) and on the reference backend (float64)
 * from the same values, and their results must agree. This checks what the kernel level cannot:
 * that core's dispatch (broadcasting, views, composites of optional kernels, casts) works on the
 * plugin end to end. Where the plugin lists float16, every case also runs in float16 on both
 * (the reference rounds every op's result to half, as a float16 device stores it).
 */
import { referencePlugin } from '@tessera/core/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { isCoreTensor, loadCoreApi, type CoreApi, type CoreTensor } from './core-api';
import { createRng, randomData, seedFor, sizeOf, type Rng, type ValueDomain } from './generators';
import type { Suite } from './harness';
import { expectClose, reductionScale, type Tolerance } from './tolerance';
import { SELECTION_OP_CASES } from './ops-selection';
import type { DataArray, DType } from '@tessera/core/backend';

/**
 * The float dtypes of an op-level run: what float inputs are on the plugin and on the reference.
 * @example
 * const halfRun: Precision = { plugin: 'float16', reference: 'float16' };
 */
export interface Precision {
  readonly plugin: DType;
  readonly reference: DType;
}

/**
 * The two op-level runs: plugin float32 against reference float64, and float16 on both.
 * @example
 * PRECISIONS.map((precision) => precision.plugin); // ['float32', 'float16']
 */
export const PRECISIONS: readonly Precision[] = [
  { plugin: 'float32', reference: 'float64' },
  { plugin: 'float16', reference: 'float16' },
];

/**
 * The key suffix of a precision's checks: '' for float32 (the keys predate float16), ':float16' otherwise.
 * @example
 * precisionSuffix(PRECISIONS[1]); // ':float16'
 */
export function precisionSuffix(precision: Precision): string {
  return precision.plugin === 'float32' ? '' : `:${precision.plugin}`;
}

/**
 * One input of an op case. Float inputs are float32 on the plugin and float64 on the reference
 * (or float16 on both, see {@link Precision}).
 * @example
 * const indexInput: OpInput = { shape: [3, 6], dtype: 'int32', domain: { kind: 'integers', low: 0, high: 3 } };
 */
export interface OpInput {
  readonly shape: readonly number[];
  readonly dtype?: 'float32' | 'int32' | 'bool';
  readonly domain?: ValueDomain;
}

/**
 * One op-level case: inputs and how to run the op through core's API.
 * @example
 * const softmaxCase: OpCase = { name: 'softmax', inputs: [{ shape: [3, 4] }], run: (_api, x) => x.softmax(1), grad: true };
 */
export interface OpCase {
  readonly name: string;
  readonly inputs: readonly OpInput[];
  run(api: CoreApi, ...inputs: CoreTensor[]): unknown;
  /** Whether the op is differentiable in its float inputs (checked in gradients.ts). */
  readonly grad?: boolean;
}

const wide: ValueDomain = { kind: 'uniform', low: -2, high: 2 };
const positive: ValueDomain = { kind: 'positive', low: 0.2, high: 4 };
const small: ValueDomain = { kind: 'uniform', low: -0.5, high: 0.5 };
const ties: ValueDomain = { kind: 'choices', values: [-1, 0, 0.5, 1] };
const indices = (high: number): ValueDomain => ({ kind: 'integers', low: 0, high });
const call = (op: string, ...args: unknown[]) => (_api: CoreApi, x: CoreTensor) => x[op](...args);

/**
 * The op table: every public op of ARCHITECTURE.md §4 that computes something, on small shapes
 * with broadcasting where the op broadcasts.
 * @example
 * OP_CASES.find((c) => c.name === 'softmax')!.run(api, x);
 */
export const OP_CASES: readonly OpCase[] = [
  ...(['neg', 'abs', 'exp', 'sin', 'cos', 'tanh', 'sigmoid', 'relu'] as const).map((op) => ({ name: op, inputs: [{ shape: [3, 4], domain: wide }], run: call(op), grad: true })),
  ...(['log', 'sqrt', 'rsqrt'] as const).map((op) => ({ name: op, inputs: [{ shape: [3, 4], domain: positive }], run: call(op), grad: true })),
  { name: 'sign', inputs: [{ shape: [5], domain: ties }], run: call('sign') },
  { name: 'clamp', inputs: [{ shape: [4, 3], domain: wide }], run: call('clamp', -0.5, 0.75), grad: true },
  ...(['add', 'sub', 'mul', 'maximum', 'minimum'] as const).map((op) => ({
    name: `${op} (broadcast)`,
    inputs: [{ shape: [3, 1, 4], domain: wide }, { shape: [2, 4], domain: wide }],
    run: (_api: CoreApi, a: CoreTensor, b: CoreTensor) => a[op](b),
    grad: true,
  })),
  { name: 'div (broadcast)', inputs: [{ shape: [2, 3], domain: wide }, { shape: [3], domain: positive }], run: (_api, a, b) => a.div(b), grad: true },
  { name: 'pow (broadcast)', inputs: [{ shape: [2, 3], domain: positive }, { shape: [2, 1], domain: wide }], run: (_api, a, b) => a.pow(b), grad: true },
  { name: 'add a scalar', inputs: [{ shape: [2, 3], domain: wide }], run: (_api, a) => a.add(1.5).mul(-2), grad: true },
  ...(['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const).map((op) => ({
    name: op,
    inputs: [{ shape: [4, 3], domain: ties }, { shape: [3], domain: ties }],
    run: (_api: CoreApi, a: CoreTensor, b: CoreTensor) => a[op](b),
  })),
  {
    name: 'where',
    inputs: [{ shape: [3, 4], dtype: 'bool' }, { shape: [3, 4], domain: wide }, { shape: [4], domain: wide }],
    run: (api, cond, a, b) => api.where(cond, a, b),
    grad: true,
  },
  { name: 'matmul', inputs: [{ shape: [3, 5], domain: wide }, { shape: [5, 4], domain: wide }], run: (_api, a, b) => a.matmul(b), grad: true },
  { name: 'matmul (batched, broadcast)', inputs: [{ shape: [2, 3, 5], domain: wide }, { shape: [5, 4], domain: wide }], run: (_api, a, b) => a.matmul(b), grad: true },
  { name: 'matmul (vector)', inputs: [{ shape: [5], domain: wide }, { shape: [5, 4], domain: wide }], run: (_api, a, b) => a.matmul(b), grad: true },
  { name: 'sum', inputs: [{ shape: [3, 4, 5], domain: wide }], run: call('sum'), grad: true },
  // |a · b| ≤ 4 · 0.5 · 0.5 = 1 < |bias|, so every pre-activation is at least 0.5 from relu's kink
  // (float32 and float64 agree on its sign; finite differences never straddle it).
  ...(['none', 'relu', 'sigmoid', 'tanh'] as const).map((activation) => ({
    name: `fusedMatmul (bias, ${activation})`,
    inputs: [{ shape: [2, 3, 4], domain: small }, { shape: [4, 5], domain: small }, { shape: [5], domain: { kind: 'awayFromZero', low: 1.5, high: 2.5 } as const }],
    run: (api: CoreApi, a: CoreTensor, b: CoreTensor, bias: CoreTensor) => {
      if (!api.fusedMatmul) throw new Error('@tessera/core does not export fusedMatmul yet');
      return api.fusedMatmul(a, b, { bias, activation });
    },
    grad: true,
  })),
  { name: 'sum (dims, keepdim)', inputs: [{ shape: [3, 4, 5], domain: wide }], run: call('sum', [0, 2], true), grad: true },
  { name: 'mean', inputs: [{ shape: [3, 4, 5], domain: wide }], run: call('mean', 1), grad: true },
  { name: 'prod', inputs: [{ shape: [3, 4], domain: { kind: 'awayFromZero', low: 0.5, high: 1.5 } }], run: call('prod', 1), grad: true },
  { name: 'max', inputs: [{ shape: [3, 4, 5], domain: wide }], run: call('max'), grad: true },
  { name: 'max (dim) values and indices', inputs: [{ shape: [3, 4, 5], domain: wide }], run: call('max', 1), grad: true },
  { name: 'min (dim, keepdim)', inputs: [{ shape: [3, 4, 5], domain: wide }], run: call('min', 0, true), grad: true },
  { name: 'var', inputs: [{ shape: [4, 6], domain: wide }], run: call('var', 1), grad: true },
  { name: 'std', inputs: [{ shape: [4, 6], domain: wide }], run: call('std', [0, 1]), grad: true },
  { name: 'argmax', inputs: [{ shape: [3, 4, 5], domain: wide }], run: call('argmax', 2) },
  { name: 'argmin', inputs: [{ shape: [3, 4, 5], domain: wide }], run: call('argmin') },
  { name: 'logsumexp', inputs: [{ shape: [3, 7], domain: { kind: 'uniform', low: -20, high: 20 } }], run: call('logsumexp', 1), grad: true },
  { name: 'softmax', inputs: [{ shape: [3, 4, 5], domain: wide }], run: call('softmax', 1), grad: true },
  { name: 'logSoftmax', inputs: [{ shape: [3, 4, 5], domain: wide }], run: call('logSoftmax', -1), grad: true },
  { name: 'softmax is invariant to adding a constant', inputs: [{ shape: [4, 6], domain: wide }], run: (_api, x) => x.add(1000).softmax(-1).sub(x.softmax(-1)), grad: false },
  { name: 'reshape', inputs: [{ shape: [3, 4], domain: wide }], run: (_api, x) => x.reshape([4, -1]).mul(2), grad: true },
  { name: 'view', inputs: [{ shape: [2, 6], domain: wide }], run: call('view', [3, 4]), grad: true },
  { name: 'flatten', inputs: [{ shape: [2, 3, 4], domain: wide }], run: call('flatten', 1), grad: true },
  { name: 'permute', inputs: [{ shape: [2, 3, 4], domain: wide }], run: call('permute', [2, 0, 1]), grad: true },
  { name: 'transpose', inputs: [{ shape: [2, 3, 4], domain: wide }], run: call('transpose', 0, 2), grad: true },
  { name: 'squeeze', inputs: [{ shape: [3, 1, 4], domain: wide }], run: call('squeeze', 1), grad: true },
  { name: 'unsqueeze', inputs: [{ shape: [3, 4], domain: wide }], run: call('unsqueeze', 1), grad: true },
  { name: 'expand', inputs: [{ shape: [3, 1], domain: wide }], run: call('expand', [2, 3, 4]), grad: true },
  { name: 'narrow', inputs: [{ shape: [4, 5], domain: wide }], run: call('narrow', 1, 1, 3), grad: true },
  { name: 'strided views feed ops', inputs: [{ shape: [4, 5], domain: wide }], run: (_api, x) => x.transpose(0, 1).narrow(0, 1, 3).exp().sum(0), grad: true },
  { name: 'gather', inputs: [{ shape: [3, 4], domain: wide }, { shape: [3, 6], dtype: 'int32', domain: indices(3) }], run: (_api, x, index) => x.gather(1, index), grad: true },
  { name: 'indexSelect', inputs: [{ shape: [3, 4], domain: wide }, { shape: [5], dtype: 'int32', domain: indices(2) }], run: (_api, x, index) => x.indexSelect(0, index), grad: true },
  {
    name: 'scatterAdd',
    inputs: [{ shape: [3, 4], domain: wide }, { shape: [3, 5], dtype: 'int32', domain: indices(3) }, { shape: [3, 5], domain: wide }],
    run: (_api, x, index, src) => x.scatterAdd(1, index, src),
    grad: true,
  },
  { name: 'maskedFill', inputs: [{ shape: [3, 4], domain: wide }, { shape: [4], dtype: 'bool' }], run: (_api, x, mask) => x.maskedFill(mask, 0.5), grad: true },
  { name: 'tril', inputs: [{ shape: [4, 5], domain: wide }], run: call('tril'), grad: true },
  { name: 'triu', inputs: [{ shape: [4, 5], domain: wide }], run: call('triu', 1), grad: true },
  { name: 'cumsum', inputs: [{ shape: [3, 5], domain: wide }], run: call('cumsum', 1), grad: true },
  { name: 'pad', inputs: [{ shape: [2, 3], domain: wide }], run: call('pad', [1, 2]), grad: true },
  { name: 'cat', inputs: [{ shape: [2, 3], domain: wide }, { shape: [2, 2], domain: wide }], run: (api, a, b) => api.cat([a, b], 1), grad: true },
  { name: 'stack', inputs: [{ shape: [2, 3], domain: wide }, { shape: [2, 3], domain: wide }], run: (api, a, b) => api.stack([a, b], 1), grad: true },
  { name: 'split', inputs: [{ shape: [5, 2], domain: wide }], run: (api, x) => api.split(x, 2, 0) },
  { name: 'chunk', inputs: [{ shape: [2, 6], domain: wide }], run: (api, x) => api.chunk(x, 3, 1) },
  { name: 'oneHot', inputs: [{ shape: [6], dtype: 'int32', domain: indices(4) }], run: (api, x) => api.oneHot(x, 5) },
  ...SELECTION_OP_CASES,
];

/**
 * The key of a case: its name in kebab case, e.g. `add-broadcast` for "add (broadcast)".
 * @example
 * caseKey({ name: 'max (dim) values and indices' } as OpCase); // 'max-dim-values-and-indices'
 */
export function caseKey(opCase: Pick<OpCase, 'name'>): string {
  return opCase.name.replace(/[^\w\s-]/g, '').trim().replace(/\s+/g, '-');
}

/**
 * The tensors an op returned: one, a list (split), or `{ values, indices }` (max along a dim).
 * @example
 * outputsOf(x.max(1)); // [values, indices]
 */
export function outputsOf(result: unknown): CoreTensor[] {
  if (isCoreTensor(result)) return [result];
  if (Array.isArray(result)) return result.filter(isCoreTensor);
  if (typeof result === 'object' && result !== null) return Object.values(result).filter(isCoreTensor);
  throw new Error(`the op returned ${String(result)}, not a tensor`);
}

/**
 * Host values of one input: float inputs rounded to float32 so both backends see the same numbers.
 * @example
 * opInputData(createRng(1), { shape: [2, 2] }); // four float32-representable numbers
 */
export function opInputData(rng: Rng, input: OpInput): number[] {
  const dtype = input.dtype ?? 'float32';
  const data = randomData(rng, dtype, sizeOf(input.shape), input.domain ?? wide);
  return Array.from(data as ArrayLike<number>);
}

/**
 * Make a tensor of `values` on a device: float inputs as `floatDtype`, others as given.
 * @example
 * makeTensor(api, { shape: [4] }, [1, 2, 3, 4], 'reference', 'float64', true);
 */
export function makeTensor(api: CoreApi, input: OpInput, values: readonly number[], device: string, floatDtype: DType, requiresGrad = false): CoreTensor {
  const dtype = input.dtype ?? floatDtype;
  // float16 tensors are made from float32 values, which core rounds to half.
  const data: DataArray =
    dtype === 'float64' ? Float64Array.from(values) : dtype === 'float32' || dtype === 'float16' ? Float32Array.from(values) : dtype === 'int32' ? Int32Array.from(values) : Uint8Array.from(values);
  // A 1-d leaf reshaped by the case: leaves keep their grad, whatever the case's shape.
  return api.tensor(data, { dtype, device, requiresGrad });
}

/**
 * Op-level tolerance: the plugin's float dtype's tolerance (float32 by default) loosened for chains of
 * ops, growing with the number of values combined.
 * @example
 * const { tolerance, scale } = opTolerance(suite, 60);
 */
export function opTolerance(suite: Suite, terms: number, dtype: DType = 'float32'): { tolerance: Tolerance; scale: number } {
  const base = dtype === 'float16' ? suite.options.tolerances.float16 : suite.options.tolerances.float32;
  return { tolerance: { rtol: base.rtol * 4, atol: base.atol * 10 }, scale: reductionScale(terms) };
}

/**
 * Registers the plugin and the reference backend with core for the op-level describe blocks and
 * restores the default backend afterwards. Returns a getter for the API (null with a reason when
 * core lacks it).
 * @example
 * const core = useCore(suite); // inside a describe block
 * const { api } = core();     // inside a test
 */
export function useCore(suite: Suite): () => { api: CoreApi; reason: null } | { api: null; reason: string } {
  const { api, missing } = loadCoreApi();
  let previous: string | null = null;
  let failure: string | null = missing.length > 0 ? `@tessera/core does not export ${missing.join(', ')} yet` : null;
  beforeAll(async () => {
    if (failure || !api.listBackends || !api.registerBackend || !api.setBackend || !api.getBackend) return;
    try {
      for (const plugin of [referencePlugin, suite.plugin]) {
        if (!api.listBackends().includes(plugin.name)) api.registerBackend(plugin);
      }
      try {
        previous = api.getBackend();
      } catch {
        previous = null;
      }
      await api.setBackend(referencePlugin.name);
      await api.setBackend(suite.plugin.name);
    } catch (error) {
      failure = `registering ${suite.plugin.name} and reference with core failed: ${String(error)}`;
    }
  });
  afterAll(async () => {
    if (previous && api.setBackend) await api.setBackend(previous);
  });
  return () => (failure ? { api: null, reason: failure } : { api: api as CoreApi, reason: null });
}

/** Run a case on both devices and compare every output's shape, dtype and values. */
async function compareOpCase(suite: Suite, api: CoreApi, opCase: OpCase, rng: Rng, precision: Precision): Promise<void> {
  const values = opCase.inputs.map((input) => opInputData(rng, input));
  const onDevice = (device: string, floatDtype: DType) =>
    api.tidy(() => opCase.inputs.map((input, i) => makeTensor(api, input, values[i], device, floatDtype).reshape([...input.shape]) as CoreTensor));
  const pluginInputs = onDevice(suite.plugin.name, precision.plugin);
  const referenceInputs = onDevice(referencePlugin.name, precision.reference);
  // tidy frees the op's intermediates; only the outputs survive (and are disposed below).
  const actualOutputs = api.tidy(() => outputsOf(opCase.run(api, ...pluginInputs)));
  const expectedOutputs = api.tidy(() => outputsOf(opCase.run(api, ...referenceInputs)));
  try {
    if (actualOutputs.length !== expectedOutputs.length) throw new Error(`${opCase.name}: ${actualOutputs.length} outputs on ${suite.plugin.name}, ${expectedOutputs.length} on reference`);
    const terms = Math.max(...opCase.inputs.map((input) => sizeOf(input.shape)));
    for (let k = 0; k < actualOutputs.length; k++) {
      const actual = actualOutputs[k];
      const expected = expectedOutputs[k];
      const what = `${opCase.name} on ${suite.plugin.name}${actualOutputs.length > 1 ? ` (output ${k})` : ''}`;
      if (actual.device !== suite.plugin.name) throw new Error(`${what}: result is on ${actual.device}`);
      if (actual.shape.join(',') !== expected.shape.join(',')) throw new Error(`${what}: shape [${actual.shape}] but the reference gives [${expected.shape}]`);
      const floatResult = actual.dtype === 'float32' || actual.dtype === 'float64' || actual.dtype === 'float16';
      const expectedDtype = expected.dtype === precision.reference ? precision.plugin : expected.dtype;
      if (actual.dtype !== expectedDtype) throw new Error(`${what}: dtype ${actual.dtype} but the reference gives ${expected.dtype}`);
      const { tolerance, scale } = opTolerance(suite, terms, precision.plugin);
      expectClose(await actual.data(), await expected.data(), what, { tolerance: floatResult ? tolerance : null, scale, magnitudeFloor: 1, shape: actual.shape });
    }
  } finally {
    for (const t of [...actualOutputs, ...expectedOutputs, ...pluginInputs, ...referenceInputs]) t.dispose();
  }
}

/**
 * Declare the op-level checks.
 * @example
 * describeOps(suite);
 */
export function describeOps(suite: Suite): void {
  describe('ops through core (plugin float32 vs reference float64; float16 on both)', () => {
    const core = useCore(suite);
    const opCheck = (title: string, key: string, body: (api: CoreApi, rng: Rng) => Promise<void>, dtype?: DType) =>
      suite.check(
        title,
        key,
        async ({ options }) => {
          const { api, reason } = core();
          if (!api) throw new Error(`op-level checks cannot run: ${reason}`);
          await body(api, createRng(seedFor(options.seed, key)));
        },
        dtype ? { dtype } : {},
      );
    for (const precision of PRECISIONS) {
      const float16 = precision.plugin === 'float16';
      for (const opCase of OP_CASES) {
        opCheck(
          `${opCase.name} on ${suite.plugin.name} matches the reference${float16 ? ' in float16' : ''}`,
          `ops.${caseKey(opCase)}${precisionSuffix(precision)}`,
          (api, rng) => compareOpCase(suite, api, opCase, rng, precision),
          float16 ? 'float16' : undefined,
        );
      }
    }
    opCheck('to() moves a tensor to the reference backend and back with its data and dtype intact', 'ops.to', async (api, rng) => {
      const values = opInputData(rng, { shape: [17] });
      const original = api.tensor(Float32Array.from(values), { device: suite.plugin.name });
      const moved = await original.to(referencePlugin.name);
      const back = await moved.to(suite.plugin.name);
      try {
        if (moved.device !== referencePlugin.name || back.device !== suite.plugin.name) throw new Error(`devices after to(): ${moved.device}, ${back.device}`);
        if (moved.dtype !== 'float32' || back.dtype !== 'float32') throw new Error(`dtypes after to(): ${moved.dtype}, ${back.dtype}`);
        expectClose(await back.data(), Float32Array.from(values), 'plugin → reference → plugin round trip', { tolerance: null });
        expectClose(await moved.data(), Float32Array.from(values), 'plugin → reference', { tolerance: null });
      } finally {
        for (const t of [original, moved, back]) t.dispose();
      }
    });
  });
}
