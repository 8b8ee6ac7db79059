import { describe, expect, it } from 'vitest';
import { BPETokenizer } from '../../src/text/bpe/tokenizer';
import { TokenizerError } from '../../src/text/byte-level';
import { WordTokenizer } from '../../src/text/word-tokenizer';
import { WordPieceTokenizer } from '../../src/text/wordpiece/tokenizer';

describe('languages written without spaces: WordTokenizer splits words with Intl.Segmenter', () => {
  it('Chinese', () => {
    const words = new WordTokenizer();
    expect(words.tokenize('北京欢迎你，我爱北京。')).toEqual(['北京', '欢迎', '你', '，', '我', '爱', '北京', '。']);
    const offsets = words.tokenizeWithOffsets('I love 北京欢迎你');
    expect(offsets.map((t) => t.token)).toEqual(['i', 'love', '北京', '欢迎', '你']);
    expect(offsets[3]).toEqual({ token: '欢迎', start: 9, end: 11 });
  });

  it('Japanese (kana and kanji), with the locale detected from the script or given', () => {
    const text = '東京に行きました。';
    for (const words of [new WordTokenizer(), new WordTokenizer({ locale: 'ja' })]) {
      const tokens = words.tokenize(text);
      expect(tokens[0]).toBe('東京');
      expect(tokens[1]).toBe('に');
      expect(tokens.at(-1)).toBe('。');
      expect(tokens.length).toBeGreaterThanOrEqual(5);
      expect(tokens.join('')).toBe(text); // every character lands in exactly one token
    }
  });

  it("segmenter: 'off' keeps a run of letters as one word (the old behaviour)", () => {
    expect(new WordTokenizer({ segmenter: 'off' }).tokenize('北京欢迎你')).toEqual(['北京欢迎你']);
    expect(() => new WordTokenizer({ segmenter: 'on' as 'auto' })).toThrow(TokenizerError);
  });
});

describe('German compounds under subword tokenizers', () => {
  // Compound parts appear on their own and in other compounds; the test compounds never do.
  const parts = ['donau', 'dampf', 'schiff', 'fahrt', 'gesellschaft', 'kapitän', 'kinder', 'garten', 'lehrer', 'haus', 'tür', 'schlüssel'];
  const sentences: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    for (let j = 0; j < parts.length; j++) {
      if (i !== j) sentences.push(`Das Wort ${parts[i]} steht vor ${parts[j]} und ${parts[i]}${parts[j]} ist ein Wort.`);
    }
  }
  const unseen = ['Donaudampfschifffahrtsgesellschaftskapitän', 'Kindergartenlehrerhaustürschlüssel'];

  it('WordTokenizer keeps a compound as one word', () => {
    expect(new WordTokenizer().tokenize(unseen[0])).toEqual([unseen[0].toLowerCase()]);
  });

  for (const scoring of ['frequency', 'likelihood'] as const) {
    it(`WordPiece (${scoring}) splits unseen compounds into learned parts, no [UNK], and decodes them back`, () => {
      const tokenizer = WordPieceTokenizer.train(sentences, { vocabSize: 300, scoring, stripAccents: false });
      for (const word of unseen) {
        const { tokens } = tokenizer.encodeFull(word, { addSpecialTokens: false });
        expect(tokens).not.toContain('[UNK]');
        expect(tokens.length).toBeGreaterThan(1);
        expect(tokens.length).toBeLessThanOrEqual(12);
        expect(tokens.map((t) => t.replace(/^##/, '')).join('')).toBe(word.toLowerCase());
        // Most pieces are whole compound parts (or the linking "s").
        const partPieces = tokens.filter((t) => parts.includes(t.replace(/^##/, ''))).length;
        expect(partPieces).toBeGreaterThanOrEqual(Math.ceil(tokens.length / 2));
      }
    });
  }

  it('byte-level BPE splits unseen compounds into few pieces and decodes them exactly', () => {
    const tokenizer = BPETokenizer.train(sentences.join('\n'), { vocabSize: 400 });
    for (const word of unseen) {
      const ids = tokenizer.encode(` ${word}`);
      expect(tokenizer.decode(ids)).toBe(` ${word}`);
      expect(ids.length).toBeLessThanOrEqual(12);
      expect(ids.length).toBeLessThan(word.length / 3);
    }
  });
});

describe('Arabic diacritics under normalisation', () => {
  const plain = 'كتب الولد الدرس في المدرسة';
  const voweled = 'كَتَبَ الوَلَدُ الدَّرْسَ فِي المَدْرَسَةِ'; // the same words with harakat (combining marks)

  it('BERT normalisation (strip accents: NFD, then marks removed) maps voweled text to the plain ids', () => {
    const tokenizer = WordPieceTokenizer.train([plain, plain], { vocabSize: 60, minFrequency: 1 });
    expect(tokenizer.encode(voweled)).toEqual(tokenizer.encode(plain));
    expect(tokenizer.encodeFull(voweled, { addSpecialTokens: false }).tokens).not.toContain('[UNK]');
    const keeping = WordPieceTokenizer.train([plain, plain], { vocabSize: 60, minFrequency: 1, stripAccents: false });
    expect(keeping.encodeFull(voweled, { addSpecialTokens: false }).tokens).toContain('[UNK]');
  });

  it('WordTokenizer keeps the marks inside their word (one token per word, not split at each haraka)', () => {
    const tokens = new WordTokenizer().tokenize(`${voweled}، نعم`);
    expect(tokens).toEqual([...voweled.split(' '), '،', 'نعم']);
  });
});

describe('URLs, e-mail addresses and numbers kept whole where a pattern asks for it', () => {
  const text = 'Write to Ada.Lovelace@example.co.uk or see https://example.com/a_b?x=1&y=2, it costs -1,234.50 or 3.5e-7% (not 3-5).';

  it("keepWhole: ['url', 'email', 'number']", () => {
    const words = new WordTokenizer({ keepWhole: ['url', 'email', 'number'] });
    expect(words.tokenize(text)).toEqual([
      'write', 'to', 'Ada.Lovelace@example.co.uk', 'or', 'see', 'https://example.com/a_b?x=1&y=2', ',', 'it', 'costs', '-1,234.50', 'or', '3.5e-7%',
      '(', 'not', '3', '-', '5', ')', '.',
    ]);
    const offsets = words.tokenizeWithOffsets(text).find((t) => t.token.startsWith('https'))!;
    expect(text.slice(offsets.start, offsets.end)).toBe('https://example.com/a_b?x=1&y=2');
  });

  it('without it, the same text is split at every punctuation mark', () => {
    const tokens = new WordTokenizer().tokenize(text);
    expect(tokens).toContain('example');
    expect(tokens).not.toContain('https://example.com/a_b?x=1&y=2');
    expect(tokens.slice(tokens.indexOf('costs') + 1, tokens.indexOf('costs') + 3)).toEqual(['-', '1,234.50']);
  });

  it('takes your own pattern (hashtags, www. links) and refuses flags it cannot honour or empty matches', () => {
    const words = new WordTokenizer({ keepWhole: [/#\p{L}+/u, 'url'] });
    expect(words.tokenize('Read www.example.org #NLP today')).toEqual(['read', 'www.example.org', '#NLP', 'today']);
    expect(() => new WordTokenizer({ keepWhole: [/x/i] })).toThrow(/flags 'i'/);
    expect(() => new WordTokenizer({ keepWhole: [/a*/] })).toThrow(/matches the empty string/);
    expect(() => new WordTokenizer({ keepWhole: ['phone' as 'url'] })).toThrow(TokenizerError);
  });
});
