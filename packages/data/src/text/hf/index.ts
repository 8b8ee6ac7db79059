/** Hugging Face `tokenizer.json` support: the `Tokenizer` class and its errors. */
export { Tokenizer, type Encoding, type EncodeOptions, type DecodeOptions } from './tokenizer';
export { TokenizerJSONError } from './json';
export type { AddedToken } from './added-tokens';
