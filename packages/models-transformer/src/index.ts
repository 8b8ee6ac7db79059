/**
 * @tessera/models-transformer — attention, positional encodings, encoder/decoder stacks and GPT.
 *
 * @example
 * import '@tessera/backend-cpu';
 * import { GPT } from '@tessera/models-transformer';
 * const gpt = new GPT({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 });
 */
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from '@tessera/core';
export { MultiHeadAttention, type MultiHeadAttentionOptions, type MultiHeadAttentionForwardOptions } from './attention/multi-head-attention';
export { SinusoidalPositionalEncoding, type SinusoidalPositionalEncodingOptions, type PositionOffsetOptions } from './positional/sinusoidal';
export { LearnedPositionalEmbedding } from './positional/learned';
export { RotaryEmbedding, type RotaryEmbeddingOptions, type RotaryApplyOptions } from './positional/rotary';
export { TransformerEncoderLayer, type TransformerEncoderLayerForwardOptions } from './layers/encoder-layer';
export { TransformerDecoderLayer, type TransformerDecoderLayerForwardOptions } from './layers/decoder-layer';
export { TransformerEncoder, type TransformerEncoderOptions, type TransformerEncoderForwardOptions, type EncoderLayerLike } from './layers/encoder';
export { TransformerDecoder, type TransformerDecoderOptions, type DecoderLayerLike } from './layers/decoder';
export { Transformer, type TransformerOptions, type TransformerForwardOptions } from './layers/transformer';
export type { TransformerLayerOptions } from './layers/layer-options';
export type { TransformerActivation } from './layers/activation';
export type { LayerSource } from './layers/layer-stack';
export { generateSquareSubsequentMask } from './masks';

// GPT (nanoGPT's blocks, GPT-2 weights) and its generation.
export { GPT, GPTTransformer, type GPTOutput, type GPTForwardOptions, type GPTParameterGroup } from './gpt/gpt';
export { resolveGPTConfig, type GPTOptions, type GPTConfig, type GPTActivation } from './gpt/config';
export { GPTBlock } from './gpt/block';
export { CausalSelfAttention } from './gpt/causal-self-attention';
export { GPTMLP } from './gpt/mlp';
export { TiedLMHead } from './gpt/lm-head';
export { cacheLength, type KVCache, type LayerKeyValue } from './gpt/kv-cache';
export type { TokenIds } from './gpt/token-ids';
export { generateCausalLM, streamCausalLM, beamSearchCausalLM, type CausalLMGenerateOptions, type CausalLMBeamSearchOptions, type CachedCausalLM } from './generation/causal-lm';
export { gpt2StateShapes, gpt2ConfigToOptions, gpt2ConfigFrom, type GPT2Config, type GPT2LoadOptions, type GPT2TensorSpec } from './io/gpt2';
