import { expect, it } from 'vitest';
import { readWord2Vec } from '../../src/index';
import { FILE_MB, describeMemory, measureReading } from './measure-reading';

it(`reading a ${FILE_MB} MB word2vec text file peaks within 1.5× the final matrix (heapUsed + arrayBuffers)`, async () => {
  const memory = await measureReading('text', 100, (chunks) => readWord2Vec(chunks, { binary: false }));
  console.log(describeMemory('word2vec text', memory));
  expect(memory.words).toBeGreaterThan(10_000);
  expect(memory.heapRatio).toBeGreaterThanOrEqual(1); // the matrix itself is seen
  expect(memory.heapRatio).toBeLessThanOrEqual(1.5);
});
