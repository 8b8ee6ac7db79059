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
