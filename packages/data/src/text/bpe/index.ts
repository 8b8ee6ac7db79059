export { BPEModel, type BPEModelOptions } from './model';
export { BPETokenizer, type BPETokenizerOptions, type BPEEncodeOptions, type BPEDecodeOptions, type FromTiktokenOptions, type SpecialTokenSet } from './tokenizer';
export { trainBPE, type BPETrainOptions, type TrainedBPE } from './train';
export { TIKTOKEN_ENCODINGS, parseTiktokenRanks, parseMergesText, decodeBase64, type TiktokenEncodingName, type TiktokenEncodingSpec } from './encodings';
export { PairMap } from './pair-map';
