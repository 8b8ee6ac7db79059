/**
 * Host-side layout simplification before code generation: size-1 dims are dropped and adjacent
 * dims that every operand walks contiguously are merged, so a permuted-but-dense or plain tensor
 * becomes rank 1 and takes the contiguous fast path (fewer divisions, fewer pipelines).
 */

/** A simplified iteration space: one shape and, per operand, strides over it. */
export interface CollapsedLayout {
  readonly shape: number[];
  readonly strides: number[][];
}

/**
 * Collapse `shape` for operands with `strides` (each of `shape`'s rank).
 * @example
 * collapseLayout([2, 3, 4], [[12, 4, 1], [0, 0, 1]]); // { shape: [6, 4], strides: [[4, 1], [0, 1]] }
 */
export function collapseLayout(shape: readonly number[], strides: readonly (readonly number[])[]): CollapsedLayout {
  const dims: number[] = [];
  for (let dim = 0; dim < shape.length; dim++) if (shape[dim] !== 1) dims.push(dim);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const dim of dims) {
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((operand, k) => outStrides[k][last] === operand[dim] * shape[dim]);
    if (mergeable) {
      outShape[last] *= shape[dim];
      strides.forEach((operand, k) => (outStrides[k][last] = operand[dim]));
    } else {
      outShape.push(shape[dim]);
      strides.forEach((operand, k) => outStrides[k].push(operand[dim]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

// Shape arithmetic is core's; these names stay for the code generator's readability.
export { contiguousStrides as rowMajorStrides, sizeOf as elementCount } from '@tessera/core';

/** Whether a collapsed operand is a plain run (`offset + i`). */
export function isUnitRun(strides: readonly number[]): boolean {
  return strides.length === 0 || (strides.length === 1 && strides[0] === 1);
}
