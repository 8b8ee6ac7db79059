/**
 * Generation pieces every autoregressive model shares: next-token sampling, the decoding loop, beam
 * search and a seeded sampling stream.
 */
export { PhiloxGenerator } from './philox-generator';
export { checkSamplingOptions, nextTokenProbabilities, sampleFromProbabilities, sampleNextTokens, type SamplingOptions } from './sampling';
export { decodeTokens, checkDecodeOptions, type DecodeOptions, type NextTokenLogits } from './decode-tokens';
export { beamSearch, type BeamSearchOptions, type BeamHypothesis, type BeamStepResult } from './beam-search';
export { disposeState, type TensorState } from './tensor-state';
