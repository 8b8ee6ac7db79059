/**
 * The parts of Word2Vec/FastText/GloVe training, each against its definition: the vocabulary (counts,
 * minCount, maxVocab, first-appearance ties, a given word list, one-shot and async corpora, encoding);
 * the Huffman tree equals gensim's for tied counts (fixture); subsampling thresholds equal gensim's
 * sample_int; the alias sampler draws exactly count^0.75; skip-gram and CBOW examples (pairs of the
 * reduced window, labels, skipped self-negatives); n-grams and fastText hashes equal gensim's (fixture);
 * co-occurrences are symmetric and weighted 1/distance; the neighbour-overlap measure.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValueError } from '@tessera/core';
import { characterNgrams, countCooccurrences, fastTextHash, huffmanCodes, neighbourOverlap, subwordBuckets, tokenizeText } from '../src/index';
import { ExampleBatch, type TargetPlan } from '../src/training/examples';
import { NegativeSampler } from '../src/training/negative-sampling';
import { TrainingRandom } from '../src/training/random';
import { keepThresholds } from '../src/training/subsampling';
import { readCorpus } from '../src/training/vocabulary';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

describe('tokenizeText and readCorpus', () => {
  it('splits sentences and lowercases words, keeping inner apostrophes', () => {
    expect(tokenizeText("Call me Ishmael. The whale's jaw; SEA!\n\nNew part")).toEqual([['call', 'me', 'ishmael'], ["the", "whale's", 'jaw'], ['sea'], ['new', 'part']]);
  });

  it('keeps words seen minCount times, most frequent first (ties in order of appearance), and encodes sentences', async () => {
    const { vocabulary, encoded } = await readCorpus([['b', 'a', 'c'], ['a', 'b', 'x'], ['c', 'a']], { minCount: 2 });
    expect(vocabulary.words).toEqual(['a', 'b', 'c']);
    expect(Array.from(vocabulary.counts)).toEqual([3, 2, 2]);
    expect(Array.from(encoded.ids)).toEqual([1, 0, 2, 0, 1, 2, 0]);
    expect(Array.from(encoded.starts)).toEqual([0, 3, 5, 7]);
    expect(encoded.rawWords).toBe(8);
    expect((await readCorpus([['b', 'a', 'c'], ['a', 'b']], { minCount: 1, maxVocab: 2 })).vocabulary.words).toEqual(['b', 'a']);
  });

  it('takes a given word list in its order, one-shot generators and async iterables of texts', async () => {
    expect((await readCorpus([['b', 'a', 'a']], { vocabulary: ['b', 'a'] })).vocabulary.words).toEqual(['b', 'a']);
    await expect(readCorpus([['a']], { vocabulary: ['z'] })).rejects.toThrow(/does not occur/);
    function* oneShot() {
      yield ['x', 'y'];
      yield ['x'];
    }
    const { encoded } = await readCorpus(oneShot(), { minCount: 1 });
    expect(Array.from(encoded.ids)).toEqual([0, 1, 0]);
    async function* texts() {
      yield 'The sea. The ship';
    }
    expect((await readCorpus(texts(), { minCount: 2 })).vocabulary.words).toEqual(['the']);
    await expect(readCorpus([['a']], { minCount: 2 })).rejects.toThrow(ValueError);
  });
});

describe('Huffman codes, subsampling and the noise distribution', () => {
  const gensim = fixture('gensim-training-parts.json');

  it('builds the same Huffman tree as gensim, ties included', () => {
    const tree = huffmanCodes(Float64Array.from(gensim.counts));
    gensim.words.forEach((_: string, w: number) => {
      expect(Array.from(tree.codes.subarray(tree.offsets[w], tree.offsets[w + 1]))).toEqual(gensim.codes[w]);
      expect(Array.from(tree.points.subarray(tree.offsets[w], tree.offsets[w + 1]))).toEqual(gensim.points[w]);
    });
  });

  it('keeps each word with gensim\'s probability (sample_int)', () => {
    const thresholds = keepThresholds(Float64Array.from(gensim.counts), gensim.sample);
    thresholds.forEach((threshold, w) => expect(Math.abs(threshold - gensim.sampleInt[w])).toBeLessThanOrEqual(2));
    expect(keepThresholds(Float64Array.of(5, 1), 0).every((t) => t === 2 ** 32)).toBe(true);
  });

  it('draws word w with probability count^0.75 / Σ count^0.75, exactly', () => {
    const counts = Float64Array.from({ length: 50 }, (_, i) => 1 + ((i * 37) % 23) * 10);
    const sampler = new NegativeSampler(counts, 0.75);
    const total = counts.reduce((a, c) => a + c ** 0.75, 0);
    counts.forEach((c, i) => expect(sampler.probability(i)).toBeCloseTo(c ** 0.75 / total, 12));
    const rng = new TrainingRandom(2);
    const hits = new Float64Array(50);
    for (let i = 0; i < 200_000; i++) hits[sampler.draw(rng)]++;
    expect(Math.abs(hits[0] / 200_000 - sampler.probability(0))).toBeLessThan(0.004);
  });
});

describe('examples', () => {
  const plan = (negative: number, sampler: NegativeSampler | null): TargetPlan => ({ huffman: null, negative, sampler, negativeOffset: 0 });

  it('skip-gram: the context row predicts the centre, pairs stay inside the reduced window', () => {
    const batch = new ExampleBatch();
    const sentence = Int32Array.of(0, 1, 2, 3, 4);
    batch.addSkipGram(sentence, 2, new TrainingRandom(1), plan(1, new NegativeSampler(Float64Array.of(1, 1, 1, 1, 1))), null, false);
    const view = batch.view();
    expect(batch.examples).toBeGreaterThanOrEqual(8); // every position has at least its neighbours
    expect(batch.examples).toBeLessThanOrEqual(14); // window 2: at most 2 on each side
    for (let e = 0; e < batch.examples; e++) {
      const input = view.inputIndex[view.inputOffsets[e]];
      const centre = view.targetIndex[view.targetOffsets[e]];
      expect(view.targetLabel[view.targetOffsets[e]]).toBe(1);
      expect(Math.abs(input - centre)).toBeGreaterThanOrEqual(1);
      expect(Math.abs(input - centre)).toBeLessThanOrEqual(2);
    }
  });

  it('negatives carry label 0 and never repeat the word itself; CBOW takes the window as inputs', () => {
    const sampler = new NegativeSampler(Float64Array.of(100, 1, 1), 0.75); // word 0 drawn most of the time
    const batch = new ExampleBatch();
    batch.addCbow(Int32Array.of(0, 1, 2), 1, new TrainingRandom(3), plan(5, sampler), null);
    const view = batch.view();
    for (let e = 0; e < batch.examples; e++) {
      const targets = view.targetIndex.subarray(view.targetOffsets[e], view.targetOffsets[e + 1]);
      const labels = view.targetLabel.subarray(view.targetOffsets[e], view.targetOffsets[e + 1]);
      expect(labels[0]).toBe(1);
      for (let k = 1; k < targets.length; k++) {
        expect(labels[k]).toBe(0);
        expect(targets[k]).not.toBe(targets[0]);
      }
      const inputs = Array.from(view.inputIndex.subarray(view.inputOffsets[e], view.inputOffsets[e + 1]));
      expect(inputs).not.toContain(targets[0]);
    }
    expect(Array.from(view.inputIndex.subarray(view.inputOffsets[1], view.inputOffsets[2]))).toEqual([0, 2]); // centre 1's window
  });
});

describe('FastText subwords and GloVe co-occurrences', () => {
  it('has gensim\'s n-grams and fastText\'s FNV-1a hashes, non-ASCII included', () => {
    const gensim = fixture('fasttext-ngrams.json') as Record<string, { ngrams: string[]; hashes: number[] }>;
    for (const [word, { ngrams, hashes }] of Object.entries(gensim)) {
      const mine = characterNgrams(word, 3, 6);
      expect([...mine].sort()).toEqual([...ngrams].sort());
      ngrams.forEach((ngram, k) => expect(fastTextHash(ngram)).toBe(hashes[k]));
    }
    expect(characterNgrams('sea', 3, 4)).toEqual(['<se', '<sea', 'sea', 'sea>', 'ea>']);
    expect(Array.from(subwordBuckets('sea', 3, 3, 10))).toEqual(['<se', 'sea', 'ea>'].map((n) => fastTextHash(n) % 10));
  });

  it('counts each pair within the window both ways, weighted 1/distance', () => {
    const encoded = { ids: Int32Array.of(0, 1, 2, 0), starts: Int32Array.of(0, 4), rawLengths: Int32Array.of(4), rawWords: 4 };
    const x = countCooccurrences(encoded, 3, 2);
    const at = (a: number, b: number) => {
      for (let k = 0; k < x.values.length; k++) if (x.rows[k] === a && x.cols[k] === b) return x.values[k];
      return 0;
    };
    expect(at(0, 1)).toBeCloseTo(1 + 1 / 2); // 0→1 at distance 1, 1→0 (last) at distance 2
    expect(at(1, 0)).toBeCloseTo(1.5);
    expect(at(0, 2)).toBeCloseTo(1 / 2 + 1);
    expect(at(0, 0)).toBe(0); // distance 3 > window
  });

  it('neighbourOverlap is the mean shared fraction', () => {
    expect(neighbourOverlap({ a: ['x', 'y'], b: ['z', 'w'] }, { a: ['y', 'q'], b: ['z', 'w'] })).toBeCloseTo(0.75);
  });
});
