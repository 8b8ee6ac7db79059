/**
 * The optional `argsort` kernel (checked only when the backend implements it): the stable sorting
 * permutation along any axis of any input layout, exactly the reference's — ties in input order, NaN
 * above +∞ — in both directions.
 */
import { describe } from 'vitest';
import { LARGE_SHAPE, VIEW_KINDS, randomShape, type ValueDomain, type ViewKind } from './generators';
import type { CheckContext, Suite } from './harness';
import { expectClose } from './tolerance';
import type { DType } from '@tessera/core/backend';

const SORTABLE_DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'float16'];

/** Values with many ties (and NaN/±∞ for floats), so stability and the NaN rule are exercised. */
function tiedValues(dtype: DType): ValueDomain {
  return dtype === 'int32' ? { kind: 'integers', low: -3, high: 3 } : { kind: 'choices', values: [-Infinity, -1, 0, 0.5, 2, Infinity, NaN] };
}

async function checkArgsort(context: CheckContext, dtype: DType, shape: readonly number[], kind: ViewKind, axis: number, descending: boolean, domain: ValueDomain): Promise<void> {
  const { session, rng } = context;
  const x = session.randomInput(rng, shape, kind, dtype, domain);
  const out = session.output('int32', shape);
  session.backend.argsort!(x.plugin, axis, descending, out.plugin);
  session.reference.argsort(x.reference, axis, descending, out.reference);
  const { actual, expected } = await session.read(out);
  expectClose(actual, expected, `argsort (${dtype}, ${descending ? 'descending' : 'ascending'}) along axis ${axis} of ${x.spec.label}`, { tolerance: null, shape });
}

/**
 * Declare the argsort kernel checks.
 * @example
 * describeArgsortKernel(suite);
 */
export function describeArgsortKernel(suite: Suite): void {
  describe('argsort kernel', () => {
    for (const dtype of SORTABLE_DTYPES) {
      suite.check(
        `argsort is the stable sorting permutation along any axis of any layout, ties and NaN included (${dtype})`,
        `argsort:${dtype}`,
        async (context) => {
          const { rng } = context;
          for (let rank = 1; rank <= 3; rank++) {
            for (const kind of VIEW_KINDS) {
              const shape = randomShape(rng, rank, rank === 1 ? 40 : 7);
              const axis = rng.int(0, rank - 1);
              await checkArgsort(context, dtype, shape, kind, axis, rng.chance(0.5), tiedValues(dtype));
            }
          }
          await checkArgsort(context, dtype, [3, 0, 2], 'contiguous', 1, false, tiedValues(dtype));
          await checkArgsort(context, dtype, [5], 'contiguous', 0, true, { kind: 'distinct' });
          if (suite.options.large && dtype !== 'float16') await checkArgsort(context, dtype, LARGE_SHAPE, 'contiguous', 1, true, { kind: 'uniform', low: -1, high: 1 });
        },
        { dtype, kernel: 'argsort' },
      );
    }
  });
}
