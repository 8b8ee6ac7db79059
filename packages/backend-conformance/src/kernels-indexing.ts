/**
 * Data movement and creation: `assign` into strided destinations, `gather`, `scatterAdd`, `fill`, `arange`.
 */
import { describe } from 'vitest';
import { LARGE_SHAPE, VIEW_KINDS, absoluteData, randomData, randomShape, sizeOf, standardShapes, type Rng, type ValueDomain, type ViewKind } from './generators';
import type { CheckContext, Suite } from './harness';
import { expectClose, reductionScale } from './tolerance';
import { ALL_DTYPES } from './kernels-elementwise';
import type { DType } from '@tessera/core/backend';

/** Random values of any dtype (full range for int32). */
function anyDomain(dtype: DType): ValueDomain {
  return dtype === 'int32' ? { kind: 'int32' } : { kind: 'uniform', low: -10, high: 10 };
}

/** Destination layouts for assign: never broadcast (a destination never overlaps itself). */
const DESTINATION_KINDS: readonly ViewKind[] = ['contiguous', 'permuted', 'sliced', 'flipped'];

/** Copy a random `src` view into a random `dst` view and compare the whole destination buffer. */
async function checkAssign(context: CheckContext, dtype: DType, shape: readonly number[], dstKind: ViewKind, srcKind: ViewKind): Promise<void> {
  const { session, rng } = context;
  const dst = session.randomInput(rng, shape, dstKind, dtype, anyDomain(dtype));
  const src = session.randomInput(rng, shape, srcKind, dtype, anyDomain(dtype));
  session.backend.assign(dst.plugin, src.plugin);
  session.reference.assign(dst.reference, src.reference);
  const size = dst.spec.bufferSize;
  const actual = await session.backend.read(dst.plugin.id, dtype, 0, size);
  const expected = session.reference.readSync(dst.reference.id, dtype, 0, size);
  expectClose(actual, expected, `assign (${dtype}) of ${src.spec.label} into ${dst.spec.label} (whole buffer; elements outside the view must not change)`, {
    tolerance: null,
  });
}

/** A random gather: index has the output's shape, dims ≤ x's except along `axis`. */
async function checkGather(context: CheckContext, dtype: DType, xShape: readonly number[], axis: number, kind: ViewKind, indexShape?: readonly number[]): Promise<void> {
  const { session, rng } = context;
  const x = session.randomInput(rng, xShape, kind, dtype, anyDomain(dtype));
  const shape = indexShape ?? xShape.map((extent, dim) => (dim === axis ? rng.int(0, 2 * extent + 1) : rng.int(Math.min(1, extent), extent)));
  const limit = xShape[axis];
  const index = session.randomInput(rng, shape, rng.pick(VIEW_KINDS), 'int32', { kind: 'integers', low: 0, high: Math.max(limit - 1, 0) });
  const out = session.output(dtype, shape);
  session.backend.gather(x.plugin, axis, index.plugin, out.plugin);
  session.reference.gather(x.reference, axis, index.reference, out.reference);
  const { actual, expected } = await session.read(out);
  expectClose(actual, expected, `gather (${dtype}) along axis ${axis} of ${x.spec.label} with index ${index.spec.label}`, { tolerance: null, shape });
}

/** A random scatterAdd into a contiguous target with repeated indices. */
async function checkScatterAdd(context: CheckContext, dtype: DType, targetShape: readonly number[], axis: number, kind: ViewKind, sourceShape?: readonly number[]): Promise<void> {
  const { session, rng } = context;
  const shape = sourceShape ?? targetShape.map((extent, dim) => (dim === axis ? rng.int(0, 3 * extent + 1) : rng.int(Math.min(1, extent), extent)));
  const domain: ValueDomain = dtype === 'int32' ? { kind: 'int32' } : { kind: 'uniform', low: -1, high: 1 };
  const initial = randomData(rng, dtype, sizeOf(targetShape), domain);
  const target = session.output(dtype, targetShape);
  if (initial.length > 0) {
    session.backend.write(target.plugin.id, initial);
    session.reference.write(target.reference.id, initial);
  }
  const index = session.randomInput(rng, shape, kind, 'int32', { kind: 'integers', low: 0, high: Math.max(targetShape[axis] - 1, 0) });
  const src = session.randomInput(rng, shape, rng.pick(VIEW_KINDS), dtype, domain);
  session.backend.scatterAdd(target.plugin, axis, index.plugin, src.plugin);
  session.reference.scatterAdd(target.reference, axis, index.reference, src.reference);
  const { actual, expected } = await session.read(target);
  let magnitude;
  if (dtype !== 'int32') {
    // The error of a float accumulation depends on |target| + Σ|src| at each position, in any order.
    const absoluteTarget = session.referenceOutput(dtype, targetShape);
    if (initial.length > 0) session.reference.write(absoluteTarget.id, absoluteData(initial));
    session.reference.scatterAdd(absoluteTarget, axis, index.reference, session.uploadReference(src.spec, dtype, absoluteData(src.data)));
    magnitude = session.referenceData(absoluteTarget);
  }
  expectClose(actual, expected, `scatterAdd (${dtype}) along axis ${axis} into [${targetShape.join(', ')}] with index ${index.spec.label}, src ${src.spec.label}`, {
    tolerance: context.tolerance(dtype),
    scale: reductionScale(shape[axis] + 1),
    magnitude,
    shape: targetShape,
  });
}

/** Sizes fill and arange run on. */
function creationSizes(rng: Rng, large: boolean): number[] {
  const sizes = [0, 1, 2, 3, 5, rng.int(6, 100), 1023, 4097];
  if (large) sizes.push(sizeOf(LARGE_SHAPE));
  return sizes;
}

/**
 * Declare the data-movement and creation checks.
 * @example
 * describeIndexingKernels(suite);
 */
export function describeIndexingKernels(suite: Suite): void {
  const large = suite.options.large;

  describe('assign kernel', () => {
    for (const dtype of ALL_DTYPES) {
      suite.check(
        `assign copies any source layout into a strided destination and nothing else (${dtype})`,
        `assign:${dtype}`,
        async (context) => {
          for (const shapeCase of standardShapes(context.rng, false)) {
            for (const dstKind of DESTINATION_KINDS) {
              for (const srcKind of VIEW_KINDS) await checkAssign(context, dtype, shapeCase.shape, dstKind, srcKind);
            }
          }
        },
        { dtype },
      );
    }
    suite.check(
      'assign materialises a transposed view past one million elements (contiguous)',
      'assign.large:float32',
      async (context) => {
        await checkAssign(context, 'float32', LARGE_SHAPE, 'contiguous', 'permuted');
        await checkAssign(context, 'float32', LARGE_SHAPE, 'flipped', 'broadcast');
      },
      { dtype: 'float32', large: true },
    );
  });

  describe('gather kernel', () => {
    for (const dtype of ALL_DTYPES) {
      suite.check(
        `gather picks x along an axis at int32 indices, for any layouts of x and index (${dtype})`,
        `gather:${dtype}`,
        async (context) => {
          const { rng } = context;
          for (const kind of VIEW_KINDS) {
            for (let rank = 1; rank <= 4; rank++) await checkGather(context, dtype, randomShape(rng, rank, rank <= 2 ? 10 : 5), rng.int(0, rank - 1), kind);
          }
          await checkGather(context, dtype, [4, 5], 1, 'contiguous', [0, 3]);
          await checkGather(context, dtype, [4, 5], 0, 'contiguous', [4, 0]);
        },
        { dtype },
      );
    }
    suite.check(
      'gather rejects or zeroes out-of-range indices (RangeError on backends that check)',
      'gather.outOfRange:float32',
      async (context) => {
        const { session } = context;
        const x = session.contiguousInput([2, 3], 'float32', new Float32Array([1, 2, 3, 4, 5, 6]));
        const index = session.contiguousInput([2, 1], 'int32', new Int32Array([3, -1]));
        const out = session.output('float32', [2, 1]);
        let threw: unknown = null;
        try {
          session.backend.gather(x.plugin, 1, index.plugin, out.plugin);
          await session.backend.sync?.();
        } catch (error) {
          threw = error;
        }
        if (threw !== null) {
          if (!(threw instanceof RangeError)) throw new Error(`gather with an out-of-range index threw ${String(threw)}, expected a RangeError`);
          return;
        }
        const actual = await session.backend.read(out.plugin.id, 'float32', 0, 2);
        expectClose(actual, new Float32Array([0, 0]), 'gather with out-of-range indices (no RangeError, so each must give 0)', { tolerance: null });
      },
      { dtype: 'float32' },
    );
    suite.check(
      'gather handles an index past one million elements',
      'gather.large:float32',
      async (context) => {
        await checkGather(context, 'float32', LARGE_SHAPE, 1, 'permuted', LARGE_SHAPE);
      },
      { dtype: 'float32', large: true },
    );
  });

  describe('scatterAdd kernel', () => {
    for (const dtype of ['float32', 'float64', 'int32', 'float16'] as const) {
      suite.check(
        `scatterAdd accumulates repeated indices into a contiguous target (${dtype})`,
        `scatterAdd:${dtype}`,
        async (context) => {
          const { rng } = context;
          for (const kind of VIEW_KINDS) {
            for (let rank = 1; rank <= 3; rank++) await checkScatterAdd(context, dtype, randomShape(rng, rank, 6), rng.int(0, rank - 1), kind);
          }
          await checkScatterAdd(context, dtype, [3, 4], 0, 'contiguous', [0, 4]);
          await checkScatterAdd(context, dtype, [1], 0, 'contiguous', [50]);
        },
        { dtype },
      );
    }
    suite.check(
      'scatterAdd handles a source past one million elements into a small target',
      'scatterAdd.large:float32',
      async (context) => {
        await checkScatterAdd(context, 'float32', [7, LARGE_SHAPE[1]], 0, 'permuted', LARGE_SHAPE);
      },
      { dtype: 'float32', large: true },
    );
  });

  describe('fill and arange kernels', () => {
    for (const dtype of ALL_DTYPES) {
      suite.check(
        `fill writes one value everywhere, any size (${dtype})`,
        `fill:${dtype}`,
        async (context) => {
          const { session, rng } = context;
          const values = dtype === 'bool' ? [0, 1] : dtype === 'int32' ? [-7, 2147483647, -2147483648, 0] : [1.5, -0, NaN, -Infinity, 3.3e38];
          for (const size of creationSizes(rng, large)) {
            for (const value of values) {
              const out = session.output(dtype, [size]);
              session.backend.fill(out.plugin, value);
              session.reference.fill(out.reference, value);
              const { actual, expected } = await session.read(out);
              expectClose(actual, expected, `fill (${dtype}) of ${size} elements with ${value}`, { tolerance: context.tolerance(dtype) });
            }
          }
        },
        { dtype },
      );
    }
    for (const dtype of ['float32', 'float64', 'int32', 'float16'] as const) {
      suite.check(
        `arange computes start + i · step${dtype === 'int32' ? ' exactly' : ''} (${dtype})`,
        `arange:${dtype}`,
        async (context) => {
          const { session, rng } = context;
          for (const size of creationSizes(rng, large)) {
            const [start, step] = dtype === 'int32' ? [rng.int(-1000, 1000), rng.pick([-3, -1, 1, 2, 7])] : [rng.uniform(-10, 10), rng.pick([0.1, -0.25, 1, 1e-3, 3.7])];
            const out = session.output(dtype, [size]);
            session.backend.arange(out.plugin, start, step);
            session.reference.arange(out.reference, start, step);
            const { actual, expected } = await session.read(out);
            const magnitude = Array.from({ length: size }, (_, i) => Math.abs(start) + Math.abs(i * step));
            expectClose(actual, expected, `arange (${dtype}) of ${size} elements from ${start} by ${step}`, {
              tolerance: context.tolerance(dtype),
              magnitude,
            });
          }
        },
        { dtype },
      );
    }
  });
}
