import { describe, expect, it } from 'vitest';
import {
  BYTE_TO_UNICODE,
  BPETokenizer,
  TokenizerError,
  assertString,
  byteLevelDecode,
  byteLevelEncode,
  bytesToUnicode,
  decodeUtf8,
  encodeUtf8,
  findLoneSurrogate,
  unicodeToByte,
  unicodeToBytes,
} from '../../src/text/index';
import { STRESS_STRINGS } from './stress';

describe('byte-level helpers', () => {
  it("GPT-2's byte map is a bijection onto printable characters", () => {
    expect(new Set(BYTE_TO_UNICODE).size).toBe(256);
    expect(BYTE_TO_UNICODE[0x20]).toBe('Ġ');
    expect(BYTE_TO_UNICODE[0x0a]).toBe('Ċ');
    expect(BYTE_TO_UNICODE[0x41]).toBe('A');
    expect(BYTE_TO_UNICODE[0xad]).toBe('Ń');
    for (let byte = 0; byte < 256; byte++) expect(unicodeToByte(BYTE_TO_UNICODE[byte]!)).toBe(byte);
    expect(unicodeToByte('€')).toBe(-1);
    expect(() => unicodeToBytes('a€')).toThrow(/U\+20AC\) at index 1/);
  });

  it('byte-level strings round-trip every stress string', () => {
    for (const text of STRESS_STRINGS) {
      expect(byteLevelDecode(byteLevelEncode(text))).toBe(text);
      expect(decodeUtf8(unicodeToBytes(bytesToUnicode(encodeUtf8(text))))).toBe(text);
    }
    expect(byteLevelEncode(' héllo')).toBe('ĠhÃ©llo');
  });

  it('lone surrogates: replaced by U+FFFD, rejected, or kept with WTF-8', () => {
    const text = 'a\uD83Db\uDE00c😀';
    expect(findLoneSurrogate(text)).toBe(1);
    expect(findLoneSurrogate('😀')).toBe(-1);
    expect(decodeUtf8(encodeUtf8(text))).toBe('a\uFFFDb\uFFFDc😀');
    expect(() => encodeUtf8(text, 'error')).toThrow(/lone surrogate U\+D83D at index 1/);
    expect([...encodeUtf8('\uD800', 'wtf8')]).toEqual([0xed, 0xa0, 0x80]);
    expect(decodeUtf8(encodeUtf8(text, 'wtf8'), 'wtf8')).toBe(text);
    expect(() => decodeUtf8(Uint8Array.of(0xff), 'error')).toThrow(TokenizerError);
  });

  it('byte-level BPE round-trips any string, lone surrogates included with wtf8', () => {
    const bpe = BPETokenizer.train(STRESS_STRINGS.join('\n'), { vocabSize: 400 });
    let seed = 1;
    const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 200; trial++) {
      let text = '';
      const length = Math.floor(random() * 40);
      for (let i = 0; i < length; i++) {
        const kind = random();
        const code = kind < 0.5 ? Math.floor(random() * 0x80) : kind < 0.8 ? Math.floor(random() * 0xd800) : 0x10000 + Math.floor(random() * 0xfffff);
        text += String.fromCodePoint(code);
      }
      expect(bpe.decode(bpe.encode(text))).toBe(text);
    }
    const wtf8 = BPETokenizer.fromGPT2(
      JSON.stringify(Object.fromEntries(BYTE_TO_UNICODE.map((char, id) => [char, id]))),
      '#version: 0.2\n',
      { loneSurrogates: 'wtf8' },
    );
    const broken = 'x\uDC00y\uD800';
    expect(wtf8.decode(wtf8.encode(broken))).toBe(broken);
    const strict = BPETokenizer.fromGPT2(JSON.stringify(Object.fromEntries(BYTE_TO_UNICODE.map((char, id) => [char, id]))), '#version: 0.2\n', { loneSurrogates: 'error' });
    expect(() => strict.encode(broken)).toThrow(/lone surrogate U\+DC00/);
  });

  it('non-string input is a TokenizerError naming the call', () => {
    expect(() => assertString(3, 'op')).toThrow('op: expected a string, got number');
    expect(() => assertString(null, 'op')).toThrow('got null');
    expect(() => assertString(['a'], 'op')).toThrow('got an array');
  });
});
