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

// BERT (Hugging Face's names, config and checkpoints) and its pre-training data.
export { BertModel, type BertModelOutput, type BertForwardOptions, type BertModelOptions } from './bert/bert-model';
export { BertForMaskedLM, maskedLMLoss, IGNORE_INDEX, type BertForMaskedLMOptions, type BertMaskedLMOutput } from './bert/bert-for-masked-lm';
export { BertForPreTraining, type BertForPreTrainingOptions, type BertPreTrainingOutput } from './bert/bert-for-pre-training';
export { BertForSequenceClassification, type BertForSequenceClassificationOptions, type BertSequenceClassifierOutput } from './bert/bert-for-sequence-classification';
export { resolveBertConfig, type BertConfig, type ResolvedBertConfig, type BertFactoryOptions } from './bert/config';
export { BertEmbeddings } from './bert/embeddings';
export { BertSelfAttention, BertResidualOutput, BertAttention } from './bert/attention';
export { BertIntermediate, BertLayer, BertEncoder } from './bert/encoder';
export { BertPooler, BertPredictionHeadTransform, BertLMPredictionHead, BertOnlyMLMHead, BertPreTrainingHeads } from './bert/heads';
export type { BertIds, BertInputOptions } from './bert/inputs';
export { maskTokensForMLM, nextSentencePairs, type MaskTokensOptions, type MaskedTokens, type SentencePair, type NextSentencePairsOptions } from './bert/pretraining-data';

// T5 (Hugging Face's names, config and checkpoints) and its generation.
export { T5Model, type T5ModelOutput } from './t5/t5-model';
export { T5ForConditionalGeneration, shiftRight, type T5ForConditionalGenerationOptions, type T5Seq2SeqLMOutput } from './t5/t5-for-conditional-generation';
export { T5EncoderDecoder, type T5ForwardOptions, type T5Ids, type T5Mask } from './t5/encoder-decoder';
export { resolveT5Config, type T5Config, type ResolvedT5Config, type T5FactoryOptions } from './t5/config';
export type { T5GenerateOptions } from './t5/generation';
export { T5Stack, SharedEmbedding, type T5StackForwardOptions, type T5StackOutput } from './t5/stack';
export { T5Block, T5LayerAttention, T5LayerFF, T5DenseActDense, type T5BlockCache } from './t5/block';
export { T5Attention, type T5KeyValue, type T5AttentionForwardOptions } from './t5/attention';
export { T5LayerNorm } from './t5/layer-norm';
export { relativePositionBucket, relativePositionBuckets, relativePositionBias, type RelativeBucketOptions } from './t5/relative-position';
