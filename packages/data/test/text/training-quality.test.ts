/**
 * Training quality against SentencePiece: tokens per word on Moby Dick at a vocabulary of 8,000.
 *
 * The reference numbers come from Debian's `sentencepiece` 0.1.97 (`apt-get install sentencepiece`):
 *   spm_train --input=moby-dick.txt --model_prefix=moby_unigram --vocab_size=8000 --model_type=unigram
 *   spm_encode --model=moby_unigram.model --output_format=piece < moby-dick.txt | wc -w   → 291889
 *   (same with --model_type=bpe → 289279); words: python3 len(text.split()) → 208160.
 * spm itself is not run here. Training Unigram on the full text takes ~40 s on the 2-core machine, so
 * this runs only with TESSERA_TRAINING_QUALITY=1.
 */
import { describe, expect, it } from 'vitest';
import { UnigramTokenizer } from '../../src/text/unigram/tokenizer';
import { mobyDick } from './stress';

const MOBY_DICK_WORDS = 208_160;
const SPM_UNIGRAM_TOKENS = 291_889; // 1.4022 tokens per word
export const SPM_BPE_TOKENS = 289_279; // 1.3897 tokens per word (for the BPE trainer's comparison)

describe.runIf(process.env['TESSERA_TRAINING_QUALITY'] === '1')('training quality vs spm_train (vocabulary 8,000, Moby Dick)', () => {
  it('Unigram: tokens per word within 3% of spm_train --model_type=unigram', () => {
    const text = mobyDick();
    expect(text.split(/\s+/).filter((word) => word.length > 0).length).toBe(MOBY_DICK_WORDS);
    const tokenizer = UnigramTokenizer.train(text, { vocabSize: 8000 });
    const ours = tokenizer.encode(text).length / MOBY_DICK_WORDS;
    const spm = SPM_UNIGRAM_TOKENS / MOBY_DICK_WORDS;
    expect(Math.abs(ours / spm - 1)).toBeLessThan(0.03);
  }, 180_000);
});
