/**
 * Word2Vec, FastText and GloVe end to end on a small corpus with planted structure (two topics whose
 * words only ever share sentences with each other): every mode — skip-gram and CBOW, negative sampling
 * and hierarchical softmax, the fused kernel and the autograd engine — puts same-topic words closer
 * than cross-topic ones; one seed on one thread reproduces a run exactly, another seed does not;
 * progress reports words/s, loss and the decaying learning rate; FastText gives an unseen misspelling
 * the vector of its n-grams, among the words of its topic and far from the other; GloVe's loss falls epoch by epoch.
 */
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { ValueError } from '@tessera/core';
import { FastText, GloVe, Word2Vec, progressBar, type TrainingProgress, type WordVectors } from '../src/index';
import { TrainingRandom } from '../src/training/random';

const TOPICS = [
  ['whale', 'harpoon', 'spout', 'blubber', 'fin', 'boat', 'oar', 'line'],
  ['church', 'pulpit', 'sermon', 'pew', 'chapel', 'hymn', 'prayer', 'bible'],
];

/** Sentences of 8 words from one topic each (with "the" and "and" everywhere). */
function topicCorpus(sentences: number, seed = 5): string[][] {
  const rng = new TrainingRandom(seed);
  return Array.from({ length: sentences }, (_, s) => {
    const topic = TOPICS[s % 2];
    return Array.from({ length: 8 }, (_, k) => (k % 4 === 3 ? (k === 3 ? 'the' : 'and') : topic[rng.below(topic.length)]));
  });
}

/** Mean cosine within topics minus across topics. */
function separation(wv: WordVectors): number {
  let within = 0, across = 0, nw = 0, na = 0;
  const all = TOPICS.flat();
  for (const a of all) {
    for (const b of all) {
      if (a >= b) continue;
      const same = TOPICS.some((topic) => topic.includes(a) && topic.includes(b));
      if (same) { within += wv.similarity(a, b); nw++; } else { across += wv.similarity(a, b); na++; }
    }
  }
  return within / nw - across / na;
}

const corpus = topicCorpus(400);
const base = { dim: 16, minCount: 1, epochs: 4, sample: 0, window: 3 } as const;

describe('Word2Vec', () => {
  const modes = [
    { name: 'skip-gram, negative sampling', options: { mode: 'skipgram' } },
    { name: 'CBOW, negative sampling', options: { mode: 'cbow', alpha: 0.05 } },
    { name: 'skip-gram, hierarchical softmax', options: { mode: 'skipgram', hs: true, negative: 0 } },
    { name: 'CBOW, hierarchical softmax and negative sampling', options: { mode: 'cbow', hs: 1, alpha: 0.05 } },
    { name: 'skip-gram through the autograd engine (sparse Embeddings + SGD)', options: { mode: 'skipgram', engine: 'autograd', batchSize: 256 } },
    { name: 'CBOW through the autograd engine', options: { mode: 'cbow', engine: 'autograd', alpha: 0.05, batchSize: 256 } },
  ] as const;
  for (const { name, options } of modes) {
    it(`${name}: same-topic words end up closer than cross-topic ones`, async () => {
      const model = await Word2Vec.train(corpus, { ...base, ...options });
      expect(model.wv.words).toContain('whale');
      expect(separation(model.wv)).toBeGreaterThan(0.3);
      model.wv.dispose();
    });
  }

  it('is reproducible on one thread (same seed, same vectors; another seed, other vectors)', async () => {
    const [a, b, c] = await Promise.all([1, 1, 2].map((seed) => Word2Vec.train(corpus.slice(0, 100), { ...base, epochs: 1, mode: 'skipgram', seed })));
    expect(Array.from(a.wv.get('whale'))).toEqual(Array.from(b.wv.get('whale')));
    expect(Array.from(a.wv.get('whale'))).not.toEqual(Array.from(c.wv.get('whale')));
  });

  it('reports words/s, loss and a learning rate decaying from alpha to minAlpha', async () => {
    const reports: TrainingProgress[] = [];
    const lines: string[] = [];
    const bar = progressBar({ write: (line) => lines.push(line) });
    const model = await Word2Vec.train(corpus, { ...base, mode: 'skipgram', batchWords: 500, progressInterval: 0, onProgress: (p) => { reports.push(p); bar(p); } });
    expect(reports.length).toBeGreaterThan(5);
    expect(reports.at(-1)!.progress).toBe(1);
    expect(reports.every((r) => Number.isFinite(r.loss) && r.wordsPerSecond > 0)).toBe(true);
    expect(reports[0].alpha).toBeGreaterThan(reports.at(-1)!.alpha);
    expect(reports.at(-1)!.alpha).toBeGreaterThanOrEqual(1e-4);
    expect(model.stats.losses.at(-1)!).toBeLessThan(model.stats.losses[0]);
    expect(lines.at(-1)).toMatch(/^\[#{20}\] 100% epoch 4\/4 .* words\/s {2}loss \d+\.\d{3} {2}α /);
  });

  it('refuses options that cannot train, naming them', async () => {
    await expect(Word2Vec.train(corpus, { negative: 0 })).rejects.toThrow(/nothing is trained/);
    await expect(Word2Vec.train(corpus, { mode: 'glove' as never })).rejects.toThrow(ValueError);
    await expect(Word2Vec.train(corpus, { dim: 0 })).rejects.toThrow(/dim must be a positive integer/);
  });
});

describe('FastText', () => {
  it('gives a word never seen in training the mean of its n-gram rows, close to the word it misspells', async () => {
    const ft = await FastText.train(corpus, { ...base, mode: 'skipgram', minN: 2, maxN: 4, bucket: 5000, epochs: 6 });
    expect(ft.wv.has('harpon')).toBe(false);
    const oov = ft.wv.get('harpon');
    expect(Array.from(oov)).toEqual(Array.from(ft.subwordVector('harpon')));
    // In so small a corpus the whale words are near-synonyms; the misspelling lands among them, far
    // from the other topic (the nearest-word rate on Moby Dick is in BENCHMARKS.md).
    for (const other of [...TOPICS[1], 'the', 'and']) expect(ft.wv.similarity('harpon', 'harpoon')).toBeGreaterThan(ft.wv.similarity('harpon', other) + 0.2);
    expect(TOPICS[0]).toContain((await ft.wv.mostSimilar('harpon', { topN: 1 }))[0].word);
    expect(separation(ft.wv)).toBeGreaterThan(0.2);
  });
});

describe('GloVe', () => {
  it('lowers its weighted least-squares loss epoch by epoch and separates the topics', async () => {
    const glove = await GloVe.train(corpus, { dim: 16, minCount: 1, epochs: 12, window: 4 });
    const smoothed = glove.losses.map((_, i, all) => all.slice(Math.max(0, i - 2), i + 1).reduce((a, b) => a + b) / Math.min(i + 1, 3));
    for (let i = 3; i < smoothed.length; i++) expect(smoothed[i]).toBeLessThan(smoothed[i - 1]);
    expect(glove.losses.at(-1)!).toBeLessThan(0.5 * glove.losses[0]);
    expect(separation(glove.wv)).toBeGreaterThan(0.2);
  });
});
