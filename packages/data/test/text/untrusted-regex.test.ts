import { describe, expect, it } from 'vitest';
import { Tokenizer, TokenizerJSONError } from '../../src/text/hf';

/** A tiny byte-free BPE whose vocabulary holds the characters the tests use. */
const model = { type: 'BPE', vocab: { a: 0, x: 1, '😀': 2, '<unk>': 3, '!': 4, ' ': 5 }, merges: [], unk_token: '<unk>' };

describe('regex steps advance by whole code points after an empty match', () => {
  it('Split with a pattern that matches the empty string before an astral character', () => {
    const tokenizer = Tokenizer.fromJSON({ model, pre_tokenizer: { type: 'Split', pattern: { Regex: 'x*' }, behavior: 'Isolated' } });
    expect(tokenizer.encode('😀')).toEqual([2]);
    expect(tokenizer.encode('a😀x😀')).toEqual([0, 2, 1, 2]);
  });

  it('Replace with a pattern that matches the empty string before an astral character', () => {
    const tokenizer = Tokenizer.fromJSON({ model, normalizer: { type: 'Replace', pattern: { Regex: '\\s*' }, content: '' } });
    expect(tokenizer.encode('a😀')).toEqual([0, 2]);
    expect(tokenizer.encode('a 😀 x')).toEqual([0, 2, 1]);
  });

  it('a single_word added token that is skipped just before an astral character', () => {
    const tokenizer = Tokenizer.fromJSON({ model, added_tokens: [{ id: 9, content: '😀x', single_word: true, special: false, normalized: false }] });
    expect(tokenizer.encode('a😀x')).toEqual([0, 2, 1]);
    expect(tokenizer.encode('! 😀x')).toEqual([4, 5, 9]);
  });
});
