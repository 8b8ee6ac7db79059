import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { ShapeError, ValueError, tensor } from '@tessera/core';
import { OutOfVocabularyError, WordVectors } from '../src/index';
import { clusteredVectors, syntheticWords } from './helpers';

/** Cosine in float64. */
function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < a.length; j++) [ab, aa, bb] = [ab + a[j] * b[j], aa + a[j] * a[j], bb + b[j] * b[j]];
  return ab / Math.sqrt(aa * bb);
}

function unit(v: ArrayLike<number>): number[] {
  const n = Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
  return Array.from(v, (x) => x / n);
}

/** Brute-force ranking in float64: every word's score, best first, without `exclude`. */
function ranking(wv: WordVectors, score: (row: Float32Array) => number, exclude: string[] = []): { word: string; score: number }[] {
  return wv.words
    .map((word, i) => ({ word, score: score(wv.vectorAt(i)) }))
    .filter((entry) => !exclude.includes(entry.word))
    .sort((a, b) => b.score - a.score);
}

const { values } = clusteredVectors(300, 16, 12, 0.6, 3);
const words = syntheticWords(300);
const wv = new WordVectors(words, values, 16);

describe('WordVectors lookups', () => {
  it('get, has, index and vectorAt read the rows given', () => {
    expect(wv.count).toBe(300);
    expect(wv.has('w7')).toBe(true);
    expect(wv.has('nope')).toBe(false);
    expect(wv.index('w7')).toBe(7);
    expect(Array.from(wv.get('w7'))).toEqual(Array.from(values.subarray(7 * 16, 8 * 16)));
    const normed = wv.get('w7', { norm: true });
    expect(normed.reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 6);
  });

  it('similarity is the cosine, computed in float64', () => {
    expect(wv.similarity('w1', 'w2')).toBeCloseTo(cosine(wv.get('w1'), wv.get('w2')), 10);
    expect(wv.similarity('w1', 'w1')).toBeCloseTo(1, 10);
    expect(wv.similarity('w3', wv.get('w4'))).toBeCloseTo(cosine(wv.get('w3'), wv.get('w4')), 10);
  });

  it('an unknown word is an OutOfVocabularyError naming it and close spellings', () => {
    const small = new WordVectors(['queen', 'king'], new Float32Array([1, 0, 0, 1]), 2);
    expect(() => small.get('qeen')).toThrow(OutOfVocabularyError);
    expect(() => small.get('qeen')).toThrow(/get: word "qeen" is not in the vocabulary \(close: "queen"\)/);
    expect(() => small.index('x')).toThrow(/index: word "x"/);
  });

  it("the 'zero' policy answers zeros, a function policy answers its vector", () => {
    const zero = new WordVectors(['a'], new Float32Array([1, 2]), 2, { oov: 'zero' });
    expect(Array.from(zero.get('b'))).toEqual([0, 0]);
    expect(zero.similarity('a', 'b')).toBe(0);
    const fn = new WordVectors(['a'], new Float32Array([1, 2]), 2, { oov: (word) => new Float32Array([word.length, 0]) });
    expect(Array.from(fn.get('abc'))).toEqual([3, 0]);
    fn.oov = () => new Float32Array(3);
    expect(() => fn.get('zz')).toThrow(ShapeError);
  });

  it('bad construction names the problem', () => {
    expect(() => new WordVectors(['a', 'a'], new Float32Array(4), 2)).toThrow(/duplicate word "a" at rows 0 and 1/);
    expect(() => new WordVectors(['a', 'b'], new Float32Array(3), 2)).toThrow(/2 words of dim 2 need 4 values, got a Float32Array of 3/);
    expect(() => new WordVectors(['a'], tensor([[1, 2, 3]]), 2)).toThrow(ShapeError);
    expect(() => new WordVectors(['a'], new Float32Array(2), 0)).toThrow(ValueError);
  });

  it('is built from a tensor (sync on cpu, or fromTensor)', async () => {
    const t = tensor([[1, 0], [0, 1]]);
    expect(Array.from(new WordVectors(['x', 'y'], t, 2).get('y'))).toEqual([0, 1]);
    expect(Array.from((await WordVectors.fromTensor(['x', 'y'], t)).get('x'))).toEqual([1, 0]);
  });
});

describe('WordVectors searches match brute force in float64', () => {
  it("mostSimilar uses gensim's semantics: mean of unit vectors, input words excluded", async () => {
    const got = await wv.mostSimilar(['w5', 'w17'], { negative: ['w40'], topN: 8 });
    const mean = unit(unit(wv.get('w5')).map((x, j) => x + unit(wv.get('w17'))[j] - unit(wv.get('w40'))[j]));
    const want = ranking(wv, (row) => cosine(row, mean), ['w5', 'w17', 'w40']).slice(0, 8);
    expect(got.map((n) => n.word)).toEqual(want.map((n) => n.word));
    got.forEach((n, i) => expect(n.similarity).toBeCloseTo(want[i].score, 5));
  });

  it('restrictVocab searches only the first words', async () => {
    const got = await wv.mostSimilar('w0', { topN: 5, restrictVocab: 50 });
    expect(got.every((n) => n.index < 50 && n.word !== 'w0')).toBe(true);
    const want = ranking(new WordVectors(words.slice(0, 50), values.slice(0, 50 * 16), 16), (row) => cosine(row, wv.get('w0')), ['w0']);
    expect(got.map((n) => n.word)).toEqual(want.slice(0, 5).map((n) => n.word));
  });

  it('analogy 3CosAdd is b − a + c with the question words left out', async () => {
    const [best] = await wv.analogy('w1', 'w2', 'w3');
    const query = unit(wv.get('w2')).map((x, j) => x - unit(wv.get('w1'))[j] + unit(wv.get('w3'))[j]);
    expect(best.word).toBe(ranking(wv, (row) => cosine(row, query), ['w1', 'w2', 'w3'])[0].word);
  });

  it("analogy 3CosMul is Levy & Goldberg's product with ε = 0.001 and shifted cosines", async () => {
    const got = await wv.analogy('w1', 'w2', 'w3', { method: '3CosMul', topN: 4 });
    const shifted = (row: Float32Array, word: string): number => (1 + cosine(row, wv.get(word))) / 2;
    const want = ranking(wv, (row) => (shifted(row, 'w2') * shifted(row, 'w3')) / (shifted(row, 'w1') + 0.001), ['w1', 'w2', 'w3']);
    expect(got.map((n) => n.word)).toEqual(want.slice(0, 4).map((n) => n.word));
    got.forEach((n, i) => expect(n.similarity).toBeCloseTo(want[i].score, 4));
  });

  it('nearest answers a batch of vectors in one call, itself first', async () => {
    const queries = [wv.get('w10'), wv.get('w11'), wv.get('w250')];
    const hits = await wv.nearest(queries, 6);
    expect(hits.map((list) => list[0].word)).toEqual(['w10', 'w11', 'w250']);
    for (const [q, list] of hits.entries()) {
      const want = ranking(wv, (row) => cosine(row, queries[q])).slice(0, 6);
      expect(list.map((n) => n.word)).toEqual(want.map((n) => n.word));
    }
    const fromTensor = await wv.nearest(tensor(queries[0]), 6);
    expect(fromTensor[0].map((n) => n.word)).toEqual(hits[0].map((n) => n.word));
    await expect(wv.nearest(new Float32Array(5), 3)).rejects.toThrow(/5 values are not a whole number of vectors of dim 16/);
  });

  it('doesntMatch picks the word farthest from the mean of unit vectors', () => {
    // w0, w12, w24 share cluster 0; w5 is from cluster 5.
    expect(wv.doesntMatch(['w0', 'w12', 'w5', 'w24'])).toBe('w5');
  });

  it('normalize scales every row to unit length in place, and searches agree before and after', async () => {
    const copy = new WordVectors(words, values.slice(), 16);
    const before = await copy.mostSimilar('w9', { topN: 5 });
    copy.normalize();
    for (let i = 0; i < copy.count; i += 37) expect(Math.hypot(...copy.vectorAt(i))).toBeCloseTo(1, 6);
    expect((await copy.mostSimilar('w9', { topN: 5 })).map((n) => n.word)).toEqual(before.map((n) => n.word));
  });
});
