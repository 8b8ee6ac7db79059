/**
 * `matmulBiasActivation` — activation(a · b + bias) — on every CPU path: the WebAssembly SIMD tile
 * epilogue (float32, one thread and split by rows or by columns across two), the JavaScript kernel
 * (float64, and float32 without SIMD) and float16 through float32, against core's float64 reference
 * backend. Shapes leave partial 4×8 tiles, cross the 384-deep, 128-row and 1024-column blocks, have
 * K = 0, and operands come transposed, flipped, offset and batch-broadcast. Plus the op through
 * core's `fusedMatmul`, whose gradients must equal the composite matmul → add → activation's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fromFloat16Bits, fusedMatmul, registerBackend, roundToFloat16, setBackend, ShapeError, tensor, toFloat16Bits, type Tensor } from '@tessera/core';
import { ReferenceBackend } from '@tessera/core/testing';
import { CpuBackend } from '../src/cpu-backend';
import { createCpuPlugin } from '../src/plugin';
import { randomValues, recordingSimdBackend, size } from './helpers';
import { applyFusedActivation, FUSED_ACTIVATIONS, type Backend, type DType, type FusedActivation, type OutputBuffer, type StridedView } from '@tessera/core/backend';

type Layout = 'NN' | 'TN' | 'NT' | 'TT' | 'flipped A, broadcast B';
const LAYOUTS: Layout[] = ['NN', 'TN', 'NT', 'TT', 'flipped A, broadcast B'];

/** One product to run: operand values and their views' layouts (a view of the same data on every backend). */
interface Problem {
  readonly batch: number; readonly rows: number; readonly depth: number; readonly cols: number;
  readonly aValues: number[]; readonly aShape: number[]; readonly aStrides: number[]; readonly aOffset: number;
  readonly bValues: number[]; readonly bShape: number[]; readonly bStrides: number[];
  /** Bias values after `biasOffset` leading elements (the view starts past them), or null. */
  readonly biasValues: number[] | null; readonly biasOffset: number;
}

/**
 * A problem with values in [−1, 1) (A scaled by 1/√K so the pre-activations stay O(1) and the
 * sigmoid and tanh are not all saturated), rounded to `dtype`.
 */
function problem(batch: number, rows: number, depth: number, cols: number, layout: Layout, withBias: boolean, dtype: DType, seed: number): Problem {
  const round = dtype === 'float64' ? (v: number) => v : dtype === 'float16' ? roundToFloat16 : Math.fround;
  const scale = 1 / Math.sqrt(Math.max(depth, 1));
  const broadcast = layout.includes('broadcast');
  const aValues = randomValues(batch * rows * depth, seed).map((v) => round(v * scale));
  const bValues = randomValues(depth * cols * (broadcast ? 1 : batch), seed + 1).map(round);
  const [transA, transB] = [layout[0] === 'T', layout[1] === 'T'];
  let aStrides = transA ? [rows * depth, 1, rows] : [rows * depth, depth, 1];
  let aOffset = 0;
  let bStrides = transB ? [depth * cols, 1, depth] : [depth * cols, cols, 1];
  if (layout.includes('flipped')) {
    aStrides = [rows * depth, -depth, -1]; // A[n, i, k] = stored[n·rows·depth + last − i·depth − k]
    aOffset = rows * depth - 1;
    bStrides = [0, cols, 1];
  }
  const biasOffset = 3;
  const biasValues = withBias ? randomValues(cols + biasOffset, seed + 2).map(round) : null;
  return {
    batch, rows, depth, cols, aValues, aShape: [batch, rows, depth], aStrides, aOffset,
    bValues, bShape: [batch, depth, cols], bStrides, biasValues, biasOffset,
  };
}

/** Views of `p` on `backend` (in `dtype`; `map` transforms the values, e.g. Math.abs). */
function views(backend: Backend, p: Problem, dtype: DType, map = (v: number) => v) {
  const put = (values: number[], shape: number[], strides: number[], offset: number): StridedView => {
    const id = backend.alloc(values.length, dtype);
    const mapped = values.map(map);
    backend.write(id, dtype === 'float64' ? Float64Array.from(mapped) : dtype === 'float16' ? toFloat16Bits(mapped) : Float32Array.from(mapped));
    return { id, dtype, shape, strides, offset };
  };
  return {
    a: put(p.aValues, p.aShape, p.aStrides, p.aOffset),
    b: put(p.bValues, p.bShape, p.bStrides, 0),
    bias: p.biasValues ? put(p.biasValues, [p.cols], [1], p.biasOffset) : null,
  };
}

/**
 * The reference backend's float64 sums `a·b + bias` and their magnitudes `|a|·|b| + |bias|` (which
 * bound the rounding error of any summation order). Each activation's expected value is then the
 * reference kernel's own formula, `storeValue(dtype, applyFusedActivation(activation, total))`.
 */
function referenceSums(p: Problem): { totals: number[]; magnitudes: number[] } {
  const reference = new ReferenceBackend();
  const run = (map: (v: number) => number): number[] => {
    const { a, b, bias } = views(reference, p, 'float64', map);
    const out: OutputBuffer = { id: reference.alloc(p.batch * p.rows * p.cols, 'float64'), dtype: 'float64', shape: [p.batch, p.rows, p.cols] };
    reference.matmulBiasActivation(a, b, bias, 'none', out);
    return Array.from(reference.readSync(out.id, 'float64', 0, size(out.shape)));
  };
  return { totals: run((v) => v), magnitudes: run(Math.abs) };
}

/** `matmulBiasActivation` of `p` on `backend`, read back as numbers. */
function runFused(backend: Backend, p: Problem, activation: FusedActivation, dtype: DType): number[] {
  const { a, b, bias } = views(backend, p, dtype);
  const out: OutputBuffer = { id: backend.alloc(p.batch * p.rows * p.cols, dtype), dtype, shape: [p.batch, p.rows, p.cols] };
  backend.matmulBiasActivation!(a, b, bias, activation, out);
  const data = backend.readSync!(out.id, dtype, 0, size(out.shape));
  const result = Array.from(dtype === 'float16' ? fromFloat16Bits(data as Uint16Array) : data);
  for (const view of [a, b, bias]) if (view) backend.free(view.id);
  backend.free(out.id);
  return result;
}

/** Unit roundoff of the summation: float32 SIMD sums in float32, the JS kernel in float64. */
const SUM_ROUNDOFF = { simd: 2 ** -24, js: 2 ** -53 } as const;

/**
 * Every element within the summation error bound (K + 2)·u·magnitude — each activation is
 * 1-Lipschitz — plus a few ulps of the output for the activation itself (SIMD sigmoid/tanh are
 * polynomials within ~2 ulps) and its rounding. A wrong bias column or a missed depth block is off by O(0.1).
 */
function expectMatches(actual: number[], p: Problem, sums: { totals: number[]; magnitudes: number[] }, activation: FusedActivation, dtype: DType, roundoff: number, label: string): void {
  const store = dtype === 'float64' ? (v: number) => v : dtype === 'float16' ? roundToFloat16 : Math.fround;
  const outputUlp = dtype === 'float64' ? 2 ** -52 : dtype === 'float16' ? 2 ** -10 : 2 ** -23;
  expect(actual.length, label).toBe(sums.totals.length);
  for (let i = 0; i < actual.length; i++) {
    const expected = store(applyFusedActivation(activation, sums.totals[i]));
    const bound = (p.depth + 2) * roundoff * sums.magnitudes[i] + 4 * outputUlp * Math.abs(expected) + 1e-37;
    const ok = Number.isNaN(expected) ? Number.isNaN(actual[i]) : Math.abs(actual[i] - expected) <= bound;
    if (!ok) throw new Error(`${label}: element ${i} is ${actual[i]}, expected ${expected} (± ${bound})`);
  }
}

const created: CpuBackend[] = [];
afterAll(() => created.forEach((backend) => backend.dispose()));

/** A SIMD backend with `threads` that records every chunk list it runs, per kernel name. */
const simdBackend = (threads: number) => recordingSimdBackend(threads, created);

const js = new CpuBackend({ simd: false, threads: 1 });
created.push(js);
const simd1 = simdBackend(1);
const simd2 = simdBackend(2);

describe('matmulBiasActivation: small and edge shapes on every path', () => {
  // 7 × 13 leaves a partial tile in both directions (4×8 SIMD, 4×4 JS); 785 = 3 depth blocks of ~262
  // (SIMD) and 4 of ≤ 256 (JS); 1037 columns cross the SIMD kernel's 1024-column block.
  const shapes = [
    { name: '2×7×5×13', batch: 2, rows: 7, depth: 5, cols: 13 },
    { name: '1×9×785×19 (several depth blocks)', batch: 1, rows: 9, depth: 785, cols: 19 },
    { name: '1×5×70×1037 (two column blocks)', batch: 1, rows: 5, depth: 70, cols: 1037 },
    { name: '3×8×16×16 (whole tiles only)', batch: 3, rows: 8, depth: 16, cols: 16 },
  ];
  for (const shape of shapes) {
    for (const layout of LAYOUTS) {
      it(`${shape.name} ${layout}: every activation, with and without bias, float32 SIMD and JS, float64 JS`, () => {
        for (const withBias of [true, false]) {
          const p32 = problem(shape.batch, shape.rows, shape.depth, shape.cols, layout, withBias, 'float32', 17);
          const p64 = problem(shape.batch, shape.rows, shape.depth, shape.cols, layout, withBias, 'float64', 17);
          const sums32 = referenceSums(p32);
          const sums64 = referenceSums(p64);
          for (const activation of FUSED_ACTIVATIONS) {
            const label = `${activation}${withBias ? ' + bias' : ''}`;
            simd1.chunks.clear();
            expectMatches(runFused(simd1.backend, p32, activation, 'float32'), p32, sums32, activation, 'float32', SUM_ROUNDOFF.simd, `SIMD ${label}`);
            // Without bias or activation the dispatch is plain sgemm.
            const call = simd1.chunks.get(withBias || activation !== 'none' ? 'matmulBiasActivation' : 'matmul');
            expect(call?.length, `SIMD ${label} took the WebAssembly kernel`).toBe(shape.batch);
            expectMatches(runFused(js, p32, activation, 'float32'), p32, sums32, activation, 'float32', SUM_ROUNDOFF.js, `JS float32 ${label}`);
            expectMatches(runFused(js, p64, activation, 'float64'), p64, sums64, activation, 'float64', SUM_ROUNDOFF.js, `JS float64 ${label}`);
            // float64 on a SIMD backend runs the JS kernel too.
            expectMatches(runFused(simd1.backend, p64, activation, 'float64'), p64, sums64, activation, 'float64', SUM_ROUNDOFF.js, `SIMD backend float64 ${label}`);
          }
        }
      });
    }
  }

  it('K = 0 gives activation(bias), or activation(0) without a bias, on every path (a −0 bias gives +0, as the reference)', () => {
    const bias = [-0, 0.5, -2, 3, -0.25, 1, 0, -1, 2, -3, 0.75];
    const reference = new ReferenceBackend();
    for (const activation of FUSED_ACTIVATIONS) {
      for (const withBias of [true, false]) {
        const p: Problem = {
          batch: 2, rows: 5, depth: 0, cols: 11, aValues: [], aShape: [2, 5, 0], aStrides: [0, 0, 1], aOffset: 0,
          bValues: [], bShape: [2, 0, 11], bStrides: [0, 11, 1], biasValues: withBias ? bias : null, biasOffset: 0,
        };
        const expected = runFused(reference, p, activation, 'float32');
        for (const [name, backend] of [['SIMD', simd1.backend], ['JS', js]] as const) {
          const actual = runFused(backend, p, activation, 'float32');
          // Exact up to the SIMD polynomials' last bits; ±0 must match exactly.
          actual.forEach((value, i) => {
            if (expected[i] === 0) expect(Object.is(value, expected[i]), `${name} ${activation} element ${i}: ${value}`).toBe(true);
            else expect(Math.abs(value - expected[i]), `${name} ${activation} element ${i}`).toBeLessThanOrEqual(4 * 2 ** -23 * Math.abs(expected[i]));
          });
        }
      }
    }
  });

  it('relu passes NaN and ±∞ through like core and the relu kernel; sigmoid and tanh saturate', () => {
    const reference = new ReferenceBackend();
    const [rows, depth, cols] = [6, 3, 10];
    const aValues = randomValues(rows * depth, 5).map(Math.fround);
    aValues[1 * depth + 2] = NaN; // row 1 is NaN everywhere
    const biasValues = randomValues(cols, 6).map(Math.fround);
    biasValues[3] = Infinity;
    biasValues[9] = -Infinity; // column 9 sits in an edge tile's zero-padded bias copy
    const p: Problem = {
      batch: 1, rows, depth, cols, aValues, aShape: [1, rows, depth], aStrides: [rows * depth, depth, 1], aOffset: 0,
      bValues: randomValues(depth * cols, 7).map(Math.fround), bShape: [1, depth, cols], bStrides: [depth * cols, cols, 1],
      biasValues, biasOffset: 0,
    };
    for (const activation of FUSED_ACTIVATIONS) {
      const expected = runFused(reference, p, activation, 'float32');
      for (const [name, backend] of [['SIMD', simd1.backend], ['JS', js]] as const) {
        const actual = runFused(backend, p, activation, 'float32');
        actual.forEach((value, i) => {
          const e = expected[i];
          const ok = Number.isNaN(e) ? Number.isNaN(value) : !Number.isFinite(e) || e === 0 || Math.abs(e) === 1
            ? Object.is(value, e) || (e === 0 && value === 0)
            : Math.abs(value - e) <= 1e-5 * (1 + Math.abs(e));
          if (!ok) throw new Error(`${name} ${activation} element ${i}: ${value}, expected ${e}`);
        });
      }
    }
  });
});

describe('matmulBiasActivation across the worker pool', () => {
  // Large enough to split (≥ 2²⁰ multiply-adds): M ≥ N splits rows (multiples of 4), M < N columns
  // (multiples of 8, each chunk's bias pointer offset by its first column); 261 rows cross the 128-row block.
  const cases = [
    { name: 'row split 261×400×37', batch: 1, rows: 261, depth: 400, cols: 37, split: 'rows' },
    { name: 'column split 21×390×301', batch: 1, rows: 21, depth: 390, cols: 301, split: 'columns' },
    { name: 'batch 2 column split 13×420×203', batch: 2, rows: 13, depth: 420, cols: 203, split: 'columns' },
  ] as const;
  for (const c of cases) {
    for (const layout of ['NN', 'TT', 'flipped A, broadcast B'] as Layout[]) {
      it(`${c.name} ${layout}: one thread and two agree with the reference for every activation`, () => {
        for (const withBias of [true, false]) {
          const p = problem(c.batch, c.rows, c.depth, c.cols, layout, withBias, 'float32', 29);
          const sums = referenceSums(p);
          for (const activation of FUSED_ACTIVATIONS) {
            if (!withBias && activation !== 'relu') continue; // the epilogue without bias: once per case is enough
            const label = `${activation}${withBias ? ' + bias' : ''}`;
            for (const [threads, { backend, chunks }] of [[1, simd1], [2, simd2]] as const) {
              chunks.clear();
              expectMatches(runFused(backend, p, activation, 'float32'), p, sums, activation, 'float32', SUM_ROUNDOFF.simd, `${threads} thread(s) ${label}`);
              const calls = chunks.get('matmulBiasActivation')!;
              expect(calls.every(([name]) => name === 'sgemmBiasActivation')).toBe(true);
              if (threads === 1) {
                expect(calls.length).toBe(c.batch);
              } else {
                expect(calls.length).toBeGreaterThan(c.batch);
                // Argument 0 is the chunk's rows, 1 its columns: a column split keeps every row.
                const splitsColumns = calls.every(([, args]) => args[0] === c.rows) && calls.some(([, args]) => args[1] < c.cols);
                expect(splitsColumns ? 'columns' : 'rows').toBe(c.split);
              }
            }
          }
        }
      });
    }
  }
});

describe('matmulBiasActivation in float16 and its errors', () => {
  it('float16 runs through float32 and rounds once more (SIMD and JS)', () => {
    const p = problem(2, 9, 40, 21, 'NT', true, 'float16', 41);
    const sums = referenceSums(p);
    for (const [name, backend] of [['SIMD', simd1.backend], ['JS', js]] as const) {
      for (const activation of FUSED_ACTIVATIONS) {
        expectMatches(runFused(backend, p, activation, 'float16'), p, sums, activation, 'float16', SUM_ROUNDOFF.simd, `${name} float16 ${activation}`);
      }
    }
  });

  it('rejects bad input with errors naming the op, shapes and dtypes', () => {
    const p = problem(1, 2, 3, 4, 'NN', true, 'float32', 3);
    const { a, b, bias } = views(js, p, 'float32');
    const out: OutputBuffer = { id: js.alloc(8, 'float32'), dtype: 'float32', shape: [1, 2, 4] };
    const shortBias = { ...bias!, shape: [3] };
    expect(() => js.matmulBiasActivation(a, b, shortBias, 'relu', out)).toThrow(/matmulBiasActivation needs a bias of shape \[4\].*bias float32 \[3\]/);
    expect(() => js.matmulBiasActivation(a, b, bias, 'gelu' as FusedActivation, out)).toThrow(/matmulBiasActivation activation must be one of none, relu, sigmoid, tanh, got gelu/);
    expect(() => js.matmulBiasActivation(a, { ...b, shape: [1, 2, 4] }, bias, 'relu', out)).toThrow(/needs a \[B, M, K\], b \[B, K, N\] and out \[B, M, N\], got a float32 \[1, 2, 3\], b float32 \[1, 2, 4\]/);
    expect(() => js.matmulBiasActivation(a, b, bias, 'relu', { ...out, shape: [1, 4, 2] })).toThrow(ShapeError);
    const intOut: OutputBuffer = { id: js.alloc(8, 'int32'), dtype: 'int32', shape: [1, 2, 4] };
    expect(() => js.matmulBiasActivation(a, b, bias, 'relu', intOut)).toThrow(/supports float32 and float64.*out int32 \[1, 2, 4\]/);
    const out64: OutputBuffer = { id: js.alloc(8, 'float64'), dtype: 'float64', shape: [1, 2, 4] };
    expect(() => js.matmulBiasActivation(a, b, bias, 'relu', out64)).toThrow(/output's dtype.*a float32 \[1, 2, 3\]/);
  });
});

describe('fusedMatmul on the CPU backend', () => {
  for (const config of [{ name: 'cpu-fused-simd', simd: 'auto' as const, threads: 1 }, { name: 'cpu-fused-js', simd: false as const, threads: 1 }]) {
    it(`${config.name}: forward and gradients of a, b and bias equal the composite matmul → add → activation`, async () => {
      registerBackend(createCpuPlugin(config));
      await setBackend(config.name);
      const composite = (a: Tensor, b: Tensor, bias: Tensor, activation: FusedActivation): Tensor => {
        const shifted = a.matmul(b).add(bias);
        return activation === 'relu' ? shifted.relu() : activation === 'sigmoid' ? shifted.sigmoid() : activation === 'tanh' ? shifted.tanh() : shifted;
      };
      const data = (count: number, seed: number, shape: number[]) => tensor(Float32Array.from(randomValues(count, seed)), { shape });
      for (const activation of FUSED_ACTIVATIONS) {
        // Batch-broadcast a against a 2-D weight, as in a linear layer over a sequence.
        const leaves = () => [data(2 * 7 * 11, 51, [2, 7, 11]), data(11 * 13, 52, [11, 13]), data(13, 53, [13])].map((t) => t.requiresGrad_());
        const weights = data(2 * 7 * 13, 54, [2, 7, 13]);
        const [a, b, bias] = leaves();
        const fused = fusedMatmul(a, b, { bias, activation });
        fused.mul(weights).sum().backward();
        const [a2, b2, bias2] = leaves();
        const reference = composite(a2, b2, bias2, activation);
        reference.mul(weights).sum().backward();
        const close = (x: Tensor, y: Tensor, label: string) => {
          const [p, q] = [x.dataSync(), y.dataSync()];
          expect(x.shape, label).toEqual(y.shape);
          for (let i = 0; i < p.length; i++) expect(Math.abs(p[i] - q[i]), `${activation} ${label} element ${i}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(q[i])));
        };
        close(fused, reference, 'forward');
        close(a.grad!, a2.grad!, 'grad a');
        close(b.grad!, b2.grad!, 'grad b');
        close(bias.grad!, bias2.grad!, 'grad bias');
      }
    });
  }
});
