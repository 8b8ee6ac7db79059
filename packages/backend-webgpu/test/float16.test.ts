/**
 * float16 on webgpu (`array<f16>` storage where the device has `shader-f16`): casts round to
 * nearest-even bit for bit, 2-byte buffers of odd lengths read and write exactly, a device without
 * the feature refuses float16 clearly, and a float16 MLP trains like the float32 one.
 */
import { DTypeError, ensureBackend, float16BitsToFloat32, float32ToFloat16Bits, registerBackend, tensor } from '@tessera/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWebGPUPlugin } from '../src/plugin';
import { WebGPUBackend } from '../src/webgpu-backend';
import { createMlp } from './mlp';
import { gpu, hasWebGPU } from './webgpu-environment';
import { BACKEND_API_VERSION, type OutputBuffer, type StridedView } from '@tessera/core/backend';

const view = (out: OutputBuffer, offset = 0, size = out.shape[0] - offset): StridedView => ({ id: out.id, dtype: out.dtype, shape: [size], strides: [1], offset });

describe.skipIf(!hasWebGPU)('float16 on webgpu', () => {
  let backend: WebGPUBackend;
  let hasF16 = false;
  beforeAll(async () => {
    registerBackend(createWebGPUPlugin({ gpu }));
    backend = (await ensureBackend('webgpu')) as WebGPUBackend;
    hasF16 = backend.features.shaderF16;
    if (!hasF16) console.warn('[backend-webgpu] this adapter has no shader-f16: float16 checks beyond the capability are skipped');
  });

  const output = (dtype: 'float16' | 'float32' | 'int32' | 'bool', size: number): OutputBuffer => ({ id: backend.alloc(size, dtype), dtype, shape: [size] });

  it('advertises float16 in capabilities.dtypes exactly when the device has shader-f16', () => {
    expect(backend.capabilities.dtypes.includes('float16')).toBe(backend.device.features.has('shader-f16'));
    expect(backend.features.shaderF16).toBe(backend.device.features.has('shader-f16'));
  });

  it('float32 → float16 casts round to nearest-even with the known answers (1/3 → 0x3555, 65504 → 0x7bff, 65520 → ∞)', async () => {
    if (!hasF16) return;
    const cases: [number, number][] = [
      [1 / 3, 0x3555], [65504, 0x7bff], [65519, 0x7bff], [65520, 0x7c00], [-65520, 0xfc00], [1e6, 0x7c00],
      [Infinity, 0x7c00], [-Infinity, 0xfc00], [NaN, 0x7e00], [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000],
      [0.1, 0x2e66], [2 ** -14, 0x0400], [2 ** -24, 0x0001], [2 ** -25, 0x0000], [3 * 2 ** -26, 0x0001],
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [2049, 0x6800], [2051, 0x6802], [6.1e-5, 0x03ff],
    ];
    const input = output('float32', cases.length);
    backend.write(input.id, Float32Array.from(cases, ([value]) => value));
    const halves = output('float16', cases.length);
    backend.cast(view(input), halves);
    const bits = (await backend.read(halves.id, 'float16', 0, cases.length)) as Uint16Array;
    expect(bits).toBeInstanceOf(Uint16Array);
    cases.forEach(([value, expected], i) => {
      expect(bits[i], `${value} → 0x${bits[i].toString(16)}, expected 0x${expected.toString(16)}`).toBe(expected);
      expect(bits[i]).toBe(float32ToFloat16Bits(Math.fround(value)));
    });
  });

  it('every one of the 65536 float16 patterns widens exactly to float32 and casts back to itself', async () => {
    if (!hasF16) return;
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const halves = output('float16', all.length);
    backend.write(halves.id, all);
    const wide = output('float32', all.length);
    backend.cast(view(halves), wide);
    const back = output('float16', all.length);
    backend.cast(view(wide), back);
    const [widened, narrowed] = await Promise.all([backend.read(wide.id, 'float32', 0, all.length), backend.read(back.id, 'float16', 0, all.length)]);
    let mismatches = 0;
    for (let bits = 0; bits < 65536; bits++) {
      const expected = float16BitsToFloat32(bits);
      const isNaN = Number.isNaN(expected);
      const widenOk = isNaN ? Number.isNaN(widened[bits]) : Object.is(widened[bits], expected);
      const backOk = isNaN ? (narrowed[bits] & 0x7c00) === 0x7c00 && (narrowed[bits] & 0x3ff) !== 0 : narrowed[bits] === bits;
      if (!widenOk || !backOk) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('casts between float16 and int32 and bool follow core (truncation toward zero, ∞ → 0, x ≠ 0)', async () => {
    if (!hasF16) return;
    const ints = Int32Array.from([0, 1, -7, 2049, 2051, 65504, 65519, 65520, -70000, 2 ** 30]);
    const fromInt = output('int32', ints.length);
    backend.write(fromInt.id, ints);
    const halves = output('float16', ints.length);
    backend.cast(view(fromInt), halves);
    const bits = (await backend.read(halves.id, 'float16', 0, ints.length)) as Uint16Array;
    expect(Array.from(bits)).toEqual(Array.from(ints, (value) => float32ToFloat16Bits(value)));
    const toInt = output('int32', ints.length);
    backend.cast(view(halves), toInt);
    expect(Array.from(await backend.read(toInt.id, 'int32', 0, ints.length))).toEqual([0, 1, -7, 2048, 2052, 65504, 65504, 0, 0, 0]);
    const toBool = output('bool', ints.length);
    backend.cast(view(halves), toBool);
    expect(Array.from(await backend.read(toBool.id, 'bool', 0, ints.length))).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const fromBool = output('float16', ints.length);
    backend.cast(view(toBool), fromBool);
    expect(Array.from(await backend.read(fromBool.id, 'float16', 0, ints.length))).toEqual([0, ...Array(9).fill(0x3c00)]);
  });

  it('odd-length float16 buffers: writes at any offset keep their neighbours, reads of any sub-range are exact', async () => {
    if (!hasF16) return;
    for (const size of [1, 3, 37]) {
      const id = backend.alloc(size, 'float16');
      const whole = Uint16Array.from({ length: size }, (_, i) => 0x3c00 + i * 3);
      backend.write(id, whole);
      expect(Array.from(await backend.read(id, 'float16', 0, size))).toEqual(Array.from(whole));
      for (let offset = 0; offset < size; offset++) {
        for (const length of [1, 2, 3]) {
          if (offset + length > size) continue;
          const part = (await backend.read(id, 'float16', offset, length)) as Uint16Array;
          expect(part.length).toBe(length);
          expect(part.buffer.byteLength).toBe(length * 2);
          expect(Array.from(part)).toEqual(Array.from(whole.subarray(offset, offset + length)));
        }
      }
      backend.free(id);
    }
    // Patches at odd and even offsets, odd and even lengths, inside and at the end of the buffer.
    const id = backend.alloc(37, 'float16');
    const expected = Uint16Array.from({ length: 37 }, (_, i) => 0x4000 + i);
    backend.write(id, expected);
    for (const [offset, length] of [[11, 1], [12, 3], [20, 4], [25, 2], [30, 5], [34, 3], [36, 1], [0, 1]]) {
      const patch = Uint16Array.from({ length }, (_, i) => 0xbc00 + offset * 8 + i);
      backend.write(id, patch, offset);
      expected.set(patch, offset);
    }
    expect(Array.from(await backend.read(id, 'float16', 0, 37))).toEqual(Array.from(expected));
    backend.free(id);
  });

  it('memory() counts float16 buffers, they pool by size class, and fill rounds once on the host', async () => {
    if (!hasF16) return;
    await backend.sync();
    const baseline = backend.memory();
    const id = backend.alloc(1001, 'float16');
    const during = backend.memory();
    expect(during.buffers - baseline.buffers).toBe(1);
    expect(during.bytesInUse - baseline.bytesInUse).toBeGreaterThanOrEqual(2002);
    expect(during.bytesInUse - baseline.bytesInUse).toBeLessThan(4004); // two bytes an element, not four
    backend.fill({ id, dtype: 'float16', shape: [1001] }, 1 / 3);
    const filled = (await backend.read(id, 'float16', 0, 1001)) as Uint16Array;
    expect(filled.every((bits) => bits === 0x3555)).toBe(true);
    backend.free(id);
    await backend.sync();
    expect(backend.memory().bytesInUse).toBe(baseline.bytesInUse);
    const created = backend.runtime.pool.stats().created;
    const again = backend.alloc(1001, 'float16');
    expect(backend.runtime.pool.stats().created).toBe(created); // the same size class came back from the pool
    backend.free(again);
  });

  it('a device without shader-f16 leaves float16 out of its dtypes and refuses it with a clear error', async () => {
    const features = { shaderF16: false, adapter: 'a test adapter without shader-f16' };
    const plain = new WebGPUBackend(backend.device, { name: 'webgpu-no-f16', features, owner: gpu });
    expect(plain.capabilities.dtypes).toEqual(['float32', 'int32', 'bool']);
    expect(() => plain.alloc(4, 'float16')).toThrow(DTypeError);
    expect(() => plain.alloc(4, 'float16')).toThrow(/webgpu alloc: dtype float16 needs the adapter feature 'shader-f16'.*a test adapter without shader-f16/);
    registerBackend({ name: 'webgpu-no-f16', apiVersion: BACKEND_API_VERSION, priority: 0, create: () => plain });
    await ensureBackend('webgpu-no-f16');
    expect(() => tensor([1, 2], { dtype: 'float16', device: 'webgpu-no-f16' })).toThrow(DTypeError);
    expect(() => tensor([1, 2], { dtype: 'float16', device: 'webgpu-no-f16' })).toThrow(/float16/);
    const x = tensor([1, 2], { device: 'webgpu-no-f16' });
    expect(Array.from(await x.data())).toEqual([1, 2]);
    x.dispose();
  });

  it('the seeded MLP trains in float16: the loss falls and tracks the float32 run within float16 tolerance', async () => {
    if (!hasF16) return;
    const sizes = { inputs: 32, hidden: 64, classes: 10, batch: 48 };
    const losses: Record<string, number[]> = { float32: [], float16: [] };
    for (const dtype of ['float32', 'float16'] as const) {
      const mlp = createMlp('webgpu', sizes, 7, 0.1, dtype);
      for (const p of mlp.params) expect(p.dtype).toBe(dtype);
      for (let step = 0; step < 20; step++) losses[dtype].push(await mlp.step());
      mlp.dispose();
    }
    const half = losses.float16;
    expect(half.every(Number.isFinite)).toBe(true);
    expect(half[19]).toBeLessThan(half[0] * 0.9); // it actually trains
    half.forEach((loss, step) => {
      const reference = losses.float32[step];
      // float16 keeps 11 significant bits (2⁻¹¹ ≈ 5e-4 relative); 20 steps of rounded weights drift a few ulps.
      expect(Math.abs(loss - reference) / reference, `step ${step}: float16 ${loss}, float32 ${reference}`).toBeLessThan(5e-3);
    });
  });
});
