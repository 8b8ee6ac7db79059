import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { parseWord2Vec, readWord2Vec, type WordVectors } from '../src/index';

// Made by fixtures/make_gensim_fixtures.py: gensim 4.2 skip-gram vectors of a synthetic corpus built
// for the course's analogies, saved with gensim's save_word2vec_format (text and binary).
const fixture = (name: string): Buffer => readFileSync(new URL(`fixtures/${name}`, import.meta.url));
const answers = JSON.parse(fixture('analogy-vectors.json').toString()) as {
  words: string[];
  vectors: number[][];
  [question: string]: unknown;
};
type Ranked = [string, number][];

function expectSameAsJson(wv: WordVectors): void {
  expect(wv.words).toEqual(answers.words);
  answers.vectors.forEach((row, i) => expect(Array.from(wv.vectorAt(i))).toEqual(row.map(Math.fround)));
}

function expectRanking(got: { word: string; similarity: number }[], want: Ranked, digits = 5): void {
  expect(got.map((n) => n.word)).toEqual(want.map(([word]) => word));
  got.forEach((n, i) => expect(n.similarity).toBeCloseTo(want[i][1], digits));
}

describe("gensim's word2vec files read back exactly", () => {
  it('the text file gives the float32 values gensim holds', () => {
    expectSameAsJson(parseWord2Vec(fixture('analogy-vectors.txt')));
  });

  it('the binary file (gensim: no newline after each vector) gives the same values', async () => {
    expectSameAsJson(await readWord2Vec(fixture('analogy-vectors.bin'), { binary: true }));
  });
});

describe("questions answered as gensim answers them", () => {
  const wv = parseWord2Vec(fixture('analogy-vectors.txt'));

  it('king − man + woman ≈ queen (the course analogy), with gensim’s scores', async () => {
    const got = await wv.mostSimilar(['king', 'woman'], { negative: ['man'], topN: 5 });
    expectRanking(got, answers.most_similar_king_woman_minus_man as Ranked);
    expect((await wv.analogy('man', 'king', 'woman'))[0].word).toBe('queen');
  });

  it('rome − paris + france ≈ italy (Rome − Paris ≈ Italy − France)', async () => {
    const got = await wv.mostSimilar(['france', 'rome'], { negative: ['paris'], topN: 5 });
    expectRanking(got, answers.most_similar_france_rome_minus_paris as Ranked);
    expect((await wv.analogy('paris', 'france', 'rome'))[0].word).toBe('italy');
  });

  it('3CosMul picks the same answers as gensim’s most_similar_cosmul', async () => {
    // gensim's ε is 1e-6, Levy & Goldberg's (ours) 0.001: the winners agree, the scores differ slightly.
    expect((await wv.analogy('man', 'king', 'woman', { method: '3CosMul' }))[0].word).toBe((answers.cosmul_king_woman_minus_man as Ranked)[0][0]);
    expect((await wv.analogy('paris', 'france', 'rome', { method: '3CosMul' }))[0].word).toBe((answers.cosmul_france_rome_minus_paris as Ranked)[0][0]);
  });

  it('mostSimilar, restrictVocab, doesntMatch and similarity match gensim', async () => {
    expectRanking(await wv.mostSimilar('berlin', { topN: 8 }), answers.most_similar_berlin as Ranked);
    expectRanking(await wv.mostSimilar('queen', { topN: 5, restrictVocab: 30 }), answers.most_similar_restrict_30 as Ranked);
    expect(wv.doesntMatch(['paris', 'rome', 'berlin', 'queen'])).toBe(answers.doesnt_match);
    expect(wv.similarity('king', 'queen')).toBeCloseTo(answers.similarity_king_queen as number, 6);
    expect(wv.similarity('paris', 'france')).toBeCloseTo(answers.similarity_paris_france as number, 6);
  });
});
