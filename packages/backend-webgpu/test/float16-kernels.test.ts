/**
 * Every webgpu kernel on float16 tensors against core's float64 reference backend, which computes
 * each result exactly and rounds it once to binary16. This complements the shared conformance
 * suite's float16 pass (one-ulp tolerances everywhere) with what this backend promises beyond it:
 * the kernels compute in f32 and round once, so results that f32 gets exactly (add, sub, mul,
 * comparisons, min/max, copies, casts, fill, arange) must match bit for bit; the others within one
 * float16 ulp (rtol 1e-3, scaled by the length of an accumulation). And every kernel family's
 * alternative code paths are reached on purpose: vec4<f16> and scalar matmul loads and each tile,
 * the register-row, thread and workgroup-tree softmax and layerNorm, thread and tree reductions.
 */
import { ensureBackend, fromFloat16Bits, manualSeed, rand, registerBackend, tensor, toFloat16Bits } from '@tessera/core';
import { referencePlugin } from '@tessera/core/testing';
import { expectClose, layoutView, productScale, reductionScale, type Layout, type Rng, type Tolerance } from '@tessera/backend-conformance';
import { beforeAll, describe, it } from 'vitest';
import type { WebGPUBackend } from '../src/webgpu-backend';
import { usePairedBackends } from './paired-backends';
import { hasWebGPU } from './webgpu-environment';
import { BINARY_OPS, UNARY_OPS, type Backend, type DataArray, type DataId, type DType, type OutputBuffer, type StridedView, type UnaryOp } from '@tessera/core/backend';

/** One float16 ulp relative (2⁻¹⁰ ≈ 9.8e-4), plus the smallest subnormal. */
const HALF: Tolerance = { rtol: 1e-3, atol: 2 ** -24 };

/** A buffer that lives in both backends with the same contents. */
interface Pair {
  readonly gpu: DataId;
  readonly ref: DataId;
  readonly dtype: DType;
}

/** The two backends' outputs of one kernel. */
interface OutputPair {
  readonly gpu: OutputBuffer;
  readonly ref: OutputBuffer;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((product, extent) => product * extent, 1);

describe.skipIf(!hasWebGPU)('float16 kernels on webgpu match the float64 reference', () => {
  const fixture = usePairedBackends(20240229);
  const { reference, live } = fixture;
  let webgpu: WebGPUBackend;
  let rng: Rng;
  beforeAll(() => {
    ({ webgpu, rng } = fixture);
  });

  const hasF16 = () => webgpu.capabilities.dtypes.includes('float16');

  /** Host values as the boundary array of `dtype` (float16: rounded to bits). */
  const hostData = (dtype: DType, values: readonly number[]): DataArray => {
    if (dtype === 'float16') return toFloat16Bits(values);
    if (dtype === 'float32') return Float32Array.from(values);
    if (dtype === 'int32') return Int32Array.from(values);
    return Uint8Array.from(values, (value) => (value ? 1 : 0));
  };

  const pair = (dtype: DType, values: readonly number[]): Pair => {
    const ids = ([webgpu, reference] as Backend[]).map((backend) => {
      const id = backend.alloc(values.length, dtype);
      if (values.length > 0) backend.write(id, hostData(dtype, values));
      live.push([backend, id]);
      return id;
    });
    return { gpu: ids[0], ref: ids[1], dtype };
  };

  /** Random values for a view's whole buffer. */
  const randomValues = (size: number, low = -4, high = 4) => Array.from({ length: size }, () => rng.uniform(low, high));

  /** A strided view over a fresh buffer of random values. */
  const input = (shape: readonly number[], layout: Layout = {}, dtype: DType = 'float16', values?: (size: number) => number[]) => {
    const spec = layoutView(shape, layout);
    const data = pair(dtype, values ? values(spec.bufferSize) : dtype === 'bool' ? randomValues(spec.bufferSize, 0, 2).map(Math.floor) : randomValues(spec.bufferSize));
    const view = (id: DataId): StridedView => ({ id, dtype, shape: spec.shape, strides: spec.strides, offset: spec.offset });
    return { gpu: view(data.gpu), ref: view(data.ref), label: spec.label };
  };

  const output = (dtype: DType, shape: readonly number[]): OutputPair => {
    const ids = ([webgpu, reference] as Backend[]).map((backend) => {
      const id = backend.alloc(sizeOf(shape), dtype);
      live.push([backend, id]);
      return id;
    });
    return { gpu: { id: ids[0], dtype, shape }, ref: { id: ids[1], dtype, shape } };
  };

  /** Read both outputs as numbers (float16 widened) and compare them. */
  const compare = async (out: OutputPair, what: string, tolerance: Tolerance | null, extra: { scale?: number; magnitude?: readonly number[] } = {}) => {
    const size = sizeOf(out.gpu.shape);
    const [actual, expected] = await Promise.all([webgpu.read(out.gpu.id, out.gpu.dtype, 0, size), reference.read(out.ref.id, out.ref.dtype, 0, size)]);
    const numbers = (data: DataArray) => (out.gpu.dtype === 'float16' ? fromFloat16Bits(data as Uint16Array) : data);
    expectClose(numbers(actual), numbers(expected), `${what} (float16 on webgpu)`, { tolerance, shape: out.gpu.shape, ...extra });
  };

  /** Run `kernel` on both backends with their halves of each operand. */
  const run = <T extends { gpu: unknown; ref: unknown }>(operands: readonly T[], kernel: (backend: Backend, side: 'gpu' | 'ref', ...parts: T['gpu'][]) => void) => {
    kernel(webgpu, 'gpu', ...operands.map((operand) => operand.gpu));
    kernel(reference, 'ref', ...operands.map((operand) => operand.ref));
  };

  /** Inputs of each unary op (log/sqrt/rsqrt on positives; erf, tanh near their curved parts). */
  const unaryDomain = (op: UnaryOp) => (size: number) =>
    op === 'log' || op === 'sqrt' || op === 'rsqrt' || op === 'reciprocal' ? randomValues(size, 0.01, 60) : op === 'exp' ? randomValues(size, -9, 9) : randomValues(size, -6, 6);
  /** Unary results that f32 computes exactly, so the rounded float16 must equal the reference's. */
  const EXACT_UNARY = new Set<UnaryOp>(['neg', 'abs', 'sign', 'relu', 'floor', 'ceil', 'round', 'logicalNot', 'sqrt']);

  it('unary ops on a flipped, sliced view (exact where f32 is exact, else within one ulp)', async () => {
    if (!hasF16()) return;
    for (const op of UNARY_OPS) {
      const x = input([6, 7], { flip: [true, false], start: [1, 1], step: [1, 2] }, 'float16', unaryDomain(op));
      const out = output(op === 'logicalNot' ? 'bool' : 'float16', [6, 7]);
      run([x, out] as const, (backend, _side, view, buffer) => backend.unary(op, view as StridedView, buffer as OutputBuffer));
      await compare(out, `${op} of ${x.label}`, EXACT_UNARY.has(op) ? null : HALF);
    }
  });

  it('unary and binary ops keep ±0, ±∞, NaN, subnormals and the largest half', async () => {
    if (!hasF16()) return;
    const specials = [0, -0, Infinity, -Infinity, NaN, 2 ** -24, -(2 ** -14), 65504, -65504, 1, -1, 0.5];
    for (const op of ['neg', 'abs', 'relu', 'sign', 'exp', 'sqrt', 'tanh', 'sigmoid'] as const) {
      const x = input([specials.length], {}, 'float16', () => specials);
      const out = output('float16', [specials.length]);
      run([x, out] as const, (backend, _side, view, buffer) => backend.unary(op, view as StridedView, buffer as OutputBuffer));
      await compare(out, `${op} of special values`, op === 'neg' || op === 'abs' || op === 'relu' || op === 'sign' ? null : HALF);
    }
    for (const op of ['add', 'mul', 'maximum', 'lt'] as const) {
      const a = input([specials.length], {}, 'float16', () => specials);
      const b = input([specials.length], { flip: [true] }, 'float16', () => specials);
      const out = output(op === 'lt' ? 'bool' : 'float16', [specials.length]);
      run([a, b, out] as const, (backend, _side, left, right, buffer) => backend.binary(op, left as StridedView, right as StridedView, buffer as OutputBuffer));
      await compare(out, `${op} of special values (65504 + 65504 overflows to ∞)`, null);
    }
  });

  it('binary ops on broadcast and permuted views (add, sub, mul, comparisons, min/max exact)', async () => {
    if (!hasF16()) return;
    for (const op of BINARY_OPS) {
      const positive = op === 'pow' ? (size: number) => randomValues(size, 0.1, 3) : undefined;
      const a = input([5, 6], { order: [1, 0] }, 'float16', positive);
      const b = input([5, 6], { broadcast: [true, false], flip: [false, true] }, 'float16', op === 'div' ? (size) => randomValues(size, 0.5, 4) : positive);
      const out = output(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr'].includes(op) ? 'bool' : 'float16', [5, 6]);
      run([a, b, out] as const, (backend, _side, left, right, buffer) => backend.binary(op, left as StridedView, right as StridedView, buffer as OutputBuffer));
      await compare(out, `${op} of ${a.label} and ${b.label}`, op === 'div' || op === 'pow' ? HALF : null);
    }
  });

  it('where, assign into a strided view, and casts to and from every dtype are exact', async () => {
    if (!hasF16()) return;
    const cond = input([4, 9], {}, 'bool');
    const a = input([4, 9], { order: [1, 0] });
    const b = input([4, 9], { broadcast: [true, false] });
    const picked = output('float16', [4, 9]);
    run([cond, a, b, picked] as const, (backend, _side, c, left, right, out) => backend.where(c as StridedView, left as StridedView, right as StridedView, out as OutputBuffer));
    await compare(picked, 'where', null);

    const destination = pair('float16', randomValues(45));
    const source = input([5, 4], { flip: [true, true] });
    const target = (id: DataId): StridedView => ({ id, dtype: 'float16', shape: [5, 4], strides: [1, 9], offset: 3 });
    webgpu.assign(target(destination.gpu), source.gpu);
    reference.assign(target(destination.ref), source.ref);
    await compare({ gpu: { id: destination.gpu, dtype: 'float16', shape: [45] }, ref: { id: destination.ref, dtype: 'float16', shape: [45] } }, 'assign into a transposed, offset view', null);

    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const values = dtype === 'int32' ? (size: number) => randomValues(size, -70000, 70000).map(Math.trunc) : (size: number) => randomValues(size, -70000, 70000);
      const from = input([3, 11], { order: [1, 0] }, dtype, dtype === 'bool' ? undefined : values);
      const toHalf = output('float16', [3, 11]);
      run([from, toHalf] as const, (backend, _side, view, out) => backend.cast(view as StridedView, out as OutputBuffer));
      await compare(toHalf, `cast ${dtype} → float16 (beyond ±65504 → ±∞)`, null);
      const half = input([3, 11], { flip: [false, true] }, 'float16', (size) => randomValues(size, -300, 300));
      const fromHalf = output(dtype, [3, 11]);
      run([half, fromHalf] as const, (backend, _side, view, out) => backend.cast(view as StridedView, out as OutputBuffer));
      await compare(fromHalf, `cast float16 → ${dtype}`, null);
    }
  });

  it('reductions accumulate in f32: every op over inner, outer and long axes (thread and tree paths)', async () => {
    if (!hasF16()) return;
    const cases: [readonly number[], readonly number[], Layout][] = [
      [[4, 5, 6], [1], { flip: [false, true, false] }],
      [[4, 5, 6], [0, 2], { order: [2, 0, 1] }],
      [[3, 1000], [1], {}],
    ];
    for (const [shape, axes, layout] of cases) {
      for (const op of ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'] as const) {
        if ((op === 'argmax' || op === 'argmin') && axes.length !== 1) continue;
        const x = input(shape, layout, 'float16', op === 'prod' ? (size) => randomValues(size, 0.9, 1.1) : undefined);
        const outShape = shape.filter((_, dim) => !axes.includes(dim));
        const out = output(op === 'argmax' || op === 'argmin' ? 'int32' : 'float16', outShape);
        run([x, out] as const, (backend, _side, view, buffer) => backend.reduce(op, view as StridedView, axes, buffer as OutputBuffer));
        const length = sizeOf(axes.map((axis) => shape[axis]));
        // A sum's error scales with Σ|x| (here up to 4 per term), not with its possibly cancelling result.
        const magnitude = op === 'sum' ? new Array(sizeOf(outShape)).fill(4 * length) : undefined;
        await compare(out, `${op} over axes [${axes}] of ${x.label}`, op === 'sum' || op === 'prod' ? HALF : null, { scale: reductionScale(length), magnitude });
      }
    }
  });

  it('matmul keeps its tiles for float16 (vec4<f16> and scalar loads, all transposes, batches) with f32 accumulation', async () => {
    if (!hasF16()) return;
    const cases: { m: number; k: number; n: number; batch: number; a: Layout; b: Layout; label: string }[] = [
      { m: 33, k: 20, n: 17, batch: 1, a: {}, b: {}, label: 'odd sizes (scalar loads)' },
      { m: 64, k: 48, n: 64, batch: 2, a: {}, b: {}, label: 'aligned (vec4 loads along K and N)' },
      { m: 64, k: 48, n: 64, batch: 2, a: { order: [0, 2, 1] }, b: { order: [0, 2, 1] }, label: 'both transposed (vec4 along M and K)' },
      { m: 136, k: 40, n: 132, batch: 1, a: {}, b: { flip: [false, true, false] }, label: 'large tile, flipped b' },
      { m: 12, k: 16, n: 8, batch: 3, a: { broadcast: [true, false, false] }, b: {}, label: 'broadcast batch of a' },
    ];
    for (const { m, k, n, batch, a: aLayout, b: bLayout, label } of cases) {
      const a = input([batch, m, k], aLayout, 'float16', (size) => randomValues(size, -2, 2));
      const b = input([batch, k, n], bLayout, 'float16', (size) => randomValues(size, -2, 2));
      const out = output('float16', [batch, m, n]);
      run([a, b, out] as const, (backend, _side, left, right, buffer) => backend.matmul(left as StridedView, right as StridedView, buffer as OutputBuffer));
      await compare(out, `matmul ${label}: [${batch}, ${m}, ${k}] × [${batch}, ${k}, ${n}]`, HALF, { scale: productScale(k), magnitude: new Array(batch * m * n).fill(4 * k) });
    }
  });

  it('gather, scatterAdd (no atomics: one f32 sum per target), cumsum, fill and arange', async () => {
    if (!hasF16()) return;
    const x = input([4, 6], { order: [1, 0] });
    const index = input([4, 3], {}, 'int32', (size) => Array.from({ length: size }, () => rng.int(0, 5)));
    const gathered = output('float16', [4, 3]);
    run([x, index, gathered] as const, (backend, _side, view, indices, out) => backend.gather(view as StridedView, 1, indices as StridedView, out as OutputBuffer));
    await compare(gathered, 'gather along axis 1 of a transposed view', null);

    const target = pair('float16', randomValues(20));
    const scatterIndex = input([7, 4], {}, 'int32', (size) => Array.from({ length: size }, () => rng.int(0, 4)));
    const source = input([7, 4], { flip: [true, false] });
    const targetBuffer = (id: DataId): OutputBuffer => ({ id, dtype: 'float16', shape: [5, 4] });
    webgpu.scatterAdd(targetBuffer(target.gpu), 0, scatterIndex.gpu, source.gpu);
    reference.scatterAdd(targetBuffer(target.ref), 0, scatterIndex.ref, source.ref);
    await compare({ gpu: targetBuffer(target.gpu), ref: targetBuffer(target.ref) }, 'scatterAdd along axis 0 with repeated indices', HALF, { scale: reductionScale(8), magnitude: new Array(20).fill(32) });

    const line = input([4, 9], { order: [1, 0], flip: [true, false] });
    const sums = output('float16', [4, 9]);
    run([line, sums] as const, (backend, _side, view, out) => backend.cumsum(view as StridedView, 1, out as OutputBuffer));
    await compare(sums, 'cumsum along axis 1 of a permuted, flipped view', HALF, { scale: reductionScale(9), magnitude: new Array(36).fill(36) });

    const filled = output('float16', [37]);
    run([filled] as const, (backend, _side, out) => backend.fill(out as OutputBuffer, 0.1));
    await compare(filled, 'fill with 0.1 (rounded once: 0x2e66)', null);
    const ramp = output('float16', [37]);
    run([ramp] as const, (backend, _side, out) => backend.arange(out as OutputBuffer, -1.5, 0.25));
    await compare(ramp, 'arange from -1.5 by 0.25', null);
  });

  it('softmax and logSoftmax: register rows (vec4 and scalar), thread and tree paths, f32 statistics', async () => {
    if (!hasF16()) return;
    const cases: [readonly number[], number, string][] = [
      [[3, 256], 1, 'row kernel, vec4<f16> loads'],
      [[3, 130], 1, 'row kernel, scalar loads'],
      [[4, 7, 3], 1, 'middle axis, one thread per line'],
      [[2, 300, 2], 1, 'middle axis, workgroup tree'],
    ];
    for (const [shape, axis, label] of cases) {
      for (const logarithm of [false, true]) {
        const x = input(shape, {}, 'float16', (size) => randomValues(size, -8, 8));
        const out = output('float16', shape);
        run([x, out] as const, (backend, _side, view, buffer) =>
          logarithm ? backend.logSoftmax!(view as StridedView, axis, buffer as OutputBuffer) : backend.softmax!(view as StridedView, axis, buffer as OutputBuffer),
        );
        await compare(out, `${logarithm ? 'logSoftmax' : 'softmax'} ${label} [${shape}]`, HALF, { scale: 2, magnitude: logarithm ? new Array(sizeOf(shape)).fill(16) : undefined });
      }
    }
  });

  it('layerNorm (thread and tree paths, with and without weight and bias) writes out, mean and rstd in float16', async () => {
    if (!hasF16()) return;
    for (const [rows, size, affine] of [[5, 24, true], [3, 200, false]] as const) {
      const x = input([rows, size], {}, 'float16', (count) => randomValues(count, -3, 5));
      const weight = affine ? input([size]) : null;
      const bias = affine ? input([size]) : null;
      const outs = [output('float16', [rows, size]), output('float16', [rows]), output('float16', [rows])];
      for (const side of ['gpu', 'ref'] as const) {
        const backend = side === 'gpu' ? webgpu : reference;
        backend.layerNorm!(x[side], weight?.[side] ?? null, bias?.[side] ?? null, size, 1e-5, outs[0][side], outs[1][side], outs[2][side]);
      }
      const [out, mean, rstd] = outs;
      await compare(mean, `layerNorm mean of [${rows}, ${size}]`, HALF, { scale: reductionScale(size), magnitude: new Array(rows).fill(5) });
      await compare(rstd, `layerNorm rstd of [${rows}, ${size}]`, HALF, { scale: reductionScale(size) });
      // Normalized values are O(1) differences of O(5) terms; weight and bias add up to 4 · 4 + 4.
      await compare(out, `layerNorm of [${rows}, ${size}]${affine ? ' with weight and bias' : ''}`, HALF, { scale: reductionScale(size), magnitude: new Array(rows * size).fill(affine ? 24 : 4) });
    }
  });

  it('conv2d (im2col in f16, grouped, strided, padded, bias) and max/avg pooling', async () => {
    if (!hasF16()) return;
    const x = input([2, 4, 7, 7], { order: [0, 2, 3, 1] }, 'float16', (size) => randomValues(size, -2, 2));
    const weight = input([6, 2, 3, 3], {}, 'float16', (size) => randomValues(size, -1, 1));
    const bias = input([6], {}, 'float16', (size) => randomValues(size, -1, 1));
    const params = { stride: [2, 1] as const, padding: [1, 1] as const, dilation: [1, 1] as const, groups: 2 };
    const convolved = output('float16', [2, 6, 4, 7]);
    run([x, weight, bias, convolved] as const, (backend, _side, input4d, kernel, b, out) =>
      backend.conv2d!(input4d as StridedView, kernel as StridedView, b as StridedView, params, out as OutputBuffer),
    );
    await compare(convolved, 'conv2d [2, 4, 7, 7] * [6, 2, 3, 3], groups 2, stride [2, 1], padding 1, bias', HALF, { scale: productScale(18), magnitude: new Array(2 * 6 * 4 * 7).fill(2 * 18 + 1) });

    const pool = { kernelSize: [3, 3] as const, stride: [2, 2] as const, padding: [1, 1] as const, dilation: [1, 1] as const, countIncludePad: true };
    const planes = input([2, 3, 7, 7], { flip: [false, false, true, false] });
    const maxima = output('float16', [2, 3, 4, 4]);
    const indices = output('int32', [2, 3, 4, 4]);
    run([planes, maxima, indices] as const, (backend, _side, view, out, where) => backend.maxPool2d!(view as StridedView, pool, out as OutputBuffer, where as OutputBuffer));
    await compare(maxima, 'maxPool2d 3×3 stride 2 padding 1', null);
    await compare(indices, 'maxPool2d indices', null);
    const means = output('float16', [2, 3, 4, 4]);
    run([planes, means] as const, (backend, _side, view, out) => backend.avgPool2d!(view as StridedView, pool, out as OutputBuffer));
    await compare(means, 'avgPool2d 3×3 stride 2 padding 1', HALF, { scale: reductionScale(9), magnitude: new Array(96).fill(4) });
  });

  it('through core: float16 rand is the reference stream bit for bit, and gradients match the reference', async () => {
    if (!hasF16()) return;
    registerBackend(referencePlugin);
    await ensureBackend('reference');
    const draws = [];
    for (const device of ['webgpu', 'reference']) {
      manualSeed(11);
      const t = rand([3, 33], { dtype: 'float16', device });
      draws.push(await t.data());
      t.dispose();
    }
    expectClose(draws[0], draws[1], 'rand([3, 33], float16)', { tolerance: null });
    // d/dx of sum(logSoftmax(x·w)·c): matmul, logSoftmax, mul and sum backward, all in float16.
    const xs = randomValues(6 * 8, -1, 1);
    const ws = randomValues(8 * 5, -1, 1);
    const cs = randomValues(6 * 5, -1, 1);
    const gradients = await Promise.all(['webgpu', 'reference'].map(async (device) => {
      const x = tensor(xs, { shape: [6, 8], dtype: 'float16', device, requiresGrad: true });
      const w = tensor(ws, { shape: [8, 5], dtype: 'float16', device, requiresGrad: true });
      const c = tensor(cs, { shape: [6, 5], dtype: 'float16', device });
      const loss = x.matmul(w).logSoftmax(1).mul(c).sum();
      loss.backward();
      const result = [await x.grad!.data(), await w.grad!.data()];
      for (const t of [x, w, c, loss, x.grad!, w.grad!]) t.dispose();
      return result;
    }));
    // Each float16 op rounds; the backward chain compounds a few of those roundings.
    expectClose(gradients[0][0], gradients[1][0], 'dL/dx through float16 matmul and logSoftmax', { tolerance: { rtol: 4e-3, atol: 2e-3 } });
    expectClose(gradients[0][1], gradients[1][1], 'dL/dw through float16 matmul and logSoftmax', { tolerance: { rtol: 4e-3, atol: 2e-3 } });
  });
});
