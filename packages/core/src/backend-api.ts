/**
 * @tessera/core/backend — the kit for backend authors: the `Backend` interface with its request
 * types and op lists, the scalar math every kernel must match bit for bit, the Philox stream, shape
 * and dtype helpers, and the shared operand checks. Users never need it: `@tessera/core` is what
 * they import (it also holds what both sides use: `Tensor`, the errors, the Philox stream, float16
 * conversions).
 * @example
 * import { BACKEND_API_VERSION, OPTIONAL_KERNELS, type Backend, type BackendPlugin } from '@tessera/core/backend';
 * export const myPlugin: BackendPlugin = { name: 'mine', apiVersion: BACKEND_API_VERSION, priority: 0, create: () => new MyBackend() };
 */

// The interface a plugin implements, its request descriptors and the op lists it dispatches on.
export * from './backend/backend';
export { backendName } from './backend/registry';

// Scalar math the kernels reproduce exactly (rounding, erf, integer powers, fused activations).
export { applyFusedActivation, erf, floatToInt32, intPow, roundHalfToEven, stableSigmoid } from './backend/scalar-math';

// Shapes, strides and dtypes of strided views.
export { collapseDims, type CollapsedDims } from './shape';
export { contiguousStrides, elementSpan, normalizeDim, sizeOf } from './shape';
export { arrayFor, itemSize } from './dtype';

// The order every sort follows (core's composite, argsort kernels, unique).
export { compareSortKeys, stableArgsort } from './backend/sort-order';

// The word2vecStep kernel's loop on host arrays (the reference backend's, and a JavaScript fallback's).
export { word2vecStepRange, type Word2VecStepArrays } from './backend/word2vec-step';

// Checks core already made, repeated by kernels only to name a bad call precisely.
export { checkMatmulOperands } from './backend/matmul-operands';
