/**
 * float16 on the CPU: 2-byte storage, the float32 adapter on every kernel path (WebAssembly SIMD, the
 * JS fallback and the worker pool), temporaries that never leak, heap growth in the middle of an
 * adapted kernel, and bit-exact data movement (NaN payloads included).
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  arange, layerNorm, loadSafetensors, manualSeed, randn, registerBackend, roundToFloat16, saveSafetensors, serializeSafetensors, setBackend, tensor,
  tidy, type Tensor,
} from '@tessera/core';
import { CpuBackend } from '../src/cpu-backend';
import { createCpuPlugin } from '../src/plugin';

const CONFIGURATIONS = [
  { name: 'cpu-f16-js', simd: false as const, threads: 1 },
  { name: 'cpu-f16-simd', simd: 'auto' as const, threads: 1 },
  { name: 'cpu-f16-threads', simd: 'auto' as const, threads: 3 },
];
for (const options of CONFIGURATIONS) registerBackend(createCpuPlugin(options));
await setBackend('cpu-f16-simd');

const bitsOf = (t: Tensor): Uint16Array => t.storage.backend.readSync!(t.storage.id, 'float16', t.offset, t.size) as Uint16Array;

afterAll(async () => {
  await setBackend('cpu-f16-simd');
});

describe('float16 storage', () => {
  it('takes two bytes per element and frees back to the baseline', () => {
    const backend = new CpuBackend({ threads: 1 });
    const id = backend.alloc(1001, 'float16');
    expect(backend.memory()).toMatchObject({ bytesInUse: 2002, buffers: 1 });
    backend.write(id, new Uint16Array([0x3c00, 0x7d01]), 999);
    expect([...backend.readSync(id, 'float16', 999, 2)]).toEqual([0x3c00, 0x7d01]);
    expect(backend.readSync(id, 'float16', 0, 1)).toBeInstanceOf(Uint16Array);
    backend.free(id);
    expect(backend.memory()).toMatchObject({ bytesInUse: 0, buffers: 0 });
    backend.dispose();
  });
});

describe('float16 kernels are the float32 kernels rounded once', () => {
  for (const { name } of CONFIGURATIONS) {
    it(`${name}: large matmul, exp, sum and softmax equal their float32 versions rounded to half, bit for bit`, async () => {
      await setBackend(name);
      manualSeed(7);
      tidy(() => {
        // Past the threading thresholds (2²⁰ multiply-adds, 2¹⁸ elements), with a transposed operand so
        // strided views go through the adapter.
        const a = randn([128, 160]).half();
        const b = randn([96, 160]).half().T;
        const x = randn([257, 1024]).half();
        const cases: [string, (t: (h: Tensor) => Tensor) => [Tensor, Tensor]][] = [
          ['matmul', (wide) => [a.matmul(b), wide(a).matmul(wide(b)).half()]],
          ['exp', (wide) => [x.exp(), wide(x).exp().half()]],
          ['sum', (wide) => [x.sum(1), wide(x).sum(1).half()]],
          ['softmax', (wide) => [x.softmax(-1), wide(x).softmax(-1).half()]],
          ['flipped add', (wide) => [x.flip(0).add(x), wide(x).flip(0).add(wide(x)).half()]],
        ];
        for (const [op, run] of cases) {
          const [half, reference] = run((h) => h.float());
          expect(half.dtype, op).toBe('float16');
          // Count mismatches in a loop: toEqual on 2¹⁸-element typed arrays takes seconds.
          const [got, want] = [bitsOf(half.contiguous()), bitsOf(reference.contiguous())];
          let mismatches = got.length === want.length ? 0 : -1;
          for (let i = 0; i < want.length && mismatches >= 0; i++) if (got[i] !== want[i]) mismatches++;
          expect(mismatches, op).toBe(0);
        }
      });
    });
  }

  it('float16 results agree across the JS, SIMD and threaded configurations within float32 accumulation error', async () => {
    const results: Float32Array[] = [];
    let magnitude: Float32Array = new Float32Array(0);
    for (const { name } of CONFIGURATIONS) {
      await setBackend(name);
      manualSeed(3);
      const [out, absolute] = tidy(() => {
        const [a, b] = [randn([128, 300]).half(), randn([300, 96]).half()];
        return [a.matmul(b), a.abs().float().matmul(b.abs().float())];
      });
      results.push((await out.data()) as Float32Array);
      magnitude = (await absolute.data()) as Float32Array;
      out.dispose();
      absolute.dispose();
    }
    // Summation order differs between the paths: one half ulp of the result plus float32 error of Σ|a·b|.
    for (const other of results.slice(1)) {
      let worst = 0;
      other.forEach((value, i) => (worst = Math.max(worst, Math.abs(value - results[0][i]) / (2 ** -10 * Math.abs(results[0][i]) + 2 ** -20 * magnitude[i]))));
      expect(worst).toBeLessThanOrEqual(1);
    }
  });
});

describe('the float16 adapter', () => {
  it('frees every temporary it allocates', async () => {
    await setBackend('cpu-f16-threads');
    const x = randn([64, 64]).half();
    const backend = x.storage.backend;
    const before = backend.memory();
    tidy(() => {
      x.matmul(x.T).softmax(1).sum(0).exp().cumsum(0);
      layerNorm(x, [64]);
    });
    const after = backend.memory();
    expect(after.buffers).toBe(before.buffers);
    expect(after.bytesInUse).toBe(before.bytesInUse);
    x.dispose();
  });

  it('keeps results right when widening a large input grows the heap mid-kernel', () => {
    for (const threads of [1, 2]) {
      const backend = new CpuBackend({ threads });
      const size = 6_000_000; // 12 MB of float16 → 24 MB temporaries per operand, past the initial heap
      const input = backend.alloc(size, 'float16');
      const bits = new Uint16Array(size);
      for (let i = 0; i < size; i++) bits[i] = 0x3c00 + (i % 1000); // 1 … ≈ 1.98
      backend.write(input, bits);
      const out = backend.alloc(size, 'float16');
      const view = { id: input, dtype: 'float16' as const, shape: [size], strides: [1], offset: 0 };
      backend.binary('add', view, view, { id: out, dtype: 'float16', shape: [size] });
      const result = backend.readSync(out, 'float16', 0, size) as Uint16Array;
      // x + x doubles exactly: the exponent goes up by one (0x0400), the significand is unchanged.
      for (let i = 0; i < size; i += 997) expect(result[i]).toBe(bits[i] + 0x0400);
      expect(backend.memory().buffers).toBe(2);
      backend.dispose();
    }
  });

  it('moves float16 elements bit-exactly (NaN payloads too) through assign, gather, where and cast', () => {
    const backend = new CpuBackend({ threads: 1 });
    const bits = new Uint16Array([0x7d01, 0xfe02, 0x0001, 0x8000, 0x3c00, 0x7bff]);
    const source = backend.alloc(6, 'float16');
    backend.write(source, bits);
    const flipped = { id: source, dtype: 'float16' as const, shape: [6], strides: [-1], offset: 5 };
    const reversed = [...bits].reverse();
    const target = backend.alloc(6, 'float16');
    backend.assign({ id: target, dtype: 'float16', shape: [6], strides: [1], offset: 0 }, flipped);
    expect([...backend.readSync(target, 'float16', 0, 6)]).toEqual(reversed);
    const cast = backend.alloc(6, 'float16');
    backend.cast(flipped, { id: cast, dtype: 'float16', shape: [6] });
    expect([...backend.readSync(cast, 'float16', 0, 6)]).toEqual(reversed);
    const index = backend.alloc(6, 'int32');
    backend.write(index, new Int32Array([5, 4, 3, 2, 1, 0]));
    const gathered = backend.alloc(6, 'float16');
    backend.gather({ id: source, dtype: 'float16', shape: [6], strides: [1], offset: 0 }, 0, { id: index, dtype: 'int32', shape: [6], strides: [1], offset: 0 }, { id: gathered, dtype: 'float16', shape: [6] });
    expect([...backend.readSync(gathered, 'float16', 0, 6)]).toEqual(reversed);
    const cond = backend.alloc(6, 'bool');
    backend.write(cond, new Uint8Array([1, 0, 1, 0, 1, 0]));
    const picked = backend.alloc(6, 'float16');
    const sourceView = { id: source, dtype: 'float16' as const, shape: [6], strides: [1], offset: 0 };
    backend.where({ id: cond, dtype: 'bool', shape: [6], strides: [1], offset: 0 }, sourceView, flipped, { id: picked, dtype: 'float16', shape: [6] });
    expect([...backend.readSync(picked, 'float16', 0, 6)]).toEqual(Array.from(bits, (value, i) => (i % 2 === 0 ? value : reversed[i])));
    backend.dispose();
  });

  it('safetensors F16 survives load, a transpose and save byte for byte', async () => {
    await setBackend('cpu-f16-simd');
    const bits = new Uint16Array([0x3555, 0x7d01, 0x8001, 0xfc00, 0x7bff, 0x0400]);
    const file = serializeSafetensors({ w: { dtype: 'float16', shape: [2, 3], data: bits } });
    const w = loadSafetensors(file).w;
    expect(w.dtype).toBe('float16');
    const twice = w.T.contiguous().T.contiguous();
    expect(await saveSafetensors({ w: twice })).toEqual(file);
    for (const t of [w, twice]) t.dispose();
  });

  it('rounds fill, arange and float64 casts once, straight from the number', async () => {
    await setBackend('cpu-f16-js');
    const tie = 1 + 2 ** -11 + 2 ** -40; // just above a tie: float32 would round it to the tie, then to even (1)
    expect(bitsOf(tensor([tie], { dtype: 'float16' }))).toEqual(new Uint16Array([0x3c01]));
    expect(bitsOf(tensor([tie], { dtype: 'float64' }).half())).toEqual(new Uint16Array([0x3c01]));
    const filled = tensor([0, 0], { dtype: 'float16' }).add(tie); // the scalar is filled as float16 first
    expect(bitsOf(filled)).toEqual(new Uint16Array([0x3c01, 0x3c01]));
    expect(Array.from(await arange(0, 1, 0.1, { dtype: 'float16' }).data())).toEqual(Array.from({ length: 10 }, (_, i) => roundToFloat16(i * 0.1)));
  });
});
