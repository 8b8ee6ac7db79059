/**
 * The float32 fast paths (src/kernels/float32.ts) must compute exactly what the generic kernels
 * compute: every op, on contiguous operands and on strided / broadcast views of the same data,
 * matches a per-element float64 reference rounded to float32, bit for bit (−0 and NaN included).
 */
import { describe, expect, it } from 'vitest';
import { erf, roundHalfEven, sigmoid } from '../src/kernels/unary';
import { indices, randomValues, setup } from './helpers';
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type StridedView, type UnaryOp, intPow } from '@tessera/core/backend';

const ROWS = 5;
const COLS = 67; // odd and > 32: exercises the unrolled loops' tails and the relu bit path

/** Random float32 values with NaN, ±0, ±∞ and a denormal mixed in. */
function specialValues(count: number, seed: number): number[] {
  const values = randomValues(count, seed).map((v) => Math.fround(v * 4));
  const specials = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45, 2147483648, -2147483904, 1.5, -2.5];
  for (let i = 0; i < specials.length; i++) values[(i * 7 + seed) % count] = specials[i];
  return values.map(Math.fround);
}

function expectIdentical(actual: number[], expected: number[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${label}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** The ways a [ROWS, COLS] operand can be laid out over `values` (each view reads `logical`). */
function layouts(input: ReturnType<typeof setup>['input'], logical: number[]): Record<string, StridedView> {
  // Transposed storage: element [r, c] at c·ROWS + r.
  const transposedData = new Array<number>(logical.length);
  for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) transposedData[c * ROWS + r] = logical[r * COLS + c];
  // Reversed storage with a 3-element offset: element [r, c] at 3 + (ROWS·COLS − 1 − (r·COLS + c)).
  const reversedData = [7, 7, 7, ...logical.slice().reverse()];
  const reversed = input(reversedData, [reversedData.length]);
  return {
    contiguous: input(logical, [ROWS, COLS]),
    transposed: { ...input(transposedData, [COLS, ROWS]), shape: [ROWS, COLS], strides: [1, ROWS] },
    reversed: { ...reversed, shape: [ROWS, COLS], strides: [-COLS, -1], offset: 3 + logical.length - 1 },
  };
}

/** Broadcast views: a scalar, a repeated last-dim row (bias) and a repeated column. */
function broadcasts(input: ReturnType<typeof setup>['input'], row: number[], column: number[]): Record<string, [StridedView, number[]]> {
  const logicalRow = indices([ROWS, COLS]).map(([, c]) => row[c]);
  const logicalColumn = indices([ROWS, COLS]).map(([r]) => column[r]);
  return {
    scalar: [{ ...input([row[1]], [1]), shape: [ROWS, COLS], strides: [0, 0] }, logicalRow.map(() => row[1])],
    row: [{ ...input(row, [COLS]), shape: [ROWS, COLS], strides: [0, 1] }, logicalRow],
    column: [{ ...input(column, [ROWS]), shape: [ROWS, COLS], strides: [1, 0] }, logicalColumn],
  };
}

const f32 = Math.fround;
const TRANSCENDENTAL = new Set<UnaryOp>(['exp', 'log', 'tanh', 'sigmoid', 'erf']);

function binaryReference(op: BinaryOp, p: number, q: number): number {
  switch (op) {
    case 'add': return f32(p + q);
    case 'sub': return f32(p - q);
    case 'mul': return f32(p * q);
    case 'div': return f32(p / q);
    case 'pow': return f32(Math.pow(p, q));
    case 'maximum': return p !== p || q !== q ? NaN : f32(p > q ? p : q);
    case 'minimum': return p !== p || q !== q ? NaN : f32(p < q ? p : q);
    case 'eq': return p === q ? 1 : 0;
    case 'ne': return p !== q ? 1 : 0;
    case 'lt': return p < q ? 1 : 0;
    case 'le': return p <= q ? 1 : 0;
    case 'gt': return p > q ? 1 : 0;
    case 'ge': return p >= q ? 1 : 0;
    case 'logicalAnd': return p !== 0 && q !== 0 ? 1 : 0;
    case 'logicalOr': return p !== 0 || q !== 0 ? 1 : 0;
  }
  throw new Error(`no reference for ${op}`);
}

function unaryReference(op: UnaryOp, v: number): number {
  switch (op) {
    case 'neg': return -v;
    case 'abs': return Math.abs(v);
    case 'sign': return Math.sign(v);
    case 'exp': return f32(Math.exp(v));
    case 'log': return f32(Math.log(v));
    case 'sqrt': return f32(Math.sqrt(v));
    case 'rsqrt': return f32(1 / Math.sqrt(v));
    case 'sin': return f32(Math.sin(v));
    case 'cos': return f32(Math.cos(v));
    case 'tanh': return f32(Math.tanh(v));
    case 'sigmoid': return f32(sigmoid(v));
    case 'relu': return v < 0 ? 0 : v;
    case 'erf': return f32(erf(v));
    case 'reciprocal': return f32(1 / v);
    case 'floor': return Math.floor(v);
    case 'ceil': return Math.ceil(v);
    case 'round': return roundHalfEven(v);
    case 'logicalNot': return v === 0 ? 1 : 0;
  }
  throw new Error(`no reference for ${op}`);
}

const isComparison = (op: BinaryOp): boolean => !['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'].includes(op);

describe('float32 binary fast paths', () => {
  it.each(BINARY_OPS.map((op) => [op]))('%s matches the reference for every layout and broadcast', (op) => {
    const { backend, input, output, read } = setup();
    const left = specialValues(ROWS * COLS, 3);
    const right = specialValues(ROWS * COLS, 5);
    const outDtype = isComparison(op) ? 'bool' : 'float32';
    const check = (a: StridedView, aLogical: number[], b: StridedView, bLogical: number[], label: string): void => {
      const out = output([ROWS, COLS], outDtype);
      backend.binary(op, a, b, out);
      expectIdentical(read(out), aLogical.map((p, i) => binaryReference(op, p, bLogical[i])), `${op} ${label}`);
    };
    const lefts = layouts(input, left);
    const rights = layouts(input, right);
    for (const [aName, a] of Object.entries(lefts)) {
      for (const [bName, b] of Object.entries(rights)) check(a, left, b, right, `${aName} ∘ ${bName}`);
    }
    const row = specialValues(COLS, 11);
    const column = specialValues(ROWS, 2);
    for (const [name, [view, logical]] of Object.entries(broadcasts(input, row, column))) {
      check(lefts.contiguous, left, view, logical, `contiguous ∘ ${name}`);
      check(view, logical, lefts.contiguous, left, `${name} ∘ contiguous`);
      check(lefts.transposed, left, view, logical, `transposed ∘ ${name}`);
    }
  });

  it('x + bias (row broadcast) equals x + the materialised bias', () => {
    const { backend, input, output, read } = setup();
    const x = input(randomValues(ROWS * COLS, 1), [ROWS, COLS]);
    const bias = randomValues(COLS, 2);
    const broadcastOut = output([ROWS, COLS]);
    backend.binary('add', x, { ...input(bias, [COLS]), shape: [ROWS, COLS], strides: [0, 1] }, broadcastOut);
    const materialisedOut = output([ROWS, COLS]);
    backend.binary('add', x, input(indices([ROWS, COLS]).map(([, c]) => bias[c]), [ROWS, COLS]), materialisedOut);
    expect(read(broadcastOut)).toEqual(read(materialisedOut));
  });

  it('int32 still wraps through the generic path', () => {
    const { backend, input, output, read } = setup();
    const out = output([2], 'int32');
    backend.binary('pow', input([2, 3], [2], 'int32'), input([31, 2], [2], 'int32'), out);
    expect(read(out)).toEqual([intPow(2, 31), 9]);
  });
});

describe('float32 unary fast paths', () => {
  it.each(UNARY_OPS.map((op) => [op]))('%s matches the reference on contiguous and strided views', (op) => {
    // exp/log/tanh/sigmoid/erf have SIMD polynomial kernels (checked to 1e-6 in transcendental.test.ts and
    // simd-rest.test.ts): pin the JS path here.
    const { backend, input, output, read } = setup(TRANSCENDENTAL.has(op) ? { threads: 1, simd: false } : undefined);
    const values = specialValues(ROWS * COLS, 7);
    const expected = values.map((v) => unaryReference(op, v));
    for (const [name, view] of Object.entries(layouts(input, values))) {
      const out = output([ROWS, COLS], op === 'logicalNot' ? 'bool' : 'float32');
      backend.unary(op, view, out);
      expectIdentical(read(out), expected, `${op} ${name}`);
    }
  });

  it('relu keeps −0 and NaN and zeroes every other negative, short rows and long', () => {
    const { backend, input, output, read } = setup();
    for (const count of [5, 40]) {
      const values = Array.from({ length: count }, (_, i) => Math.fround([-0, 0, NaN, -Infinity, Infinity, -1e-45, 1e-45, -3, 3, -2147483648][i % 10]));
      const out = output([count]);
      backend.unary('relu', input(values, [count]), out);
      expectIdentical(read(out), values.map((v) => (v < 0 ? 0 : v)), `relu of ${count}`);
    }
  });
});

describe('float32 cast, where and assign fast paths', () => {
  it('cast float32 → int32 / bool / float64 matches the generic rules', () => {
    const { backend, input, output, read } = setup();
    const values = [...specialValues(ROWS * COLS, 9).slice(0, 60), 2147483520, -2147483648, 3e9, -3e9, -0.5, 0.99].map(Math.fround);
    for (const [dtype, convert] of [
      ['int32', (v: number) => (v !== v || !Number.isFinite(v) ? 0 : v >= 2147483647 ? 2147483647 : v <= -2147483648 ? -2147483648 : Math.trunc(v) | 0)],
      ['bool', (v: number) => (v !== 0 ? 1 : 0)],
      ['float64', (v: number) => v],
    ] as const) {
      const view = input(values, [values.length]);
      const out = output([values.length], dtype);
      backend.cast(view, out);
      expectIdentical(read(out), values.map(convert), `cast to ${dtype}`);
      const reversedOut = output([values.length], dtype);
      const reversed = input(values.slice().reverse(), [values.length]);
      backend.cast({ ...reversed, strides: [-1], offset: values.length - 1 }, reversedOut);
      expectIdentical(read(reversedOut), values.map(convert), `cast reversed to ${dtype}`);
    }
  });

  it('where picks float32 values under a bool mask for contiguous and broadcast operands', () => {
    const { backend, input, output, read } = setup();
    const mask = randomValues(ROWS * COLS, 4).map((v) => (v > 0 ? 1 : 0));
    const a = specialValues(ROWS * COLS, 1);
    const b = specialValues(ROWS * COLS, 2);
    const cond = input(mask, [ROWS, COLS], 'bool');
    const views = layouts(input, a);
    const scalar = { ...input([-5], [1]), shape: [ROWS, COLS], strides: [0, 0] };
    for (const [name, view] of Object.entries(views)) {
      const out = output([ROWS, COLS]);
      backend.where(cond, view, input(b, [ROWS, COLS]), out);
      expectIdentical(read(out), mask.map((m, i) => (m ? a[i] : b[i])), `where ${name}`);
      const filled = output([ROWS, COLS]);
      backend.where(cond, scalar, view, filled);
      expectIdentical(read(filled), mask.map((m, i) => (m ? -5 : a[i])), `masked fill ${name}`);
    }
  });

  it('assign copies strided float32 views exactly', () => {
    const { backend, input, read } = setup();
    const values = specialValues(ROWS * COLS, 6);
    for (const [name, view] of Object.entries(layouts(input, values))) {
      const target = input(new Array<number>(ROWS * COLS).fill(1), [ROWS, COLS]);
      backend.assign(target, view);
      expectIdentical(read({ ...target, shape: [ROWS * COLS] }), values, `assign from ${name}`);
      const transposedTarget = input(new Array<number>(ROWS * COLS).fill(1), [COLS, ROWS]);
      backend.assign({ ...transposedTarget, shape: [ROWS, COLS], strides: [1, ROWS] }, view);
      const got = read({ ...transposedTarget, shape: [ROWS * COLS] });
      expectIdentical(indices([ROWS, COLS]).map(([r, c]) => got[c * ROWS + r]), values, `assign into transposed from ${name}`);
    }
  });
});

describe('float32 reduction, softmax and layerNorm fast paths', () => {
  /** float64 left-to-right fold of a line, as the kernels accumulate. */
  const fold = (op: 'sum' | 'max' | 'min', line: number[]): number => {
    let value = op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity;
    for (const v of line) {
      if (op === 'sum') value += v;
      else if (op === 'max' ? v > value || v !== v : v < value || v !== v) value = v;
      if (op !== 'sum' && value !== value) break;
    }
    return f32(value);
  };

  it.each([['sum'], ['max'], ['min']] as const)('%s over the last dim, the first dim and everything, for every layout', (op) => {
    const { backend, input, output, read } = setup();
    const values = randomValues(ROWS * COLS, 8).map((v) => f32(v * 3));
    values[2 * COLS + 5] = NaN; // row 2, column 5
    const rowsOf = (r: number) => values.slice(r * COLS, (r + 1) * COLS);
    const columnOf = (c: number) => Array.from({ length: ROWS }, (_, r) => values[r * COLS + c]);
    for (const [name, view] of Object.entries(layouts(input, values))) {
      const lastDim = output([ROWS]);
      backend.reduce(op, view, [1], lastDim);
      expectIdentical(read(lastDim), Array.from({ length: ROWS }, (_, r) => fold(op, rowsOf(r))), `${op}(-1) ${name}`);
      const firstDim = output([COLS]);
      backend.reduce(op, view, [0], firstDim);
      const expectedFirst = Array.from({ length: COLS }, (_, c) => fold(op, columnOf(c)));
      if (name === 'contiguous') expectIdentical(read(firstDim), expectedFirst, `${op}(0) ${name}`);
      else expect(read(firstDim).map((v, c) => Math.abs(v - expectedFirst[c]) <= 1e-5 || (v !== v && expectedFirst[c] !== expectedFirst[c]))).not.toContain(false);
      const all = output([]);
      backend.reduce(op, view, [0, 1], all);
      if (op !== 'sum' || name === 'contiguous') expectIdentical(read(all), [fold(op, values)], `${op}() ${name}`);
    }
  });

  it('sum over dim 0 of a [128, 256] gradient equals the column sums', () => {
    const { backend, input, output, read } = setup();
    const values = randomValues(128 * 256, 12);
    const rounded = values.map(f32);
    const out = output([256]);
    backend.reduce('sum', input(values, [128, 256]), [0], out);
    const expected = Array.from({ length: 256 }, (_, c) => fold('sum', Array.from({ length: 128 }, (_, r) => rounded[r * 256 + c])));
    expectIdentical(read(out), expected, 'bias gradient');
  });

  const softmaxReference = (line: number[], log: boolean): number[] => {
    let max = -Infinity;
    for (const v of line) if (v > max || v !== v) max = v;
    let sum = 0;
    for (const v of line) sum += Math.exp(v - max);
    if (log) return line.map((v) => f32(v - (max + Math.log(sum))));
    return line.map((v) => f32(Math.exp(v - max) * (1 / sum)));
  };

  it.each([[false], [true]])('softmax (log = %s) over the last and first dim matches the reference for every layout', (log) => {
    // The JS kernel (the SIMD one, for contiguous last-axis rows, is checked to 1e-6 in transcendental.test.ts).
    const { backend, input, output, read } = setup({ threads: 1, simd: false });
    const values = randomValues(ROWS * COLS, 13).map((v) => f32(v * 10));
    values[COLS + 3] = NaN;
    const kernel = (view: StridedView, axis: number, out: ReturnType<typeof output>) =>
      log ? backend.logSoftmax(view, axis, out) : backend.softmax(view, axis, out);
    for (const [name, view] of Object.entries(layouts(input, values))) {
      const out = output([ROWS, COLS]);
      kernel(view, 1, out);
      const expected = Array.from({ length: ROWS }, (_, r) => softmaxReference(values.slice(r * COLS, (r + 1) * COLS), log)).flat();
      expectIdentical(read(out), expected, `softmax(-1) ${name}`);
      const columns = output([ROWS, COLS]);
      kernel(view, 0, columns);
      const perColumn = Array.from({ length: COLS }, (_, c) => softmaxReference(Array.from({ length: ROWS }, (_, r) => values[r * COLS + c]), log));
      expectIdentical(read(columns), indices([ROWS, COLS]).map(([r, c]) => perColumn[c][r]), `softmax(0) ${name}`);
    }
  });

  it('layerNorm on float32 matches the reference with and without weight and bias, contiguous or not', () => {
    const { backend, input, output, read } = setup();
    const values = randomValues(ROWS * COLS, 14).map(f32);
    const weight = randomValues(COLS, 15).map(f32);
    const bias = randomValues(COLS, 16).map(f32);
    const eps = 1e-5;
    const reference = (useWeight: boolean, useBias: boolean): number[] => {
      const result: number[] = [];
      for (let r = 0; r < ROWS; r++) {
        const line = values.slice(r * COLS, (r + 1) * COLS);
        let sum = 0;
        for (const v of line) sum += v;
        const mean = sum / COLS;
        let squares = 0;
        for (const v of line) squares += (v - mean) * (v - mean);
        const rstd = 1 / Math.sqrt(squares / COLS + eps);
        line.forEach((v, c) => {
          let value = (v - mean) * rstd;
          if (useWeight) value *= weight[c];
          if (useBias) value += bias[c];
          result.push(f32(value));
        });
      }
      return result;
    };
    const reversedWeight = input([0, ...weight.slice().reverse()], [COLS + 1]);
    const weightViews = { contiguous: input(weight, [COLS]), reversed: { ...reversedWeight, shape: [COLS], strides: [-1], offset: COLS } };
    for (const [name, view] of Object.entries(layouts(input, values))) {
      for (const [weightName, weightView] of Object.entries(weightViews)) {
        for (const [useWeight, useBias] of [[true, true], [true, false], [false, true], [false, false]]) {
          const out = output([ROWS, COLS]);
          const mean = output([ROWS]);
          const rstd = output([ROWS]);
          backend.layerNorm(view, useWeight ? weightView : null, useBias ? input(bias, [COLS]) : null, COLS, eps, out, mean, rstd);
          expectIdentical(read(out), reference(useWeight, useBias), `layerNorm ${name} weight ${weightName} ${useWeight} bias ${useBias}`);
        }
      }
    }
  });
});
