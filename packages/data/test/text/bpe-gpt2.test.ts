import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { encode as gpt3Encode } from 'gpt-3-encoder';
import { getEncoding } from 'js-tiktoken';
import { BPETokenizer, TokenizerError } from '../../src/text/index';
import { rankFile } from './rank-files';
import { expectSame } from './same';
import { STRESS_STRINGS, mobyDick } from './stress';

const require = createRequire(import.meta.url);
const gpt2Files = (): [string, string] => [
  readFileSync(require.resolve('gpt-3-encoder/encoder.json'), 'utf8'),
  readFileSync(require.resolve('gpt-3-encoder/vocab.bpe'), 'utf8'),
];

describe('BPETokenizer.fromGPT2 (encoder.json + vocab.bpe from gpt-3-encoder)', () => {
  const gpt2 = BPETokenizer.fromGPT2(...gpt2Files());

  it('matches gpt-3-encoder, and fromTiktoken gpt2 on all of Moby Dick, and the stress strings', () => {
    const text = mobyDick();
    const ids = gpt2.encode(text);
    // The same table from tiktoken's rank file: bpe-tiktoken.test.ts checks that one against
    // js-tiktoken (on a slice), so the whole book is compared here without running js-tiktoken again.
    expectSame(ids, BPETokenizer.fromTiktoken(rankFile('r50k_base'), { encoding: 'gpt2' }).encode(text));
    const head = text.slice(0, 30_000); // gpt-3-encoder is slow
    expect(gpt2.encode(head)).toEqual(gpt3Encode(head));
    for (const sample of STRESS_STRINGS) {
      expect(gpt2.encode(sample, { disallowedSpecial: [] }), JSON.stringify(sample)).toEqual(gpt3Encode(sample));
    }
    expect(gpt2.decode(ids)).toBe(text);
  });

  it('long pieces (heap merge) agree with the reference', () => {
    const reference = getEncoding('gpt2');
    let seed = 7;
    const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const letters = 'aeioustrnlmhéü';
    for (const length of [97, 200]) {
      let word = '';
      for (let i = 0; i < length; i++) word += letters[Math.floor(random() * letters.length)];
      for (const text of [word, ' '.repeat(length) + 'x', 'ab'.repeat(length), '\u{1F600}'.repeat(length)]) {
        expect(gpt2.encode(text)).toEqual(reference.encode(text));
        if (length < 100) expect(gpt2.encode(text)).toEqual(gpt3Encode(text));
      }
    }
  });

  it('exposes the vocabulary in GPT-2 byte alphabet', () => {
    expect(gpt2.tokenize(' hello world')).toEqual(['Ġhello', 'Ġworld']);
    expect(gpt2.tokenToId('Ġhello')).toBe(23748);
    expect(gpt2.idToToken(50256)).toBe('<|endoftext|>');
    expect(gpt2.vocabSize).toBe(50257);
    expect(gpt2.encode('<|endoftext|>', { allowedSpecial: 'all' })).toEqual([50256]);
  });

  it('bad files are TokenizerErrors that say what is wrong', () => {
    const [encoder] = gpt2Files();
    expect(() => BPETokenizer.fromGPT2('{not json', '')).toThrow(/encoder.json is not valid JSON/);
    expect(() => BPETokenizer.fromGPT2('[]', '')).toThrow(/must be an object/);
    expect(() => BPETokenizer.fromGPT2(encoder, '#version: 0.2\nfoo\n')).toThrow(/line 2 \("foo"\) is not "left right"/);
    expect(() => BPETokenizer.fromGPT2(encoder, '#version: 0.2\nĠ zzzq\n')).toThrow(TokenizerError);
    expect(() => BPETokenizer.fromGPT2(undefined as unknown as string, '')).toThrow(/expected a string, got undefined/);
  });
});
