/**
 * Argument checks shared by the functional ops: each error names the op, the shapes or dtypes, and
 * what was expected.
 */
import { DTypeError, ShapeError, ValueError, formatShape, isFloating, type Tensor } from '@tessera/core';

// `[2, 3]` as text is core's formatShape; the functional ops import it from here under this name.
export { formatShape as shapeText } from '@tessera/core';

/** Throw a DTypeError unless `x` is floating point. */
export function expectFloating(op: string, what: string, x: Tensor): void {
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: ${what} must be floating point, got ${x.dtype} of shape ${formatShape(x.shape)}`);
}

/** Throw a DTypeError unless `x` is int32 (class indices, token ids). */
export function expectInt(op: string, what: string, x: Tensor): void {
  if (x.dtype !== 'int32') {
    throw new DTypeError(`${op}: ${what} must be int32 class indices, got ${x.dtype} of shape ${formatShape(x.shape)} (use tensor(data, { dtype: 'int32' }))`);
  }
}

/** Throw a ShapeError unless `a` and `b` have the same shape. */
export function expectSameShape(op: string, input: Tensor, target: Tensor): void {
  if (input.ndim !== target.ndim || input.shape.some((size, d) => size !== target.shape[d])) {
    throw new ShapeError(
      `${op}: input of shape ${formatShape(input.shape)} and target of shape ${formatShape(target.shape)} must have the same shape`,
    );
  }
}

/** Throw a ValueError unless `p` is a probability in [0, 1]. */
export function expectProbability(op: string, name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`${op}: ${name} must be a probability in [0, 1], got ${p}`);
}

/**
 * Check, where the backend reads synchronously, that every index is in `[0, count)` (or equals
 * `ignoreIndex`), so a bad label is reported by name instead of reading out of bounds.
 */
export function expectIndicesInRange(op: string, what: string, indices: Tensor, count: number, ignoreIndex?: number): void {
  if (!indices.size) return;
  if (!indices.canReadSync) return;
  const values = indices.dataSync();
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === ignoreIndex) continue;
    if (value < 0 || value >= count) {
      const ignore = ignoreIndex === undefined ? '' : ` or ignoreIndex ${ignoreIndex}`;
      throw new ValueError(`${op}: ${what} ${value} (at flat position ${i}) is out of range: expected 0 ≤ index < ${count}${ignore}`);
    }
  }
}
