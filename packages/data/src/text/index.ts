/**
 * Text: tokenizers (word, char, BPE, byte-level BPE, WordPiece, Unigram, Hugging Face `tokenizer.json`),
 * vocabularies, bag of words and batch encoding. Plain strings and arrays in, plain arrays out; no
 * backend needed (tensor output of batches is optional).
 *
 * Engineers append their own export lines below; keep each file's exports together.
 */
export * from './byte-level';
export * from './split-patterns';
export * from './bpe/index';
export * from './vocab';
export * from './word-tokenizer';
export * from './char-tokenizer';
export { VocabTokenizer } from './vocab-tokenizer';
export * from './bag-of-words';
export * from './batch';
export * from './hf/index';
export { WordPieceTokenizer, type WordPieceOptions } from './wordpiece/tokenizer';
export { WordPieceModel, type WordPieceModelOptions, type TokenSink } from './wordpiece/model';
export { trainWordPieceVocab, type WordPieceTrainOptions } from './wordpiece/trainer';
export { UnigramTokenizer, type UnigramOptions, type UnigramTokenizerTrainOptions } from './unigram/tokenizer';
export { UnigramModel, type UnigramPiece } from './unigram/model';
export { trainUnigramPieces, type UnigramTrainOptions } from './unigram/trainer';
