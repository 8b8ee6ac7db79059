/**
 * Shared helpers of the core test suite: closeness checks on nested arrays and float64 random inputs.
 */
import { expect } from 'vitest';
import { randn, type NestedArray, type Tensor } from '../src/index';

/** Flatten nested arrays of numbers into one list. */
export function flat(value: NestedArray | readonly unknown[]): number[] {
  if (typeof value === 'number') return [value];
  return (value as unknown[]).flatMap((item) => flat(item as NestedArray));
}

/** Expect two flat lists of numbers to agree within `tolerance` (NaN matches NaN, ±∞ match exactly). */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const got = actual[i];
    const want = expected[i];
    if (Number.isNaN(want)) {
      expect(got, `element ${i}`).toBeNaN();
    } else if (!Number.isFinite(want)) {
      expect(got, `element ${i}`).toBe(want);
    } else {
      expect(Math.abs(got - want), `element ${i}: got ${got}, expected ${want}`).toBeLessThanOrEqual(tolerance * (1 + Math.abs(want)));
    }
  }
}

/** Expect a tensor to hold `expected` (nested arrays or a number) within `tolerance`, and to have its shape. */
export async function expectTensor(actual: Tensor, expected: NestedArray, tolerance = 1e-5): Promise<void> {
  const got = await actual.array();
  expectAllClose(flat(got), flat(expected), tolerance);
  expect(shapeOf(expected)).toEqual(shapeOf(got));
}

function shapeOf(value: NestedArray): number[] {
  const shape: number[] = [];
  let current: NestedArray = value;
  while (Array.isArray(current)) {
    shape.push(current.length);
    if (current.length === 0) break;
    current = current[0];
  }
  return shape;
}

/** A float64 standard-normal tensor that requires grad (the gradcheck input). */
export function f64(shape: number[], requiresGrad = true): Tensor {
  return randn(shape, { dtype: 'float64', requiresGrad });
}

/** The elements of a tensor as a plain number list. */
export async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

/** Element count and row-major index → multi-index helper for direct reference loops. */
export function indexOf(shape: readonly number[], flatIndex: number): number[] {
  const index = new Array<number>(shape.length);
  let rest = flatIndex;
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return index;
}
