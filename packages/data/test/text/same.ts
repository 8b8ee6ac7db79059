import { expect } from 'vitest';

/**
 * Where two sequences (ids or split pieces) first differ, with a little context, or undefined when
 * they are equal.
 * @example firstDifference([1, 2, 3], [1, 5, 3]) // 'at 1 of 3: 2 vs 5 (around: [1,2,3] vs [1,5,3])'
 */
export function firstDifference<T>(actual: ArrayLike<T>, expected: ArrayLike<T>): string | undefined {
  const length = Math.min(actual.length, expected.length);
  let index = 0;
  while (index < length && actual[index] === expected[index]) index++;
  if (index === length && actual.length === expected.length) return undefined;
  const around = (values: ArrayLike<T>): string => JSON.stringify(Array.prototype.slice.call(values, Math.max(0, index - 3), index + 4));
  return `at ${index} of ${actual.length} (expected ${expected.length}): ${JSON.stringify(actual[index])} vs ${JSON.stringify(expected[index])} (around: ${around(actual)} vs ${around(expected)})`;
}

/**
 * Asserts that two long sequences are identical, element by element with `===`: the same check as
 * `toEqual` for arrays of numbers or strings, without its deep-equality cost on a book's worth of ids
 * (a second per 300,000 elements), and a failure message that says where they part.
 */
export function expectSame<T>(actual: ArrayLike<T>, expected: ArrayLike<T>, label?: string): void {
  expect(firstDifference(actual, expected), label).toBeUndefined();
}
