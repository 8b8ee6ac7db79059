/**
 * Batched `matmul`: every transpose combination, broadcast batches, sliced and flipped operands,
 * degenerate sizes (K = 0, M = 0, empty batch) and one operand past a million elements.
 */
import { describe } from 'vitest';
import { absoluteData, layoutView, randomData, type Layout, type Rng, type ViewSpec } from './generators';
import type { CheckContext, KernelSession, PairedInput, Suite } from './harness';
import { expectClose, productScale } from './tolerance';
import type { DType, StridedView } from '@tessera/core/backend';

/**
 * How one operand of a matmul case is laid out (shared with the fused matmul checks).
 * @example
 * const layout: OperandLayout = { transposed: true, broadcastBatch: false, flipped: true };
 */
export interface OperandLayout {
  /** Stored transposed (column-major in its last two dims). */
  readonly transposed: boolean;
  /** Batch broadcast with stride 0. */
  readonly broadcastBatch: boolean;
  /** Sliced out of a larger buffer and/or flipped along one dim. */
  readonly sliced?: boolean;
  readonly flipped?: boolean;
}

/**
 * One matmul case: `[B, M, K] × [B, K, N]` and the operand layouts.
 * @example
 * const plain = { transposed: false, broadcastBatch: false };
 * const square: MatmulCase = { batch: 1, rows: 4, inner: 4, columns: 4, a: plain, b: plain };
 */
export interface MatmulCase {
  readonly batch: number;
  readonly rows: number;
  readonly inner: number;
  readonly columns: number;
  readonly a: OperandLayout;
  readonly b: OperandLayout;
}

/**
 * The layout of a `[B, R, C]` operand (contiguous when the backend takes no strided inputs).
 * @example
 * operandSpec(rng, [2, 3, 4], { transposed: true, broadcastBatch: true }, true).strides; // [0, 1, 3]
 */
export function operandSpec(rng: Rng, shape: readonly [number, number, number], layout: OperandLayout, strided: boolean): ViewSpec {
  if (!strided) return layoutView(shape, {}, 'contiguous');
  const spec: Layout = {
    order: layout.transposed ? [0, 2, 1] : [0, 1, 2],
    broadcast: [layout.broadcastBatch, false, false],
    start: layout.sliced ? [0, rng.int(0, 2), rng.int(0, 2)] : undefined,
    end: layout.sliced ? [0, rng.int(0, 2), rng.int(1, 3)] : undefined,
    flip: layout.flipped ? [false, rng.chance(0.5), true] : undefined,
  };
  const name = [layout.transposed ? 'transposed' : 'row-major', layout.broadcastBatch ? 'broadcast batch' : '', layout.sliced ? 'sliced' : '', layout.flipped ? 'flipped' : '']
    .filter(Boolean)
    .join(' ');
  return layoutView(shape, spec, name);
}

/**
 * The two operands of a case, uploaded to both backends with values in [−1, 1], the output shape
 * `[B, M, N]` and a description for failure messages.
 * @example
 * const { a, b, outShape } = matmulOperands(context, 'float32', matmulCase);
 */
export function matmulOperands(context: CheckContext, dtype: DType, matmulCase: MatmulCase): { a: PairedInput; b: PairedInput; outShape: number[]; description: string } {
  const { session, rng } = context;
  const { batch, rows, inner, columns } = matmulCase;
  const domain = { kind: 'uniform', low: -1, high: 1 } as const;
  const aSpec = operandSpec(rng, [batch, rows, inner], matmulCase.a, session.stridedInputs);
  const bSpec = operandSpec(rng, [batch, inner, columns], matmulCase.b, session.stridedInputs);
  const a = session.upload(aSpec, dtype, randomData(rng, dtype, aSpec.bufferSize, domain));
  const b = session.upload(bSpec, dtype, randomData(rng, dtype, bSpec.bufferSize, domain));
  const description = `[${batch}, ${rows}, ${inner}] × [${batch}, ${inner}, ${columns}], a ${aSpec.label}, b ${bSpec.label}`;
  return { a, b, outShape: [batch, rows, columns], description };
}

/**
 * An input's absolute values in the same layout, on the reference backend only (for error magnitudes).
 * @example
 * session.reference.matmul(absoluteOnReference(session, a), absoluteOnReference(session, b), magnitude);
 */
export function absoluteOnReference(session: KernelSession, input: PairedInput): StridedView {
  return session.uploadReference(input.spec, input.dtype, absoluteData(input.data));
}

/** Run one case on both backends; the allowed error grows with K and the size of |A|·|B|. */
async function checkMatmul(context: CheckContext, dtype: DType, matmulCase: MatmulCase): Promise<void> {
  const { session } = context;
  const { a, b, outShape, description } = matmulOperands(context, dtype, matmulCase);
  const out = session.output(dtype, outShape);
  session.backend.matmul(a.plugin, b.plugin, out.plugin);
  session.reference.matmul(a.reference, b.reference, out.reference);
  const { actual, expected } = await session.read(out);
  const magnitudeOut = session.referenceOutput(dtype, outShape);
  session.reference.matmul(absoluteOnReference(session, a), absoluteOnReference(session, b), magnitudeOut);
  expectClose(actual, expected, `matmul (${dtype}) ${description}`, {
    tolerance: context.tolerance(dtype),
    scale: productScale(matmulCase.inner),
    magnitude: session.referenceData(magnitudeOut),
    shape: outShape,
  });
}

/**
 * A small random case with sliced and flipped operands; `trial` alternates which operand is sliced
 * and whether A is flipped (B always is).
 * @example
 * await checkMatmul(context, 'float32', stridedCase(rng, 0));
 */
export function stridedCase(rng: Rng, trial: number): MatmulCase {
  return {
    batch: rng.int(1, 3),
    rows: rng.int(1, 9),
    inner: rng.int(1, 20),
    columns: rng.int(1, 9),
    a: { transposed: rng.chance(0.5), broadcastBatch: false, sliced: true, flipped: trial % 2 === 0 },
    b: { transposed: rng.chance(0.5), broadcastBatch: rng.chance(0.3), sliced: trial % 2 === 1, flipped: true },
  };
}

/**
 * Small random cases in every transpose combination × broadcast batch (none, A's, B's): 12 cases,
 * drawn in a fixed order so a seed reproduces them.
 * @example
 * for (const matmulCase of layoutCombinations(rng)) await checkMatmul(context, 'float32', matmulCase);
 */
export function* layoutCombinations(rng: Rng): Generator<MatmulCase> {
  for (const aTransposed of [false, true]) {
    for (const bTransposed of [false, true]) {
      for (const [aBroadcast, bBroadcast] of [[false, false], [true, false], [false, true]]) {
        yield {
          batch: rng.int(1, 3),
          rows: rng.int(1, 17),
          inner: rng.int(1, 33),
          columns: rng.int(1, 17),
          a: { transposed: aTransposed, broadcastBatch: aBroadcast },
          b: { transposed: bTransposed, broadcastBatch: bBroadcast },
        };
      }
    }
  }
}

/**
 * Declare the matmul checks (float dtypes only, as the contract says).
 * @example
 * describeMatmulKernels(suite);
 */
export function describeMatmulKernels(suite: Suite): void {
  describe('matmul kernel', () => {
    for (const dtype of ['float32', 'float64', 'float16'] as const) {
      suite.check(
        `matmul matches the reference for every transpose combination and broadcast batch (${dtype})`,
        `matmul:${dtype}`,
        async (context) => {
          for (const matmulCase of layoutCombinations(context.rng)) await checkMatmul(context, dtype, matmulCase);
        },
        { dtype },
      );
      suite.check(
        `matmul reads sliced and flipped operands (${dtype})`,
        `matmul.strided:${dtype}`,
        async (context) => {
          for (let trial = 0; trial < 6; trial++) await checkMatmul(context, dtype, stridedCase(context.rng, trial));
        },
        { dtype },
      );
      suite.check(
        `matmul handles degenerate sizes: K = 0 gives zeros, M = 0, an empty batch, 1 × 1 × 1 (${dtype})`,
        `matmul.degenerate:${dtype}`,
        async (context) => {
          const plain = { transposed: false, broadcastBatch: false };
          for (const [batch, rows, inner, columns] of [[2, 3, 0, 4], [1, 0, 5, 3], [0, 2, 2, 2], [1, 1, 1, 1], [1, 1, 64, 1], [3, 1, 7, 1]]) {
            await checkMatmul(context, dtype, { batch, rows, inner, columns, a: plain, b: plain });
          }
        },
        { dtype },
      );
    }
    suite.check(
      'matmul handles an operand past one million elements',
      'matmul.large:float32',
      async (context) => {
        await checkMatmul(context, 'float32', {
          batch: 1,
          rows: 1031,
          inner: 1019,
          columns: 3,
          a: { transposed: true, broadcastBatch: false },
          b: { transposed: false, broadcastBatch: false },
        });
      },
      { dtype: 'float32', large: true },
    );
  });
}
