/**
 * The WebAssembly SIMD exp/log/tanh/sigmoid (assembly/transcendental.ts) and last-axis softmax/logSoftmax
 * (assembly/softmax-rows.ts) kernels
 * against float64 references: within 1e-6 relative (the conformance suite allows 1e-5), and NaN, ±∞,
 * ±0 exactly as the JavaScript kernels — single-threaded and split across the worker pool.
 */
import { describe, expect, it } from 'vitest';
import { sigmoid } from '../src/kernels/unary';
import { randomValues, setup } from './helpers';

const f32 = Math.fround;
const REFERENCE = { exp: Math.exp, log: Math.log, tanh: Math.tanh, sigmoid } as const;
const SPECIALS = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45, 1e-40, 1.1754942e-38, 3.4028235e38, -3.4028235e38,
  88.72, 88.73, 89, -87.3, -103, -104, -110, 0.625, -0.625, 0.6249, 1, -1, 0.5, 0.70710677, 1e-7, -1e-7, 9, -9, 20, -20, 44, -44];

/** Every interesting magnitude: random values at scales 1e-8 … 1e2, of both signs, plus the specials. */
function inputs(count: number): number[] {
  const values = randomValues(count, 21).map((v, i) => f32(v * 10 ** ((i % 11) - 8) * 2));
  return [...SPECIALS, ...values].map(f32);
}

function close(actual: number, expected: number, rtol: number): boolean {
  if (Number.isNaN(expected) || !Number.isFinite(expected) || expected === 0) {
    return Object.is(actual, expected) || (expected === 0 && Math.abs(actual) <= 1e-44 && Math.sign(1 / actual) === Math.sign(1 / expected));
  }
  return Math.abs(actual - expected) <= rtol * Math.abs(expected) + 1e-44;
}

describe.each([['1 thread', 1], ['2 threads', 2]] as const)('SIMD transcendentals, %s', (_, threads) => {
  it.each(Object.keys(REFERENCE).map((op) => [op as keyof typeof REFERENCE]))('%s is within 1e-6 of the float64 result', (op) => {
    const { backend, input, output, read } = setup({ threads });
    expect(backend.config.simd).toBe(true);
    const values = inputs(300_001); // large enough to be split across the pool
    const out = output([values.length]);
    backend.unary(op, input(values, [values.length]), out);
    const actual = read(out);
    for (let i = 0; i < values.length; i++) {
      const expected = f32(REFERENCE[op](values[i]));
      if (!close(actual[i], expected, 1e-6)) throw new Error(`${op}(${values[i]}) = ${actual[i]}, expected ${expected}`);
    }
  });

  it.each([[false], [true]])('softmax (log = %s) over the last axis is within 1e-6 of the float64 result', (log) => {
    const { backend, input, output, read } = setup({ threads });
    // 1000 columns: three full 256-column sum blocks, a partial one and a scalar tail (assembly/softmax-rows.ts).
    for (const [rows, cols] of [[3, 1], [4, 3], [7, 67], [5, 1000], [600, 1024]]) {
      const values = randomValues(rows * cols, 5 + cols).map((v) => f32(v * 12));
      if (rows > 3) {
        values[cols + 2] = NaN; // row 1: NaN
        for (let c = 0; c < cols; c++) values[2 * cols + c] = -Infinity; // row 2: all −∞
        values[3 * cols + 3] = 1000; values[3 * cols + 1] = -1000; values[3 * cols + cols - 1] = -Infinity; // row 3: huge and −∞ logits
      }
      const out = output([rows, cols]);
      const view = input(values, [rows, cols]);
      if (log) backend.logSoftmax(view, 1, out);
      else backend.softmax(view, 1, out);
      const actual = read(out);
      for (let r = 0; r < rows; r++) {
        const line = values.slice(r * cols, (r + 1) * cols);
        let max = -Infinity;
        for (const v of line) if (v > max || v !== v) max = v;
        let sum = 0;
        for (const v of line) sum += Math.exp(v - max);
        for (let c = 0; c < cols; c++) {
          const expected = f32(log ? line[c] - (max + Math.log(sum)) : Math.exp(line[c] - max) / sum);
          const got = actual[r * cols + c];
          const ok = log && Number.isFinite(expected) ? Math.abs(got - expected) <= 1e-6 * Math.max(1, Math.abs(expected)) : close(got, expected, 1e-6);
          if (!ok) throw new Error(`softmax ${rows}×${cols} [${r}, ${c}] = ${got}, expected ${expected}`);
        }
      }
    }
  });
});
