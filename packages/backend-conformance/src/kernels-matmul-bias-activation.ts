/**
 * The optional fused `matmulBiasActivation` kernel, `out = activation(a · b + bias)`: every
 * activation with and without a bias, over every transpose combination and broadcast batch, sliced
 * and flipped operands, sizes that are not multiples of common tile sizes, K = 0 (the output is
 * `activation(bias)`, not zero), K > 512, saturating pre-activations (±40, ±100) and one operand past
 * a million elements. Skipped when the backend lacks the kernel (core then runs matmul, add and the
 * activation).
 *
 * Tolerance: the matmul model (`productScale(K)`, magnitude |A|·|B|) with the bias as one more
 * term. A backend's pre-activation z' differs from the exact z by at most what the matmul check
 * allows, `rtol · scale · (|z| + |A|·|B| + |bias|)`. Every activation has a derivative of at most 1
 * (relu 0 or 1, sigmoid ≤ 1/4, tanh ≤ 1), so |f(z') − f(z)| ≤ |z' − z|: the activation cannot amplify
 * the product's error. Evaluating and storing f adds a few ulps of |f(z)|, which the `|expected|`
 * term of the model covers. So each element's magnitude is `|A|·|B| + |bias| + |z|`.
 */
import { describe } from 'vitest';
import { layoutView, randomData, type ValueDomain } from './generators';
import type { CheckContext, PairedInput, Suite } from './harness';
import { FLOAT_DTYPES } from './kernels-elementwise';
import { absoluteOnReference, layoutCombinations, matmulOperands, stridedCase, type MatmulCase, type OperandLayout } from './kernels-matmul';
import { expectClose, productScale } from './tolerance';
import type { DType, FusedActivation } from '@tessera/core/backend';

/** Every activation the kernel fuses (core's `FUSED_ACTIVATIONS`, spelled out so an older core still loads). */
const ACTIVATIONS: readonly FusedActivation[] = ['none', 'relu', 'sigmoid', 'tanh'];

/**
 * One fused case: a matmul case, whether it has a bias (and where the bias values come from) and
 * the activation.
 * @example
 * const plain = { transposed: false, broadcastBatch: false };
 * const hidden: FusedMatmulCase = { batch: 1, rows: 4, inner: 8, columns: 3, a: plain, b: plain, bias: true, activation: 'relu' };
 */
export interface FusedMatmulCase extends MatmulCase {
  readonly bias: boolean;
  readonly activation: FusedActivation;
  /** Bias values (default uniform in [−2, 2], so relu sees both signs). */
  readonly biasDomain?: ValueDomain;
}

/** A contiguous `[N]` bias, at an offset inside a larger buffer where the backend takes offsets (core may pass a narrowed parameter). */
function biasInput(context: CheckContext, dtype: DType, columns: number, domain: ValueDomain): PairedInput {
  const { session, rng } = context;
  const spec = session.stridedInputs ? layoutView([columns], { start: [rng.int(0, 3)], end: [rng.int(0, 2)] }, 'contiguous bias') : layoutView([columns], {}, 'contiguous bias');
  return session.upload(spec, dtype, randomData(rng, dtype, spec.bufferSize, domain));
}

/**
 * Run one case on both backends and compare (see the file comment for the tolerance).
 * @example
 * await checkMatmulBiasActivation(context, 'float32', { batch: 2, rows: 3, inner: 0, columns: 4, a: plain, b: plain, bias: true, activation: 'sigmoid' });
 */
export async function checkMatmulBiasActivation(context: CheckContext, dtype: DType, fusedCase: FusedMatmulCase): Promise<void> {
  const { session } = context;
  const { activation } = fusedCase;
  const { a, b, outShape, description } = matmulOperands(context, dtype, fusedCase);
  const bias = fusedCase.bias ? biasInput(context, dtype, fusedCase.columns, fusedCase.biasDomain ?? { kind: 'uniform', low: -2, high: 2 }) : null;
  const out = session.output(dtype, outShape);
  session.backend.matmulBiasActivation!(a.plugin, b.plugin, bias?.plugin ?? null, activation, out.plugin);
  session.reference.matmulBiasActivation(a.reference, b.reference, bias?.reference ?? null, activation, out.reference);
  const { actual, expected } = await session.read(out);
  // |A|·|B| + |bias| and the pre-activation z, both from the reference.
  const terms = session.referenceOutput(dtype, outShape);
  session.reference.matmulBiasActivation(absoluteOnReference(session, a), absoluteOnReference(session, b), bias ? absoluteOnReference(session, bias) : null, 'none', terms);
  const preActivation = session.referenceOutput(dtype, outShape);
  session.reference.matmulBiasActivation(a.reference, b.reference, bias?.reference ?? null, 'none', preActivation);
  const termValues = session.referenceData(terms);
  const zValues = session.referenceData(preActivation);
  const magnitude = Array.from(termValues, (value, i) => value + Math.abs(zValues[i]));
  const biasLabel = bias ? `bias ${bias.spec.label}` : 'no bias';
  expectClose(actual, expected, `matmulBiasActivation (${dtype}, activation '${activation}', ${biasLabel}) ${description}`, {
    tolerance: context.tolerance(dtype),
    scale: productScale(fusedCase.inner),
    magnitude,
    shape: outShape,
  });
}

const PLAIN: OperandLayout = { transposed: false, broadcastBatch: false };

/**
 * One fused-kernel check: its title, key and body (exported so the kit's own tests can run the
 * bodies against deliberately broken kernels).
 * @example
 * const [main] = matmulBiasActivationChecks('float32');
 * await main.body(context); // throws a ConformanceError on a mismatch
 */
export interface FusedMatmulCheck {
  readonly title: string;
  readonly key: string;
  readonly dtype: DType;
  readonly large?: boolean;
  body(context: CheckContext): Promise<void>;
}

/**
 * The checks of one float dtype (float32 adds the million-element case, marked `large`).
 * @example
 * matmulBiasActivationChecks('float64').map((check) => check.key); // ['matmulBiasActivation:float64', …]
 */
export function matmulBiasActivationChecks(dtype: DType): FusedMatmulCheck[] {
  const checks: FusedMatmulCheck[] = [
    {
      title: `matmulBiasActivation matches the reference for every activation with and without bias, and in every transpose combination and broadcast batch (${dtype})`,
      key: `matmulBiasActivation:${dtype}`,
      dtype,
      async body(context) {
        const { rng } = context;
        // Every (activation, bias) pair on row-major operands, then every layout with the pairs in
        // rotation (each layout meets two or three epilogues, each epilogue several layouts). Not the
        // full cross product: a GPU backend compiles one kernel per layout × epilogue, and 32 of them
        // per dtype took minutes on a software adapter without a shader cache.
        const pairs = ACTIVATIONS.flatMap((activation) => [false, true].map((bias) => ({ activation, bias })));
        for (const pair of pairs) {
          await checkMatmulBiasActivation(context, dtype, { batch: rng.int(1, 3), rows: rng.int(1, 17), inner: rng.int(1, 33), columns: rng.int(1, 17), a: PLAIN, b: PLAIN, ...pair });
        }
        let index = 0;
        for (const matmulCase of layoutCombinations(rng)) {
          await checkMatmulBiasActivation(context, dtype, { ...matmulCase, ...pairs[index++ % pairs.length] });
        }
      },
    },
    {
      title: `matmulBiasActivation reads sliced and flipped operands (${dtype})`,
      key: `matmulBiasActivation.strided:${dtype}`,
      dtype,
      async body(context) {
        for (let trial = 0; trial < 8; trial++) {
          await checkMatmulBiasActivation(context, dtype, {
            ...stridedCase(context.rng, trial),
            bias: trial % 4 !== 3,
            activation: ACTIVATIONS[trial % ACTIVATIONS.length],
          });
        }
      },
    },
    {
      title: `matmulBiasActivation handles sizes off the tile grid, K = 0 (activation of the bias alone), K > 512, M = 0 and an empty batch (${dtype})`,
      key: `matmulBiasActivation.sizes:${dtype}`,
      dtype,
      async body(context) {
        // Extents one past or short of powers of two (4, 8, 16, 32, 64, 128 tiles) and primes.
        const offGrid = [[1, 37, 19, 67], [2, 65, 33, 17], [1, 7, 129, 5], [3, 31, 9, 63], [1, 1, 1, 1], [1, 1, 64, 1]];
        for (const [index, [batch, rows, inner, columns]] of offGrid.entries()) {
          await checkMatmulBiasActivation(context, dtype, { batch, rows, inner, columns, a: PLAIN, b: PLAIN, bias: index % 3 !== 2, activation: ACTIVATIONS[index % ACTIVATIONS.length] });
        }
        for (const activation of ACTIVATIONS) {
          for (const bias of [false, true]) {
            // K = 0: the product is zero, so the output is activation(bias) (sigmoid gives 0.5 without a bias).
            await checkMatmulBiasActivation(context, dtype, { batch: 2, rows: 3, inner: 0, columns: 4, a: PLAIN, b: PLAIN, bias, activation });
          }
          // A long accumulation: K > 512 (past common K-blocking sizes), with a transposed operand.
          await checkMatmulBiasActivation(context, dtype, { batch: 1, rows: 9, inner: 777, columns: 11, a: { transposed: true, broadcastBatch: false }, b: PLAIN, bias: true, activation });
        }
        for (const [batch, rows, inner, columns] of [[1, 0, 5, 3], [0, 2, 2, 2]]) {
          await checkMatmulBiasActivation(context, dtype, { batch, rows, inner, columns, a: PLAIN, b: PLAIN, bias: true, activation: 'sigmoid' });
        }
      },
    },
    {
      title: `matmulBiasActivation saturates sigmoid and tanh without overflow for pre-activations of ±40 and ±100 (${dtype})`,
      key: `matmulBiasActivation.saturation:${dtype}`,
      dtype,
      async body(context) {
        const { rng } = context;
        // e^(2·100) overflows float32: tanh as (e^2x − 1)/(e^2x + 1) gives NaN, sigmoid as 1/(1 + e^-x) is fine only one way.
        const biasDomain: ValueDomain = { kind: 'choices', values: [-100, -40, -1, 40, 100] };
        for (const activation of ACTIVATIONS) {
          await checkMatmulBiasActivation(context, dtype, { batch: 1, rows: rng.int(2, 6), inner: rng.int(1, 9), columns: rng.int(8, 16), a: PLAIN, b: PLAIN, bias: true, biasDomain, activation });
        }
      },
    },
  ];
  if (dtype === 'float32') {
    checks.push({
      title: 'matmulBiasActivation handles an operand past one million elements',
      key: 'matmulBiasActivation.large:float32',
      dtype,
      large: true,
      async body(context) {
        await checkMatmulBiasActivation(context, 'float32', {
          batch: 1,
          rows: 1031,
          inner: 1019,
          columns: 3,
          a: { transposed: true, broadcastBatch: false },
          b: PLAIN,
          bias: true,
          activation: 'tanh',
        });
      },
    });
  }
  return checks;
}

/**
 * Declare the matmulBiasActivation checks for every float dtype (skipped when the backend lacks the kernel).
 * @example
 * describeMatmulBiasActivationKernel(suite);
 */
export function describeMatmulBiasActivationKernel(suite: Suite): void {
  describe('optional kernels: matmulBiasActivation', () => {
    for (const dtype of FLOAT_DTYPES) {
      for (const check of matmulBiasActivationChecks(dtype)) {
        suite.check(check.title, check.key, check.body, { dtype: check.dtype, kernel: 'matmulBiasActivation', large: check.large });
      }
    }
  });
}
