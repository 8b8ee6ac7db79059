// Entry point of the CPU backend's WebAssembly kernels (compiled by scripts/build-wasm.mjs).
export { sgemm, sgemmScratchBytes } from './matmul';
export { sumRows, sumCols, extremeRows, layerNormRows, im2col, addRowBias } from './reduce';
export * from './elementwise.generated';
export { gatherRow32, scatterAddRowF32 } from './indexing';
export { softmaxRows } from './transcendental';
