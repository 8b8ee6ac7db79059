/**
 * The fused `matmulBiasActivation` kernel against core's float64 reference backend: every
 * activation with and without a bias, all four transpose combinations (vec4 loads along K and M/N),
 * sliced/flipped operands (scalar loads), broadcast batches, ragged sizes on every tile, a long K,
 * special values through each activation, in float32 and (where the adapter has `shader-f16`)
 * float16, plus core's `fusedMatmul` with gradients and the pipeline-cache variants.
 *
 * Each result is compared with a tolerance that scales with what the f32 accumulation could have
 * lost: Σ|a·b| + |bias| per output (computed by the reference on absolute values), so a missing bias
 * or a wrong activation (errors of O(1)) always fails.
 */
import { DTypeError, ShapeError, ensureBackend, fromFloat16Bits, fusedMatmul, registerBackend, tensor, toFloat16Bits, type Tensor } from '@tessera/core';
import { referencePlugin } from '@tessera/core/testing';
import { DEFAULT_TOLERANCES, expectClose, layoutView, productScale, type Layout, type Rng, type Tolerance } from '@tessera/backend-conformance';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { WebGPUBackend } from '../src/webgpu-backend';
import { usePairedBackends } from './paired-backends';
import { gpu, hasWebGPU } from './webgpu-environment';
import { FUSED_ACTIVATIONS, type Backend, type DataArray, type DataId, type DType, type FusedActivation, type OutputBuffer, type StridedView } from '@tessera/core/backend';

/** One float16 ulp relative, plus the smallest subnormal (as the float16 kernel tests). */
const HALF: Tolerance = { rtol: 1e-3, atol: 2 ** -24 };
const TOLERANCE: Record<'float32' | 'float16', Tolerance> = { float32: DEFAULT_TOLERANCES.float32, float16: HALF };

/** One operand held by both backends: the same values under the same view. */
interface Operand {
  readonly gpu: StridedView;
  readonly ref: StridedView;
  /** The same view over |values| (reference only), for the error bound. */
  readonly magnitude: StridedView;
  readonly label: string;
}

/** A product case. */
interface Case {
  readonly batch: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly a?: Layout;
  readonly b?: Layout;
  readonly bias?: Layout | null;
  readonly label: string;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((product, extent) => product * extent, 1);

describe.skipIf(!hasWebGPU)('matmulBiasActivation on webgpu matches the float64 reference', () => {
  const fixture = usePairedBackends(20261126);
  const { reference, live } = fixture;
  let webgpu: WebGPUBackend;
  let rng: Rng;
  beforeAll(() => {
    ({ webgpu, rng } = fixture);
  });

  const hostData = (dtype: DType, values: readonly number[]): DataArray =>
    dtype === 'float16' ? toFloat16Bits(values) : dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);

  const buffer = (backend: Backend, dtype: DType, values: readonly number[]): DataId => {
    const id = backend.alloc(values.length, dtype);
    backend.write(id, hostData(dtype, values));
    live.push([backend, id]);
    return id;
  };

  /** A view of `shape` laid out as `layout` over a fresh buffer of `values(size)` in both backends. */
  const operand = (dtype: DType, shape: readonly number[], layout: Layout, values: (size: number) => number[]): Operand => {
    const spec = layoutView(shape, layout);
    const data = values(spec.bufferSize);
    // Round once on the host so the magnitudes match the values both backends hold.
    const held = dtype === 'float16' ? Array.from(fromFloat16Bits(toFloat16Bits(data))) : data;
    const view = (id: DataId): StridedView => ({ id, dtype, shape: spec.shape, strides: spec.strides, offset: spec.offset });
    return {
      gpu: view(buffer(webgpu, dtype, data)),
      ref: view(buffer(reference, dtype, data)),
      magnitude: { ...view(buffer(reference, 'float64', held.map(Math.abs))), dtype: 'float64' },
      label: spec.label,
    };
  };

  const output = (backend: Backend, dtype: DType, shape: readonly number[]): OutputBuffer => {
    const id = backend.alloc(sizeOf(shape), dtype);
    live.push([backend, id]);
    return { id, dtype, shape };
  };

  const numbers = (data: DataArray, dtype: DType): DataArray => (dtype === 'float16' ? fromFloat16Bits(data as Uint16Array) : data);

  /** Run one case on both backends and compare; `values` draws the operands' entries. */
  const check = async (dtype: 'float32' | 'float16', testCase: Case, activation: FusedActivation, values?: (size: number) => number[]) => {
    const { batch, m, k, n } = testCase;
    // Entries of ±2/k^¼ give pre-activations of about ±1.3 at any K: the curved part of sigmoid and tanh.
    const range = 2 / Math.max(k, 1) ** 0.25;
    const draw = values ?? ((size: number) => Array.from({ length: size }, () => rng.uniform(-range, range)));
    const a = operand(dtype, [batch, m, k], testCase.a ?? {}, draw);
    const b = operand(dtype, [batch, k, n], testCase.b ?? {}, draw);
    const bias = testCase.bias === null ? null : operand(dtype, [n], testCase.bias ?? {}, (size) => Array.from({ length: size }, () => rng.uniform(-1, 1)));
    const shape = [batch, m, n];
    const gpuOut = output(webgpu, dtype, shape);
    const refOut = output(reference, dtype, shape);
    const boundOut = output(reference, 'float64', shape);
    webgpu.matmulBiasActivation(a.gpu, b.gpu, bias?.gpu ?? null, activation, gpuOut);
    reference.matmulBiasActivation(a.ref, b.ref, bias?.ref ?? null, activation, refOut);
    reference.matmulBiasActivation(a.magnitude, b.magnitude, bias?.magnitude ?? null, 'none', boundOut);
    const size = sizeOf(shape);
    const [actual, expected, magnitude] = await Promise.all([
      webgpu.read(gpuOut.id, dtype, 0, size), reference.read(refOut.id, dtype, 0, size), reference.read(boundOut.id, 'float64', 0, size),
    ]);
    const what = `matmulBiasActivation ${activation} (${dtype}) ${testCase.label}: a ${a.label}, b ${b.label}${bias ? `, bias ${bias.label}` : ', no bias'}`;
    expectClose(numbers(actual, dtype), numbers(expected, dtype), what, { tolerance: TOLERANCE[dtype], scale: productScale(k), magnitude: magnitude as Float64Array, shape });
  };

  // One block per dtype: a cold lavapipe compiles each pipeline variant in seconds, so each test stays under ~10 new ones.
  for (const dtype of ['float32', 'float16'] as const) {
    /** float16 runs only where the adapter has shader-f16. */
    const skip = () => dtype === 'float16' && !webgpu.capabilities.dtypes.includes('float16');

    it(`${dtype}: every activation, with and without a bias, on ragged sizes (scalar loads and stores)`, async () => {
      if (skip()) return;
      for (const activation of FUSED_ACTIVATIONS) {
        for (const bias of [{}, null]) await check(dtype, { batch: 2, m: 33, k: 20, n: 17, bias, label: '[2, 33, 20] × [2, 20, 17]' }, activation);
      }
    });

    it(`${dtype}: all four transpose combinations (vec4 loads along K, M and N; vec4 stores)`, async () => {
      if (skip()) return;
      const cases: Case[] = [
        { batch: 2, m: 64, k: 48, n: 64, label: 'row-major' },
        { batch: 2, m: 64, k: 48, n: 64, a: { order: [0, 2, 1] }, bias: null, label: 'a transposed' },
        { batch: 2, m: 64, k: 48, n: 64, b: { order: [0, 2, 1] }, label: 'b transposed' },
        { batch: 2, m: 64, k: 48, n: 64, a: { order: [0, 2, 1] }, b: { order: [0, 2, 1] }, label: 'both transposed' },
        { batch: 1, m: 37, k: 21, n: 29, a: { order: [0, 2, 1] }, b: { order: [0, 2, 1] }, label: 'both transposed, ragged' },
      ];
      // Each layout under a different activation: the activation × bias pairs are all covered above.
      for (const [index, testCase] of cases.entries()) await check(dtype, testCase, FUSED_ACTIVATIONS[(index + 1) % FUSED_ACTIVATIONS.length]);
    });

    it(`${dtype}: broadcast batches, sliced and flipped operands and an offset bias view`, async () => {
      if (skip()) return;
      const cases: [Case, FusedActivation][] = [
        [{ batch: 3, m: 12, k: 16, n: 8, a: { broadcast: [true, false, false] }, label: 'a broadcast over the batch' }, 'relu'],
        [{ batch: 3, m: 13, k: 9, n: 11, b: { broadcast: [true, false, false] }, label: 'b (a shared weight) broadcast over the batch' }, 'tanh'],
        [{ batch: 2, m: 10, k: 14, n: 9, a: { start: [0, 1, 2], step: [1, 2, 1] }, b: { flip: [false, true, true] }, label: 'sliced a, flipped b' }, 'sigmoid'],
        [{ batch: 1, m: 20, k: 12, n: 24, bias: { start: [5], end: [3] }, label: 'bias at an offset inside a larger buffer' }, 'relu'],
      ];
      for (const [testCase, activation] of cases) await check(dtype, testCase, activation);
    });

    it(`${dtype}: every tile size, ragged past the tile edges, and a long K`, async () => {
      if (skip()) return;
      const cases: [Case, FusedActivation][] = [
        [{ batch: 1, m: 131, k: 70, n: 133, label: 'large tile on a software adapter, ragged' }, 'sigmoid'],
        [{ batch: 1, m: 136, k: 40, n: 132, b: { order: [0, 2, 1] }, label: 'large tile, vec4 stores, b transposed' }, 'relu'],
        [{ batch: 2, m: 50, k: 33, n: 67, label: 'medium tile, ragged' }, 'tanh'],
        [{ batch: 1, m: 7, k: 2053, n: 5, label: 'K of 2053 (129 K steps, a ragged last one)' }, 'sigmoid'],
        [{ batch: 1, m: 65, k: 1024, n: 68, a: { order: [0, 2, 1] }, bias: null, label: 'K of 1024, a transposed' }, 'tanh'],
      ];
      for (const [testCase, activation] of cases) await check(dtype, testCase, activation);
    });

    it(`${dtype}: special values: relu keeps NaN, the sigmoid never overflows, tanh saturates, ±∞ map to the limits`, async () => {
      if (skip()) return;
      // K = 1 with b = 1 and no bias makes the pre-activations the a entries themselves.
      const specials = [0, -0, NaN, Infinity, -Infinity, 1000, -1000, 88, -88, 100, -104, 20, -20, 0.5, -0.5, 3];
      for (const activation of FUSED_ACTIVATIONS) {
        const values = (size: number) => (size === specials.length ? specials : new Array<number>(size).fill(1));
        await check(dtype, { batch: 1, m: specials.length, k: 1, n: 3, bias: null, label: 'special values' }, activation, values);
      }
    });
  }

  it('rejects mismatched shapes, dtypes and activations, naming the op, shapes and dtypes', () => {
    const view = (shape: number[], dtype: DType = 'float32'): StridedView => {
      const id = webgpu.alloc(sizeOf(shape), dtype);
      live.push([webgpu, id]);
      const strides = shape.map((_, dim) => sizeOf(shape.slice(dim + 1)));
      return { id, dtype, shape, strides, offset: 0 };
    };
    const out = (shape: number[], dtype: DType = 'float32') => output(webgpu, dtype, shape);
    expect(() => webgpu.matmulBiasActivation(view([1, 2, 3]), view([1, 3, 4]), view([5]), 'relu', out([1, 2, 4]))).toThrow(ShapeError);
    expect(() => webgpu.matmulBiasActivation(view([1, 2, 3]), view([1, 3, 4]), view([5]), 'relu', out([1, 2, 4]))).toThrow(
      /matmulBiasActivation.*a float32 \[1, 2, 3\], b float32 \[1, 3, 4\], bias float32 \[5\], out float32 \[1, 2, 4\]/,
    );
    expect(() => webgpu.matmulBiasActivation(view([1, 2, 3]), view([1, 4, 4]), null, 'none', out([1, 2, 4]))).toThrow(ShapeError);
    expect(() => webgpu.matmulBiasActivation(view([1, 2, 3]), view([1, 3, 4]), view([4], 'int32'), 'relu', out([1, 2, 4]))).toThrow(
      /matmulBiasActivation needs every operand in the output's dtype, got .*bias int32 \[4\]/,
    );
    expect(() => webgpu.matmulBiasActivation(view([1, 2, 3], 'int32'), view([1, 3, 4], 'int32'), null, 'relu', out([1, 2, 4], 'int32'))).toThrow(DTypeError);
    expect(() => webgpu.matmulBiasActivation(view([1, 2, 3]), view([1, 3, 4]), null, 'gelu' as FusedActivation, out([1, 2, 4]))).toThrow(/activation must be one of/);
  });

  it('compiles one pipeline per variant and reuses it; no bias and no activation is the plain matmul pipeline', async () => {
    // A fresh device, so the count starts from an empty cache whatever ran before.
    const fresh = await WebGPUBackend.create(gpu);
    try {
      const view = (shape: number[]): StridedView => {
        const id = fresh.alloc(sizeOf(shape), 'float32');
        fresh.write(id, new Float32Array(sizeOf(shape)).fill(0.5));
        return { id, dtype: 'float32', shape, strides: shape.map((_, dim) => sizeOf(shape.slice(dim + 1))), offset: 0 };
      };
      const [a, b, bias] = [view([1, 9, 8]), view([1, 8, 10]), view([10])];
      const out: OutputBuffer = { id: fresh.alloc(90, 'float32'), dtype: 'float32', shape: [1, 9, 10] };
      const count = () => fresh.runtime.pipelines.size;
      const variants: [StridedView | null, FusedActivation, number][] = [
        [bias, 'tanh', 1], [bias, 'tanh', 1], [bias, 'sigmoid', 2], [null, 'sigmoid', 3], [bias, 'none', 4], [null, 'none', 5],
      ];
      for (const [shift, activation, expected] of variants) {
        fresh.matmulBiasActivation(a, b, shift, activation, out);
        expect(count(), `${activation}${shift ? ' with bias' : ''}`).toBe(expected);
      }
      fresh.matmul(a, b, out);
      expect(count(), 'plain matmul shares the unfused variant').toBe(5);
      const values = (await fresh.read(out.id, 'float32', 0, 90)) as Float32Array;
      expect(values.every((value) => value === 2)).toBe(true);
      expect([...fresh.runtime.pipelines.compileProblems().keys()]).toEqual([]);
    } finally {
      fresh.dispose();
    }
  });

  it('float32: equals matmul → add → the unary activation on this backend bit for bit (same accumulation, same WGSL)', async () => {
    const [m, k, n] = [37, 45, 70];
    const x = tensor(Array.from({ length: m * k }, () => rng.uniform(-1, 1)), { shape: [m, k], device: 'webgpu' });
    const w = tensor(Array.from({ length: k * n }, () => rng.uniform(-1, 1)), { shape: [n, k], device: 'webgpu' }).transpose(0, 1);
    const bias = tensor(Array.from({ length: n }, () => rng.uniform(-1, 1)), { device: 'webgpu' });
    for (const activation of FUSED_ACTIVATIONS) {
      const fused = fusedMatmul(x, w, { bias, activation });
      const shifted = x.matmul(w).add(bias);
      const composite = activation === 'none' ? shifted : activation === 'relu' ? shifted.relu() : activation === 'sigmoid' ? shifted.sigmoid() : shifted.tanh();
      expectClose(await fused.data(), await composite.data(), `fusedMatmul ${activation} vs the composite`, { tolerance: null });
      for (const t of new Set<Tensor>([fused, shifted, composite])) t.dispose();
    }
    for (const t of [x, w, bias]) t.dispose();
  });

  it("through core's fusedMatmul: values and gradients in a, b and bias match the reference, and the fused kernel runs", async () => {
    registerBackend(referencePlugin);
    await ensureBackend('reference');
    const fused = vi.spyOn(webgpu, 'matmulBiasActivation');
    try {
      const xs = Array.from({ length: 2 * 5 * 7 }, () => rng.uniform(-1, 1));
      const ws = Array.from({ length: 7 * 6 }, () => rng.uniform(-1, 1));
      const bs = Array.from({ length: 6 }, () => rng.uniform(-1, 1));
      const cs = Array.from({ length: 2 * 5 * 6 }, () => rng.uniform(-1, 1));
      for (const activation of FUSED_ACTIVATIONS) {
        const results = await Promise.all(['webgpu', 'reference'].map(async (device) => {
          const x = tensor(xs, { shape: [2, 5, 7], device, requiresGrad: true });
          const w = tensor(ws, { shape: [7, 6], device, requiresGrad: true });
          const bias = tensor(bs, { shape: [6], device, requiresGrad: true });
          const c = tensor(cs, { shape: [2, 5, 6], device });
          // A transposed weight view ([6, 7] stored, used as [7, 6]) on top: the kernel takes strided operands.
          const y = fusedMatmul(x, w.transpose(0, 1).contiguous().transpose(0, 1), { bias, activation });
          const loss = y.mul(c).sum();
          loss.backward();
          const values = [await y.data(), await x.grad!.data(), await w.grad!.data(), await bias.grad!.data()];
          for (const t of new Set<Tensor>([x, w, bias, c, y, loss, x.grad!, w.grad!, bias.grad!])) t.dispose();
          return values;
        }));
        const names = ['y', 'dL/dx', 'dL/dw', 'dL/dbias'];
        // Gradients chain a few float32 products and sums of up to 10 terms.
        names.forEach((name, index) =>
          expectClose(results[0][index], results[1][index], `fusedMatmul ${activation}: ${name}`, { tolerance: { rtol: 1e-5, atol: 1e-5 }, scale: index === 0 ? 1 : 4 }),
        );
      }
      expect(fused).toHaveBeenCalledTimes(FUSED_ACTIVATIONS.length);
    } finally {
      fused.mockRestore();
    }
  });
});
