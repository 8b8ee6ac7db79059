/**
 * Host-side layout simplification before code generation: size-1 dims are dropped and adjacent
 * dims that every operand walks contiguously are merged, so a permuted-but-dense or plain tensor
 * becomes rank 1 and takes the contiguous fast path (fewer divisions, fewer pipelines).
 */

// Shape arithmetic and dimension collapsing are core's (one definition for every backend); these
// names stay for the code generator's readability.
export { collapseDims, contiguousStrides as rowMajorStrides, sizeOf as elementCount } from '@tessera/core/backend';

/** Whether a collapsed operand is a plain run (`offset + i`). */
export function isUnitRun(strides: readonly number[]): boolean {
  return strides.length === 0 || (strides.length === 1 && strides[0] === 1);
}
