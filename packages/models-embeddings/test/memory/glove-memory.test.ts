import { expect, it } from 'vitest';
import { readGlove } from '../../src/index';
import { FILE_MB, describeMemory, measureReading } from './measure-reading';

// GloVe files have no header: the matrix grows in a resizable ArrayBuffer (in place, see
// growable-floats.test.ts) and is trimmed at the end. V8 leaves resizable buffers out of
// `arrayBuffers`, so heapUsed + arrayBuffers sees everything but the matrix (the words), and only
// rss sees the matrix — reliably only at the 200 MB size, where V8's own few MB of young generation
// no longer count.
it(`reading a ${FILE_MB} MB GloVe file keeps little beside the matrix${FILE_MB >= 200 ? ', and peaks within 1.5× it (rss)' : ''}`, async () => {
  const memory = await measureReading('glove', 100, (chunks) => readGlove(chunks));
  console.log(describeMemory('GloVe', memory));
  expect(memory.words).toBeGreaterThan(10_000);
  // The words and their map (about 80 bytes a word) plus a few fixed buffers; a copy of the matrix
  // in an ordinary ArrayBuffer would add 1×.
  expect(memory.heapRatio).toBeLessThanOrEqual(0.75);
  if (FILE_MB >= 200) {
    expect(memory.rssRatio).toBeGreaterThanOrEqual(1); // the resizable matrix is seen
    expect(memory.rssRatio).toBeLessThanOrEqual(1.5);
  }
});
