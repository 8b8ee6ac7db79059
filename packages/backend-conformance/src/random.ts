/**
 * The Philox `random` kernel: every distribution must reproduce core's reference stream —
 * bits, uniforms and integers bit for bit; normals bit for bit in float64 and within
 * `normalFloat32Atol` (default 1e-6) in float32, where Box–Muller may run in single precision.
 */
import { describe } from 'vitest';
import { sizeOf, LARGE_SHAPE } from './generators';
import type { CheckContext, Suite } from './harness';
import { expectClose } from './tolerance';
import type { DType, RandomRequest } from '@tessera/core/backend';

/** Which dtypes each distribution is checked in. */
const DISTRIBUTION_DTYPES: readonly [RandomRequest['distribution'], DType][] = [
  ['bits', 'int32'],
  ['uniform', 'float32'],
  ['uniform', 'float64'],
  ['normal', 'float32'],
  ['normal', 'float64'],
  ['randint', 'int32'],
];

/** randint bounds: tiny, negative, and ranges wider than 2³¹. */
const RANDINT_BOUNDS: readonly [number, number][] = [
  [0, 2],
  [-5, 5],
  [0, 1000003],
  [-2147483648, 2147483647],
  [-1000000000, 2000000000],
];

/** Generate one request on both backends and compare. */
async function checkRandom(context: CheckContext, dtype: DType, size: number, request: RandomRequest): Promise<void> {
  const { session } = context;
  const out = session.output(dtype, [size]);
  session.backend.random(out.plugin, request);
  session.reference.random(out.reference, request);
  const { actual, expected } = await session.read(out);
  const approximate = request.distribution === 'normal' && dtype === 'float32';
  expectClose(actual, expected, `random ${request.distribution} (${dtype}) of ${size} elements, key [${request.key}], counter [${request.counter}]${request.distribution === 'randint' ? `, [${request.low}, ${request.high})` : ''}`, {
    tolerance: approximate ? { rtol: 0, atol: context.options.tolerances.normalFloat32Atol } : null,
    exact: !approximate,
  });
}

/**
 * Declare the RNG checks.
 * @example
 * describeRandom(suite);
 */
export function describeRandom(suite: Suite): void {
  const large = suite.options.large;
  describe('random kernel (Philox4x32-10)', () => {
    for (const [distribution, dtype] of DISTRIBUTION_DTYPES) {
      const exactness = distribution === 'normal' && dtype === 'float32' ? 'within 1e-6' : 'bit for bit';
      suite.check(
        `${distribution} reproduces the reference stream ${exactness} for any key, counter and length (${dtype})`,
        `random.${distribution}:${dtype}`,
        async (context) => {
          const { rng } = context;
          const word = () => rng.int(0, 0xffffffff);
          const sizes = [0, 1, 2, 3, 5, 7, 8, 1029];
          const counters: [number, number][] = [[0, 0], [word(), 0], [word(), word()], [0xfffffffe, 7], [0xffffffff, 0xffffffff]];
          for (const size of sizes) {
            for (const counter of counters) {
              const [low, high] = rng.pick(RANDINT_BOUNDS);
              const request: RandomRequest = { distribution, key: [word(), rng.chance(0.5) ? 0 : word()], counter, low, high };
              await checkRandom(context, dtype, size, request);
            }
          }
          if (distribution === 'randint') {
            for (const [low, high] of RANDINT_BOUNDS) await checkRandom(context, dtype, 257, { distribution, key: [42, 0], counter: [3, 0], low, high });
          }
          if (large) await checkRandom(context, dtype, sizeOf(LARGE_SHAPE), { distribution, key: [word(), word()], counter: [0xfffff000, 1], low: -3, high: 1000 });
        },
        { dtype },
      );
    }
  });
}
