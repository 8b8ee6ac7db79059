import { mkdtempSync, writeFileSync, createReadStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import {
  VectorFileError, WordVectors, formatFloat32, gloveChunks, loadWordVectors, parseGlove, parseWord2Vec, readGlove, readWord2Vec,
  saveWordVectors, word2VecChunks, writeGlove, writeWord2Vec,
} from '../src/index';
import { clusteredVectors } from './helpers';

const words = ['the', 'König', '日本', 'naïve', 'x'];
const { values } = clusteredVectors(5, 7, 2, 1, 11);
values[3] = 1e-30; // tiny, huge and awkward values must survive the text round trip
values[4] = -3.4e38;
values[5] = Math.fround(0.1);
values[6] = 0;
const wv = new WordVectors(words, values, 7);

function expectSame(got: WordVectors, want: WordVectors): void {
  expect(got.words).toEqual(want.words);
  expect(got.dim).toBe(want.dim);
  for (let i = 0; i < want.count; i++) expect(Array.from(got.vectorAt(i))).toEqual(Array.from(want.vectorAt(i)));
}

/** The bytes in chunks of 1, 2, 3, … bytes, as an async iterable (a stream cutting records anywhere). */
async function* dribble(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  for (let start = 0, size = 1; start < bytes.length; start += size, size = (size % 13) + 1) yield bytes.slice(start, start + size);
}

describe('round trips are exact', () => {
  it('float32 values print as the shortest decimal that reads back', () => {
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(Math.fround(1 / 3))).toBe('0.33333334');
    expect(formatFloat32(-0)).toBe('-0');
    for (const x of values) expect(Math.fround(Number(formatFloat32(x)))).toBe(x);
  });

  it('word2vec text, word2vec binary and GloVe, whole or a few bytes at a time', async () => {
    const text = writeWord2Vec(wv);
    expect(new TextDecoder().decode(text).split('\n')[0]).toBe('5 7');
    expectSame(parseWord2Vec(text), wv);
    expectSame(parseWord2Vec(new TextDecoder().decode(text)), wv);
    expectSame(await readWord2Vec(dribble(text)), wv);
    const binary = writeWord2Vec(wv, { binary: true });
    expectSame(parseWord2Vec(binary, { binary: true }), wv);
    expectSame(await readWord2Vec(dribble(binary), { binary: true }), wv);
    const glove = writeGlove(wv);
    expectSame(parseGlove(glove), wv);
    expectSame(await readGlove(dribble(glove)), wv);
    expect([...word2VecChunks(wv)].length).toBe(1);
    expect([...gloveChunks(wv)].length).toBe(1);
  });

  it('reads a Node file stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-vectors-'));
    try {
      writeFileSync(join(dir, 'v.bin'), writeWord2Vec(wv, { binary: true }));
      expectSame(await readWord2Vec(createReadStream(join(dir, 'v.bin'), { highWaterMark: 16 }), { binary: true }), wv);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('limit reads the first words only', async () => {
    const first = await readWord2Vec(dribble(writeWord2Vec(wv, { binary: true })), { binary: true, limit: 2 });
    expect(first.words).toEqual(['the', 'König']);
    expect(parseWord2Vec(writeWord2Vec(wv), { limit: 3 }).count).toBe(3);
    expect(parseGlove(writeGlove(wv), { limit: 1 }).words).toEqual(['the']);
  });

  it('accepts CRLF line ends, tabs, blank lines, word2vec.c’s trailing space and exponents', () => {
    const got = parseWord2Vec('2 3\r\nking\t1 0 -2.5e-1 \r\n\nqueen .5 +1E+2 -0\r\n');
    expect(Array.from(got.get('king'))).toEqual([1, 0, -0.25]);
    expect(Array.from(got.get('queen'))).toEqual([0.5, 100, -0]);
    expect(Array.from(parseGlove('a 1 nan inf\nb -inf 2 3').get('a'))).toEqual([1, NaN, Infinity]);
  });

  it('safetensors + vocabulary JSON keep float32, float16 and int8 storage', () => {
    for (const stored of [wv, wv.quantize('float16'), wv.quantize('int8')]) {
      const { safetensors, vocabulary } = saveWordVectors(stored);
      expect(JSON.parse(vocabulary)).toEqual(words);
      const loaded = loadWordVectors(safetensors, vocabulary);
      expect(loaded.dtype).toBe(stored.dtype);
      expectSame(loaded, stored);
    }
    const { safetensors } = saveWordVectors(wv);
    expectSame(loadWordVectors(safetensors, JSON.stringify(Object.fromEntries(words.map((w, i) => [w, i])))), wv);
    expect(() => loadWordVectors(safetensors, '["a"]')).toThrow(/must have shape \[1, dim\] for the vocabulary's 1 words, got \[5, 7\]/);
  });

  it('refuses words a text format cannot hold', () => {
    const spaced = new WordVectors(['new york'], new Float32Array(2), 2);
    expect(() => writeWord2Vec(spaced)).toThrow(/word 0 \("new york"\) cannot be written/);
  });
});

describe('malformed files name the line', () => {
  const cases: [string, string, RegExp][] = [
    ['a header with one number', '3\na 1 2\n', /word2vec text: line 1: the header must be "<count> <dim>".*got "3"/],
    ['too few rows for the header', '3 2\na 1 2\nb 3 4\n', /line 4: the header says 3 words but the file ends after 2/],
    ['more rows than the header', '1 2\na 1 2\nb 3 4\n', /line 3: the header says 1 words but there are more rows \(word "b"\)/],
    ['a short row', '2 3\na 1 2 3\nb 4 5\n', /line 3: word "b" has 2 values, expected 3 \(the header's dim\)/],
    ['a long row', '2 2\na 1 2\nb 4 5 6\n', /line 3: word "b" has 3 values, expected 2/],
    ['a value that is not a number', '2 2\na 1 2\nb 4 x5\n', /line 3: value 2 of word "b" is not a number: "x5"/],
    ['a bare exponent', '1 2\na 1 2e\n', /line 2: value 2 of word "a" is not a number: "2e"/],
    ['a duplicate word', '3 1\na 1\nb 2\na 3\n', /line 4: duplicate word "a" \(first on line 2\)/],
    ['an empty file', '', /line 1: the file is empty/],
  ];
  for (const [what, text, message] of cases) {
    it(`word2vec text: ${what}`, () => {
      expect(() => parseWord2Vec(text)).toThrow(VectorFileError);
      expect(() => parseWord2Vec(text)).toThrow(message);
    });
  }

  it('GloVe: rows must match the first row’s dim', () => {
    expect(() => parseGlove('a 1 2\nb 1 2\nc 3\n')).toThrow(/GloVe text: line 3: word "c" has 1 values, expected 2 \(the first row's dim\)/);
    expect(() => parseGlove('a 1 2\n\nb 1 z\n')).toThrow(/GloVe text: line 3: value 2 of word "b" is not a number/);
    expect(() => parseGlove('')).toThrow(/holds no vectors/);
  });

  it('binary: truncated vectors and words, bad headers, duplicates', async () => {
    const binary = writeWord2Vec(wv, { binary: true });
    // Cut inside the third record's vector: 'naïve' is record 3, line 5.
    const cut = binary.length - (1 + 4 * 7 + 1) - 10;
    const error = (() => {
      try {
        parseWord2Vec(binary.subarray(0, cut), { binary: true });
      } catch (e) {
        return e as VectorFileError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(VectorFileError);
    expect(error!.line).toBe(5);
    expect(error!.message).toMatch(/word2vec binary: line 5: truncated: record 3 \("naïve"\) has \d+ of its 28 vector bytes/);
    await expect(readWord2Vec(dribble(binary.subarray(0, binary.length - 30)), { binary: true })).rejects.toThrow(/line 6: truncated: the header says 5 words but the file ends after 4 \(the file ends inside record 4's word\)/);
    expect(() => parseWord2Vec(new TextEncoder().encode('5 x\n'), { binary: true })).toThrow(/line 1: the header must be/);
    expect(() => parseWord2Vec(new Uint8Array(300).fill(65), { binary: true })).toThrow(/no header line/);
    const twice = new WordVectors(['a', 'b'], new Float32Array(2), 1);
    const bytes = writeWord2Vec(twice, { binary: true });
    bytes[bytes.indexOf(0x62 /* b */, 4)] = 0x61; // rename b to a
    expect(() => parseWord2Vec(bytes, { binary: true })).toThrow(/line 3: duplicate word "a" \(first on line 2\)/);
  });

  it('invalid UTF-8 in a word is an error unless unicodeErrors is replace', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('1 1\n'), 0xff, 0x61, ...new TextEncoder().encode(' 1\n')]);
    expect(() => parseWord2Vec(bytes)).toThrow(/line 2: the word .* is not valid UTF-8/);
    expect(parseWord2Vec(bytes, { unicodeErrors: 'replace' }).words).toEqual(['\ufffda']);
  });
});
