// Entry point of the CPU backend's WebAssembly kernels (compiled by scripts/build-wasm.mjs).
export { sgemm, sgemmBiasActivation, sgemmScratchBytes } from './matmul';
export { sumRows, sumCols, extremeRows, im2col, addRowBias } from './reduce';
export * from './elementwise.generated';
export { gatherRow32, scatterAddRowF32, gatherRows32, scatterAddRowsF32 } from './indexing';
export { softmaxRows } from './softmax-rows';
export { layerNormRows } from './layer-norm';
export { maxPool2dPlanes, avgPool2dPlanes } from './pool2d';
export { where32 } from './where';
export * from './cast';
export { cumsumRowsF32, cumsumRowsI32, cumsumColsF32, cumsumColsI32 } from './cumsum';
export { softmaxColumns } from './softmax-axis';
export { widenF16, narrowF16, binaryF16_add, binaryF16_sub, binaryF16_mul, binaryF16_div, binaryF16_maximum, binaryF16_minimum } from './float16';
export { adamStepF32, sgdStepF32, adamStepTransposedF32, sgdStepTransposedF32 } from './optimizer-step';
export { word2vecStepF32 } from './word2vec-step';
export { attentionForwardF32, attentionBackwardF32, attentionForwardScratchBytes, attentionBackwardScratchBytes, attentionQueryBlocks } from './attention';
