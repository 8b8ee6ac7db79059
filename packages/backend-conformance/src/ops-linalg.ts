/**
 * Linear algebra through core's `linalg` composites on the plugin: every decomposition and solver is
 * built from core ops, so a backend whose primitives are right gets it right. Each case runs on the
 * plugin in float32 and on the reference backend in float64 (same host data), comparing outputs that
 * do not depend on sign conventions (eigenvalues, singular values, reconstructions, |vectors|²), then
 * backward through the plugin against the reference, and — where the plugin has float64 — core's
 * finite-difference gradcheck. Keys: `linalg.<case>`, `linalg-gradients.<case>`, `linalg-gradcheck.<case>`.
 */
import { referencePlugin } from '@tessera/core/testing';
import { describe } from 'vitest';
import { loadCoreApi, type CoreApi, type CoreTensor } from './core-api';
import { createRng, seedFor, sizeOf, type Rng } from './generators';
import type { Suite } from './harness';
import { caseKey, useCore } from './ops';
import { expectClose } from './tolerance';
import type { DType } from '@tessera/core/backend';

/** What a case needs from core's `linalg` namespace (looked up at run time: the kit is a peer of core). */
type Linalg = Record<string, (...args: unknown[]) => any>;

/** How a case's random input matrices are shaped. */
type InputKind = 'general' | 'symmetric' | 'spd' | 'wellConditioned';

interface LinalgCase {
  readonly name: string;
  readonly inputs: readonly { shape: readonly number[]; kind?: InputKind }[];
  /** Outputs free of sign/order conventions, so both devices must agree on them. */
  run(linalg: Linalg, ...inputs: CoreTensor[]): CoreTensor[];
  readonly grad?: boolean;
}

const squares = (V: CoreTensor): CoreTensor => V.mul(V);
/** A + Aᵀ: eigh and cholesky read one triangle, so their finite differences need symmetric perturbations. */
const symmetrize = (A: CoreTensor): CoreTensor => A.add(A.transpose(-2, -1));
const reconstructEigen = (L: CoreTensor, V: CoreTensor): CoreTensor => V.mul(L.unsqueeze(-2)).matmul(V.transpose(-2, -1));

/**
 * The cases, small enough for a software GPU and big enough to take every code path (odd sizes leave
 * one index unpaired in the Jacobi rounds; batches; tall and wide matrices).
 * @example
 * LINALG_CASES.map((c) => c.name); // ['eigh (batched 5×5)', …]
 */
export const LINALG_CASES: readonly LinalgCase[] = [
  {
    name: 'eigh (batched 5×5)',
    inputs: [{ shape: [2, 5, 5], kind: 'symmetric' }],
    // Symmetrized inside, so the finite differences of gradcheck perturb a symmetric matrix.
    run: (linalg, A) => {
      const { eigenvalues, eigenvectors } = linalg.eigh(symmetrize(A));
      return [eigenvalues, squares(eigenvectors), reconstructEigen(eigenvalues, eigenvectors)];
    },
    grad: true,
  },
  { name: 'eigvalsh (8×8, upper)', inputs: [{ shape: [8, 8] }], run: (linalg, A) => [linalg.eigvalsh(symmetrize(A), { UPLO: 'U' })], grad: true },
  {
    name: 'svd (tall 6×4, reduced)',
    inputs: [{ shape: [6, 4] }],
    run: (linalg, A) => {
      const { U, S, Vh } = linalg.svd(A, { fullMatrices: false });
      return [S, U.matmul(Vh), squares(U), squares(Vh)];
    },
    grad: true,
  },
  {
    name: 'svd (wide batched 2×3×5, full)',
    inputs: [{ shape: [2, 3, 5] }],
    run: (linalg, A) => {
      const { U, S, Vh } = linalg.svd(A);
      return [S, U.mul(S.unsqueeze(-2)).matmul(Vh.narrow(-2, 0, 3))];
    },
  },
  { name: 'svdvals (5×5)', inputs: [{ shape: [5, 5] }], run: (linalg, A) => [linalg.svdvals(A)], grad: true },
  {
    name: 'qr (tall 5×3, reduced)',
    inputs: [{ shape: [5, 3] }],
    run: (linalg, A) => {
      const { Q, R } = linalg.qr(A);
      return [Q, R];
    },
    grad: true,
  },
  {
    name: 'qr (wide 3×5, complete)',
    inputs: [{ shape: [3, 5] }],
    run: (linalg, A) => {
      const { Q, R } = linalg.qr(A, { mode: 'complete' });
      return [Q, R];
    },
    grad: true,
  },
  {
    name: 'qr (tall batched 2×5×3, complete)',
    inputs: [{ shape: [2, 5, 3] }],
    run: (linalg, A) => {
      const { Q, R } = linalg.qr(A, { mode: 'complete' });
      return [Q.matmul(R), squares(Q)];
    },
  },
  {
    name: 'solve (batched, broadcast right-hand side)',
    inputs: [{ shape: [3, 4, 4], kind: 'wellConditioned' }, { shape: [4, 2] }],
    run: (linalg, A, B) => [linalg.solve(A, B)],
    grad: true,
  },
  { name: 'solve (vector)', inputs: [{ shape: [5, 5], kind: 'wellConditioned' }, { shape: [5] }], run: (linalg, A, b) => [linalg.solve(A, b)], grad: true },
  { name: 'inv (batched 2×4×4)', inputs: [{ shape: [2, 4, 4], kind: 'wellConditioned' }], run: (linalg, A) => [linalg.inv(A)], grad: true },
  {
    name: 'det and slogdet',
    inputs: [{ shape: [3, 4, 4] }],
    run: (linalg, A) => {
      const { sign, logabsdet } = linalg.slogdet(A);
      return [linalg.det(A), sign, logabsdet];
    },
    grad: true,
  },
  { name: 'cholesky (batched 2×4×4)', inputs: [{ shape: [2, 4, 4], kind: 'spd' }], run: (linalg, A) => [linalg.cholesky(symmetrize(A).mul(0.5))], grad: true },
  {
    name: 'matrix and vector norms',
    inputs: [{ shape: [2, 3, 4] }],
    run: (linalg, A) => [
      ...['fro', 'nuc', 1, -1, 2, -2, Infinity, -Infinity].map((ord) => linalg.matrixNorm(A, ord)),
      ...[2, 1, 3, Infinity].map((ord) => linalg.vectorNorm(A, ord, -1)),
      linalg.norm(A),
    ],
    grad: true,
  },
];

/** Host data for one input: random normals, shaped into the requested kind of matrix (in float64). */
function inputData(rng: Rng, input: LinalgCase['inputs'][number]): number[] {
  const shape = input.shape;
  const n = shape[shape.length - 1];
  const values = Array.from({ length: sizeOf(shape) }, () => rng.uniform(-1, 1));
  const kind = input.kind ?? 'general';
  if (kind === 'general') return values;
  const matrices = sizeOf(shape) / (n * n);
  const out = new Array<number>(values.length).fill(0);
  for (let b = 0; b < matrices; b++) {
    const at = (i: number, j: number) => values[b * n * n + i * n + j];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let value = at(i, j);
        if (kind === 'symmetric') value = at(i, j) + at(j, i);
        if (kind === 'spd') {
          value = 0;
          for (let k = 0; k < n; k++) value += at(i, k) * at(j, k);
        }
        if (kind !== 'symmetric' && i === j) value += n; // diagonally dominant: well conditioned
        out[b * n * n + i * n + j] = value;
      }
    }
  }
  return out;
}

function linalgOf(api: CoreApi): Linalg {
  const linalg = (api as unknown as { linalg?: Linalg }).linalg;
  if (!linalg) throw new Error('@tessera/core does not export linalg yet');
  return linalg;
}

function makeInputs(api: CoreApi, opCase: LinalgCase, data: number[][], device: string, dtype: DType, requiresGrad: boolean): CoreTensor[] {
  return opCase.inputs.map((input, i) => {
    const values = dtype === 'float64' ? Float64Array.from(data[i]) : Float32Array.from(data[i]);
    return api.tensor(values, { dtype, device, requiresGrad });
  });
}

/** Outputs of a case on one device, read back as float64. */
async function outputsOn(api: CoreApi, opCase: LinalgCase, data: number[][], device: string, dtype: DType): Promise<Float64Array[]> {
  const outputs = api.tidy(() => {
    const inputs = makeInputs(api, opCase, data, device, dtype, false).map((leaf, i) => leaf.reshape([...opCase.inputs[i].shape]) as CoreTensor);
    return opCase.run(linalgOf(api), ...inputs);
  });
  try {
    return await Promise.all(outputs.map(async (output) => Float64Array.from(await output.data())));
  } finally {
    for (const output of outputs) output.dispose();
  }
}

/** A random weighted sum of the outputs (same weights on both devices). */
function weightedLoss(api: CoreApi, outputs: CoreTensor[], seed: number, device: string, dtype: DType): CoreTensor {
  const rng = createRng(seed);
  let loss: CoreTensor | null = null;
  for (const output of outputs) {
    const weights = Array.from({ length: sizeOf(output.shape) }, () => rng.uniform(-1, 1));
    const weight = api.tensor(dtype === 'float64' ? Float64Array.from(weights) : Float32Array.from(weights), { dtype, device }).reshape([...output.shape]) as CoreTensor;
    const term = output.mul(weight).sum() as CoreTensor;
    loss = loss ? (loss.add(term) as CoreTensor) : term;
  }
  return loss!;
}

/** Input gradients of the weighted loss on one device. */
async function gradientsOn(api: CoreApi, opCase: LinalgCase, data: number[][], device: string, dtype: DType, seed: number): Promise<Float64Array[]> {
  const leaves = api.tidy(() => {
    const made = makeInputs(api, opCase, data, device, dtype, true);
    const shaped = made.map((leaf, i) => leaf.reshape([...opCase.inputs[i].shape]) as CoreTensor);
    weightedLoss(api, opCase.run(linalgOf(api), ...shaped), seed, device, dtype).backward();
    return made;
  });
  try {
    return await Promise.all(leaves.map(async (leaf) => Float64Array.from(await leaf.grad!.data())));
  } finally {
    for (const leaf of leaves) leaf.dispose();
  }
}

/** float32 on the plugin against float64 on the reference: the composites run long chains of ops. */
const FLOAT32_LINALG = { rtol: 2e-4, atol: 2e-4 };

/**
 * Declare the linalg checks.
 * @example
 * describeLinalg(suite);
 */
export function describeLinalg(suite: Suite): void {
  describe('linalg composites through the plugin (float32 vs reference float64)', () => {
    const core = useCore(suite);
    const ready = () => {
      const { api, reason } = core();
      if (!api) throw new Error(`linalg checks cannot run: ${reason}`);
      return api;
    };
    for (const opCase of LINALG_CASES) {
      const key = caseKey(opCase);
      suite.check(`linalg ${opCase.name} on ${suite.plugin.name} matches the reference`, `linalg.${key}`, async ({ options }) => {
        const api = ready();
        const rng = createRng(seedFor(options.seed, `linalg.${key}`));
        const data = opCase.inputs.map((input) => inputData(rng, input));
        const actual = await outputsOn(api, opCase, data, suite.plugin.name, 'float32');
        const expected = await outputsOn(api, opCase, data, referencePlugin.name, 'float64');
        actual.forEach((values, k) => expectClose(values, expected[k], `output ${k} of linalg ${opCase.name} on ${suite.plugin.name}`, { tolerance: FLOAT32_LINALG, magnitudeFloor: 1 }));
      }, { dtype: 'float32' });
      if (!opCase.grad) continue;
      suite.check(`backward through linalg ${opCase.name} on ${suite.plugin.name} gives the reference's gradients`, `linalg-gradients.${key}`, async ({ options }) => {
        const api = ready();
        const rng = createRng(seedFor(options.seed, `linalg-gradients.${key}`));
        const data = opCase.inputs.map((input) => inputData(rng, input));
        const seed = rng.int(0, 2 ** 31);
        const actual = await gradientsOn(api, opCase, data, suite.plugin.name, 'float32', seed);
        const expected = await gradientsOn(api, opCase, data, referencePlugin.name, 'float64', seed);
        actual.forEach((values, k) =>
          expectClose(values, expected[k], `d(loss)/d(input ${k}) of linalg ${opCase.name} on ${suite.plugin.name}`, { tolerance: { rtol: 1e-3, atol: 1e-3 }, magnitudeFloor: 1 }),
        );
      }, { dtype: 'float32' });
      suite.check(`gradcheck passes for linalg ${opCase.name} on ${suite.plugin.name} in float64`, `linalg-gradcheck.${key}`, async ({ options }) => {
        const api = ready();
        const { gradcheck } = loadCoreApi();
        if (!gradcheck) throw new Error('@tessera/core/testing does not export gradcheck yet');
        const rng = createRng(seedFor(options.seed, `linalg-gradcheck.${key}`));
        const data = opCase.inputs.map((input) => inputData(rng, input));
        const seed = rng.int(0, 2 ** 31);
        const leaves = makeInputs(api, opCase, data, suite.plugin.name, 'float64', true);
        const fn = (...inputs: CoreTensor[]) =>
          weightedLoss(api, opCase.run(linalgOf(api), ...inputs.map((leaf, i) => leaf.reshape([...opCase.inputs[i].shape]) as CoreTensor)), seed, suite.plugin.name, 'float64');
        try {
          const passed = await gradcheck(fn, leaves);
          if (passed !== true) throw new Error(`gradcheck of linalg ${opCase.name} on ${suite.plugin.name} returned ${String(passed)}`);
        } finally {
          for (const leaf of leaves) leaf.dispose();
        }
      }, { dtype: 'float64' });
    }
  });
}
