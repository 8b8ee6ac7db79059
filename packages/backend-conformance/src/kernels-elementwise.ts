/**
 * Element-wise kernels: `unary`, `binary`, `where` and `cast` on every view layout.
 */
import { describe } from 'vitest';
import { LARGE_SHAPE, VIEW_KINDS, hostData, standardShapes, type ValueDomain } from './generators';
import type { CheckContext, PairedInput, Suite } from './harness';
import { expectClose } from './tolerance';
import { BINARY_OPS, COMPARISON_OPS, UNARY_OPS, type BinaryOp, type DType, type UnaryOp } from '@tessera/core/backend';

/**
 * All dtypes, in the order tests are declared.
 * @example
 * for (const dtype of ALL_DTYPES) suite.check(`… (${dtype})`, `where:${dtype}`, body, { dtype });
 */
export const ALL_DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool', 'float16'];
/**
 * The floating dtypes (float16 runs only on backends that list it).
 * @example
 * for (const dtype of FLOAT_DTYPES) suite.check(`… (${dtype})`, `softmax:${dtype}`, body, { dtype });
 */
export const FLOAT_DTYPES: readonly DType[] = ['float32', 'float64', 'float16'];
const NUMERIC_DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'float16'];

/** Unary ops core only sends float inputs (it casts integers first). */
const FLOAT_ONLY_UNARY = new Set<UnaryOp>(['exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'erf', 'reciprocal']);

/**
 * The dtypes core sends to a unary op.
 * @example
 * unaryDtypes('exp');        // ['float32', 'float64', 'float16']
 * unaryDtypes('logicalNot'); // all five
 */
export function unaryDtypes(op: UnaryOp): readonly DType[] {
  if (op === 'logicalNot') return ALL_DTYPES;
  return FLOAT_ONLY_UNARY.has(op) ? FLOAT_DTYPES : NUMERIC_DTYPES;
}

/**
 * Where a unary op's random inputs come from (inside its domain, so results are finite).
 * @example
 * unaryDomain('log', 'float32'); // { kind: 'positive', low: 1e-3, high: 1e3 }
 */
export function unaryDomain(op: UnaryOp, dtype: DType): ValueDomain {
  if (dtype === 'int32') {
    return op === 'logicalNot' ? { kind: 'choices', values: [0, 0, 1, -7, 123456] } : { kind: 'int32' };
  }
  switch (op) {
    case 'exp':
      return { kind: 'uniform', low: -10, high: 10 };
    case 'log':
    case 'sqrt':
    case 'rsqrt':
      return { kind: 'positive', low: 1e-3, high: 1e3 };
    case 'reciprocal':
      return { kind: 'awayFromZero', low: 0.05, high: 20 };
    case 'floor':
    case 'ceil':
    case 'round':
      // Quarters hit exact halves (round half to even) and exact integers.
      return { kind: 'choices', values: [-2.5, -1.5, -1.25, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1.5, 2.5, 3.5, 3.75, 4, -4] };
    case 'logicalNot':
      return { kind: 'choices', values: [0, 0, 1.5, -2, 0.25] };
    default:
      return { kind: 'uniform', low: -4, high: 4 };
  }
}

/**
 * The dtypes core sends to a binary op (arithmetic keeps the dtype; comparisons take any).
 * @example
 * binaryDtypes('div'); // ['float32', 'float64', 'float16']
 */
export function binaryDtypes(op: BinaryOp): readonly DType[] {
  if (COMPARISON_OPS.has(op)) return ALL_DTYPES;
  return op === 'div' ? FLOAT_DTYPES : NUMERIC_DTYPES;
}

/**
 * Where a binary op's two random inputs come from.
 * @example
 * binaryDomains('pow', 'int32'); // bases −9…9, exponents 0…12
 */
export function binaryDomains(op: BinaryOp, dtype: DType): [ValueDomain, ValueDomain] {
  const integer = dtype === 'int32';
  switch (op) {
    case 'div':
      return [{ kind: 'uniform', low: -10, high: 10 }, { kind: 'awayFromZero', low: 0.25, high: 10 }];
    case 'pow':
      return integer
        ? [{ kind: 'integers', low: -9, high: 9 }, { kind: 'integers', low: 0, high: 12 }]
        : [{ kind: 'positive', low: 0.1, high: 4 }, { kind: 'uniform', low: -3, high: 3 }];
    case 'eq':
    case 'ne':
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      // Few distinct values so that equal pairs are common.
      const values = integer ? [-2, -1, 0, 1, 2] : [-1, -0.5, 0, 0.5, 1];
      return [{ kind: 'choices', values }, { kind: 'choices', values }];
    }
    case 'logicalAnd':
    case 'logicalOr': {
      const values = integer ? [0, 0, 3, -1] : [0, 0, 1.5, -2];
      return [{ kind: 'choices', values }, { kind: 'choices', values }];
    }
    default:
      return integer ? [{ kind: 'int32' }, { kind: 'int32' }] : [{ kind: 'uniform', low: -10, high: 10 }, { kind: 'uniform', low: -10, high: 10 }];
  }
}

/** IEEE special values every float unary op is checked on. */
const SPECIAL_VALUES = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, NaN, Infinity, -Infinity, 1e-30, -1e-30, 1e-7, 20, -20, 80, -80, 100, -100];

/** Special values for one op, minus the ones whose result the contract leaves open. */
function specialValuesFor(op: UnaryOp): number[] {
  return SPECIAL_VALUES.filter((value) => {
    if (op === 'sign' && Number.isNaN(value)) return false; // sign(NaN) is unspecified
    if (op === 'rsqrt' && Object.is(value, -0)) return false; // 1/√−0 is −∞ in IEEE but commonly +∞
    return true;
  });
}

/** Run one unary op on one random input and compare. */
async function checkUnary(context: CheckContext, op: UnaryOp, dtype: DType, shape: readonly number[], kind: (typeof VIEW_KINDS)[number]): Promise<void> {
  const { session, rng } = context;
  const input = session.randomInput(rng, shape, kind, dtype, unaryDomain(op, dtype));
  await compareUnary(context, op, input);
}

/** Run a unary op on an uploaded input on both backends and compare the outputs. */
async function compareUnary(context: CheckContext, op: UnaryOp, input: PairedInput): Promise<void> {
  const { session } = context;
  const outDtype = op === 'logicalNot' ? 'bool' : input.dtype;
  const out = session.output(outDtype, input.spec.shape);
  session.backend.unary(op, input.plugin, out.plugin);
  session.reference.unary(op, input.reference, out.reference);
  const { actual, expected } = await session.read(out);
  expectClose(actual, expected, `unary ${op} (${input.dtype}) on ${input.spec.label}`, {
    tolerance: context.tolerance(outDtype),
    extraAtol: op === 'erf' ? context.options.tolerances.erfAtol : 0,
    shape: input.spec.shape,
  });
}

/** Run one binary op on two random inputs of `shape` with independent layouts and compare. */
async function checkBinary(
  context: CheckContext,
  op: BinaryOp,
  dtype: DType,
  shape: readonly number[],
  kinds: readonly [(typeof VIEW_KINDS)[number], (typeof VIEW_KINDS)[number]],
): Promise<void> {
  const { session, rng } = context;
  const [domainA, domainB] = binaryDomains(op, dtype);
  const a = session.randomInput(rng, shape, kinds[0], dtype, domainA);
  const b = session.randomInput(rng, shape, kinds[1], dtype, domainB);
  await compareBinary(context, op, a, b);
}

async function compareBinary(
  context: CheckContext,
  op: BinaryOp,
  a: PairedInput,
  b: PairedInput,
): Promise<void> {
  const { session } = context;
  const outDtype = COMPARISON_OPS.has(op) ? 'bool' : a.dtype;
  const out = session.output(outDtype, a.spec.shape);
  session.backend.binary(op, a.plugin, b.plugin, out.plugin);
  session.reference.binary(op, a.reference, b.reference, out.reference);
  const { actual, expected } = await session.read(out);
  expectClose(actual, expected, `binary ${op} (${a.dtype}) on a = ${a.spec.label}, b = ${b.spec.label}`, {
    tolerance: context.tolerance(outDtype),
    shape: a.spec.shape,
  });
}

/**
 * Values a cast is checked on besides random ones: truncation, NaN/∞, clamping, float32 rounding,
 * and float16 rounding (max half, the overflow tie, ties to even, subnormals, the underflow tie).
 */
const CAST_EDGE_VALUES = [
  NaN, Infinity, -Infinity, 3e9, -3e9, 2.5, -2.5, 0.7, -0.7, -0, 0, 16777217, 2147483520, -2147483648, 1,
  65504, 65519, 65520, -70000, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 / 3, 2 ** -24, 2 ** -25, 3 * 2 ** -25, -(2 ** -20),
];

/**
 * Declare the element-wise checks.
 * @example
 * describeElementwiseKernels(suite); // inside runConformance's describe block
 */
export function describeElementwiseKernels(suite: Suite): void {
  const large = suite.options.large;

  describe('unary kernels', () => {
    for (const op of UNARY_OPS) {
      for (const dtype of unaryDtypes(op)) {
        suite.check(
          `${op} matches the reference on 0-d, empty, odd-sized and strided views (${dtype})`,
          `unary.${op}:${dtype}`,
          async (context) => {
            for (const shapeCase of standardShapes(context.rng, false)) {
              for (const kind of VIEW_KINDS) await checkUnary(context, op, dtype, shapeCase.shape, kind);
            }
          },
          { dtype },
        );
      }
    }
    for (const dtype of FLOAT_DTYPES) {
      suite.check(
        `float unary ops follow IEEE special values: NaN, ±∞, ±0, halves, tiny and huge inputs (${dtype})`,
        `unary.special:${dtype}`,
        async (context) => {
          for (const op of UNARY_OPS) {
            const values = specialValuesFor(op);
            await compareUnary(context, op, context.session.contiguousInput([values.length], dtype, hostData(dtype, values)));
          }
        },
        { dtype },
      );
    }
    suite.check(
      'int32 unary ops wrap at the int32 limits (neg and abs of −2³¹ stay −2³¹)',
      'unary.int32Limits:int32',
      async (context) => {
        const values = Int32Array.from([-2147483648, 2147483647, -1, 0, 1]);
        for (const op of UNARY_OPS.filter((name) => unaryDtypes(name).includes('int32'))) {
          await compareUnary(context, op, context.session.contiguousInput([values.length], 'int32', values));
        }
      },
      { dtype: 'int32' },
    );
    suite.check(
      'unary kernels handle a transposed view past one million elements',
      'unary.large:float32',
      async (context) => {
        await checkUnary(context, 'exp', 'float32', LARGE_SHAPE, 'permuted');
        await checkUnary(context, 'neg', 'float32', LARGE_SHAPE, 'flipped');
      },
      { dtype: 'float32', large: true },
    );
  });

  describe('binary kernels', () => {
    for (const op of BINARY_OPS) {
      for (const dtype of binaryDtypes(op)) {
        suite.check(
          `${op} matches the reference on 0-d, empty, broadcast, permuted, sliced and flipped operands (${dtype})`,
          `binary.${op}:${dtype}`,
          async (context) => {
            for (const shapeCase of standardShapes(context.rng, false)) {
              for (let k = 0; k < VIEW_KINDS.length; k++) {
                const kinds = [VIEW_KINDS[k], VIEW_KINDS[(k + 2) % VIEW_KINDS.length]] as const;
                await checkBinary(context, op, dtype, shapeCase.shape, kinds);
              }
            }
          },
          { dtype },
        );
      }
    }
    for (const dtype of FLOAT_DTYPES) {
      suite.check(
        `binary ops propagate NaN through maximum/minimum and compare NaN as unordered (${dtype})`,
        `binary.special:${dtype}`,
        async (context) => {
          const left = [NaN, 1, NaN, Infinity, -Infinity, 0, -0, 2, Infinity, -3];
          const right = [1, NaN, NaN, Infinity, 1, -0, 0, 2, -Infinity, 0.5];
          const upload = (values: number[]) => context.session.contiguousInput([values.length], dtype, hostData(dtype, values));
          for (const op of BINARY_OPS) {
            if (op === 'pow') {
              // Negative bases with integer exponents are real; 0⁰ = 1.
              await compareBinary(context, op, upload([0, -2, -2, 2, 0, 4, -1, 3]), upload([0, 3, 2, -1, 2, 0.5, 5, 0]));
            } else {
              await compareBinary(context, op, upload(left), upload(right));
            }
          }
        },
        { dtype },
      );
    }
    suite.check(
      'binary kernels handle broadcast and flipped operands past one million elements',
      'binary.large:float32',
      async (context) => {
        await checkBinary(context, 'add', 'float32', LARGE_SHAPE, ['broadcast', 'flipped']);
        await checkBinary(context, 'mul', 'float32', LARGE_SHAPE, ['permuted', 'sliced']);
      },
      { dtype: 'float32', large: true },
    );
  });

  describe('where kernel', () => {
    for (const dtype of ALL_DTYPES) {
      suite.check(
        `where picks a where cond is true, b elsewhere, on any layouts (${dtype})`,
        `where:${dtype}`,
        async (context) => {
          const { session, rng } = context;
          const domain: ValueDomain = dtype === 'int32' ? { kind: 'int32' } : { kind: 'uniform', low: -5, high: 5 };
          const shapes = standardShapes(rng, false).map((shapeCase) => shapeCase.shape);
          if (large) shapes.push(LARGE_SHAPE);
          for (const shape of shapes) {
            for (let k = 0; k < VIEW_KINDS.length; k++) {
              if (shape === LARGE_SHAPE && k > 0) break;
              const cond = session.randomInput(rng, shape, VIEW_KINDS[(k + 1) % VIEW_KINDS.length], 'bool', { kind: 'int32' });
              const a = session.randomInput(rng, shape, VIEW_KINDS[k], dtype, domain);
              const b = session.randomInput(rng, shape, VIEW_KINDS[(k + 3) % VIEW_KINDS.length], dtype, domain);
              const out = session.output(dtype, shape);
              session.backend.where(cond.plugin, a.plugin, b.plugin, out.plugin);
              session.reference.where(cond.reference, a.reference, b.reference, out.reference);
              const { actual, expected } = await session.read(out);
              expectClose(actual, expected, `where (${dtype}) with cond ${cond.spec.label}, a ${a.spec.label}, b ${b.spec.label}`, {
                tolerance: null,
                shape,
              });
            }
          }
        },
        { dtype },
      );
    }
  });

  describe('cast kernel', () => {
    for (const from of ALL_DTYPES) {
      for (const to of ALL_DTYPES) {
        suite.check(
          `cast ${from} → ${to} truncates, clamps, maps NaN/∞ and rounds as specified`,
          `cast:${from}->${to}`,
          async (context) => {
            const { session, rng } = context;
            const domain: ValueDomain = from === 'int32' ? { kind: 'int32' } : { kind: 'uniform', low: -100, high: 100 };
            const cases: { shape: readonly number[]; kind: (typeof VIEW_KINDS)[number] }[] = standardShapes(rng, false).flatMap((shapeCase) =>
              ['contiguous', 'mixed', 'flipped'].map((kind) => ({ shape: shapeCase.shape, kind: kind as (typeof VIEW_KINDS)[number] })),
            );
            if (large && from === 'float32' && to === 'int32') cases.push({ shape: LARGE_SHAPE, kind: 'permuted' });
            for (const { shape, kind } of cases) {
              const input = session.randomInput(rng, shape, kind, from, domain);
              await compareCast(context, input, to);
            }
            if (FLOAT_DTYPES.includes(from)) {
              await compareCast(context, session.contiguousInput([CAST_EDGE_VALUES.length], from, hostData(from, CAST_EDGE_VALUES)), to);
            }
          },
          { dtypes: [from, to] },
        );
      }
    }
  });
}

async function compareCast(context: CheckContext, input: PairedInput, to: DType): Promise<void> {
  const { session } = context;
  const out = session.output(to, input.spec.shape);
  session.backend.cast(input.plugin, out.plugin);
  session.reference.cast(input.reference, out.reference);
  const { actual, expected } = await session.read(out);
  // Rounding to float16 is exact (round to nearest even, as core's float32ToFloat16Bits).
  const tolerance = to === 'float16' ? null : context.tolerance(to);
  expectClose(actual, expected, `cast ${input.dtype} → ${to} on ${input.spec.label}`, { tolerance, shape: input.spec.shape });
}
