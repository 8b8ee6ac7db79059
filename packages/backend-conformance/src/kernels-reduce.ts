/**
 * Reductions (`reduce` with sum, prod, max, min, argmax, argmin) and `cumsum`.
 */
import { describe } from 'vitest';
import { LARGE_SHAPE, VIEW_KINDS, absoluteData, hostData, randomShape, sizeOf, type Rng, type ValueDomain, type ViewKind } from './generators';
import type { CheckContext, Suite } from './harness';
import { expectClose, reductionScale } from './tolerance';
import { REDUCE_OPS, type DType, type ReduceOp } from '@tessera/core/backend';

const REDUCE_DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'float16'];

/** Where a reduction's random inputs come from. `ties` draws few distinct values. */
function reduceDomain(op: ReduceOp, dtype: DType, ties: boolean): ValueDomain {
  const integer = dtype === 'int32';
  if (ties) return { kind: 'choices', values: integer ? [-2, -1, 0, 1, 2] : [-1, -0.5, 0, 0.5, 1] };
  switch (op) {
    case 'sum':
      return integer ? { kind: 'int32' } : { kind: 'uniform', low: -1, high: 1 };
    case 'prod':
      // Odd integers keep the int32 product non-zero while it wraps; floats stay near 1 in magnitude.
      return integer ? { kind: 'choices', values: [-3, -1, 1, 3] } : { kind: 'awayFromZero', low: 0.7, high: 1.3 };
    default:
      return integer ? { kind: 'int32' } : { kind: 'uniform', low: -10, high: 10 };
  }
}

/** A random non-empty sorted axis subset of a rank (one axis for argmax/argmin). */
function randomAxes(rng: Rng, rank: number, single: boolean): number[] {
  if (single) return [rng.int(0, rank - 1)];
  const axes = Array.from({ length: rank }, (_, dim) => dim).filter(() => rng.chance(0.5));
  return axes.length > 0 ? axes : [rng.int(0, rank - 1)];
}

/** One reduction case: a shape, its axes and the layout of the input. */
interface ReduceCase {
  readonly shape: readonly number[];
  readonly axes: readonly number[];
  readonly kind: ViewKind;
  readonly ties?: boolean;
}

/** The cases of one op: random ranks 1–4 and axes on every layout, empty inputs, ties, all axes. */
function reduceCases(rng: Rng, op: ReduceOp): ReduceCase[] {
  const single = op === 'argmax' || op === 'argmin';
  const cases: ReduceCase[] = [];
  for (const kind of VIEW_KINDS) {
    for (let rank = 1; rank <= 4; rank++) {
      const shape = randomShape(rng, rank, rank <= 2 ? 9 : 5);
      cases.push({ shape, axes: randomAxes(rng, rank, single), kind });
    }
  }
  cases.push({ shape: [7, 13], axes: single ? [1] : [0, 1], kind: 'contiguous' });
  cases.push({ shape: [5, 6], axes: [1], kind: 'mixed', ties: true });
  cases.push({ shape: [4, 3, 5], axes: [0], kind: 'permuted', ties: true });
  // Empty inputs: an empty kept dim always; an empty reduced axis only where the identity exists.
  cases.push({ shape: [3, 0, 2], axes: [0], kind: 'contiguous' });
  if (op === 'sum' || op === 'prod') cases.push({ shape: [3, 0, 2], axes: [1], kind: 'sliced' });
  return cases;
}

/** Run one reduction on both backends and compare; sums are judged against Σ|x|. */
async function checkReduce(context: CheckContext, op: ReduceOp, dtype: DType, reduceCase: ReduceCase): Promise<void> {
  const { session, rng } = context;
  const { shape, axes, kind } = reduceCase;
  const input = session.randomInput(rng, shape, kind, dtype, reduceDomain(op, dtype, reduceCase.ties ?? false));
  const outShape = shape.filter((_, dim) => !axes.includes(dim));
  const outDtype = op === 'argmax' || op === 'argmin' ? 'int32' : dtype;
  const out = session.output(outDtype, outShape);
  session.backend.reduce(op, input.plugin, axes, out.plugin);
  session.reference.reduce(op, input.reference, axes, out.reference);
  const { actual, expected } = await session.read(out);
  const reducedSize = sizeOf(axes.map((dim) => shape[dim]));
  let magnitude: ReturnType<typeof session.referenceData> | undefined;
  if (op === 'sum' && dtype !== 'int32') {
    const absolute = session.uploadReference(input.spec, dtype, absoluteData(input.data));
    const absoluteSum = session.referenceOutput(dtype, outShape);
    session.reference.reduce('sum', absolute, axes, absoluteSum);
    magnitude = session.referenceData(absoluteSum);
  }
  expectClose(actual, expected, `reduce ${op} (${dtype}) over axes [${axes.join(', ')}] of ${input.spec.label}`, {
    tolerance: context.tolerance(outDtype),
    scale: reductionScale(reducedSize),
    magnitude,
    shape: outShape,
  });
}

/** Run one cumsum on both backends and compare against the running sum of |x|. */
async function checkCumsum(context: CheckContext, dtype: DType, shape: readonly number[], axis: number, kind: ViewKind): Promise<void> {
  const { session, rng } = context;
  const domain: ValueDomain = dtype === 'int32' ? { kind: 'int32' } : { kind: 'uniform', low: -1, high: 1 };
  const input = session.randomInput(rng, shape, kind, dtype, domain);
  const out = session.output(dtype, shape);
  session.backend.cumsum(input.plugin, axis, out.plugin);
  session.reference.cumsum(input.reference, axis, out.reference);
  const { actual, expected } = await session.read(out);
  let magnitude: ReturnType<typeof session.referenceData> | undefined;
  if (dtype !== 'int32') {
    const absolute = session.uploadReference(input.spec, dtype, absoluteData(input.data));
    const absoluteCumsum = session.referenceOutput(dtype, shape);
    session.reference.cumsum(absolute, axis, absoluteCumsum);
    magnitude = session.referenceData(absoluteCumsum);
  }
  expectClose(actual, expected, `cumsum (${dtype}) along axis ${axis} of ${input.spec.label}`, {
    tolerance: context.tolerance(dtype),
    scale: reductionScale(shape[axis]),
    magnitude,
    shape,
  });
}

/**
 * Declare the reduction and cumsum checks.
 * @example
 * describeReduceKernels(suite);
 */
export function describeReduceKernels(suite: Suite): void {
  describe('reduce kernels', () => {
    for (const op of REDUCE_OPS) {
      for (const dtype of REDUCE_DTYPES) {
        const extra = op === 'argmax' || op === 'argmin' ? ', first index on ties' : op === 'sum' || op === 'prod' ? ', identity on empty axes' : '';
        suite.check(
          `${op} over random axes matches the reference on every layout${extra} (${dtype})`,
          `reduce.${op}:${dtype}`,
          async (context) => {
            for (const reduceCase of reduceCases(context.rng, op)) await checkReduce(context, op, dtype, reduceCase);
          },
          { dtype },
        );
      }
    }
    for (const dtype of ['float32', 'float64', 'float16'] as const) {
      suite.check(
        `max and min propagate NaN (${dtype})`,
        `reduce.nan:${dtype}`,
        async (context) => {
          const { session } = context;
          const data = hostData(dtype, [1, NaN, 3, 4, 5, 6]);
          for (const op of ['max', 'min', 'sum'] as const) {
            const input = session.contiguousInput([2, 3], dtype, data);
            for (const axes of [[1], [0], [0, 1]]) {
              const outShape = [2, 3].filter((_, dim) => !axes.includes(dim));
              const out = session.output(dtype, outShape);
              session.backend.reduce(op, input.plugin, axes, out.plugin);
              session.reference.reduce(op, input.reference, axes, out.reference);
              const { actual, expected } = await session.read(out);
              expectClose(actual, expected, `reduce ${op} (${dtype}) over [${axes.join(', ')}] with a NaN`, { tolerance: context.tolerance(dtype) });
            }
          }
        },
        { dtype },
      );
    }
    suite.check(
      'reductions handle a permuted view past one million elements',
      'reduce.large:float32',
      async (context) => {
        await checkReduce(context, 'sum', 'float32', { shape: LARGE_SHAPE, axes: [0], kind: 'permuted' });
        await checkReduce(context, 'sum', 'float32', { shape: LARGE_SHAPE, axes: [0, 1], kind: 'flipped' });
        await checkReduce(context, 'max', 'float32', { shape: LARGE_SHAPE, axes: [1], kind: 'contiguous' });
        await checkReduce(context, 'argmin', 'float32', { shape: LARGE_SHAPE, axes: [0], kind: 'sliced' });
      },
      { dtype: 'float32', large: true },
    );
  });

  describe('cumsum kernel', () => {
    for (const dtype of REDUCE_DTYPES) {
      suite.check(
        `cumsum is the inclusive running sum along any axis of any layout (${dtype})`,
        `cumsum:${dtype}`,
        async (context) => {
          const { rng } = context;
          for (const kind of VIEW_KINDS) {
            for (let rank = 1; rank <= 4; rank++) {
              await checkCumsum(context, dtype, randomShape(rng, rank, rank <= 2 ? 12 : 5), rng.int(0, rank - 1), kind);
            }
          }
          await checkCumsum(context, dtype, [3, 0, 2], 1, 'contiguous');
          await checkCumsum(context, dtype, [4, 0], 0, 'contiguous');
          await checkCumsum(context, dtype, [1], 0, 'contiguous');
        },
        { dtype },
      );
    }
    suite.check(
      'cumsum handles a transposed view past one million elements',
      'cumsum.large:float32',
      async (context) => {
        await checkCumsum(context, 'float32', LARGE_SHAPE, 0, 'permuted');
        await checkCumsum(context, 'float32', LARGE_SHAPE, 1, 'contiguous');
      },
      { dtype: 'float32', large: true },
    );
  });
}
