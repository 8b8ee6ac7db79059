import { describe, expect, it } from 'vitest';
import { Tokenizer, TokenizerJSONError } from '../../src/text/hf';
import { translateOniguruma } from '../../src/text/hf/regex';

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

describe('patterns from a file run on a linear-time engine', () => {
  const split = (regex: string): Tokenizer => Tokenizer.fromJSON({ model, pre_tokenizer: { type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated' } });

  it('(a+)+$ on 28 and 40 `a`s followed by `!` finishes in well under a second', () => {
    const tokenizer = split('(a+)+$');
    for (const count of [28, 40]) {
      const started = performance.now();
      const ids = tokenizer.encode(`${'a'.repeat(count)}!`);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(ids).toEqual([...Array<number>(count).fill(0), 4]);
    }
  });

  it('a Replace normalizer with a catastrophic pattern also finishes', () => {
    const tokenizer = Tokenizer.fromJSON({ model, normalizer: { type: 'Replace', pattern: { Regex: '(a|aa)+$' }, content: 'x' } });
    const started = performance.now();
    expect(tokenizer.encode(`${'a'.repeat(40)}!`)).toEqual([...Array<number>(40).fill(0), 4]);
    expect(tokenizer.encode('aaa')).toEqual([1]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("keeps Oniguruma's Unicode meanings of \\s, \\d, \\w and (?i:…) on the linear-time engine", () => {
    const tokenizer = Tokenizer.fromJSON({
      model: { type: 'BPE', vocab: { '<unk>': 0, A: 1, a: 2, '٣': 3, ' ': 4, '\u0085': 5, é: 6 }, merges: [], unk_token: '<unk>' },
      pre_tokenizer: { type: 'Split', pattern: { Regex: '(?i:a)|\\d+|\\w+|\\s+' }, behavior: 'Removed', invert: true },
    });
    expect(tokenizer.encodeFull('A a ٣\u0085é').tokens).toEqual(['A', ' ', 'a', ' ', '٣', '\u0085', 'é']);
  });

  it('a construct RE2 cannot run is a TokenizerJSONError naming the field and the policy', () => {
    expect(() => split('a(?=b)')).toThrow(TokenizerJSONError);
    expect(() => split('(a)\\1')).toThrow(/pre_tokenizer\.pattern\.Regex: .*linear-time engine/);
  });

  it('the built-in split patterns still run on V8 with look-ahead', () => {
    const cl100k = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    const tokenizer = split(cl100k);
    expect(tokenizer.encodeFull('a  x').tokens).toEqual(['a', ' ', ' ', 'x']);
  });
});

describe('the whitespace look-ahead idiom of GPT-style patterns on the linear-time engine', () => {
  it('a Qwen2-style pattern (not built in) splits like V8 runs the same pattern', () => {
    const qwen2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    const ours = Tokenizer.fromJSON({ model, pre_tokenizer: { type: 'Split', pattern: { Regex: qwen2 }, behavior: 'Isolated' } });
    const reference = new RegExp(translateOniguruma(qwen2), 'gu');
    for (const text of ['a   x', 'a x  ', '   a', "I'M  here 123!!\n\n  x", ' \t\n a', 'x\u0085\u0085y', '']) {
      expect(ours.preTokenizeForTraining(text), JSON.stringify(text)).toEqual(text.match(reference) ?? []);
    }
  });
});
