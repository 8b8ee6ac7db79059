// Specifications of the kit's own building blocks: views, tolerances and skip keys.
import { describe, expect, it } from 'vitest';
import { ConformanceError, VIEW_KINDS, createRng, expectClose, isSkipped, layoutView, randomView, sizeOf } from '../src';

/** Every element offset a view reaches. */
function offsets(spec: ReturnType<typeof layoutView>): number[] {
  const result: number[] = [];
  for (let flat = 0; flat < sizeOf(spec.shape); flat++) {
    let remaining = flat;
    let offset = spec.offset;
    for (let dim = spec.shape.length - 1; dim >= 0; dim--) {
      offset += (remaining % spec.shape[dim]) * spec.strides[dim];
      remaining = Math.floor(remaining / spec.shape[dim]);
    }
    result.push(offset);
  }
  return result;
}

describe('view generators', () => {
  it('every random view of every kind stays inside its buffer', () => {
    const rng = createRng(5);
    for (let trial = 0; trial < 200; trial++) {
      const shape = Array.from({ length: rng.int(0, 4) }, () => rng.int(0, 5));
      for (const kind of VIEW_KINDS) {
        const spec = randomView(rng, shape, kind);
        for (const offset of offsets(spec)) {
          expect(offset).toBeGreaterThanOrEqual(0);
          expect(offset).toBeLessThan(spec.bufferSize);
        }
      }
    }
  });
  it('non-broadcast views never reach one buffer element twice', () => {
    const rng = createRng(6);
    for (const kind of ['contiguous', 'permuted', 'sliced', 'flipped'] as const) {
      const spec = randomView(rng, [3, 4, 5], kind);
      expect(new Set(offsets(spec)).size).toBe(60);
    }
  });
  it('a transposed view has column-major strides and a flipped one starts at the end', () => {
    expect(layoutView([2, 3], { order: [1, 0] }).strides).toEqual([1, 2]);
    const flipped = layoutView([4], { flip: [true] });
    expect(offsets(flipped)).toEqual([3, 2, 1, 0]);
    expect(layoutView([2, 3], { broadcast: [true, false] })).toMatchObject({ strides: [0, 1], bufferSize: 3 });
  });
});

describe('expectClose', () => {
  const tolerance = { rtol: 1e-5, atol: 1e-6 };
  it('accepts values within atol + rtol · |expected| and matching NaN and infinities', () => {
    expectClose(new Float32Array([1.000001, NaN, Infinity]), new Float32Array([1, NaN, Infinity]), 'ok', { tolerance });
  });
  it('rejects a value outside the tolerance and names the element', () => {
    expect(() => expectClose(new Float32Array([1, 2.1]), new Float32Array([1, 2]), 'exp on a test view', { tolerance, shape: [1, 2] })).toThrow(
      /exp on a test view: 1 of 2 elements differ[\s\S]*\[0, 1\]: got 2\.09/,
    );
  });
  it('is exact for integers and when asked', () => {
    expect(() => expectClose(new Int32Array([1]), new Int32Array([2]), 'int', { tolerance: null })).toThrow(ConformanceError);
    expect(() => expectClose(new Float64Array([0.1 + 1e-17 * 8]), new Float64Array([0.1]), 'bits', { tolerance, exact: true })).toThrow(ConformanceError);
  });
  it('widens the allowance with scale and magnitude', () => {
    expectClose(new Float32Array([0.001]), new Float32Array([0]), 'cancelling sum', { tolerance, scale: 10, magnitude: [10] });
  });
});

describe('skip keys', () => {
  it('match a family, a check or one dtype of a check', () => {
    expect(isSkipped('unary.exp:float32', ['unary'])).toBe(true);
    expect(isSkipped('unary.exp:float32', ['unary.exp'])).toBe(true);
    expect(isSkipped('unary.exp:float32', ['unary.exp:float64'])).toBe(false);
    expect(isSkipped('unary.expm1:float32', ['unary.exp'])).toBe(false);
    expect(isSkipped('conv2d:float32', ['conv2d'])).toBe(true);
  });
});
