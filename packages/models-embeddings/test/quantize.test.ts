import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { WordVectors } from '../src/index';
import { clusteredVectors, syntheticWords } from './helpers';

// 20,000 vectors of dim 100 around 200 Gaussian cluster centres: each query's 10 nearest neighbours
// are members of its own cluster, separated by small differences — a hard case for lossy storage.
const COUNT = 20_000;
const DIM = 100;
const { values } = clusteredVectors(COUNT, DIM, 200, 0.6, 5);
const words = syntheticWords(COUNT);
const wv = new WordVectors(words, values, DIM);
const QUERIES = 200;
const queries = new Float32Array(QUERIES * DIM);
for (let q = 0; q < QUERIES; q++) queries.set(wv.vectorAt((q * 7919) % COUNT), q * DIM);

async function recallAt10(quantized: WordVectors): Promise<number> {
  const [exact, approximate] = [await wv.nearest(queries, 10), await quantized.nearest(queries, 10)];
  let found = 0;
  exact.forEach((list, q) => {
    const got = new Set(approximate[q].map((n) => n.index));
    found += list.filter((n) => got.has(n.index)).length;
  });
  return found / (10 * QUERIES);
}

describe('quantised storage', () => {
  it('float16 and int8 take a half and about a quarter of the memory', () => {
    expect(wv.bytes).toBe(COUNT * DIM * 4);
    expect(wv.quantize('float16').bytes).toBe(COUNT * DIM * 2);
    expect(wv.quantize('int8').bytes).toBe(COUNT * DIM + COUNT * 4);
  });

  it('recall@10 against float32 is at least 0.95 (float16 and int8)', async () => {
    const half = await recallAt10(wv.quantize('float16'));
    const int8 = await recallAt10(wv.quantize('int8'));
    console.log(`recall@10 vs float32 on ${COUNT} clustered vectors: float16 ${half.toFixed(4)}, int8 ${int8.toFixed(4)}`);
    expect(half).toBeGreaterThanOrEqual(0.95);
    expect(int8).toBeGreaterThanOrEqual(0.95);
  });

  it('decoded int8 rows are within half a step of the original values', () => {
    const int8 = wv.quantize('int8');
    for (const row of [0, 123, 19_999]) {
      const [original, decoded] = [wv.vectorAt(row), int8.vectorAt(row)];
      const step = Math.max(...original.map(Math.abs)) / 127;
      original.forEach((x, j) => expect(Math.abs(decoded[j] - x)).toBeLessThanOrEqual(step / 2 + 1e-7));
    }
  });

  it('answers questions the same way through every storage', async () => {
    for (const dtype of ['float16', 'int8'] as const) {
      const quantized = wv.quantize(dtype);
      expect(quantized.dtype).toBe(dtype);
      expect(quantized.similarity('w1', 'w201')).toBeCloseTo(wv.similarity('w1', 'w201'), 2);
      const [exact, approximate] = [await wv.mostSimilar('w42', { topN: 3 }), await quantized.mostSimilar('w42', { topN: 3 })];
      expect(approximate[0].word).toBe(exact[0].word);
    }
  });

  it('more queries than one batch and more rows than one score block give the single-block answers', async () => {
    // 1,100 queries: two batches (1,024 + 76); the first batch's scores exceed 16M values, so its
    // 20,000 rows are searched in two blocks whose hits are merged.
    const many = new Float32Array(1100 * DIM);
    for (let q = 0; q < 1100; q++) many.set(wv.vectorAt((q * 17) % COUNT), q * DIM);
    const hits = await wv.nearest(many, 10);
    expect(hits).toHaveLength(1100);
    hits.forEach((list, q) => expect(list[0].index).toBe((q * 17) % COUNT));
    for (const q of [0, 511, 1023, 1099]) {
      const [alone] = await wv.nearest(many.subarray(q * DIM, (q + 1) * DIM), 10);
      expect(hits[q].map((n) => n.index)).toEqual(alone.map((n) => n.index));
    }
  });
});
