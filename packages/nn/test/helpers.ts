/**
 * Test helpers: float64 tensors from nested arrays and element-wise closeness checks.
 */
import { expect } from 'vitest';
import { tensor, type Tensor } from '@tessera/core';

type Nested = number | readonly Nested[];

/** A float64 tensor (the dtype the PyTorch references were computed in). */
export function f64(data: Nested, requiresGrad = false): Tensor {
  return tensor(data as number[], { dtype: 'float64', requiresGrad });
}

/** int32 class indices. */
export function int(data: Nested): Tensor {
  return tensor(data as number[], { dtype: 'int32' });
}

function flatten(value: Nested): number[] {
  return typeof value === 'number' ? [value] : value.flatMap((item) => flatten(item));
}

/** Every element of `actual` within `atol + rtol·|expected|` of `expected`, and the same shape. */
export async function expectClose(actual: Tensor | number, expected: Nested, atol = 1e-9, rtol = 1e-9): Promise<void> {
  const values = typeof actual === 'number' ? [actual] : Array.from(await actual.data());
  const wanted = flatten(expected);
  expect(values.length).toBe(wanted.length);
  values.forEach((value, i) => {
    const tolerance = atol + rtol * Math.abs(wanted[i]);
    if (!(Math.abs(value - wanted[i]) <= tolerance)) {
      throw new Error(`element ${i}: got ${value}, expected ${wanted[i]} (± ${tolerance})`);
    }
  });
}
