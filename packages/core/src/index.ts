/**
 * @tessera/core — tensors, automatic differentiation, memory scopes, the Philox RNG, safetensors,
 * and the backend interface that compute plugins implement.
 *
 * @example
 * import '@tessera/backend-cpu';
 * import { tensor } from '@tessera/core';
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.matmul(x).sum().backward();
 */

// Backends: what registering and choosing one takes (the authoring kit is `@tessera/core/backend`).
export { BACKEND_API_VERSION, FUSED_ACTIVATIONS } from './backend/backend';
export type {
  Backend, BackendPlugin, BackendCapabilities, BackendMemory, DType, DataArray, FusedActivation, UnaryOp, BinaryOp, ReduceOp,
} from './backend/backend';
export { formatShape } from './shape';
export {
  registerBackend,
  setBackend,
  getBackend,
  listBackends,
  ready,
  ensureBackend,
  backendUnavailableReason,
  removeBackendInstance,
  resolveBackend,
  type ListBackendsOptions,
} from './backend/registry';

// Tensors and dtypes.
export { Tensor, isTensor, type TensorOrScalar } from './tensor/tensor';
export type { NestedArray } from './tensor/read';
export { moveInPlace } from './tensor/move';
export { DTYPES, isFloating, promoteTypes, resultType } from './dtype';
export { float32ToFloat16Bits, float16BitsToFloat32, toFloat16Bits, fromFloat16Bits, roundToFloat16 } from './float16';
export * from './errors';
export { broadcastShapes, isContiguous } from './shape';

// Creation.
export {
  tensor,
  zeros,
  ones,
  full,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  linspace,
  eye,
  type CreationOptions,
  type TensorOptions,
  type TensorLike,
} from './ops/creation';
export { manualSeed, rand, randn, randint, randomBits, getRngState, setRngState, DEFAULT_SEED, type RngState } from './ops/random';

// Functional forms of the ops.
export { add, sub, mul, div, pow, maximum, minimum, where, compare } from './ops/binary';
export { unaryOp, logicalNot } from './ops/unary';
export { matmul } from './ops/matmul';
export { fusedMatmul, type FusedMatmulOptions } from './ops/fused-matmul';
export { fusedGruCell, fusedLstmCell } from './ops/recurrent-cell';
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from './ops/attention';
export { sum, mean, prod, logsumexp } from './ops/reduce';
export { softmax, logSoftmax } from './ops/softmax';
export { cat, stack, split, chunk, pad, type PadMode } from './ops/join';
export { gather, indexSelect, scatterAdd, maskedFill, tril, triu, oneHot } from './ops/indexing';
export { INDEX_LIMIT } from './ops/index-policy';
export { sort, argsort, topk, type SortOptions, type TopkOptions, type ValuesAndIndices } from './ops/sort';
export { multinomial, bernoulli, type MultinomialOptions } from './ops/random-sampling';
export { norm, type NormOrder } from './ops/norm';
export { repeat, tile } from './ops/repeat';
export {
  nonzero, nonzeroAsync, maskedSelect, maskedSelectAsync, unique, uniqueAsync, type UniqueOptions, type UniqueResult,
} from './ops/data-dependent';
export { isnan, isinf, isfinite, isclose, allclose, type CloseOptions } from './ops/predicates';
export { clamp, clampMin, clampMax } from './ops/clamp-bounds';
export { outer, addmm, baddbmm, type AddmmOptions } from './ops/products';
export { diag, triuIndices, trilIndices } from './ops/diagonal';
export { index, indexAsync, slice, Slice, type IndexItem, type NestedIndexArray } from './ops/advanced-indexing';
export { cumsum } from './ops/scan';
export { einsum } from './ops/einsum';
export { layerNorm } from './ops/normalization';
export { conv2d, type Conv2dOptions } from './ops/conv';
export { maxPool2d, maxPool2dWithIndices, avgPool2d, type Pool2dOptions, type AvgPool2dOptions } from './ops/pool';
export { sgdStep, adamStep, type SgdStepOptions, type AdamStepOptions, type AdamStepState } from './ops/optimizer-step';
export { word2vecStep, type Word2VecBatch, type Word2VecStepOptions } from './ops/word2vec-step';
export { indexAdd_, type IndexAddOptions } from './ops/index-add';
export { gatherRows, type GatherRowsOptions } from './ops/gather-rows';
export { rowSparseGrad, clearRowSparseGrad, accumulateRowSparseGrad, type RowSparseGrad } from './autograd/row-sparse-grad';

// Linear algebra (torch.linalg).
export { linalg } from './linalg/index';
export type {
  EighOptions, EighResult, SvdOptions, SvdResult, QrMode, QrResult, SolveOptions, SolveExResult, SlogdetResult, CholeskyExResult, MatrixNormOrd,
} from './linalg/index';

// Autograd.
export {
  noGrad, enableGrad, isGradEnabled, noGradGuard, enableGradGuard, noGradAsync, enableGradAsync, GradModeGuard,
} from './autograd/grad-mode';
export { backward, grad, type BackwardOptions, type GradOptions } from './autograd/backward';
export { vjp, jvp, hvp, vhp, type FunctionalOptions, type TensorFunction, type Tensors, type Like } from './autograd/functional';
export { jacobian, hessian, type JacobianOptions, type HessianOptions, type JacobianStrategy, type Jacobian, type Hessian } from './autograd/functional-jacobian';
export { RemovableHandle, type TensorHook } from './autograd/hooks';
export {
  autocast, autocastAsync, autocastGuard, AutocastGuard, isAutocastEnabled, getAutocastDType, autocastActive, autocastOp,
  type AutocastOptions, type AutocastPolicy, type AutocastDType,
} from './autograd/autocast';
export { checkpoint } from './autograd/checkpoint';

// Memory.
export { tidy, keep, scope, Scope } from './memory/scope';
export { memory, resetPeakMemory, type MemoryInfo } from './memory/memory';
export { configureLeakDetection, type LeakDetectionOptions } from './memory/leak-detector';

// Random-number reference stream (backends reproduce it bit for bit).
export * from './random/philox';

// Serialization.
export { saveSafetensors, loadSafetensors, readSafetensorsMetadata, type LoadSafetensorsOptions } from './io/safetensors';
export { parseSafetensors, serializeSafetensors, SafetensorsError, type SafetensorsEntry, type SafetensorsContent } from './io/safetensors-format';
