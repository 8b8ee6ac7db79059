import { describe, expect, it } from 'vitest';
import { BPETokenizer, Tokenizer } from '../../src/text/index';
import { oracle } from './oracle';
import { STRESS_STRINGS, mobyDick } from './stress';

describe('BPETokenizer.toJSON (Hugging Face tokenizer.json)', () => {
  const corpus = mobyDick().slice(0, 300_000);
  const sample = [mobyDick().slice(300_000, 340_000), ...STRESS_STRINGS, 'a<|endoftext|>b'];

  for (const [name, options] of [
    ['byte-level, GPT-2 pattern', { vocabSize: 2000, specialTokens: ['<|endoftext|>'] }],
    ['byte-level, cl100k pattern', { vocabSize: 2000, specialTokens: ['<|endoftext|>'], pattern: 'cl100k_base' }],
    ['character-level with [UNK]', { vocabSize: 1500, specialTokens: ['[UNK]', '<|endoftext|>'], byteLevel: false }],
  ] as const) {
    it(`${name}: @huggingface/tokenizers and Tokenizer.fromJSON give the same ids`, () => {
      const bpe = BPETokenizer.train(corpus, options);
      const json = bpe.toJSON();
      const reference = oracle(json);
      const loaded = Tokenizer.fromJSON(json);
      for (const text of sample) {
        const ids = bpe.encode(text);
        expect(reference.encode(text).ids, JSON.stringify(text.slice(0, 80))).toEqual(ids);
        expect(loaded.encode(text)).toEqual(ids);
      }
    });
  }
});
