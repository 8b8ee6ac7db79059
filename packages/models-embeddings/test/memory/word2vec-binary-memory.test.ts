import { expect, it } from 'vitest';
import { readWord2Vec } from '../../src/index';
import { FILE_MB, describeMemory, measureReading } from './measure-reading';

it(`reading a ${FILE_MB} MB word2vec binary file peaks within 1.5× the final matrix (heapUsed + arrayBuffers)`, async () => {
  const memory = await measureReading('binary', 100, (chunks) => readWord2Vec(chunks, { binary: true }));
  console.log(describeMemory('word2vec binary', memory));
  expect(memory.words).toBeGreaterThan(10_000);
  expect(memory.heapRatio).toBeGreaterThanOrEqual(1); // the matrix itself is seen
  expect(memory.heapRatio).toBeLessThanOrEqual(1.5);
});
