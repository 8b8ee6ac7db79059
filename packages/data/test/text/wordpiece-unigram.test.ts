import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../src/text/hf';
import { TokenizerError } from '../../src/text/byte-level';
import { UnigramTokenizer } from '../../src/text/unigram/tokenizer';
import { WordPieceTokenizer } from '../../src/text/wordpiece/tokenizer';
import { oracle } from './oracle';
import { STRESS_STRINGS, mobyDick } from './stress';

const SAMPLES = [...STRESS_STRINGS, 'Héllo Wörld! Ünïcödé CAFÉ naïve 北京欢迎你 [CLS] x [MASK] y', 'supercalifragilisticexpialidocious'.repeat(5)];

function expectParity(json: string, texts: readonly string[]): void {
  const ours = Tokenizer.fromJSON(json);
  const reference = oracle(json);
  for (const text of texts) {
    const ids = ours.encode(text);
    expect(ids, JSON.stringify(text)).toEqual(reference.encode(text).ids);
    if (ids.length > 0) expect(ours.decode(ids), JSON.stringify(text)).toBe(reference.decode(ids));
  }
}

describe('WordPieceTokenizer', () => {
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'un', '##aff', '##able', 'hello', 'world', '!', 'cafe', 'naive', '北', '京', '##s', 'x', 'y', 'a', '##b'];

  it('normalizes like BERT and splits greedily longest-match-first', () => {
    const tokenizer = new WordPieceTokenizer(vocab, { maxInputCharsPerWord: 10 });
    expect(tokenizer.encodeFull('Unaffable HÉLLO,  Café北京', { addSpecialTokens: true }).tokens).toEqual(['[CLS]', 'un', '##aff', '##able', 'hello', '[UNK]', 'cafe', '北', '京', '[SEP]']);
    expect(tokenizer.encode('unaffableunaffable', { addSpecialTokens: false })).toEqual([1]); // past maxInputCharsPerWord
    expect(tokenizer.decode(tokenizer.encode('unaffable hello!'), { skipSpecialTokens: true })).toBe('unaffable hello!');
  });

  it('a hand-written WordPiece tokenizer.json encodes like @huggingface/tokenizers', () => {
    expectParity(new WordPieceTokenizer(vocab).toJSON(), SAMPLES);
  });

  it('a trained vocabulary exports a tokenizer.json that encodes like @huggingface/tokenizers', () => {
    const text = mobyDick().slice(0, 150_000);
    const tokenizer = WordPieceTokenizer.train(text, { vocabSize: 2000 });
    expect(tokenizer.vocabSize).toBe(2000);
    expect(tokenizer.encodeFull('Call me Ishmael.', { addSpecialTokens: false }).tokens).toEqual(['call', 'me', 'ishmael', '.']);
    expectParity(tokenizer.toJSON(), [...SAMPLES, mobyDick().slice(200_000, 230_000)]);
  });

  it('rejects special tokens missing from the vocabulary and non-string input', () => {
    expect(() => new WordPieceTokenizer(vocab, { specialTokens: ['[UNK]', '[NOPE]'] })).toThrow(/special token "\[NOPE\]" is not in the vocabulary/);
    expect(() => new WordPieceTokenizer(['a'])).toThrow(TokenizerError);
    expect(() => new WordPieceTokenizer(vocab).encode(1 as unknown as string)).toThrow(TokenizerError);
    expect(() => new WordPieceTokenizer(vocab).decode([999])).toThrow(/id 999/);
  });
});

describe('UnigramTokenizer', () => {
  const pieces: [string, number][] = [
    ['<unk>', 0],
    ['▁', -2],
    ['▁the', -3],
    ['▁whale', -4],
    ['▁wh', -5],
    ['ale', -5],
    ['s', -4],
    ['▁a', -4],
    ['a', -5],
    ['e', -5],
    ['h', -6],
    ['l', -6],
    ['w', -6],
    ['t', -6],
  ];

  it('picks the most probable segmentation and marks spaces with ▁', () => {
    const tokenizer = new UnigramTokenizer(pieces);
    expect(tokenizer.encodeFull('the whales').tokens).toEqual(['▁the', '▁whale', 's']);
    expect(tokenizer.decode(tokenizer.encode('the whales'))).toBe('the whales');
    expect(tokenizer.encode('the ?!')).toEqual([2, 1, 0]); // unknown characters fused into one <unk>
  });

  it('falls back to bytes for unknown characters', () => {
    const withBytes: [string, number][] = [...pieces];
    for (let byte = 0; byte < 256; byte++) withBytes.push([`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`, 0]);
    const tokenizer = new UnigramTokenizer(withBytes, { byteFallback: true });
    expect(tokenizer.encodeFull('the 🐋').tokens).toEqual(['▁the', '▁', '<0xF0>', '<0x9F>', '<0x90>', '<0x8B>']);
    expect(tokenizer.decode(tokenizer.encode('the 🐋 naïve'))).toBe('the 🐋 naïve');
    // @huggingface/tokenizers 0.2 (JS) ignores Unigram's byte_fallback (it emits <unk>), so byte
    // fallback is checked against the Rust semantics above rather than against that oracle.
  });

  it('a hand-written Unigram tokenizer.json encodes like @huggingface/tokenizers', () => {
    expectParity(new UnigramTokenizer(pieces).toJSON(), SAMPLES);
  });

  it('trains on a corpus and exports a tokenizer.json that encodes like @huggingface/tokenizers', () => {
    const text = mobyDick().slice(0, 60_000);
    // Byte fallback only needs its vocabulary size and a lossless round trip: a smaller corpus will do.
    const withBytes = UnigramTokenizer.train(text.slice(0, 20_000), { vocabSize: 600, byteFallback: true });
    expect(withBytes.vocabSize).toBe(600);
    expect(withBytes.decode(withBytes.encode('Call me Ishmael. 🐋 naïve'))).toBe('Call me Ishmael. 🐋 naïve');
    const tokenizer = UnigramTokenizer.train(text, { vocabSize: 400 });
    expectParity(tokenizer.toJSON(), [...SAMPLES, mobyDick().slice(100_000, 110_000)]);
  }, 30_000);

  it('rejects bad options and input', () => {
    expect(() => new UnigramTokenizer(pieces, { unkId: 99 })).toThrow(/unkId 99/);
    expect(() => new UnigramTokenizer(pieces, { byteFallback: true })).toThrow(/<0x00>/);
    expect(() => new UnigramTokenizer(pieces, { specialTokens: ['<s>'] })).toThrow(/special token "<s>"/);
    expect(() => UnigramTokenizer.train('abc', { vocabSize: 2 })).toThrow(TokenizerError);
    expect(() => new UnigramTokenizer(pieces).encode(undefined as unknown as string)).toThrow(TokenizerError);
    expect(() => new UnigramTokenizer(pieces).decode([1, 14])).toThrow(/id 14 at index 1/);
  });
});
