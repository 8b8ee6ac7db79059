import { describe, expect, it } from 'vitest';
import { BagOfWords, CharTokenizer, ENGLISH_STOP_WORDS, TokenizerError, Vocab, WordTokenizer, oneHotTokens } from '../../src/text/index';

describe('WordTokenizer', () => {
  it('lowercases and splits Unicode punctuation, keeping contractions, hyphenated words and numbers', () => {
    const words = new WordTokenizer();
    expect(words.tokenize("The cat's state-of-the-art toy costs $3.50 (1,000 ¥)… ¿Qué? «Ça» 東京")).toEqual([
      'the', "cat's", 'state-of-the-art', 'toy', 'costs', '$', '3.50', '(', '1,000', '¥', ')', '…', '¿', 'qué', '?', '«', 'ça', '»', '東京',
    ]);
  });

  it('options: split contractions and hyphens, drop or replace numbers, drop punctuation, stop words', () => {
    expect(new WordTokenizer({ contractions: 'split' }).tokenize("Don't I'm they're")).toEqual(['do', "n't", 'i', "'m", 'they', "'re"]);
    expect(new WordTokenizer({ hyphenated: 'split' }).tokenize('well-known')).toEqual(['well', '-', 'known']);
    expect(new WordTokenizer({ numbers: 'replace' }).tokenize('in 2024 and 3.5')).toEqual(['in', '<num>', 'and', '<num>']);
    expect(new WordTokenizer({ numbers: 'remove', punctuation: 'remove' }).tokenize('a, 2 b!')).toEqual(['a', 'b']);
    expect(new WordTokenizer({ stopWords: true }).tokenize('The cat and the hat')).toEqual(['cat', 'hat']);
    expect(new WordTokenizer({ lowercase: false }).tokenize('Hello World')).toEqual(['Hello', 'World']);
    expect(ENGLISH_STOP_WORDS.size).toBe(179);
  });

  it('offsets point into the original text; combining accents are normalized', () => {
    const text = 'Cafe\u0301 au lait!';
    const tokens = new WordTokenizer().tokenizeWithOffsets(text);
    expect(tokens[0]).toEqual({ token: 'café', start: 0, end: 5 });
    expect(tokens.map(({ start, end }) => text.slice(start, end))).toEqual(['Cafe\u0301', 'au', 'lait', '!']);
  });

  it('fit builds a vocabulary; encode/decode use it; bad input is a TokenizerError', () => {
    const words = new WordTokenizer();
    words.fit(['the cat sat', 'the cat ran'], { minFrequency: 2 });
    expect(words.vocab!.tokens).toEqual(['[PAD]', '[UNK]', 'cat', 'the']);
    expect(words.encode('The dog')).toEqual([3, 1]);
    expect(words.decode([3, 2])).toBe('the cat');
    expect(() => new WordTokenizer().encode('x')).toThrow(/no vocabulary/);
    expect(() => words.tokenize(5 as unknown as string)).toThrow(TokenizerError);
    expect(() => new WordTokenizer({ numbers: 'drop' as 'keep' })).toThrow(/numbers must be/);
  });
});

describe('CharTokenizer', () => {
  it('code points or grapheme clusters', () => {
    expect(new CharTokenizer().tokenize('e\u0301👍🏽')).toEqual(['e', '\u0301', '👍', '🏽']);
    expect(new CharTokenizer({ unit: 'grapheme' }).tokenize('e\u0301👍🏽👨‍👩‍👧')).toEqual(['e\u0301', '👍🏽', '👨‍👩‍👧']);
    const chars = new CharTokenizer();
    chars.fit(['hello'], { specialTokens: ['[PAD]', '[UNK]'] });
    expect(chars.vocab!.tokens).toEqual(['[PAD]', '[UNK]', 'l', 'e', 'h', 'o']);
    expect(chars.decode(chars.encode('hello'))).toBe('hello');
    expect(chars.encode('hz')).toEqual([4, 1]);
    expect(chars.encodeWithOffsets('h😀').offsets).toEqual([[0, 1], [1, 3]]);
  });
});

describe('Vocab', () => {
  it('from counts with minFrequency and maxSize; special tokens first; ties in code-unit order', () => {
    const vocab = Vocab.fromCounts({ b: 3, a: 3, c: 1, d: 5 }, { minFrequency: 2, specialTokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '[BOS]', '[EOS]'] });
    expect(vocab.tokens).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '[BOS]', '[EOS]', 'd', 'a', 'b']);
    expect([vocab.padId, vocab.unkId, vocab.clsId, vocab.sepId, vocab.maskId, vocab.bosId, vocab.eosId]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Vocab.fromCounts({ b: 3, a: 3, c: 1, d: 5 }, { maxSize: 4 }).tokens).toEqual(['[PAD]', '[UNK]', 'd', 'a']);
    expect(Vocab.fromCounts([['x', 'y', 'x']], { specialTokens: [] }).tokens).toEqual(['x', 'y']);
  });

  it('token ↔ id, unknown tokens, out-of-range ids, JSON round trip', () => {
    const vocab = Vocab.fromCounts({ cat: 2, dog: 1 });
    expect(vocab.tokenToId('cat')).toBe(2);
    expect(vocab.tokenToId('emu')).toBe(1);
    expect(vocab.encode(['dog', 'cat'])).toEqual([3, 2]);
    expect(vocab.decode([2, 3])).toEqual(['cat', 'dog']);
    expect(() => vocab.idToToken(4)).toThrow('Vocab.idToToken: id 4 is out of range [0, 4)');
    expect(() => vocab.idToToken(-1)).toThrow(TokenizerError);
    expect(() => new Vocab(['a'], { specialTokens: [] }).tokenToId('b')).toThrow(/no unknown token/);
    const restored = Vocab.fromJSON(JSON.stringify(vocab));
    expect(restored.tokens).toEqual(vocab.tokens);
    expect(restored.unkId).toBe(1);
    expect(restored.padId).toBe(0);
    expect(() => Vocab.fromJSON('{"tokens": 3}')).toThrow(/"tokens" array/);
    expect(() => Vocab.fromJSON('nope')).toThrow(/not valid JSON/);
  });

  it('oneHot over a vocabulary', () => {
    const vocab = Vocab.fromCounts({ a: 2, b: 1 }, { specialTokens: [] });
    expect(vocab.oneHot(['b', 'a'])).toEqual([[0, 1], [1, 0]]);
    expect(oneHotTokens(['a'], vocab)).toEqual([[1, 0]]);
  });
});

describe('BagOfWords', () => {
  const docs = ['the cat sat', 'the cat ate the fish'];

  it('binary vectors as the course describes: lowercase, no stop words, 1 where a word occurs', () => {
    const bow = new BagOfWords().fit(docs);
    expect(bow.featureNames()).toEqual(['cat', 'ate', 'fish', 'sat']);
    expect(bow.transform(['A CAT, a cat and a fish'])).toEqual([[1, 0, 1, 0]]);
  });

  it('counts, dense and sparse', () => {
    const bow = new BagOfWords({ mode: 'counts' }).fit(docs);
    expect(bow.transform(['a cat, a fish and a cat'])).toEqual([[2, 0, 1, 0]]);
    expect(bow.transform(['cat cat sat', 'unknown words'], { sparse: true })).toEqual([
      { indices: [0, 3], values: [2, 1], size: 4 },
      { indices: [], values: [], size: 4 },
    ]);
  });

  it("tf-idf matches scikit-learn's TfidfVectorizer (smooth idf, l2 norm)", () => {
    const bow = new BagOfWords({ mode: 'tfidf' }).fit(docs);
    // idf = ln(3/3)+1 = 1 for cat; ln(3/2)+1 for the others.
    const rare = Math.log(1.5) + 1;
    const [row] = bow.transform(['cat fish fish']);
    const norm = Math.sqrt(1 + (2 * rare) ** 2);
    expect(row![0]).toBeCloseTo(1 / norm, 12);
    expect(row![2]).toBeCloseTo((2 * rare) / norm, 12);
    expect(() => new BagOfWords({ mode: 'tfidf', vocab: bow.vocab }).transform(['x'])).toThrow(/needs fit/);
  });

  it('bad input', () => {
    expect(() => new BagOfWords().transform(['x'])).toThrow(/not fitted/);
    expect(() => new BagOfWords().fit('text' as unknown as string[])).toThrow(/single string/);
    expect(() => new BagOfWords().fit(['a', 3 as unknown as string])).toThrow(/text 1 is number/);
  });
});
