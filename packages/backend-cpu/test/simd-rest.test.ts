/**
 * The WebAssembly kernels for erf, where, cast, cumsum, softmax over a non-last axis, pooling,
 * gather / scatterAdd and layerNorm, on one thread and split across two: against core's float64
 * reference backend (erf and softmax within 1e-6 relative, the rest exactly where the float32
 * rounding is the same) and bit for bit against the JavaScript kernels (`simd: false`) where the
 * WebAssembly kernels promise it. Sizes pass the split threshold (2¹⁸ elements), rows have odd
 * tails, operands are broadcast, and values include NaN, ±0, ±∞, ties and out-of-range indices.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ReferenceBackend } from '@tessera/core/testing';
import { CpuBackend } from '../src/cpu-backend';
import { contiguous, randomValues, recordingSimdBackend, size } from './helpers';
import { erf, floatToInt32, type Backend, type DType, type OutputBuffer, type Pool2dParams, type StridedView } from '@tessera/core/backend';

const f32 = Math.fround;

/** One backend plus helpers to make views and outputs from plain arrays and read them back. */
function side(backend: Backend) {
  const arrayFor = (dtype: DType, values: ArrayLike<number>) =>
    dtype === 'float32' ? Float32Array.from(values) : dtype === 'float64' ? Float64Array.from(values)
      : dtype === 'int32' ? Int32Array.from(values) : Uint8Array.from(values);
  return {
    backend,
    /** A view of `values` with `shape` (contiguous unless strides/offset are given). */
    input(values: ArrayLike<number>, shape: number[], dtype: DType = 'float32', layout: Partial<StridedView> = {}): StridedView {
      const id = backend.alloc(values.length, dtype);
      backend.write(id, arrayFor(dtype, values));
      return { id, dtype, shape, strides: contiguous(shape), offset: 0, ...layout };
    },
    output(shape: number[], dtype: DType = 'float32'): OutputBuffer {
      return { id: backend.alloc(size(shape), dtype), dtype, shape };
    },
    read(out: OutputBuffer): number[] {
      return Array.from(backend.readSync!(out.id, out.dtype, 0, size(out.shape)));
    },
  };
}
type Side = ReturnType<typeof side>;

const created: CpuBackend[] = [];
afterAll(() => created.forEach((backend) => backend.dispose()));

/** A SIMD backend with `threads`, recording the largest chunk count per kernel. */
function simdBackend(threads: number): { backend: CpuBackend; chunks: Map<string, number> } {
  const { backend, maxChunks } = recordingSimdBackend(threads, created);
  return { backend, chunks: maxChunks };
}

const jsBackend = new CpuBackend({ simd: false, threads: 1 });
created.push(jsBackend);

/**
 * Run `body` on the float64 reference, the JS kernels and the SIMD kernels (with `threads`); returns
 * each side's outputs and the SIMD backend's chunk counts.
 */
function runAll(threads: number, body: (s: Side) => OutputBuffer[]) {
  const { backend, chunks } = simdBackend(threads);
  const results = (target: Backend) => {
    const s = side(target);
    return body(s).map((out) => s.read(out));
  };
  return { reference: results(new ReferenceBackend()), js: results(jsBackend), simd: results(backend), chunks };
}

function expectIdentical(actual: number[], expected: number[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${label}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** |actual − expected| ≤ rtol·|expected| + atol (NaN and ±∞ exactly). */
function expectClose(actual: number[], expected: number[], rtol: number, label: string, atol = 1e-44): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= rtol * Math.abs(e) + atol;
    if (!ok) throw new Error(`${label}: element ${i} is ${a}, expected ${e}`);
  }
}

/** Random float32 values times `scale` with NaN, ±0, ±∞ and a denormal spread through. */
function specials(count: number, seed: number, scale = 4): number[] {
  const values = randomValues(count, seed).map((v) => f32(v * scale));
  const marks = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -3e-39, 2147483648, -2147483904, 3e9, -0.5, 0.99, 2.5, -2.5];
  for (let i = 0; i < marks.length; i++) values[(i * 7919 + seed) % count] = f32(marks[i]);
  return values;
}

/** The largest chunk count of `kernel`: 1 on one thread, several when split. */
function expectSplit(chunks: Map<string, number>, kernel: string, threads: number): void {
  const count = chunks.get(kernel);
  expect(count, `${kernel} did not take the WebAssembly path`).toBeDefined();
  if (threads === 1) expect(count).toBe(1);
  else expect(count).toBeGreaterThan(1);
}

const THREADS = [['1 thread', 1], ['2 threads', 2]] as const;

describe('erf (f32x4 polynomials)', () => {
  it('is within 1e-6 relative of the float64 erf densely over every magnitude, odd, with NaN, ±0 and ±∞ right', () => {
    // Every 509th float32 bit pattern from 0 to 4 (≈2.1 M values, every binade), negated every other time.
    const values: number[] = [];
    const bits = new Int32Array(1);
    const asFloat = new Float32Array(bits.buffer);
    for (let pattern = 0; pattern <= 0x40800000; pattern += 509) {
      bits[0] = pattern;
      values.push(values.length % 2 === 0 ? asFloat[0] : -asFloat[0]);
    }
    values.push(NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45, 3.4028235e38, -3.4028235e38, 3.92, 4, 4.5, -9, 1, -1, 0.99999994, 1.0000001);
    for (const [, threads] of THREADS) {
      const { backend, chunks } = simdBackend(threads);
      const s = side(backend);
      const out = s.output([values.length]);
      backend.unary('erf', s.input(values, [values.length]), out);
      expectSplit(chunks, 'erf', threads);
      const actual = s.read(out);
      for (let i = 0; i < values.length; i++) {
        const expected = f32(erf(values[i]));
        const a = actual[i];
        const ok = Number.isNaN(expected) ? Number.isNaN(a) : expected === 0 ? Object.is(a, expected) : Math.abs(a - expected) <= 1e-6 * Math.abs(expected) + 1e-44;
        if (!ok) throw new Error(`erf(${values[i]}) = ${a}, expected ${expected} (${threads} threads)`);
      }
    }
  });

  it('short rows and strided views take the JavaScript kernel and agree with the reference', () => {
    const values = specials(45, 3);
    const result = runAll(1, (s) => {
      const out = s.output([3, 15]);
      s.backend.unary('erf', s.input(values, [15, 3], 'float32', { shape: [3, 15], strides: [1, 3] }), out);
      return [out];
    });
    expectClose(result.simd[0], result.reference[0], 1e-6, 'erf transposed');
  });
});

describe.each(THREADS)('where, %s', (_, threads) => {
  it.each([['float32'], ['int32']] as const)('%s: contiguous, scalar, row and column broadcasts equal the reference bit for bit', (dtype) => {
    const [rows, cols] = [600, 501];
    const mask = randomValues(rows * cols, 4).map((v) => (v > 0 ? 1 : 0));
    const rowMask = randomValues(rows, 6).map((v) => (v > 0 ? 1 : 0));
    const a = dtype === 'float32' ? specials(rows * cols, 1) : randomValues(rows * cols, 1).map((v) => Math.round(v * 2 ** 31));
    const b = dtype === 'float32' ? specials(rows * cols, 2) : randomValues(rows * cols, 2).map((v) => Math.round(v * 2 ** 31));
    const bias = a.slice(0, cols);
    const result = runAll(threads, (s) => {
      const shape = [rows, cols];
      const cond = s.input(mask, shape, 'bool');
      const x = s.input(a, shape, dtype), y = s.input(b, shape, dtype);
      const scalar = s.input([-7], [1], dtype, { shape, strides: [0, 0] });
      const row = s.input(bias, [cols], dtype, { shape, strides: [0, 1] });
      const columnMask = s.input(rowMask, [rows], 'bool', { shape, strides: [1, 0] });
      const outs = [s.output(shape, dtype), s.output(shape, dtype), s.output(shape, dtype), s.output(shape, dtype)];
      s.backend.where(cond, x, y, outs[0]);
      s.backend.where(cond, scalar, x, outs[1]);
      s.backend.where(cond, row, scalar, outs[2]);
      s.backend.where(columnMask, x, row, outs[3]);
      return outs;
    });
    expectSplit(result.chunks, 'where', threads);
    result.simd.forEach((out, k) => {
      expectIdentical(out, result.reference[k], `where #${k} vs reference`);
      expectIdentical(out, result.js[k], `where #${k} vs JS`);
    });
  });
});

describe.each(THREADS)('cast, %s', (_, threads) => {
  const count = 300_003;
  const floats = specials(count, 9, 3e9);
  const ints = randomValues(count, 10).map((v, i) => (i === 5 ? 2147483647 : i === 6 ? -2147483648 : i === 7 ? 16777217 : Math.round(v * 2 ** 31)));
  const bools = randomValues(count, 11).map((v) => (v > 0 ? 1 : 0));
  const doubles = randomValues(count, 12).map((v, i) => (i % 97 === 0 ? [NaN, Infinity, -Infinity, 3e9, -3e9, 1e300, -0][i % 7] : v * 1e6 + 1 / 3));
  const sources: Record<string, [number[], DType]> = { float32: [floats, 'float32'], int32: [ints, 'int32'], bool: [bools, 'bool'], float64: [doubles, 'float64'] };
  const pairs: [DType, DType][] = [
    ['float32', 'int32'], ['float32', 'bool'], ['float32', 'float64'], ['int32', 'float32'], ['int32', 'bool'], ['int32', 'float64'],
    ['bool', 'float32'], ['bool', 'int32'], ['float64', 'float32'], ['float64', 'int32'],
  ];
  /** core's cast rules on one value. */
  const convert = (v: number, to: DType): number => (to === 'int32' ? floatToInt32(v) | 0 : to === 'bool' ? (v !== 0 ? 1 : 0) : to === 'float32' ? f32(v) : v);

  it.each(pairs)('%s → %s follows the cast rules exactly (contiguous, and rows of a wider buffer)', (from, to) => {
    const [values] = sources[from];
    const result = runAll(threads, (s) => {
      const out = s.output([count], to);
      s.backend.cast(s.input(values, [count], from), out);
      // 3 rows of 40 inside rows of 50: strided rows, contiguous inside.
      const narrow = s.output([3, 40], to);
      s.backend.cast(s.input(values.slice(0, 150), [3, 50], from, { shape: [3, 40], strides: [50, 1] }), narrow);
      return [out, narrow];
    });
    expectSplit(result.chunks, 'cast', threads);
    const expected = values.map((v) => convert(from === 'float32' ? f32(v) : v, to));
    expectIdentical(result.simd[0], expected, `${from} → ${to}`);
    expectIdentical(result.simd[0], result.js[0], `${from} → ${to} vs JS`);
    expectIdentical(result.simd[1], result.js[1], `${from} → ${to} strided rows vs JS`);
    expectIdentical(result.simd[1], result.reference[1], `${from} → ${to} strided rows vs reference`);
  });
});

describe.each(THREADS)('cumsum, %s', (_, threads) => {
  // A single line cannot be split; every other case is.
  const cases: [string, number[], number][] = [
    ['one long row', [300_001], 0],
    ['rows (last axis), 4-row interleave plus a remainder', [1027, 300], 1],
    ['columns (first axis) with a column tail', [300, 1027], 0],
    ['middle axis, blocks of outer indices', [9, 1000, 37], 1],
    ['middle axis, blocks of columns', [2, 50, 3001], 1],
  ];
  it.each(cases)('float32 %s: float64 running sums rounded once, bit for bit', (_, shape, axis) => {
    const values = specials(size(shape), 13, 100).map((v) => (Number.isFinite(v) ? v : 0.5));
    const result = runAll(threads, (s) => {
      const out = s.output(shape);
      s.backend.cumsum(s.input(values, shape), axis, out);
      return [out];
    });
    expectSplit(result.chunks, 'cumsum', shape.length === 1 ? 1 : threads);
    expectIdentical(result.simd[0], result.reference[0], 'cumsum vs reference');
    expectIdentical(result.simd[0], result.js[0], 'cumsum vs JS');
  });

  it.each(cases)('int32 %s: wraps like the JavaScript kernel', (_, shape, axis) => {
    const values = randomValues(size(shape), 14).map((v) => Math.round(v * 2 ** 30));
    const result = runAll(threads, (s) => {
      const out = s.output(shape, 'int32');
      s.backend.cumsum(s.input(values, shape, 'int32'), axis, out);
      return [out];
    });
    expectSplit(result.chunks, 'cumsum', shape.length === 1 ? 1 : threads);
    expectIdentical(result.simd[0], result.js[0], 'cumsum int32 vs JS');
    // The reference sums in float64 without wrapping: equal modulo 2³².
    expectIdentical(result.simd[0], result.reference[0].map((v) => Number(BigInt.asIntN(32, BigInt(v)))), 'cumsum int32 vs reference');
  });
});

describe.each(THREADS)('softmax and logSoftmax over a non-last axis, %s', (_, threads) => {
  const cases: [number[], number][] = [[[300, 1001], 0], [[5, 70, 37], 1], [[3, 7, 20000], 1], [[2, 3, 1], 1]];
  it.each(cases)('%j along %i is within 1e-6 of the float64 reference, NaN and all −∞ columns included', (shape, axis) => {
    const values = randomValues(size(shape), 15).map((v) => f32(v * 12));
    const inner = size(shape.slice(axis + 1));
    if (shape[0] === 300) {
      for (let k = 0; k < shape[0]; k++) values[k * inner + 2] = -Infinity; // column 2: all −∞
      values[5 * inner + 3] = NaN; // column 3: one NaN
      values[7 * inner + 4] = 1000; values[8 * inner + 4] = -1000; values[9 * inner + 5] = -Infinity;
    }
    for (const log of [false, true]) {
      const result = runAll(threads, (s) => {
        const out = s.output(shape);
        if (log) s.backend.logSoftmax!(s.input(values, shape), axis, out);
        else s.backend.softmax!(s.input(values, shape), axis, out);
        return [out];
      });
      const kernel = log ? 'logSoftmax' : 'softmax';
      if (size(shape) >= 1 << 18) expectSplit(result.chunks, kernel, threads);
      else expect(result.chunks.get(kernel)).toBeDefined();
      const [actual] = result.simd;
      const [expected] = result.reference;
      for (let i = 0; i < actual.length; i++) {
        const a = actual[i], e = expected[i];
        const ok = Number.isNaN(e) ? Number.isNaN(a) : log && Number.isFinite(e) ? Math.abs(a - e) <= 1e-6 * Math.max(1, Math.abs(e)) : Math.abs(a - e) <= 1e-6 * Math.abs(e) + 1e-44 || a === e;
        if (!ok) throw new Error(`${kernel} ${JSON.stringify(shape)} along ${axis}: element ${i} is ${a}, expected ${e}`);
      }
    }
  });
});

describe.each(THREADS)('pooling, %s', (_, threads) => {
  const pool = (kernelSize: [number, number], stride: [number, number], padding: [number, number], extra: Partial<Pool2dParams> = {}): Pool2dParams => ({
    kernelSize, stride, padding, dilation: [1, 1], countIncludePad: true, ...extra,
  });
  const shape = [4, 18, 33, 35]; // 83k elements per call; 4·18 planes
  const large = [8, 16, 48, 47]; // past the split threshold
  const windows: [string, Pool2dParams][] = [
    ['2×2 stride 2', pool([2, 2], [2, 2], [0, 0])],
    ['3×3 stride 1 pad 1', pool([3, 3], [1, 1], [1, 1])],
    ['3×3 stride 2 pad 1', pool([3, 3], [2, 2], [1, 1])],
    ['2×3 stride 1×3, dilation 2', pool([2, 3], [1, 3], [1, 1], { dilation: [2, 2] })],
    ['3×2 stride 2×1 pad 1×1, padding excluded', pool([3, 2], [2, 1], [1, 1], { countIncludePad: false })],
    ['2×2 stride 1, divisor 3', pool([2, 2], [1, 1], [1, 0], { divisorOverride: 3 })],
  ];
  const outSize = (extent: number, k: number, s: number, p: number, d: number) => Math.floor((extent + 2 * p - d * (k - 1) - 1) / s) + 1;

  it.each(windows)('%s: values and indices equal the reference and the JS kernel bit for bit (ties, NaN, −∞)', (_, params) => {
    for (const inputShape of [shape, large]) {
      // Quarter steps make ties; NaN and −∞ are sprinkled in.
      const values = randomValues(size(inputShape), 17).map((v, i) => (i % 401 === 0 ? NaN : i % 397 === 0 ? -Infinity : Math.round(v * 8) / 4));
      const [n, c, h, w] = inputShape;
      const outShape = [n, c, outSize(h, params.kernelSize[0], params.stride[0], params.padding[0], params.dilation[0]), outSize(w, params.kernelSize[1], params.stride[1], params.padding[1], params.dilation[1])];
      const result = runAll(threads, (s) => {
        const x = s.input(values, inputShape);
        const maxOut = s.output(outShape), indices = s.output(outShape, 'int32'), avgOut = s.output(outShape);
        s.backend.maxPool2d!(x, params, maxOut, indices);
        s.backend.avgPool2d!(x, params, avgOut);
        return [maxOut, indices, avgOut];
      });
      if (inputShape === large) {
        expectSplit(result.chunks, 'maxPool2d', threads);
        expectSplit(result.chunks, 'avgPool2d', threads);
      }
      ['max', 'indices', 'avg'].forEach((label, k) => {
        expectIdentical(result.simd[k], result.js[k], `${label} vs JS`);
        expectIdentical(result.simd[k], result.reference[k], `${label} vs reference`);
      });
    }
  });
});

describe.each(THREADS)('gather and scatterAdd, %s', (_, threads) => {
  it('im2col-style gather (index broadcast over planes) and embedding-style gather (index broadcast along rows)', () => {
    const planes = [4, 20, 1156], taps = 4000;
    const table = randomValues(taps, 21).map((v) => Math.floor((v + 1) * 578));
    const xValues = specials(size(planes), 22);
    const rows = 700, width = 96, vocab = 1000;
    const ids = randomValues(rows, 23).map((v) => Math.floor((v + 1) * 500));
    const embeddings = randomValues(vocab * width, 24);
    const result = runAll(threads, (s) => {
      const x = s.input(xValues, planes);
      const index = s.input(table, [taps], 'int32', { shape: [4, 20, taps], strides: [0, 0, 1] });
      const columns = s.output([4, 20, taps]);
      s.backend.gather(x, 2, index, columns);
      const lookup = s.output([rows, width]);
      s.backend.gather(s.input(embeddings, [vocab, width]), 0, s.input(ids, [rows], 'int32', { shape: [rows, width], strides: [1, 0] }), lookup);
      return [columns, lookup];
    });
    expectSplit(result.chunks, 'gather', threads);
    result.simd.forEach((out, k) => {
      expectIdentical(out, result.reference[k], `gather #${k} vs reference`);
      expectIdentical(out, result.js[k], `gather #${k} vs JS`);
    });
  });

  it('maxPool2d-backward and col2im scatterAdd (rows own their targets) equal the JS kernel bit for bit', () => {
    const [n, c, positions, plane] = [4, 20, 1024, 4096];
    const routes = randomValues(n * c * positions, 25).map((v) => Math.floor((v + 1) * 2048));
    const grads = randomValues(n * c * positions, 26);
    const taps = 9 * 400, padded = 484;
    const table = randomValues(taps, 27).map((v) => Math.floor((v + 1) * 242));
    const spread = randomValues(n * c * taps, 28);
    const result = runAll(threads, (s) => {
      const routed = s.output([n, c, plane]);
      s.backend.fill(routed, 0);
      s.backend.scatterAdd(routed, 2, s.input(routes, [n, c, positions], 'int32'), s.input(grads, [n, c, positions]));
      const image = s.output([n, c, padded]);
      s.backend.fill(image, 0);
      s.backend.scatterAdd(image, 2, s.input(table, [taps], 'int32', { shape: [n, c, taps], strides: [0, 0, 1] }), s.input(spread, [n, c, taps]));
      return [routed, image];
    });
    expectSplit(result.chunks, 'scatterAdd', threads);
    result.simd.forEach((out, k) => {
      expectIdentical(out, result.js[k], `scatterAdd #${k} vs JS`);
      // The kernels add in float32, the reference in float64: a few float32 ulps of the summands.
      expectClose(out, result.reference[k], 1e-5, `scatterAdd #${k} vs reference`, 1e-5);
    });
  });

  it('scatterAdd along the first axis (rows collide: split by columns) equals the JS kernel bit for bit', () => {
    const [rows, cols, targetRows] = [3000, 128, 50];
    const index = randomValues(rows * cols, 29).map((v) => Math.floor((v + 1) * 25));
    const src = randomValues(rows * cols, 30);
    const result = runAll(threads, (s) => {
      const target = s.output([targetRows, cols]);
      s.backend.fill(target, 0);
      s.backend.scatterAdd(target, 0, s.input(index, [rows, cols], 'int32'), s.input(src, [rows, cols]));
      return [target];
    });
    expectSplit(result.chunks, 'scatterAdd', threads);
    expectIdentical(result.simd[0], result.js[0], 'scatterAdd axis 0 vs JS');
    expectClose(result.simd[0], result.reference[0], 1e-5, 'scatterAdd axis 0 vs reference', 1e-4);
  });

  it('few long rows: gather splits columns across all rows, scatterAdd along the row keeps each row whole', () => {
    const [rows, n, extent] = [3, 100_003, 64];
    const index = randomValues(rows * n, 35).map((v) => Math.floor((v + 1) * 32));
    const values = specials(rows * extent, 36);
    const src = randomValues(rows * n, 37);
    const result = runAll(threads, (s) => {
      const picked = s.output([rows, n]);
      s.backend.gather(s.input(values, [rows, extent]), 1, s.input(index, [rows, n], 'int32'), picked);
      const summed = s.output([rows, extent]);
      s.backend.fill(summed, 0);
      s.backend.scatterAdd(summed, 1, s.input(index, [rows, n], 'int32'), s.input(src, [rows, n]));
      return [picked, summed];
    });
    expectSplit(result.chunks, 'gather', threads);
    expectSplit(result.chunks, 'scatterAdd', threads);
    expectIdentical(result.simd[0], result.reference[0], 'gather vs reference');
    expectIdentical(result.simd[1], result.js[1], 'scatterAdd vs JS');
    expectClose(result.simd[1], result.reference[1], 1e-5, 'scatterAdd vs reference', 1e-3);
  });

  it('an out-of-range index throws the JS kernel’s RangeError for the first bad position, wherever the chunks split', () => {
    const { backend } = simdBackend(threads);
    const simd = side(backend), js = side(jsBackend);
    const [rows, cols] = [600, 500];
    const index = randomValues(rows * cols, 31).map((v) => Math.floor((v + 1) * 5));
    index[400 * cols + 7] = 99; // later chunk
    index[100 * cols + 3] = -1; // first in row-major order
    const message = (s: Side, op: 'gather' | 'scatterAdd'): string => {
      try {
        if (op === 'gather') s.backend.gather(s.input(randomValues(rows * 10, 1), [rows, 10]), 1, s.input(index, [rows, cols], 'int32'), s.output([rows, cols]));
        else s.backend.scatterAdd(s.output([rows, 10]), 1, s.input(index, [rows, cols], 'int32'), s.input(randomValues(rows * cols, 2), [rows, cols]));
      } catch (error) {
        expect(error).toBeInstanceOf(RangeError);
        return (error as Error).message;
      }
      throw new Error(`${op} did not throw`);
    };
    for (const op of ['gather', 'scatterAdd'] as const) {
      expect(message(simd, op)).toBe(`cpu backend: ${op} index -1 is out of range [0, 10) along axis 1`);
      expect(message(simd, op)).toBe(message(js, op));
    }
  });
});

describe.each(THREADS)('layerNorm, %s', (_, threads) => {
  it.each([[[1027, 300]], [[7, 61]], [[3, 2, 1000]], [[1, 5]]])('%j: bit for bit the JS kernel, within 1e-6 of the reference, with and without weight and bias', (shape) => {
    const cols = shape[shape.length - 1];
    const values = randomValues(size(shape), 32).map((v, i) => f32(v * 3 + (i % 5)));
    const weight = randomValues(cols, 33), bias = randomValues(cols, 34);
    for (const [useWeight, useBias] of [[true, true], [true, false], [false, true], [false, false]]) {
      const rows = size(shape) / cols;
      const result = runAll(threads, (s) => {
        const out = s.output(shape), mean = s.output([rows]), rstd = s.output([rows]);
        s.backend.layerNorm!(s.input(values, shape), useWeight ? s.input(weight, [cols]) : null, useBias ? s.input(bias, [cols]) : null, cols, 1e-5, out, mean, rstd);
        return [out, mean, rstd];
      });
      if (size(shape) >= 1 << 18) expectSplit(result.chunks, 'layerNorm', threads);
      ['out', 'mean', 'rstd'].forEach((label, k) => {
        expectIdentical(result.simd[k], result.js[k], `layerNorm ${label} vs JS`);
        expectClose(result.simd[k], result.reference[k], 1e-5, `layerNorm ${label} vs reference`);
      });
    }
  });
});
