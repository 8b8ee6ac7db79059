/**
 * Op-level cases for core's sorting, sampling, norm, predicate, product and indexing ops (joined into
 * the op table of `ops.ts`, so they run on the plugin and on the reference backend, in float32 and
 * float16, with gradients where `grad` is set). Sorting cases use tied values on purpose: the sort is
 * stable, so every backend must return the same indices. Sampling cases reseed the Philox stream
 * inside the op, so the plugin and the reference draw the same numbers.
 */
import type { CoreApi, CoreTensor } from './core-api';
import type { ValueDomain } from './generators';
import type { OpCase } from './ops';

const wide: ValueDomain = { kind: 'uniform', low: -2, high: 2 };
const distinct: ValueDomain = { kind: 'distinct' };
const ties: ValueDomain = { kind: 'choices', values: [-1, 0, 0.5, 1] };
const withZeros: ValueDomain = { kind: 'choices', values: [-1, 0, 0.5, 2] };
const probabilities: ValueDomain = { kind: 'choices', values: [0, 0.1, 0.25, 0.5, 1] };
const unit: ValueDomain = { kind: 'uniform', low: 0, high: 1 };
const indices = (high: number): ValueDomain => ({ kind: 'integers', low: 0, high });

/** A free function of core by name (the kit is a peer of core, so a missing one is reported, not assumed). */
function coreFunction(api: CoreApi, name: string): (...args: unknown[]) => CoreTensor {
  const candidate = (api as unknown as Record<string, unknown>)[name];
  if (typeof candidate !== 'function') throw new Error(`@tessera/core does not export ${name} yet`);
  return candidate as (...args: unknown[]) => CoreTensor;
}

/** Run `draw` right after seeding the Philox stream, so both devices draw the same numbers. */
function seeded(api: CoreApi, draw: () => unknown): unknown {
  coreFunction(api, 'manualSeed')(20240611);
  return draw();
}

/**
 * The cases; every key is `ops.<case-key>` (and `gradients.…`/`gradcheck.…` for differentiable ones).
 * @example
 * SELECTION_OP_CASES.map((opCase) => opCase.name); // ['sort (ties, stable)', …]
 */
export const SELECTION_OP_CASES: readonly OpCase[] = [
  { name: 'sort (ties, stable)', inputs: [{ shape: [3, 9], domain: ties }], run: (_api, x) => x.sort(1) },
  { name: 'sort (descending, dim 0)', inputs: [{ shape: [6, 4], domain: distinct }], run: (_api, x) => x.sort(0, { descending: true }), grad: true },
  { name: 'sort (int32, ties)', inputs: [{ shape: [17], dtype: 'int32', domain: indices(5) }], run: (_api, x) => x.sort(0, { descending: true }) },
  { name: 'argsort (ties, descending)', inputs: [{ shape: [2, 3, 7], domain: ties }], run: (_api, x) => x.argsort(1, { descending: true }) },
  { name: 'topk (ties)', inputs: [{ shape: [4, 10], domain: ties }], run: (_api, x) => x.topk(3) },
  { name: 'topk (smallest, dim 0)', inputs: [{ shape: [7, 3], domain: distinct }], run: (_api, x) => x.topk(2, { dim: 0, largest: false }), grad: true },
  {
    name: 'multinomial (with replacement)',
    inputs: [{ shape: [3, 6], domain: probabilities }],
    run: (api, p) => seeded(api, () => p.float().add(0.01).multinomial(5, { replacement: true })),
  },
  { name: 'multinomial (without replacement)', inputs: [{ shape: [2, 8], domain: probabilities }], run: (api, p) => seeded(api, () => p.float().add(0.01).multinomial(4)) },
  { name: 'bernoulli', inputs: [{ shape: [4, 5], domain: unit }], run: (api, p) => seeded(api, () => p.float().bernoulli()) },
  { name: 'norm (fro)', inputs: [{ shape: [3, 4], domain: wide }], run: (_api, x) => x.norm(), grad: true },
  { name: 'norm (1, dim)', inputs: [{ shape: [3, 4], domain: wide }], run: (_api, x) => x.norm(1, 1), grad: true },
  { name: 'norm (inf, keepdim)', inputs: [{ shape: [3, 4], domain: wide }], run: (_api, x) => x.norm(Infinity, 0, true), grad: true },
  { name: 'norm (3, dims)', inputs: [{ shape: [2, 3, 4], domain: wide }], run: (_api, x) => x.norm(3, [0, 2]), grad: true },
  { name: 'repeat', inputs: [{ shape: [2, 3], domain: wide }], run: (_api, x) => x.repeat(2, 1, 2), grad: true },
  { name: 'tile', inputs: [{ shape: [2, 3], domain: wide }], run: (_api, x) => x.tile([3]), grad: true },
  { name: 'isnan isinf isfinite', inputs: [{ shape: [3, 5], domain: withZeros }], run: (_api, x) => [x.log().isnan(), x.log().isinf(), x.log().isfinite()] },
  {
    name: 'isclose',
    inputs: [{ shape: [3, 4], domain: ties }, { shape: [4], domain: ties }],
    run: (_api, a, b) => [a.isclose(b), a.isclose(b, { rtol: 0, atol: 0.5 })],
  },
  { name: 'clampMin (tensor)', inputs: [{ shape: [3, 4], domain: wide }, { shape: [4], domain: wide }], run: (_api, x, low) => x.clampMin(low), grad: true },
  {
    name: 'clamp (tensor bounds)',
    inputs: [{ shape: [3, 4], domain: wide }, { shape: [3, 1], domain: wide }, { shape: [4], domain: wide }],
    run: (_api, x, low, high) => x.clamp(low, high.add(2.5)),
    grad: true,
  },
  { name: 'outer', inputs: [{ shape: [3], domain: wide }, { shape: [4], domain: wide }], run: (_api, a, b) => a.outer(b), grad: true },
  { name: 'diag (vector, offset)', inputs: [{ shape: [4], domain: wide }], run: (_api, x) => x.diag(-1), grad: true },
  { name: 'diag (matrix, offset)', inputs: [{ shape: [3, 5], domain: wide }], run: (_api, x) => x.diag(1), grad: true },
  {
    name: 'addmm',
    inputs: [{ shape: [4], domain: wide }, { shape: [3, 2], domain: wide }, { shape: [2, 4], domain: wide }],
    run: (_api, input, a, b) => input.addmm(a, b, { beta: 0.5, alpha: -2 }),
    grad: true,
  },
  {
    name: 'baddbmm',
    inputs: [{ shape: [2, 3, 1], domain: wide }, { shape: [2, 3, 2], domain: wide }, { shape: [2, 2, 4], domain: wide }],
    run: (_api, input, a, b) => input.baddbmm(a, b, { beta: 1.5 }),
    grad: true,
  },
  { name: 'triuIndices', inputs: [{ shape: [1], domain: wide }], run: (api, x) => coreFunction(api, 'triuIndices')(3, 5, 1, { device: x.device }) },
  { name: 'index (slices and arrays)', inputs: [{ shape: [3, 4, 5], domain: wide }], run: (_api, x) => x.index([':', [0, 2, 0], '1::2']), grad: true },
  {
    name: 'index (int32 tensors broadcast, new axis)',
    inputs: [{ shape: [4, 5], domain: wide }, { shape: [3, 1], dtype: 'int32', domain: indices(3) }, { shape: [2], dtype: 'int32', domain: indices(4) }],
    run: (_api, x, rows, cols) => x.index([null, rows, cols]),
    grad: true,
  },
];
