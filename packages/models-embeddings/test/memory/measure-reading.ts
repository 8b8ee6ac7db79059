/**
 * Peak memory while a reader streams a generated vector file. Each format has its own test file, so
 * each runs in a fresh process (vitest isolates files) whose memory holds nothing else; the file is
 * written by a child process.
 *
 * Memory is sampled every 1 MB of input, after a full garbage collection (what the reader keeps, not
 * garbage the collector has not reached), relative to the moment before reading: heapUsed +
 * arrayBuffers, and rss. GloVe grows its matrix in a resizable ArrayBuffer, which V8 leaves out of
 * `arrayBuffers`: only rss sees it.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { WordVectors } from '../../src/index';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** 200 MB with TESSERA_BIG_FILES=1 (tens of seconds), else 16 MB. */
export const FILE_MB = process.env.TESSERA_BIG_FILES === '1' ? 200 : 16;

export interface ReadingMemory {
  words: number;
  dim: number;
  matrixBytes: number;
  /** Peak of heapUsed + arrayBuffers over the matrix. */
  heapRatio: number;
  /** Peak rss over the matrix. */
  rssRatio: number;
  seconds: number;
}

interface Usage {
  heap: number;
  rss: number;
}

function usage(): Usage {
  collectGarbage();
  const { heapUsed, arrayBuffers, rss } = process.memoryUsage();
  return { heap: heapUsed + arrayBuffers, rss };
}

/** Generate a `kind` file of FILE_MB with `dim` columns, read it with `read`, and report the peak. */
export async function measureReading(
  kind: 'text' | 'binary' | 'glove',
  dim: number,
  read: (chunks: AsyncIterable<Uint8Array>) => Promise<WordVectors>,
): Promise<ReadingMemory> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-vector-memory-'));
  const path = join(dir, `vectors.${kind}`);
  try {
    execFileSync(process.execPath, [new URL('generate-vector-file.mjs', import.meta.url).pathname, kind, path, String(FILE_MB * 2 ** 20), String(dim)]);
    const base = usage();
    const peak = { heap: 0, rss: 0 };
    const sample = (): void => {
      const now = usage();
      peak.heap = Math.max(peak.heap, now.heap - base.heap);
      peak.rss = Math.max(peak.rss, now.rss - base.rss);
    };
    async function* sampled(): AsyncIterable<Uint8Array> {
      let sinceSample = 0;
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) {
        yield chunk as Uint8Array;
        sinceSample += (chunk as Uint8Array).length;
        if (sinceSample >= 1 << 20) [sinceSample] = [0, sample()];
      }
    }
    const started = performance.now();
    const wv = await read(sampled());
    const seconds = (performance.now() - started) / 1000;
    sample();
    const matrixBytes = wv.count * wv.dim * 4;
    return { words: wv.count, dim: wv.dim, matrixBytes, heapRatio: peak.heap / matrixBytes, rssRatio: peak.rss / matrixBytes, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line for the log. */
export function describeMemory(kind: string, m: ReadingMemory): string {
  const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
  return `${kind} ${FILE_MB} MB file: ${m.words} words × ${m.dim}, matrix ${mb(m.matrixBytes)} MB, read in ${m.seconds.toFixed(1)} s (sampling included); ` +
    `peak heapUsed+arrayBuffers ${m.heapRatio.toFixed(2)}× the matrix, rss ${m.rssRatio.toFixed(2)}×`;
}
