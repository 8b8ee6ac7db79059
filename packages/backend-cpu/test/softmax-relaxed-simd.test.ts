/**
 * The relaxed-SIMD build of the last-axis softmax (assembly/softmax-rows.ts fuses its exp's multiply-adds
 * with `f32x4.relaxed_madd` there): within 1e-6 relative of float64 like the plain build. Node 20 keeps
 * relaxed SIMD behind a V8 flag, so this file (its own worker) turns the flag on first.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/cpu-backend';
import { compileKernels, detectWasmFeatures, pickVariant } from '../src/wasm/wasm-runtime';
import { randomValues } from './helpers';

setFlagsFromString('--experimental-wasm-relaxed-simd');

describe('softmax in the relaxed-SIMD (FMA) build', () => {
  it.each([[false], [true]])('log = %s: within 1e-6 of the float64 result on rows with wide ranges', (log) => {
    expect(detectWasmFeatures().relaxedSimd).toBe(true);
    const backend = new CpuBackend({ threads: 1, module: compileKernels(pickVariant(true, false)) });
    const rows = 300, cols = 1000;
    // Rows shifted by 0 … −80 and scaled by 12: large x − max, where the TwoSum correction matters.
    const values = Float32Array.from(randomValues(rows * cols, 3), (v, i) => v * 12 - (i % 5) * 20);
    const id = backend.alloc(values.length, 'float32');
    backend.write(id, values);
    const out = backend.alloc(values.length, 'float32');
    const view = { id, dtype: 'float32' as const, shape: [rows, cols], strides: [cols, 1], offset: 0 };
    backend[log ? 'logSoftmax' : 'softmax'](view, 1, { id: out, dtype: 'float32', shape: [rows, cols] });
    const got = backend.readSync(out, 'float32', 0, values.length);
    let worst = 0;
    for (let r = 0; r < rows; r++) {
      const line = values.subarray(r * cols, (r + 1) * cols);
      const max = line.reduce((a, b) => Math.max(a, b), -Infinity);
      const sum = line.reduce((a, b) => a + Math.exp(b - max), 0);
      for (let c = 0; c < cols; c++) {
        const expected = log ? line[c] - max - Math.log(sum) : Math.exp(line[c] - max) / sum;
        if (!log && expected < 1e-37) continue; // flushed to 0 below float32's normal range
        worst = Math.max(worst, Math.abs(got[r * cols + c] - expected) / (log ? Math.max(1, Math.abs(expected)) : expected));
      }
    }
    expect(worst).toBeLessThan(1e-6);
    backend.dispose();
  });
});
