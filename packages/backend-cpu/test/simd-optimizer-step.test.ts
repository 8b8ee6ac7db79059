/**
 * The WebAssembly fused optimizer step (assembly/optimizer-step.ts): every float32 SGD and Adam/AdamW
 * variant leaves the parameter and its state bit-identical to the JavaScript kernel's (kernels/optimizer-step.ts),
 * which the conformance suite checks against the float64 reference — on one thread and across the pool,
 * with odd sizes (the one-element tail), buffer offsets, and NaN/±Inf/±0 in the data; and with the
 * gradient stored transposed (a Linear weight's), which the `…TransposedF32` kernels read strip by strip.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/cpu-backend';
import type { SimdKernels } from '../src/kernels/simd';
import { optimizerStepSimd } from '../src/kernels/simd-optimizer-step';
import type { BufferStore } from '../src/storage/buffer-store';
import { randomValues } from './helpers';
import type { AdamStepRequest, BufferRange, OptimizerStepRequest, SgdStepRequest } from '@tessera/core/backend';

const SIZE = (1 << 18) + 3; // past the threading threshold, and odd
const OFFSET = 5;

/** How the gradient is laid out: contiguous, or a [rows, cols] matrix stored as [cols, rows] (strides [1, rows]). */
interface Layout {
  name: string;
  size: number;
  shape: number[];
  strides: number[];
}

// Rows and columns that are not multiples of the 16-row strip or the 4×4 transpose, past the threading threshold.
const ROWS = 519; // the last 16-row strip has 7 rows: one 4×4 block and three single rows
const COLS = 511;
const LAYOUTS: Layout[] = [
  { name: 'contiguous gradient', size: SIZE, shape: [SIZE], strides: [1] },
  { name: 'transposed gradient', size: ROWS * COLS, shape: [ROWS, COLS], strides: [1, ROWS] },
];
/** Elements in every buffer (the largest layout), after OFFSET. */
const LENGTH = Math.max(...LAYOUTS.map((layout) => layout.size));

const BASE = Float32Array.from(randomValues(LENGTH + OFFSET, 9));

/** Parameter, gradient and state values: random (rotated per seed), with a few specials. */
function data(seed: number, scale: number, positive = false): Float32Array {
  const values = new Float32Array(LENGTH + OFFSET);
  for (let i = 0; i < values.length; i++) {
    const v = BASE[(i + seed * 7919) % BASE.length];
    values[i] = (positive ? Math.abs(v) : v) * scale;
  }
  values[OFFSET + 7] = positive ? 0 : -0;
  values[OFFSET + 11] = 0;
  return values;
}

type Variant = { name: string; request: (ranges: Record<string, BufferRange | null>, grad: OptimizerStepRequest['grad'], size: number) => OptimizerStepRequest };

const sgd = (name: string, options: Partial<SgdStepRequest>, momentum: boolean): Variant => ({
  name: `sgd ${name}`,
  request: (r, grad, size) => ({
    kind: 'sgd', dtype: 'float32', size, param: r.param!, grad, momentumBuffer: momentum ? r.buffer : null,
    lr: 0.05, momentum: momentum ? 0.9 : 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, firstStep: false, ...options,
  }),
});

const adam = (name: string, options: Partial<AdamStepRequest>): Variant => ({
  name: `adam ${name}`,
  request: (r, grad, size) => ({
    kind: 'adam', dtype: 'float32', size, param: r.param!, grad, expAvg: r.m!, expAvgSq: r.v!, maxExpAvgSq: options.amsgrad ? r.vmax : null,
    lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false, maximize: false,
    biasCorrection1: 1 - 0.9 ** 3, biasCorrection2Sqrt: Math.sqrt(1 - 0.999 ** 3), ...options,
  }),
});

const VARIANTS: Variant[] = [
  sgd('plain', {}, false),
  sgd('weight decay, maximize', { weightDecay: 0.01, maximize: true }, false),
  sgd('momentum, first step', { firstStep: true }, true),
  sgd('momentum, dampening, weight decay', { dampening: 0.1, weightDecay: 1e-4 }, true),
  sgd('Nesterov', { nesterov: true }, true),
  adam('plain', {}),
  adam('L2 decay, maximize', { weightDecay: 0.01, maximize: true }),
  adam('AdamW', { weightDecay: 0.01, decoupled: true }),
  adam('AMSGrad with AdamW', { amsgrad: true, weightDecay: 0.1, decoupled: true }),
];

/** Run one step on a backend and return every buffer's float32 bits. */
function step(backend: CpuBackend, variant: Variant, specials: boolean, layout: Layout): Uint32Array[] {
  const arrays = { param: data(1, 2), grad: data(2, 0.5), buffer: data(3, 0.3), m: data(4, 0.1), v: data(5, 0.01, true), vmax: data(6, 0.012, true) };
  if (specials) {
    arrays.grad[OFFSET + 20] = NaN;
    arrays.grad[OFFSET + 21] = Infinity;
    arrays.param[OFFSET + 22] = -Infinity;
    arrays.vmax[OFFSET + 23] = NaN;
  }
  const ids = Object.fromEntries(Object.entries(arrays).map(([name, values]) => {
    const id = backend.alloc(values.length, 'float32');
    backend.write(id, values);
    return [name, id];
  }));
  const ranges = Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, { id, offset: OFFSET }]));
  const { shape, strides } = layout;
  const request = variant.request(ranges, { id: ids.grad, dtype: 'float32', shape, strides, offset: OFFSET }, layout.size);
  const internals = backend as unknown as { simd: SimdKernels | null; store: BufferStore };
  if (internals.simd) {
    // Straight to the SIMD path, which must take the request (not fall back to the JavaScript kernel).
    const grad = { buffer: internals.store.get(ids.grad, 'test'), shape, strides, offset: OFFSET };
    expect(optimizerStepSimd(internals.simd, request, (range) => internals.store.get(range.id, 'test'), grad)).toBe(true);
  } else {
    backend.optimizerStep(request);
  }
  return ['param', 'buffer', 'm', 'v', 'vmax'].map((name) => {
    const values = backend.readSync(ids[name], 'float32', 0, LENGTH + OFFSET) as Float32Array;
    return new Uint32Array(Float32Array.from(values).buffer);
  });
}

const CASES = (['one thread', 'worker pool'] as const).flatMap((threads) =>
  LAYOUTS.map((layout) => [`${threads}, ${layout.name}`, threads === 'one thread' ? 1 : 3, layout] as const),
);

describe.each(CASES)('fused float32 optimizer step in WebAssembly (%s)', (_, threads, layout) => {
  it.each(VARIANTS.map((variant) => [variant.name, variant] as const))('%s: bit-identical to the JavaScript kernel', (_, variant) => {
    const js = new CpuBackend({ simd: false, threads: 1 });
    const wasm = new CpuBackend({ threads });
    for (const specials of [false, true]) {
      const expected = step(js, variant, specials, layout);
      const actual = step(wasm, variant, specials, layout);
      for (let buffer = 0; buffer < expected.length; buffer++) {
        let mismatches = 0;
        for (let i = 0; i < expected[buffer].length; i++) if (actual[buffer][i] !== expected[buffer][i]) mismatches++;
        expect(mismatches, `${variant.name}, buffer ${buffer}${specials ? ', with NaN/Inf' : ''}`).toBe(0);
      }
      // The step changed the parameter (so the comparison is not of untouched data).
      expect(expected[0][OFFSET + 100]).not.toBe(new Uint32Array(data(1, 2).buffer)[OFFSET + 100]);
    }
    js.dispose();
    wasm.dispose();
  });
});
