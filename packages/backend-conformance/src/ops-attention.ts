/**
 * `scaledDotProductAttention` through core on the plugin: values and the gradients of q, k, v (and of
 * an additive mask) against the same math written as plain ops on the reference backend in float64 —
 * `softmax(q·kᵀ·scale + mask)·v`, with a query whose keys are all masked giving 0 — in float64 and
 * float32. Cases: batch × heads, k and v shared across heads (broadcast batch), sizes off any block
 * grid (L = 70, S = 130, E = 20, Ev = 11), causal with L = S, L < S and L > S, bool masks [L, S] and
 * key-padding [B, 1, 1, S] broadcast as stride-0 views, an additive [B, 1, L, S] mask, and rows whose
 * keys are all masked (0, never NaN, and zero gradients). Plus gradients of gradients (createGraph)
 * and core's finite-difference gradcheck in float64. A plugin with the optional `attention` kernel
 * (and `attentionBackward`) is checked through them; one without, through core's composite.
 */
import { broadcastShapes } from '@tessera/core';
import { referencePlugin } from '@tessera/core/testing';
import { describe } from 'vitest';
import { loadCoreApi, type CoreApi, type CoreTensor } from './core-api';
import type { Rng } from './generators';
import type { CheckContext, Suite } from './harness';
import { useCore } from './ops';
import { ConformanceError, expectClose } from './tolerance';
import { sizeOf, type DType } from '@tessera/core/backend';

/** The attention op and `grad`, looked up at run time (a core without them fails the check by name). */
interface AttentionApi {
  scaledDotProductAttention(
    q: CoreTensor, k: CoreTensor, v: CoreTensor, options?: { attnMask?: CoreTensor | null; isCausal?: boolean; scale?: number | null },
  ): CoreTensor;
  softmax(x: CoreTensor, dim?: number): CoreTensor;
  grad(outputs: CoreTensor | CoreTensor[], inputs: CoreTensor[], options?: { createGraph?: boolean }): (CoreTensor | null)[];
}

function attentionApi(api: CoreApi): AttentionApi {
  const ops = api as unknown as Partial<AttentionApi>;
  for (const name of ['scaledDotProductAttention', 'softmax', 'grad'] as const) {
    if (typeof ops[name] !== 'function') throw new Error(`@tessera/core does not export ${name} yet`);
  }
  return ops as AttentionApi;
}

/** One case: operand shapes, an optional mask (bool: fraction of keys kept; additive: ±2 values) and the flags. */
interface AttentionCase {
  readonly name: string;
  readonly q: readonly number[];
  readonly k: readonly number[];
  readonly v: readonly number[];
  readonly mask?: { readonly shape: readonly number[]; readonly kind: 'bool' | 'additive'; readonly hideRows?: boolean };
  readonly causal?: boolean;
  readonly scale?: number;
}

const CASES: readonly AttentionCase[] = [
  { name: 'batch × heads', q: [2, 3, 9, 8], k: [2, 3, 12, 8], v: [2, 3, 12, 8] },
  { name: 'k, v shared across heads', q: [2, 3, 6, 8], k: [2, 1, 10, 8], v: [2, 1, 10, 5] },
  { name: 'L 70, S 130, E 20, Ev 11 (off the block grid)', q: [1, 2, 70, 20], k: [1, 2, 130, 20], v: [1, 2, 130, 11], scale: 0.3 },
  { name: 'causal L = S = 67', q: [2, 2, 67, 8], k: [2, 2, 67, 8], v: [2, 2, 67, 8], causal: true },
  { name: 'causal L 40 < S 100', q: [1, 2, 40, 8], k: [1, 2, 100, 8], v: [1, 2, 100, 4], causal: true },
  { name: 'causal L 100 > S 40', q: [1, 1, 100, 8], k: [1, 1, 40, 8], v: [1, 1, 40, 4], causal: true },
  { name: 'bool [L, S] mask with fully masked rows', q: [2, 2, 36, 8], k: [2, 2, 70, 8], v: [2, 2, 70, 8], mask: { shape: [36, 70], kind: 'bool', hideRows: true } },
  { name: 'bool key padding [B, 1, 1, S] hiding a whole batch', q: [3, 2, 9, 8], k: [3, 2, 20, 8], v: [3, 2, 20, 6], mask: { shape: [3, 1, 1, 20], kind: 'bool', hideRows: true } },
  { name: 'additive [B, 1, L, S] mask (differentiated)', q: [2, 3, 11, 8], k: [2, 3, 66, 8], v: [2, 3, 66, 8], mask: { shape: [2, 1, 11, 66], kind: 'additive' } },
];

/** Host values of one case: q, k, v, the mask (bool as 0/1) and a weight per output element. */
interface AttentionValues {
  readonly q: Float64Array;
  readonly k: Float64Array;
  readonly v: Float64Array;
  readonly mask: Float64Array | null;
  readonly weights: Float64Array;
  readonly outShape: number[];
}

function attentionValues(rng: Rng, c: AttentionCase): AttentionValues {
  const draw = (shape: readonly number[], spread: number) => Float64Array.from({ length: sizeOf(shape) }, () => rng.uniform(-spread, spread));
  let mask: Float64Array | null = null;
  if (c.mask?.kind === 'additive') mask = draw(c.mask.shape, 2);
  if (c.mask?.kind === 'bool') {
    mask = Float64Array.from({ length: sizeOf(c.mask.shape) }, () => (rng.uniform(0, 1) < 0.7 ? 1 : 0));
    // Hide every key of some rows: every fifth row of an [L, S] mask, the first batch of a key-padding mask.
    const cols = c.mask.shape[c.mask.shape.length - 1];
    const rows = mask.length / cols;
    if (c.mask.hideRows) for (let row = 0; row < rows; row += c.mask.shape.length > 2 ? rows : 5) mask.fill(0, row * cols, (row + 1) * cols);
  }
  const batch = broadcastShapes('attention conformance', c.q.slice(0, -2), c.k.slice(0, -2), c.v.slice(0, -2), c.mask ? c.mask.shape.slice(0, -2) : []);
  const outShape = [...batch, c.q[c.q.length - 2], c.v[c.v.length - 1]];
  return { q: draw(c.q, 2), k: draw(c.k, 2), v: draw(c.v, 1), mask, weights: draw(outShape, 1), outShape };
}

function upload(api: CoreApi, values: Float64Array, shape: readonly number[], device: string, dtype: DType, requiresGrad = false): CoreTensor {
  const data = dtype === 'float64' ? values : dtype === 'bool' ? Uint8Array.from(values) : Float32Array.from(values);
  const flat = api.tensor(data, { dtype, device });
  const t = flat.reshape([...shape]) as CoreTensor;
  flat.dispose();
  t.requiresGrad = requiresGrad;
  return t;
}

/** The definition as plain ops: softmax(q·kᵀ·scale + mask + causal)·v, fully masked rows 0. */
function definition(api: CoreApi, ops: AttentionApi, c: AttentionCase, [q, k, v, mask]: CoreTensor[], device: string): CoreTensor {
  const embed = c.q[c.q.length - 1];
  let scores = q.matmul(k.transpose(-2, -1)).mul(c.scale ?? 1 / Math.sqrt(embed));
  if (mask) scores = scores.add(mask.dtype === 'bool' ? api.where(mask, api.tensor(0, { dtype: q.dtype, device }), api.tensor(-Infinity, { dtype: q.dtype, device })) : mask);
  if (c.causal) {
    const [queries, keys] = [c.q[c.q.length - 2], c.k[c.k.length - 2]];
    const causal = Float64Array.from({ length: queries * keys }, (_, n) => (n % keys > Math.floor(n / keys) ? -Infinity : 0));
    scores = scores.add(upload(api, causal, [queries, keys], device, q.dtype as DType));
  }
  const hidden = scores.amax(-1, true).eq(-Infinity);
  const zero = api.tensor(0, { dtype: q.dtype, device });
  return api.where(hidden, zero, ops.softmax(api.where(hidden, zero, scores), -1)).matmul(v);
}

/** The operands of a case on `device` (q, k, v and any mask require grad, a bool mask cannot). */
function operands(api: CoreApi, c: AttentionCase, values: AttentionValues, device: string, dtype: DType): CoreTensor[] {
  const tensors = [upload(api, values.q, c.q, device, dtype, true), upload(api, values.k, c.k, device, dtype, true), upload(api, values.v, c.v, device, dtype, true)];
  if (c.mask && values.mask) tensors.push(upload(api, values.mask, c.mask.shape, device, c.mask.kind === 'bool' ? 'bool' : dtype, c.mask.kind === 'additive'));
  return tensors;
}

/** The output, then the gradients of Σ w·out for every operand that requires grad (or, with `second`, of Σ gradient·cos(input)). */
async function evaluate(
  api: CoreApi, run: (inputs: CoreTensor[]) => CoreTensor, c: AttentionCase, values: AttentionValues, device: string, dtype: DType, second: boolean,
): Promise<Float64Array[]> {
  const ops = attentionApi(api);
  const inputs = operands(api, c, values, device, dtype);
  const differentiable = inputs.filter((t) => t.requiresGrad);
  const results = api.tidy(() => {
    const out = run(inputs);
    const loss = out.mul(upload(api, values.weights, values.outShape, device, dtype)).sum();
    const grads = ops.grad(loss, differentiable, { createGraph: second }) as CoreTensor[];
    if (!second) return [out, ...grads];
    // A fixed direction per operand: Σ gradient·cos(input), differentiated again.
    const hosts = [values.q, values.k, values.v, values.mask ?? new Float64Array(0)];
    const directed = grads.map((g, i) => g.mul(upload(api, hosts[i].map(Math.cos), g.shape, device, dtype)).sum()).reduce((a, b) => a.add(b));
    return ops.grad(directed, differentiable.slice(0, 3)) as CoreTensor[];
  });
  try {
    return await Promise.all(results.map(async (t) => Float64Array.from(await t.data())));
  } finally {
    for (const t of [...results, ...inputs]) t.dispose();
  }
}

/** Run one case on the plugin (core's op) and on the reference (plain ops, float64), and compare. */
async function compareCase(context: CheckContext, suite: Suite, api: CoreApi, c: AttentionCase, dtype: DType, second = false): Promise<void> {
  const ops = attentionApi(api);
  const values = attentionValues(context.rng, c);
  const fused = (inputs: CoreTensor[]) => ops.scaledDotProductAttention(inputs[0], inputs[1], inputs[2], { attnMask: inputs[3] ?? null, isCausal: c.causal, scale: c.scale });
  const actual = await evaluate(api, fused, c, values, suite.plugin.name, dtype, second);
  const expected = await evaluate(api, (inputs) => definition(api, ops, c, inputs, referencePlugin.name), c, values, referencePlugin.name, 'float64', second);
  const names = second ? ['d²/dq', 'd²/dk', 'd²/dv'] : ['out', 'd/dq', 'd/dk', 'd/dv', 'd/dmask'];
  expected.forEach((want, i) => {
    const got = actual[i];
    if (got.some(Number.isNaN)) throw new ConformanceError(`scaledDotProductAttention ${names[i]} (${c.name}, ${dtype}) on ${suite.plugin.name} has NaN`);
    expectClose(got, want, `scaledDotProductAttention ${names[i]} (${c.name}, ${dtype}) on ${suite.plugin.name}`, {
      tolerance: context.tolerance(dtype),
      // Sums over E and S products, a softmax between them; gradients chain two more products.
      scale: i === 0 ? 8 : second ? 64 : 32,
      magnitudeFloor: 1,
    });
  });
}

/**
 * Declare the attention checks.
 * @example
 * describeAttention(suite);
 */
export function describeAttention(suite: Suite): void {
  describe('scaledDotProductAttention through core', () => {
    const core = useCore(suite);
    const withApi = (body: (context: CheckContext, api: CoreApi) => Promise<void>) => async (context: CheckContext) => {
      const { api, reason } = core();
      if (!api) throw new Error(`attention checks cannot run: ${reason}`);
      await body(context, api);
    };
    for (const dtype of ['float64', 'float32'] as const) {
      suite.check(
        `scaledDotProductAttention on ${suite.plugin.name} gives the plain-op values and q, k, v, mask gradients: batches, broadcast heads, off-grid sizes, causal, bool and additive masks, fully masked rows (${dtype})`,
        `attention:${dtype}`,
        withApi(async (context, api) => {
          for (const c of CASES) await compareCase(context, suite, api, c, dtype);
        }),
        { dtype },
      );
    }
    suite.check(
      `scaledDotProductAttention on ${suite.plugin.name} has the plain-op gradients of gradients (createGraph, float64)`,
      'attention.secondOrder:float64',
      withApi(async (context, api) => {
        for (const c of [CASES[3], CASES[8]]) await compareCase(context, suite, api, { ...c, q: [1, 2, 5, 4], k: [1, 2, 7, 4], v: [1, 2, 7, 3], mask: c.mask && { ...c.mask, shape: [1, 1, 5, 7] } }, 'float64', true);
      }),
      { dtype: 'float64' },
    );
    suite.check(
      `scaledDotProductAttention on ${suite.plugin.name} passes core's finite-difference gradcheck, causal and with an additive mask (float64)`,
      'attention.gradcheck:float64',
      withApi(async (context, api) => {
        const { gradcheck } = loadCoreApi();
        if (!gradcheck) throw new Error('@tessera/core/testing does not export gradcheck yet');
        const ops = attentionApi(api);
        const device = suite.plugin.name;
        for (const c of [CASES[3], CASES[8]]) {
          const small: AttentionCase = { ...c, q: [1, 2, 4, 3], k: [1, 2, 5, 3], v: [1, 2, 5, 2], mask: c.mask && { ...c.mask, shape: [1, 1, 4, 5] } };
          if (c.causal) Object.assign(small, { k: [1, 2, 4, 3], v: [1, 2, 4, 2] });
          const values = attentionValues(context.rng, small);
          const inputs = operands(api, small, values, device, 'float64');
          try {
            const fn = (q: CoreTensor, k: CoreTensor, v: CoreTensor, mask?: CoreTensor) => ops.scaledDotProductAttention(q, k, v, { attnMask: mask ?? null, isCausal: small.causal });
            const passed = await gradcheck(fn as (...inputs: CoreTensor[]) => CoreTensor, inputs);
            if (passed !== true) throw new Error(`gradcheck of scaledDotProductAttention (${small.name}) on ${device} returned ${String(passed)}`);
          } finally {
            for (const t of inputs) t.dispose();
          }
        }
      }),
      { dtype: 'float64' },
    );
  });
}
