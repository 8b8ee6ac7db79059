/**
 * `word2vecStep` through core on the plugin (its optional kernel when it has one, on one thread, else
 * core's composite) against core's composite on the reference backend in float64: both matrices and the
 * per-example loss after batches of skip-gram examples with negatives, CBOW examples (mean and sum)
 * with repeated context rows, Huffman-style labels, examples without inputs, an empty batch, an odd
 * vector length and matrices that start inside a larger buffer. Plus determinism: on one thread the same
 * batch gives bit-identical results twice.
 */
import { describe } from 'vitest';
import type { CoreApi, CoreTensor } from './core-api';
import type { Rng } from './generators';
import type { CheckContext, Suite } from './harness';
import { useCore } from './ops';
import { expectClose } from './tolerance';
import type { DType } from '@tessera/core/backend';

/** A batch in compressed rows, as core's `Word2VecBatch`. */
interface Batch {
  inputOffsets: Int32Array;
  inputIndex: Int32Array;
  targetOffsets: Int32Array;
  targetIndex: Int32Array;
  targetLabel: Float32Array | Float64Array;
}

type Word2VecStep = (input: CoreTensor, output: CoreTensor, batch: Batch, options: Record<string, unknown>) => CoreTensor | null;

/** The shape of one case. */
interface Case {
  readonly name: string;
  readonly dim: number;
  readonly rows: number;
  readonly examples: number;
  readonly maxInputs: number;
  readonly targets: number;
  readonly meanInputs: boolean;
  /** Labels 0/1 anywhere (Huffman codes), not only "first is 1". */
  readonly codes?: boolean;
  /** Some examples have no input rows. */
  readonly emptyExamples?: boolean;
  /** Rows of padding before each matrix inside its buffer. */
  readonly offsetRows?: number;
}

const CASES: readonly Case[] = [
  { name: 'skip-gram with 5 negatives, dim 100', dim: 100, rows: 50, examples: 120, maxInputs: 1, targets: 6, meanInputs: true },
  { name: 'CBOW (mean) with repeated context rows, dim 37', dim: 37, rows: 12, examples: 60, maxInputs: 6, targets: 4, meanInputs: true },
  { name: 'CBOW (sum), Huffman-style labels, dim 8', dim: 8, rows: 20, examples: 60, maxInputs: 4, targets: 5, meanInputs: false, codes: true },
  { name: 'examples without inputs, matrices inside larger buffers, dim 3', dim: 3, rows: 9, examples: 40, maxInputs: 2, targets: 3, meanInputs: true, emptyExamples: true, offsetRows: 2 },
  { name: 'an empty batch', dim: 4, rows: 3, examples: 0, maxInputs: 1, targets: 1, meanInputs: true },
];

function randomBatch(rng: Rng, c: Case): Batch {
  const inputOffsets = [0], inputIndex: number[] = [], targetOffsets = [0], targetIndex: number[] = [], targetLabel: number[] = [];
  for (let e = 0; e < c.examples; e++) {
    const inputs = c.emptyExamples && rng.chance(0.2) ? 0 : rng.int(1, c.maxInputs);
    for (let k = 0; k < inputs; k++) inputIndex.push(rng.int(0, c.rows - 1));
    const targets = rng.int(1, c.targets);
    for (let k = 0; k < targets; k++) {
      targetIndex.push(rng.int(0, c.rows - 1));
      targetLabel.push(c.codes ? rng.int(0, 1) : k === 0 ? 1 : 0);
    }
    inputOffsets.push(inputIndex.length);
    targetOffsets.push(targetIndex.length);
  }
  return {
    inputOffsets: Int32Array.from(inputOffsets), inputIndex: Int32Array.from(inputIndex),
    targetOffsets: Int32Array.from(targetOffsets), targetIndex: Int32Array.from(targetIndex), targetLabel: Float64Array.from(targetLabel),
  };
}

/** The two matrices' starting values (host), each with `offsetRows` rows of padding before it. */
function startValues(rng: Rng, c: Case): Float64Array[] {
  return [0, 1].map(() => Float64Array.from({ length: ((c.offsetRows ?? 0) + c.rows) * c.dim }, () => rng.uniform(-0.5, 0.5)));
}

/** Run the batch on `device` and return [input, output, loss] as host arrays (whole buffers, padding included). */
async function run(api: CoreApi, step: Word2VecStep, c: Case, values: Float64Array[], batch: Batch, device: string, dtype: DType, fused?: boolean): Promise<Float64Array[]> {
  const padding = c.offsetRows ?? 0;
  const flat = values.map((data) => api.tensor(dtype === 'float64' ? data : Float32Array.from(data), { dtype, device }));
  const buffers = flat.map((t) => t.reshape([padding + c.rows, c.dim]) as CoreTensor);
  const [input, output] = buffers.map((buffer) => buffer.narrow(0, padding, c.rows) as CoreTensor);
  const labels = dtype === 'float64' ? Float64Array.from(batch.targetLabel) : Float32Array.from(batch.targetLabel);
  try {
    const loss = step(input, output, { ...batch, targetLabel: labels }, { alpha: 0.2, meanInputs: c.meanInputs, computeLoss: true, threads: 1, fused });
    const result = await Promise.all([...buffers, loss!].map(async (t) => Float64Array.from(await t.data())));
    loss!.dispose();
    return result;
  } finally {
    for (const t of [...flat, ...buffers, input, output]) t.dispose();
  }
}

function stepOf(api: CoreApi): Word2VecStep {
  const step = (api as unknown as { word2vecStep?: Word2VecStep }).word2vecStep;
  if (typeof step !== 'function') throw new Error('@tessera/core does not export word2vecStep yet');
  return step;
}

async function compare(context: CheckContext, suite: Suite, api: CoreApi, c: Case, dtype: DType): Promise<void> {
  const step = stepOf(api);
  const batch = randomBatch(context.rng, c);
  const values = startValues(context.rng, c);
  const actual = await run(api, step, c, values, batch, suite.plugin.name, dtype);
  const expected = await run(api, step, c, values, batch, 'reference', 'float64', false);
  ['input matrix', 'output matrix', 'per-example loss'].forEach((what, k) => {
    expectClose(actual[k], expected[k], `word2vecStep ${what} (${c.name}, ${dtype}) on ${suite.plugin.name}`, {
      tolerance: context.tolerance(dtype),
      // Each example adds a few dot products' worth of error to rows that later examples read again.
      scale: dtype === 'float64' ? 64 : 256,
      magnitudeFloor: 1,
    });
  });
}

/**
 * Declare the word2vecStep checks.
 * @example
 * describeWord2VecStep(suite);
 */
export function describeWord2VecStep(suite: Suite): void {
  describe('word2vecStep through core', () => {
    const core = useCore(suite);
    const withApi = (body: (context: CheckContext, api: CoreApi) => Promise<void>) => async (context: CheckContext) => {
      const { api, reason } = core();
      if (!api) throw new Error(`word2vecStep checks cannot run: ${reason}`);
      await body(context, api);
    };
    for (const dtype of ['float64', 'float32'] as const) {
      suite.check(
        `word2vecStep on ${suite.plugin.name} (one thread) gives the float64 composite's matrices and losses for skip-gram, CBOW, Huffman labels and edge cases (${dtype})`,
        `word2vecStep:${dtype}`,
        withApi(async (context, api) => {
          for (const c of CASES) await compare(context, suite, api, c, dtype);
        }),
        { dtype },
      );
    }
    suite.check(
      `word2vecStep on ${suite.plugin.name} with threads 1 is deterministic (bit-identical twice)`,
      'word2vecStep.deterministic:float32',
      withApi(async (context, api) => {
        const c = CASES[0];
        const batch = randomBatch(context.rng, c);
        const values = startValues(context.rng, c);
        const first = await run(api, stepOf(api), c, values, batch, suite.plugin.name, 'float32');
        const second = await run(api, stepOf(api), c, values, batch, suite.plugin.name, 'float32');
        first.forEach((array, k) => {
          const differs = array.findIndex((value, i) => !Object.is(value, second[k][i]));
          if (differs >= 0) throw new Error(`word2vecStep on ${suite.plugin.name}: run 2 differs from run 1 at element ${differs} of result ${k}`);
        });
      }),
      { dtype: 'float32' },
    );
  });
}
