/**
 * The WebAssembly float16 ↔ float32 conversions (assembly/float16.ts, kernels/simd-float16.ts), through
 * the backend's float16 casts: every one of the 65,536 halves widens to exactly core's value (NaN payloads
 * kept), and float32 patterns — every rounding boundary between adjacent halves ±1 ulp, overflow, subnormals,
 * NaN and a large random sample — round to exactly core's `float32ToFloat16Bits` bits, on one thread and
 * split across the worker pool. The fused float16 add/sub/mul/div/maximum/minimum equal the float32 op
 * on the widened values rounded once.
 */
import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits, fromFloat16Bits } from '@tessera/core';
import { CpuBackend } from '../src/cpu-backend';
import type { SimdKernels } from '../src/kernels/simd';
import { narrowFloat16Simd, widenFloat16Simd } from '../src/kernels/simd-float16';
import type { BufferStore } from '../src/storage/buffer-store';

const ALL_HALVES = Uint16Array.from({ length: 65536 }, (_, i) => i);
const HALF_WORDS = new Uint32Array(fromFloat16Bits(ALL_HALVES).buffer);

/** float32 bit patterns around every rounding decision, then random patterns, `count` in all. */
function narrowingSample(count: number): Uint32Array {
  const words = new Uint32Array(count);
  const value = new Float32Array(1);
  const bits = new Uint32Array(value.buffer);
  let i = 0;
  for (let h = 0; h < 0x7c00; h++) {
    // The midpoint to the next half (exact in float32); 0x477ff000 = 65520 is the overflow tie.
    value[0] = (float16BitsToFloat32(h) + float16BitsToFloat32(h + 1)) / 2;
    const middle = h === 0x7bff ? 0x477ff000 : bits[0];
    for (const word of [middle - 1, middle, middle + 1, HALF_WORDS[h], HALF_WORDS[h] + 1]) {
      words[i++] = word;
      words[i++] = (word | 0x80000000) >>> 0;
    }
  }
  // Infinity, NaNs with either sign and assorted payloads, float32 subnormals and the largest floats.
  for (const word of [0x7f800000, 0x7f800001, 0x7fc00000, 0x7fffffff, 0x7fa00000, 0x00000001, 0x007fffff, 0x33000000, 0x33000001, 0x7f7fffff]) {
    words[i++] = word;
    words[i++] = (word | 0x80000000) >>> 0;
  }
  let state = 12345;
  for (; i < count; i++) words[i] = state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return words;
}

describe.each([
  ['SIMD, one thread', 1],
  ['SIMD, worker pool', 3],
])('float16 conversion kernels (%s)', (_, threads) => {
  it('widens all 65,536 halves exactly (NaN payloads kept)', () => {
    const backend = new CpuBackend({ threads });
    // Straight into the kernel: a float32 → float32 copy in JS would quiet signalling NaNs.
    const { simd, store } = backend as unknown as { simd: SimdKernels; store: BufferStore };
    const n = 16 * 65536; // every half 16 times: past the threading threshold
    const halves = store.alloc(n + 3, 'float16');
    for (let copy = 0; copy < 16; copy++) (halves.data as Uint16Array).set(ALL_HALVES, 3 + copy * 65536); // an unaligned start
    const out = store.alloc(n, 'float32');
    widenFloat16Simd(simd, halves, 3, out, n);
    const values = out.data as Float32Array;
    const words = new Uint32Array(values.buffer, values.byteOffset, n);
    const wrong: string[] = [];
    for (let i = 0; i < n; i++) {
      const h = i & 0xffff;
      const expected = float16BitsToFloat32(h);
      if (words[i] !== HALF_WORDS[h] || !(values[i] === expected || (values[i] !== values[i] && expected !== expected))) {
        if (wrong.length < 5) wrong.push(`0x${h.toString(16)} → 0x${words[i].toString(16)}, expected 0x${HALF_WORDS[h].toString(16)}`);
      }
    }
    expect(wrong).toEqual([]);
    backend.dispose();
  });

  it('rounds float32 to half bits exactly as float32ToFloat16Bits (ties to even, subnormals, ±Inf, NaN → 0x7e00)', () => {
    const count = 1 << 20; // past the threading threshold
    const words = narrowingSample(count);
    const values = new Float32Array(words.buffer);
    const backend = new CpuBackend({ threads });
    const input = backend.alloc(count, 'float32');
    backend.write(input, values);
    const out = backend.alloc(count, 'float16');
    // An odd length and offset exercise the scalar tail and an unaligned start.
    const n = count - 5;
    backend.cast({ id: input, dtype: 'float32', shape: [n], strides: [1], offset: 3 }, { id: out, dtype: 'float16', shape: [n] });
    const got = backend.readSync(out, 'float16', 0, n) as Uint16Array;
    const wrong: string[] = [];
    for (let i = 0; i < n; i++) {
      const expected = float32ToFloat16Bits(values[i + 3]);
      if (got[i] !== expected && wrong.length < 5) wrong.push(`0x${words[i + 3].toString(16)} → 0x${got[i].toString(16)}, expected 0x${expected.toString(16)}`);
    }
    expect(wrong).toEqual([]);
    backend.dispose();
  });
});

describe.each([['one thread', 1], ['worker pool', 3]])('fused float16 element-wise ops (%s)', (_, threads) => {
  const OPS = {
    add: (a: number, b: number) => a + b,
    sub: (a: number, b: number) => a - b,
    mul: (a: number, b: number) => a * b,
    div: (a: number, b: number) => a / b,
    maximum: (a: number, b: number) => (a !== a || b !== b ? NaN : Math.max(a, b)),
    minimum: (a: number, b: number) => (a !== a || b !== b ? NaN : Math.min(a, b)),
  } as const;
  it.each(Object.keys(OPS))('%s: the float32 result of the widened halves, rounded once (every half against random halves)', (op) => {
    const n = (1 << 20) + 5; // past the threading threshold, with a scalar tail
    const a = new Uint16Array(n), b = new Uint16Array(n);
    let state = 99;
    for (let i = 0; i < n; i++) {
      a[i] = i & 0xffff;
      b[i] = (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 16;
    }
    const backend = new CpuBackend({ threads });
    const view = (bits: Uint16Array) => {
      const id = backend.alloc(n, 'float16');
      backend.write(id, bits);
      return { id, dtype: 'float16' as const, shape: [n], strides: [1], offset: 0 };
    };
    const out = { id: backend.alloc(n, 'float16'), dtype: 'float16' as const, shape: [n] };
    backend.binary(op as keyof typeof OPS, view(a), view(b), out);
    const got = backend.readSync(out.id, 'float16', 0, n) as Uint16Array;
    const apply = OPS[op as keyof typeof OPS];
    const wrong: string[] = [];
    for (let i = 0; i < n; i++) {
      const expected = float32ToFloat16Bits(Math.fround(apply(float16BitsToFloat32(a[i]), float16BitsToFloat32(b[i]))));
      if (got[i] !== expected && wrong.length < 5) wrong.push(`0x${a[i].toString(16)} ${op} 0x${b[i].toString(16)} → 0x${got[i].toString(16)}, expected 0x${expected.toString(16)}`);
    }
    expect(wrong).toEqual([]);
    backend.dispose();
  });
});

describe('float16 conversion kernels reject bad arguments', () => {
  it('names the conversion, the ranges and the dtypes', () => {
    const backend = new CpuBackend({ threads: 1 });
    const { simd, store } = backend as unknown as { simd: SimdKernels; store: BufferStore };
    const values = store.alloc(8, 'float32');
    const halves = store.alloc(4, 'float16');
    expect(() => narrowFloat16Simd(simd, values, halves, 0, 8)).toThrow(/narrowFloat16 expects 8 float32 values of 8 \(float32\) into float16 \[0, 8\) of 4/);
    backend.dispose();
  });
});
