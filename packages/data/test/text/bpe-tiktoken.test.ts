import { describe, expect, it } from 'vitest';
import { getEncoding, type Tiktoken, type TiktokenEncoding } from 'js-tiktoken';
import { BPETokenizer, TokenizerError } from '../../src/text/index';
import { rankFile, type RankFileName } from './rank-files';
import { expectSame } from './same';
import { STRESS_STRINGS, mobyDick } from './stress';

/** Each encoding's rank file, and how much of Moby Dick its parity check encodes. */
const cases: { encoding: TiktokenEncoding; file: RankFileName; book: 'whole' | 'slice' }[] = [
  { encoding: 'gpt2', file: 'r50k_base', book: 'whole' },
  { encoding: 'r50k_base', file: 'r50k_base', book: 'whole' },
  { encoding: 'p50k_base', file: 'p50k_base', book: 'slice' },
  { encoding: 'cl100k_base', file: 'cl100k_base', book: 'whole' },
  { encoding: 'o200k_base', file: 'o200k_base', book: 'whole' },
];
/**
 * The encodings js-tiktoken bundles (gpt2, r50k_base, cl100k_base, o200k_base) are checked on the whole
 * book — gpt2 and r50k_base share one table, so one oracle run serves both. p50k_base, which it does not
 * list, is checked on the first 300,000 characters (≈80,000 ids) to keep the run short.
 */
const SLICE = 300_000;

// Loaded once per file and shared by the tests (parsing a rank file or js-tiktoken's table costs
// about as much as encoding the book).
const ours = new Map<TiktokenEncoding, BPETokenizer>();
const oursFor = (encoding: TiktokenEncoding): BPETokenizer => {
  let tokenizer = ours.get(encoding);
  if (!tokenizer) ours.set(encoding, (tokenizer = BPETokenizer.fromTiktoken(rankFile(cases.find((c) => c.encoding === encoding)!.file), { encoding })));
  return tokenizer;
};
const references = new Map<TiktokenEncoding, Tiktoken>();
const referenceFor = (encoding: TiktokenEncoding): Tiktoken => {
  let reference = references.get(encoding);
  if (!reference) references.set(encoding, (reference = getEncoding(encoding)));
  return reference;
};
/** js-tiktoken's gpt2 and r50k_base tables are the same (as in tiktoken): load one, for both. */
const oracleFor = (encoding: TiktokenEncoding): Tiktoken => referenceFor(encoding === 'r50k_base' ? 'gpt2' : encoding);
/** js-tiktoken's ids for the book (or slice), computed once per table: gpt2 and r50k_base are the same table in js-tiktoken and tiktoken. */
const bookIds = new Map<string, number[]>();
const referenceBookIds = (encoding: TiktokenEncoding, text: string): number[] => {
  const table = encoding === 'r50k_base' ? 'gpt2' : encoding;
  let ids = bookIds.get(table);
  if (!ids) bookIds.set(table, (ids = oracleFor(table).encode(text)));
  return ids;
};

describe('BPETokenizer.fromTiktoken matches js-tiktoken', () => {
  for (const { encoding, book } of cases) {
    const what = book === 'whole' ? 'all of Moby Dick' : `Moby Dick's first ${SLICE.toLocaleString('en')} characters`;
    it(`${encoding}: ${what} and the Unicode stress strings give identical ids`, () => {
      const tokenizer = oursFor(encoding);
      const reference = oracleFor(encoding);
      const text = book === 'whole' ? mobyDick() : mobyDick().slice(0, SLICE);
      const ids = tokenizer.encode(text);
      expectSame(ids, referenceBookIds(encoding, text));
      expect(tokenizer.decode(ids)).toBe(text);
      const long = ['x'.repeat(150) + 'y', 'héllo'.repeat(30), ' '.repeat(300) + 'z', '1'.repeat(400)];
      for (const sample of [...STRESS_STRINGS, ...long]) {
        const got = tokenizer.encode(sample, { disallowedSpecial: [] });
        expect(got, JSON.stringify(sample)).toEqual(reference.encode(sample, [], []));
        expect(tokenizer.decode(got)).toBe(sample);
      }
    });
  }

  it('special tokens: allowed ones become their ids, disallowed ones are an error, others plain text', () => {
    const cl100k = oursFor('cl100k_base');
    const reference = referenceFor('cl100k_base');
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
    const cl100k = oursFor('cl100k_base');
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
    const cl100k = oursFor('cl100k_base');
    const text = 'a\uD800b \uDFFF😀';
    expect(cl100k.encode(text)).toEqual(referenceFor('cl100k_base').encode(text));
    expect(cl100k.decode(cl100k.encode(text))).toBe('a\uFFFDb \uFFFD😀');
  });
});
