import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { getEncoding, type TiktokenEncoding } from 'js-tiktoken';
import { BPETokenizer, TokenizerError } from '../../src/text/index';
import { STRESS_STRINGS, mobyDick } from './stress';

const require = createRequire(import.meta.url);
/** gpt-tokenizer ships tiktoken's plain rank files. */
export function rankFile(name: 'r50k_base' | 'p50k_base' | 'cl100k_base' | 'o200k_base'): string {
  return readFileSync(require.resolve(`gpt-tokenizer/data/${name}.tiktoken`), 'utf8');
}

const cases: [TiktokenEncoding, 'r50k_base' | 'cl100k_base' | 'o200k_base' | 'p50k_base'][] = [
  ['gpt2', 'r50k_base'],
  ['r50k_base', 'r50k_base'],
  ['p50k_base', 'p50k_base'],
  ['cl100k_base', 'cl100k_base'],
  ['o200k_base', 'o200k_base'],
];

const referenceIds: { gpt2?: number[] } = {};
let cl100kTokenizer: BPETokenizer | undefined;
const sharedCl100k = (): BPETokenizer => (cl100kTokenizer ??= BPETokenizer.fromTiktoken(rankFile('cl100k_base'), { encoding: 'cl100k_base' }));

describe('BPETokenizer.fromTiktoken matches js-tiktoken', () => {
  for (const [encoding, file] of cases) {
    it(`${encoding}: Moby Dick and the Unicode stress strings give identical ids`, () => {
      const reference = getEncoding(encoding);
      const ours = BPETokenizer.fromTiktoken(rankFile(file), { encoding });
      const moby = encoding === 'p50k_base' ? mobyDick().slice(0, 200_000) : mobyDick();
      const ids = ours.encode(moby);
      // js-tiktoken's gpt2 and r50k_base are the same table: encode the book once for both.
      if (encoding === 'r50k_base') {
        expect(reference.encode(moby.slice(0, 50_000))).toEqual(getEncoding('gpt2').encode(moby.slice(0, 50_000)));
        expect(ids).toEqual((referenceIds.gpt2 ??= getEncoding('gpt2').encode(moby)));
      } else {
        const expected = reference.encode(moby);
        if (encoding === 'gpt2') referenceIds.gpt2 = expected;
        expect(ids).toEqual(expected);
      }
      expect(ours.decode(ids)).toBe(moby);
      const long = ['x'.repeat(150) + 'y', 'héllo'.repeat(30), ' '.repeat(300) + 'z', '1'.repeat(400)];
      for (const text of [...STRESS_STRINGS, ...long]) {
        const got = ours.encode(text, { disallowedSpecial: [] });
        expect(got, JSON.stringify(text)).toEqual(reference.encode(text, [], []));
        expect(ours.decode(got)).toBe(text);
      }
    });
  }

  it('special tokens: allowed ones become their ids, disallowed ones are an error, others plain text', () => {
    const cl100k = sharedCl100k();
    const reference = getEncoding('cl100k_base');
    const text = 'a<|endoftext|>b<|fim_prefix|>c';
    expect(cl100k.encode(text, { allowedSpecial: 'all' })).toEqual(reference.encode(text, 'all'));
    expect(cl100k.encode(text, { allowedSpecial: ['<|endoftext|>'], disallowedSpecial: [] })).toEqual(reference.encode(text, ['<|endoftext|>'], []));
    expect(() => cl100k.encode(text)).toThrow(TokenizerError);
    expect(() => cl100k.encode(text)).toThrow(/special token "<\|endoftext\|>" at index 1/);
    expect(() => cl100k.encode('x', { allowedSpecial: ['<|nope|>'] })).toThrow(/unknown special token "<\|nope\|>"/);
    expect(cl100k.decode([100257, 15339])).toBe('<|endoftext|>hello');
    expect(cl100k.decode([100257, 15339], { skipSpecialTokens: true })).toBe('hello');
  });

  it('bad input: ids out of range, non-integers, non-strings, malformed rank files, unknown encodings', () => {
    const cl100k = sharedCl100k();
    expect(() => cl100k.decode([15339, 100300])).toThrow(/decode: id 100300 at position 1 is not in the vocabulary/);
    expect(() => cl100k.decode([100256])).toThrow(TokenizerError); // an unused id between the ranks and the special tokens
    expect(() => cl100k.decode([-1])).toThrow(TokenizerError);
    expect(() => cl100k.decode([1.5])).toThrow(TokenizerError);
    expect(() => cl100k.decode('15339' as unknown as number[])).toThrow(/expected an array of ids, got string/);
    expect(() => cl100k.encode(42 as unknown as string)).toThrow(/encode: expected a string, got number/);
    expect(() => cl100k.encode(undefined as unknown as string)).toThrow(TokenizerError);
    expect(() => BPETokenizer.fromTiktoken('IQ== 0\nnot-a-line\n', { encoding: 'gpt2' })).toThrow(/line 2 \("not-a-line"\) is not "<base64> <rank>"/);
    expect(() => BPETokenizer.fromTiktoken('IQ== 0\n', { encoding: 'cl200k' as 'gpt2' })).toThrow(/unknown encoding "cl200k"/);
    expect(() => BPETokenizer.fromTiktoken(null as unknown as string, { encoding: 'gpt2' })).toThrow(/expected a string, got null/);
  });

  it('lone surrogates encode as U+FFFD, like js-tiktoken and tiktoken', () => {
    const cl100k = sharedCl100k();
    const text = 'a\uD800b \uDFFF😀';
    expect(cl100k.encode(text)).toEqual(getEncoding('cl100k_base').encode(text));
    expect(cl100k.decode(cl100k.encode(text))).toBe('a\uFFFDb \uFFFD😀');
  });
});
