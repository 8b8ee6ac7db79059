/**
 * The recurrent cells, `fusedLstmCell` and `fusedGruCell`, through core on the plugin: values and
 * input gradients against the same math written as plain ops on the reference backend in float64
 * (PyTorch's gate orders: LSTM i, f, g, o; GRU r, z, n with r applied to the hidden projection incl.
 * its bias), in float64 and float32, on batches, B = 1, H = 1, extra leading dims and an unbatched
 * row; pre-activations that saturate σ and tanh; gradients of gradients (createGraph); and core's
 * finite-difference gradcheck in float64. A plugin with the optional `lstmCell`/`gruCell` kernels
 * (and their backward kernels) is checked through them; one without is checked through core's
 * composite, which must give the same answers.
 */
import { referencePlugin } from '@tessera/core/testing';
import { describe } from 'vitest';
import { loadCoreApi, type CoreApi, type CoreTensor } from './core-api';
import type { Rng } from './generators';
import type { CheckContext, Suite } from './harness';
import { useCore } from './ops';
import { expectClose } from './tolerance';
import type { DType } from '@tessera/core/backend';

/** The cell ops and `grad`, looked up at run time (a core without them fails the check by name). */
interface CellApi {
  fusedLstmCell(inputGates: CoreTensor, hiddenGates: CoreTensor, c: CoreTensor): [CoreTensor, CoreTensor];
  fusedGruCell(inputGates: CoreTensor, hiddenGates: CoreTensor, h: CoreTensor): CoreTensor;
  grad(outputs: CoreTensor | CoreTensor[], inputs: CoreTensor[], options?: { createGraph?: boolean }): (CoreTensor | null)[];
}

type CellKind = 'lstm' | 'gru';

/** Gate blocks per cell. */
const GATES: Record<CellKind, number> = { lstm: 4, gru: 3 };

/** State shapes `[..., H]`: batches, B = 1, H = 1, both 1, an odd H, extra leading dims, unbatched. */
const STATE_SHAPES: readonly (readonly number[])[] = [[3, 5], [1, 4], [2, 1], [1, 1], [4, 33], [2, 3, 6], [7]];

function cellApi(api: CoreApi): CellApi {
  const cells = api as unknown as Partial<CellApi>;
  for (const name of ['fusedLstmCell', 'fusedGruCell', 'grad'] as const) {
    if (typeof cells[name] !== 'function') throw new Error(`@tessera/core does not export ${name} yet`);
  }
  return cells as CellApi;
}

/** The cell's outputs from the fused op. */
function fused(cells: CellApi, kind: CellKind, [inputGates, hiddenGates, state]: CoreTensor[]): CoreTensor[] {
  return kind === 'lstm' ? cells.fusedLstmCell(inputGates, hiddenGates, state) : [cells.fusedGruCell(inputGates, hiddenGates, state)];
}

/** The cell's outputs written as plain ops (the definition the fused op must match). */
function composite(api: CoreApi, kind: CellKind, [inputGates, hiddenGates, state]: CoreTensor[]): CoreTensor[] {
  if (kind === 'lstm') {
    const [i, f, g, o] = api.chunk(inputGates.add(hiddenGates), 4, -1);
    const cNext = f.sigmoid().mul(state).add(i.sigmoid().mul(g.tanh()));
    return [o.sigmoid().mul(cNext.tanh()), cNext];
  }
  const [inputReset, inputUpdate, inputNew] = api.chunk(inputGates, 3, -1);
  const [hiddenReset, hiddenUpdate, hiddenNew] = api.chunk(hiddenGates, 3, -1);
  const reset = inputReset.add(hiddenReset).sigmoid();
  const update = inputUpdate.add(hiddenUpdate).sigmoid();
  const candidate = inputNew.add(reset.mul(hiddenNew)).tanh();
  return [candidate.mul(update.neg().add(1)).add(update.mul(state))];
}

/** Host values of one case: the three inputs and a weight per output element (the loss is Σ wₖ·outₖ). */
interface CellValues {
  readonly shapes: number[][];
  readonly inputs: Float64Array[];
  readonly weights: Float64Array[];
}

function cellValues(rng: Rng, kind: CellKind, stateShape: readonly number[], spread: number): CellValues {
  const hidden = stateShape[stateShape.length - 1];
  const gateShape = [...stateShape.slice(0, -1), GATES[kind] * hidden];
  const shapes = [gateShape, gateShape, [...stateShape]];
  const draw = (shape: readonly number[], low: number, high: number) => Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(low, high));
  const outputs = kind === 'lstm' ? 2 : 1;
  return {
    shapes,
    inputs: shapes.map((shape) => draw(shape, -spread, spread)),
    weights: Array.from({ length: outputs }, () => draw(stateShape, -1, 1)),
  };
}

function upload(api: CoreApi, values: Float64Array, shape: readonly number[], device: string, dtype: DType, requiresGrad = false): CoreTensor {
  const data = dtype === 'float64' ? values : Float32Array.from(values);
  const t = api.tensor(data, { dtype, device }).reshape([...shape]) as CoreTensor;
  t.requiresGrad = requiresGrad;
  return t;
}

/** Σ wₖ·outₖ over the outputs. */
function weightedLoss(api: CoreApi, outputs: CoreTensor[], values: CellValues, device: string, dtype: DType): CoreTensor {
  return outputs.map((out, k) => out.mul(upload(api, values.weights[k], out.shape, device, dtype)).sum()).reduce((a, b) => a.add(b));
}

/** Outputs and first-order input gradients (and, with `second`, gradients of Σ gradient·v) as host arrays. */
async function evaluate(
  api: CoreApi, run: (inputs: CoreTensor[]) => CoreTensor[], values: CellValues, device: string, dtype: DType, second: boolean,
): Promise<Float64Array[]> {
  const cells = cellApi(api);
  const inputs = values.inputs.map((data, k) => upload(api, data, values.shapes[k], device, dtype, true));
  const results = api.tidy(() => {
    const outputs = run(inputs);
    const loss = weightedLoss(api, outputs, values, device, dtype);
    const grads = cells.grad(loss, inputs, { createGraph: second }) as CoreTensor[];
    if (!second) return [...outputs, ...grads];
    // A fixed direction per input: Σ gradₖ·vₖ, differentiated again.
    const directed = grads.map((g, k) => g.mul(upload(api, values.inputs[k].map(Math.cos), g.shape, device, dtype)).sum()).reduce((a, b) => a.add(b));
    return cells.grad(directed, inputs) as CoreTensor[];
  });
  try {
    return await Promise.all(results.map(async (t) => Float64Array.from(await t.data())));
  } finally {
    for (const t of [...results, ...inputs]) t.dispose();
  }
}

/** Run one case on the plugin (fused op) and on the reference (plain ops, float64), and compare. */
async function compareCell(context: CheckContext, suite: Suite, api: CoreApi, kind: CellKind, dtype: DType, stateShape: readonly number[], options: { spread: number; second?: boolean }): Promise<void> {
  const values = cellValues(context.rng, kind, stateShape, options.spread);
  const second = options.second ?? false;
  const cells = cellApi(api);
  const actual = await evaluate(api, (inputs) => fused(cells, kind, inputs), values, suite.plugin.name, dtype, second);
  const expected = await evaluate(api, (inputs) => composite(api, kind, inputs), values, referencePlugin.name, 'float64', second);
  const names = second ? ['d²/d inputGates', 'd²/d hiddenGates', 'd²/d state'] : [...(kind === 'lstm' ? ["h'", "c'"] : ["h'"]), 'd/d inputGates', 'd/d hiddenGates', 'd/d state'];
  names.forEach((name, k) => {
    expectClose(actual[k], expected[k], `${kind} cell ${name} (${dtype}, state [${stateShape.join(', ')}], spread ±${options.spread}) on ${suite.plugin.name}`, {
      tolerance: context.tolerance(dtype),
      // A handful of transcendental evaluations and products per element; second derivatives chain more.
      scale: second ? 16 : 4,
      magnitudeFloor: 1,
    });
  });
}

/**
 * Declare the recurrent-cell checks.
 * @example
 * describeRecurrentCells(suite);
 */
export function describeRecurrentCells(suite: Suite): void {
  describe('recurrent cells through core (fusedLstmCell, fusedGruCell)', () => {
    const core = useCore(suite);
    const withApi = (body: (context: CheckContext, api: CoreApi) => Promise<void>) => async (context: CheckContext) => {
      const { api, reason } = core();
      if (!api) throw new Error(`recurrent-cell checks cannot run: ${reason}`);
      await body(context, api);
    };
    for (const kind of ['lstm', 'gru'] as const) {
      const op = kind === 'lstm' ? 'fusedLstmCell' : 'fusedGruCell';
      for (const dtype of ['float64', 'float32'] as const) {
        suite.check(
          `${op} on ${suite.plugin.name} gives the plain-op cell's values and input gradients for batches, B = 1, H = 1, leading dims and an unbatched row (${dtype})`,
          `cells.${kind}:${dtype}`,
          withApi(async (context, api) => {
            for (const shape of STATE_SHAPES) await compareCell(context, suite, api, kind, dtype, shape, { spread: 3 });
          }),
          { dtype },
        );
        suite.check(
          `${op} on ${suite.plugin.name} saturates σ and tanh without overflow for pre-activations up to ±60 (${dtype})`,
          `cells.${kind}.saturation:${dtype}`,
          withApi(async (context, api) => {
            await compareCell(context, suite, api, kind, dtype, [3, 8], { spread: 60 });
          }),
          { dtype },
        );
      }
      suite.check(
        `${op} on ${suite.plugin.name} has the plain-op cell's gradients of gradients (createGraph, float64)`,
        `cells.${kind}.secondOrder:float64`,
        withApi(async (context, api) => {
          for (const shape of [[2, 3], [1, 1]]) await compareCell(context, suite, api, kind, 'float64', shape, { spread: 2, second: true });
        }),
        { dtype: 'float64' },
      );
      suite.check(
        `${op} on ${suite.plugin.name} passes core's finite-difference gradcheck (float64)`,
        `cells.${kind}.gradcheck:float64`,
        withApi(async (context, api) => {
          const { gradcheck } = loadCoreApi();
          if (!gradcheck) throw new Error('@tessera/core/testing does not export gradcheck yet');
          const cells = cellApi(api);
          const values = cellValues(context.rng, kind, [2, 3], 2);
          const device = suite.plugin.name;
          const inputs = values.inputs.map((data, k) => upload(api, data, values.shapes[k], device, 'float64', true));
          try {
            const passed = await gradcheck((...leaves) => weightedLoss(api, fused(cells, kind, leaves), values, device, 'float64'), inputs);
            if (passed !== true) throw new Error(`gradcheck of ${op} on ${device} returned ${String(passed)}`);
          } finally {
            for (const t of inputs) t.dispose();
          }
        }),
        { dtype: 'float64' },
      );
    }
  });
}
