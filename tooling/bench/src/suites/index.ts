/** Every benchmark case, in report order. */
import { addCase } from './add';
import { matmulCases } from './matmul';
import { mlpCase } from './mlp';
import { mlpNnCase } from './mlp-nn';
import { softmaxCase } from './softmax';
import type { AnyCase } from './suite';
import { conv2dCase } from './conv2d';
import { sumCase } from './sum';
import { tokenizerCases } from './tokenizers';
import { hfTokenizerCases } from './hf-tokenizer';
import { webgpuCases } from './webgpu';
import { webgpuFloat16Cases } from './webgpu-float16';
import { adamStepCases } from './adam-step';
import { lstmCase } from './lstm';
import { embeddingsNearestCase } from './embeddings-nearest';
import { gptCases } from './gpt';
import { attentionCase } from './attention';
import { webgpuAttentionCase } from './webgpu-attention';
import { word2vecCases } from './word2vec';

/**
 * All cases: tensor cases (run on sides) and library comparisons (tokenizers; see `isComparison`).
 * Inputs are generated lazily by each factory, so only selected suites allocate.
 * @example allCases().map((c) => c.id) // ['matmul-256', ..., 'tokenizers-cl100k-encode', ...]
 */
export function allCases(): AnyCase[] {
  return [...matmulCases(), addCase(), softmaxCase(), mlpCase(), mlpCase(true), mlpNnCase(), ...tokenizerCases(), ...hfTokenizerCases(), sumCase(), conv2dCase(), ...webgpuCases(), ...webgpuFloat16Cases(), ...adamStepCases(), lstmCase(), lstmCase(true), embeddingsNearestCase(), ...gptCases(), attentionCase(), webgpuAttentionCase(), ...word2vecCases()];
}
