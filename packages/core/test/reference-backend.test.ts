import { describe, expect, it } from 'vitest';
import type { DataArray, DType, OutputBuffer, StridedView } from '../src/backend/backend';
import { BACKEND_API_VERSION, UNARY_OPS } from '../src/backend/backend';
import { BackendError } from '../src/errors';
import { fillPhiloxStream } from '../src/random/philox';
import { ReferenceBackend, referencePlugin } from '../src/testing/reference-backend';

const backend = new ReferenceBackend();

function contiguousStrides(shape: readonly number[]): number[] {
  const strides: number[] = [];
  let stride = 1;
  for (let dim = shape.length - 1; dim >= 0; dim--) {
    strides[dim] = stride;
    stride *= shape[dim];
  }
  return strides;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Upload `values` as a buffer and return a view of it (contiguous unless strides/offset given). */
function view(values: number[], dtype: DType, shape: number[], strides = contiguousStrides(shape), offset = 0): StridedView {
  const id = backend.alloc(values.length, dtype);
  backend.write(id, Float64Array.from(values) as unknown as DataArray);
  return { id, dtype, shape, strides, offset };
}

function output(dtype: DType, shape: number[]): OutputBuffer {
  return { id: backend.alloc(sizeOf(shape), dtype), dtype, shape };
}

function contents(out: OutputBuffer): number[] {
  return Array.from(backend.readSync(out.id, out.dtype, 0, sizeOf(out.shape)));
}

function unary(op: (typeof UNARY_OPS)[number], values: number[], dtype: DType = 'float64'): number[] {
  const out = output(op === 'logicalNot' ? 'bool' : dtype, [values.length]);
  backend.unary(op, view(values, dtype, [values.length]), out);
  return contents(out);
}

describe('ReferenceBackend plugin', () => {
  it('is named reference, has priority -1 and creates synchronously', () => {
    expect(referencePlugin.name).toBe('reference');
    expect(referencePlugin.priority).toBe(-1);
    expect(referencePlugin.apiVersion).toBe(BACKEND_API_VERSION);
    expect(referencePlugin.create()).toBeInstanceOf(ReferenceBackend);
  });
  it('supports all five dtypes, sync reads and strided inputs', () => {
    expect([...backend.capabilities.dtypes].sort()).toEqual(['bool', 'float16', 'float32', 'float64', 'int32']);
    expect(backend.capabilities.syncRead).toBe(true);
    expect(backend.capabilities.stridedInputs).toBe(true);
  });
});

describe('ReferenceBackend storage', () => {
  it('memory returns to its baseline after free', async () => {
    const fresh = new ReferenceBackend();
    expect(fresh.memory()).toEqual({ bytesInUse: 0, bytesPooled: 0, buffers: 0 });
    const a = fresh.alloc(10, 'float32');
    const b = fresh.alloc(3, 'float64');
    const c = fresh.alloc(5, 'bool');
    expect(fresh.memory()).toEqual({ bytesInUse: 40 + 24 + 5, bytesPooled: 0, buffers: 3 });
    fresh.write(a, new Float32Array([1, 2, 3]), 2);
    expect(Array.from(await fresh.read(a, 'float32', 1, 4))).toEqual([0, 1, 2, 3]);
    fresh.free(a);
    fresh.free(b);
    fresh.free(c);
    expect(fresh.memory()).toEqual({ bytesInUse: 0, bytesPooled: 0, buffers: 0 });
  });
  it('rejects use after free and out-of-range reads with BackendErrors', () => {
    const id = backend.alloc(2, 'int32');
    expect(() => backend.readSync(id, 'int32', 1, 2)).toThrow(BackendError);
    backend.free(id);
    expect(() => backend.readSync(id, 'int32', 0, 1)).toThrow(BackendError);
    expect(() => backend.readSync(id, 'int32', 0, 1)).toThrow(/after free/);
  });
  it('returns a copy the caller owns', () => {
    const id = backend.alloc(2, 'float32');
    const first = backend.readSync(id, 'float32', 0, 2);
    first[0] = 7;
    expect(backend.readSync(id, 'float32', 0, 2)[0]).toBe(0);
  });
});

describe('ReferenceBackend unary semantics', () => {
  it('erf matches known values to 1e-14', () => {
    const xs = [0, 0.1, 0.3, 0.5, 1, 2, 3, 4.5, 6, -0.5, -2];
    const known = [
      0, 0.1124629160182849, 0.3286267594591274, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527,
      0.9999779095030014, 0.9999999998033839, 1, -0.5204998778130465, -0.9953222650189527,
    ];
    unary('erf', xs).forEach((value, i) => expect(Math.abs(value - known[i])).toBeLessThan(1e-14));
  });
  it('erf agrees with its Taylor series on a dense grid', () => {
    const xs = Array.from({ length: 301 }, (_, i) => -3 + i * 0.02);
    const series = (x: number) => {
      let term = x;
      let total = x;
      for (let n = 1; n < 200; n++) {
        term *= (-x * x) / n;
        total += term / (2 * n + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * total;
    };
    unary('erf', xs).forEach((value, i) => expect(Math.abs(value - series(xs[i]))).toBeLessThan(1e-11));
  });
  it('round rounds half to even', () => {
    expect(unary('round', [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, Infinity])).toEqual([0, 2, 2, 0, -2, -2, 2, 3, Infinity]);
  });
  it('sigmoid is stable for large magnitudes', () => {
    const [low, zero, high] = unary('sigmoid', [-1000, 0, 1000]);
    expect(low).toBe(0);
    expect(zero).toBe(0.5);
    expect(high).toBe(1);
    expect(unary('sigmoid', [-700])[0]).toBeGreaterThan(0);
  });
  it('sign of zero is zero and relu keeps NaN', () => {
    expect(unary('sign', [-3, 0, 2])).toEqual([-1, 0, 1]);
    expect(unary('relu', [NaN, -1, 2])).toEqual([NaN, 0, 2]);
  });
  it('logicalNot produces bool', () => {
    expect(unary('logicalNot', [0, 2, -1, 0], 'int32')).toEqual([1, 0, 0, 1]);
  });
  it('int32 negation wraps at the minimum', () => {
    expect(unary('neg', [-2147483648, 5], 'int32')).toEqual([-2147483648, -5]);
  });
  it('float32 outputs are rounded to float32', () => {
    expect(unary('exp', [1], 'float32')[0]).toBe(Math.fround(Math.E));
  });
});

describe('ReferenceBackend binary semantics', () => {
  const binary = (op: Parameters<ReferenceBackend['binary']>[0], a: number[], b: number[], dtype: DType, outDtype = dtype) => {
    const out = output(outDtype, [a.length]);
    backend.binary(op, view(a, dtype, [a.length]), view(b, dtype, [b.length]), out);
    return contents(out);
  };
  it('int32 arithmetic wraps as two’s complement', () => {
    expect(binary('add', [2147483647], [1], 'int32')).toEqual([-2147483648]);
    expect(binary('mul', [65536, 123456789], [65536, 987654321], 'int32')).toEqual([0, Math.imul(123456789, 987654321)]);
    expect(binary('sub', [-2147483648], [1], 'int32')).toEqual([2147483647]);
    expect(binary('pow', [3, 7, -2], [4, 20, 3], 'int32')).toEqual([81, Math.imul(7 ** 10, 7 ** 10), -8]);
  });
  it('maximum and minimum propagate NaN', () => {
    expect(binary('maximum', [NaN, 1, 2], [0, NaN, 3], 'float64')).toEqual([NaN, NaN, 3]);
    expect(binary('minimum', [NaN, 1, 2], [0, NaN, 3], 'float64')).toEqual([NaN, NaN, 2]);
  });
  it('comparisons and logical ops produce bool', () => {
    expect(binary('lt', [1, 2, NaN], [2, 2, 0], 'float32', 'bool')).toEqual([1, 0, 0]);
    expect(binary('ne', [NaN], [NaN], 'float32', 'bool')).toEqual([1]);
    expect(binary('logicalAnd', [1, 0, 1], [1, 1, 0], 'bool', 'bool')).toEqual([1, 0, 0]);
    expect(binary('logicalOr', [0, 0, 3], [0, 1, 0], 'int32', 'bool')).toEqual([0, 1, 1]);
  });
  it('reads broadcast (stride 0) and flipped (negative stride) views', () => {
    const a = view([1, 2, 3], 'float64', [2, 3], [0, 1]); // rows repeat
    const b = view([10, 20, 30, 40, 50, 60], 'float64', [2, 3], [3, -1], 2); // each row reversed
    const out = output('float64', [2, 3]);
    backend.binary('add', a, b, out);
    expect(contents(out)).toEqual([31, 22, 13, 61, 52, 43]);
  });
});

describe('ReferenceBackend cast, where, fill, arange', () => {
  it('float to int truncates toward zero, maps NaN and infinities to 0 and clamps', () => {
    const out = output('int32', [8]);
    backend.cast(view([2.7, -2.7, NaN, Infinity, -Infinity, 3e9, -3e9, -0.5], 'float32', [8]), out);
    expect(contents(out)).toEqual([2, -2, 0, 0, 0, 2147483647, -2147483648, 0]);
  });
  it('anything to bool is x ≠ 0 and bool to float is 0 or 1', () => {
    const toBool = output('bool', [4]);
    backend.cast(view([0, -0, NaN, 0.1], 'float64', [4]), toBool);
    expect(contents(toBool)).toEqual([0, 0, 1, 1]);
    const toFloat = output('float32', [2]);
    backend.cast(view([1, 0], 'bool', [2]), toFloat);
    expect(contents(toFloat)).toEqual([1, 0]);
  });
  it('where selects from a where cond is true', () => {
    const out = output('int32', [3]);
    backend.where(view([1, 0, 1], 'bool', [3]), view([1, 2, 3], 'int32', [3]), view([7], 'int32', [3], [0]), out);
    expect(contents(out)).toEqual([1, 7, 3]);
  });
  it('fill and arange', () => {
    const filled = output('bool', [3]);
    backend.fill(filled, 5);
    expect(contents(filled)).toEqual([1, 1, 1]);
    const range = output('int32', [4]);
    backend.arange(range, 10, -3);
    expect(contents(range)).toEqual([10, 7, 4, 1]);
  });
});

describe('ReferenceBackend reductions', () => {
  const x = () => view([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 9], 'float64', [2, 2, 3]);
  const reduce = (op: Parameters<ReferenceBackend['reduce']>[0], axes: number[], shape: number[], dtype: DType = 'float64', input = x()) => {
    const out = output(dtype, shape);
    backend.reduce(op, input, axes, out);
    return contents(out);
  };
  it('sum over several axes removes them', () => {
    expect(reduce('sum', [0, 2], [2])).toEqual([3 + 1 + 4 + 2 + 6 + 5, 1 + 5 + 9 + 3 + 5 + 9]);
    expect(reduce('sum', [0, 1, 2], [])).toEqual([53]);
  });
  it('argmax picks the first maximum on ties', () => {
    expect(reduce('argmax', [2], [2, 2], 'int32')).toEqual([2, 2, 1, 2]);
    expect(reduce('argmin', [2], [2, 2], 'int32')).toEqual([1, 0, 0, 0]);
    const ties = view([5, 1, 5, 1], 'float64', [4]);
    expect(reduce('argmax', [0], [], 'int32', ties)).toEqual([0]);
    expect(reduce('argmin', [0], [], 'int32', ties)).toEqual([1]);
  });
  it('max propagates NaN', () => {
    expect(reduce('max', [0], [], 'float64', view([1, NaN, 3], 'float64', [3]))).toEqual([NaN]);
  });
  it('empty reductions give the identity', () => {
    expect(reduce('sum', [1], [2], 'float64', view([], 'float64', [2, 0], [0, 1]))).toEqual([0, 0]);
    expect(reduce('prod', [1], [2], 'float64', view([], 'float64', [2, 0], [0, 1]))).toEqual([1, 1]);
  });
  it('int32 prod wraps', () => {
    expect(reduce('prod', [0], [], 'int32', view([65536, 65536, 3], 'int32', [3]))).toEqual([0]);
  });
});

describe('ReferenceBackend matmul, gather, scatterAdd, cumsum, assign', () => {
  it('matmul reads transposed operands and a broadcast batch', () => {
    // a = [[1, 2], [3, 4]] stored column-major; b broadcast over a batch of 2.
    const a = view([1, 3, 2, 4], 'float64', [2, 2, 2], [0, 1, 2]);
    const b = view([5, 6, 7, 8], 'float64', [2, 2, 2], [0, 2, 1]);
    const out = output('float64', [2, 2, 2]);
    backend.matmul(a, b, out);
    expect(contents(out)).toEqual([19, 22, 43, 50, 19, 22, 43, 50]);
  });
  it('gather follows PyTorch along an axis', () => {
    const out = output('float32', [2, 2]);
    backend.gather(view([1, 2, 3, 4], 'float32', [2, 2]), 1, view([0, 0, 1, 0], 'int32', [2, 2]), out);
    expect(contents(out)).toEqual([1, 1, 4, 3]);
    expect(() => backend.gather(view([1], 'float32', [1]), 0, view([1], 'int32', [1]), output('float32', [1]))).toThrow(RangeError); // the Backend contract (core re-throws a ValueError)
  });
  it('scatterAdd accumulates repeated indices', () => {
    const target = output('float64', [3]);
    backend.fill(target, 1);
    backend.scatterAdd(target, 0, view([0, 2, 0, 0], 'int32', [4]), view([1, 2, 3, 4], 'float64', [4]));
    expect(contents(target)).toEqual([9, 1, 3]);
  });
  it('cumsum is inclusive along the axis', () => {
    const out = output('int32', [2, 3]);
    backend.cumsum(view([1, 2, 3, 4, 5, 6], 'int32', [2, 3]), 0, out);
    expect(contents(out)).toEqual([1, 2, 3, 5, 7, 9]);
  });
  it('assign writes into a strided destination', () => {
    const dst = view([0, 0, 0, 0, 0, 0], 'float32', [3], [-2], 5);
    backend.assign(dst, view([1, 2, 3], 'float32', [3]));
    expect(Array.from(backend.readSync(dst.id, 'float32', 0, 6))).toEqual([0, 3, 0, 2, 0, 1]);
  });
});

describe('ReferenceBackend random', () => {
  it('is the Philox reference stream', () => {
    for (const [distribution, dtype] of [['uniform', 'float32'], ['normal', 'float64'], ['bits', 'int32'], ['randint', 'int32']] as const) {
      const out = output(dtype, [11]);
      const request = { distribution, key: [7, 1], counter: [3, 0], low: -5, high: 9 } as const;
      backend.random(out, request);
      const expected = dtype === 'float32' ? new Float32Array(11) : dtype === 'float64' ? new Float64Array(11) : new Int32Array(11);
      fillPhiloxStream(expected, request);
      expect(contents(out)).toEqual(Array.from(expected));
    }
  });
});

describe('ReferenceBackend optional kernels', () => {
  it('softmax rows sum to one and logSoftmax is its logarithm', () => {
    const x = view([1, 2, 3, 1000, 1000, 1000], 'float64', [2, 3]);
    const soft = output('float64', [2, 3]);
    const logSoft = output('float64', [2, 3]);
    backend.softmax(x, 1, soft);
    backend.logSoftmax(x, 1, logSoft);
    const probabilities = contents(soft);
    expect(probabilities[0] + probabilities[1] + probabilities[2]).toBeCloseTo(1, 15);
    expect(probabilities.slice(3)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    contents(logSoft).forEach((value, i) => expect(value).toBeCloseTo(Math.log(probabilities[i]), 14));
  });
  it('layerNorm writes normalised rows, mean and rstd', () => {
    const x = view([1, 2, 3, 4, 4, 4], 'float64', [2, 3]);
    const weight = view([1, 2, 1], 'float64', [3]);
    const bias = view([0, 0, 1], 'float64', [3]);
    const out = output('float64', [2, 3]);
    const mean = output('float64', [2]);
    const rstd = output('float64', [2]);
    backend.layerNorm(x, weight, bias, 3, 0, out, mean, rstd);
    expect(contents(mean)).toEqual([2, 4]);
    const rowRstd = 1 / Math.sqrt(2 / 3);
    expect(contents(rstd)[0]).toBeCloseTo(rowRstd, 14);
    const values = contents(out);
    expect(values[0]).toBeCloseTo(-rowRstd, 14);
    expect(values[1]).toBe(0);
    expect(values[2]).toBeCloseTo(rowRstd + 1, 14);
  });
  it('conv2d handles stride, padding, dilation and groups', () => {
    // 1×2×3×3 input, groups = 2, one 2×2 filter per group, padding 1, stride 2, dilation 1.
    const x = view([...Array.from({ length: 9 }, (_, i) => i + 1), ...Array.from({ length: 9 }, () => 1)], 'float64', [1, 2, 3, 3]);
    const weight = view([1, 0, 0, 1, 1, 1, 1, 1], 'float64', [2, 1, 2, 2]);
    const bias = view([0, 10], 'float64', [2]);
    const out = output('float64', [1, 2, 2, 2]);
    backend.conv2d(x, weight, bias, { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 2 }, out);
    // Group 0: windows at (-1,-1),(−1,1),(1,−1),(1,1) with the diagonal filter.
    expect(contents(out)).toEqual([1, 3, 7, 5 + 9, 11, 12, 12, 14]);
    const dilated = output('float64', [1, 1, 1, 1]);
    backend.conv2d(view(Array.from({ length: 9 }, (_, i) => i + 1), 'float64', [1, 1, 3, 3]), view([1, 1, 1, 1], 'float64', [1, 1, 2, 2]), null,
      { stride: [1, 1], padding: [0, 0], dilation: [2, 2], groups: 1 }, dilated);
    expect(contents(dilated)).toEqual([1 + 3 + 7 + 9]);
  });
  it('maxPool2d reports flat in-plane indices of the first maximum', () => {
    const x = view([1, 5, 5, 2, 0, 3, 9, 9, 4], 'float64', [1, 1, 3, 3]);
    const out = output('float64', [1, 1, 2, 2]);
    const indices = output('int32', [1, 1, 2, 2]);
    backend.maxPool2d(x, { kernelSize: [2, 2], stride: [1, 1], padding: [0, 0], dilation: [1, 1], countIncludePad: true }, out, indices);
    expect(contents(out)).toEqual([5, 5, 9, 9]);
    expect(contents(indices)).toEqual([1, 1, 6, 7]);
  });
  it('avgPool2d counts padding only when asked', () => {
    const x = view([1, 2, 3, 4], 'float64', [1, 1, 2, 2]);
    const params = { kernelSize: [2, 2], stride: [2, 2], padding: [1, 1], dilation: [1, 1] } as const;
    const withPad = output('float64', [1, 1, 2, 2]);
    backend.avgPool2d(x, { ...params, countIncludePad: true }, withPad);
    expect(contents(withPad)).toEqual([0.25, 0.5, 0.75, 1]);
    const withoutPad = output('float64', [1, 1, 2, 2]);
    backend.avgPool2d(x, { ...params, countIncludePad: false }, withoutPad);
    expect(contents(withoutPad)).toEqual([1, 2, 3, 4]);
    const override = output('float64', [1, 1, 2, 2]);
    backend.avgPool2d(x, { ...params, countIncludePad: true, divisorOverride: 2 }, override);
    expect(contents(override)).toEqual([0.5, 1, 1.5, 2]);
  });
});
