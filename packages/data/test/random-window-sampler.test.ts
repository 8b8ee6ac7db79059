import '@tessera/backend-cpu';
import { getRngState, manualSeed, memory, type Tensor } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { RandomWindowSampler } from '../src';

/** Tokens 0, 1, 2, … so a window's values are its positions. */
function positions(length: number): Int32Array {
  return Int32Array.from({ length }, (_, i) => i);
}

async function rows(batch: [Tensor, Tensor]): Promise<[number[][], number[][]]> {
  const [x, y] = batch;
  const result: [number[][], number[][]] = [(await x.array()) as number[][], (await y.array()) as number[][]];
  x.dispose();
  y.dispose();
  return result;
}

describe('RandomWindowSampler', () => {
  it("yields int32 [batchSize, blockSize] windows of the stream, with y = x shifted by one token (nanoGPT's get_batch)", async () => {
    const tokens = Int32Array.from({ length: 50 }, (_, i) => (i * 7919) % 97); // distinct-ish ids, not positions
    const sampler = new RandomWindowSampler(tokens, { blockSize: 8, batchSize: 4, seed: 3 });
    const [x, y] = sampler.sample();
    expect([x.shape, y.shape, x.dtype, y.dtype]).toEqual([[4, 8], [4, 8], 'int32', 'int32']);
    const [xs, ys] = await rows([x, y]);
    const starts = sampler.windowStarts(0);
    xs.forEach((row, b) => {
      expect(row).toEqual([...tokens.subarray(starts[b], starts[b] + 8)]);
      expect(ys[b]).toEqual([...tokens.subarray(starts[b] + 1, starts[b] + 9)]);
    });
  });

  it('draws every start in [0, length − blockSize) about equally often, the last window ending on the last token', () => {
    const sampler = new RandomWindowSampler(positions(20), { blockSize: 4, batchSize: 50, seed: 11 });
    const counts = new Array(16).fill(0);
    for (let k = 0; k < 64; k++) for (const start of sampler.windowStarts(k)) counts[start]++;
    // 3200 draws over 16 starts: 200 each, standard deviation ≈ 13.7.
    for (const count of counts) expect(Math.abs(count - 200)).toBeLessThan(70);
    expect(new RandomWindowSampler(positions(5), { blockSize: 4, batchSize: 3, seed: 0 }).windowStarts(0)).toEqual(new Int32Array([0, 0, 0]));
  });

  it('is reproducible from its seed; another seed gives other batches', async () => {
    const a = new RandomWindowSampler(positions(1000), { blockSize: 16, batchSize: 8, seed: 1337 });
    const b = new RandomWindowSampler(positions(1000), { blockSize: 16, batchSize: 8, seed: 1337 });
    const c = new RandomWindowSampler(positions(1000), { blockSize: 16, batchSize: 8, seed: 1338 });
    expect(await rows(a.sample())).toEqual(await rows(b.sample()));
    expect(await rows(a.sample())).toEqual(await rows(b.sample()));
    expect(a.windowStarts(5)).not.toEqual(c.windowStarts(5));
    // Consecutive batches differ.
    expect(a.windowStarts(0)).not.toEqual(a.windowStarts(1));
  });

  it('without a seed draws one from core’s generator, so manualSeed fixes the batches', () => {
    manualSeed(5);
    const first = new RandomWindowSampler(positions(100), { blockSize: 4, batchSize: 4 });
    const offset = getRngState().offset;
    manualSeed(5);
    const second = new RandomWindowSampler(positions(100), { blockSize: 4, batchSize: 4 });
    expect(second.seed).toBe(first.seed);
    expect(offset).toBe(1);
  });

  it('never ends, and each for…of continues where the last stopped', async () => {
    const sampler = new RandomWindowSampler(positions(64), { blockSize: 4, batchSize: 2, seed: 9 });
    const seen: number[][][] = [];
    for (const batch of sampler) {
      seen.push((await rows(batch))[0]);
      if (seen.length === 3) break;
    }
    for (const batch of sampler) {
      seen.push((await rows(batch))[0]);
      break;
    }
    expect(sampler.batchesDrawn).toBe(4);
    expect(seen.map((x) => x.map((row) => row[0]))).toEqual([0, 1, 2, 3].map((k) => [...sampler.windowStarts(k)]));
  });

  it('resumes exactly from its state dict (through JSON), and rejects a state of another seed', async () => {
    const tokens = new Uint16Array(positions(300));
    const original = new RandomWindowSampler(tokens, { blockSize: 10, batchSize: 3, seed: 21 });
    for (let k = 0; k < 3; k++) await rows(original.sample());
    const saved = JSON.parse(JSON.stringify(original.stateDict()));
    expect(saved).toEqual({ seed: 21, batchesDrawn: 3 });
    const resumed = new RandomWindowSampler(tokens, { blockSize: 10, batchSize: 3, seed: 21 });
    resumed.loadStateDict(saved);
    expect(await rows(resumed.sample())).toEqual(await rows(original.sample()));
    const other = new RandomWindowSampler(tokens, { blockSize: 10, batchSize: 3, seed: 22 });
    expect(() => other.loadStateDict(saved)).toThrow(/saved by a sampler with seed 21, but this one has seed 22/);
    expect(() => other.loadStateDict({ seed: 22 } as never)).toThrow(/expected \{ seed, batchesDrawn \}/);
  });

  it('leaves no tensors behind but the batches it hands out', async () => {
    const before = memory().tensors;
    const sampler = new RandomWindowSampler(positions(40), { blockSize: 4, batchSize: 2, seed: 0 });
    const [x, y] = sampler.sample();
    expect(memory().tensors).toBe(before + 2);
    x.dispose();
    y.dispose();
    expect(memory().tensors).toBe(before);
  });

  it('rejects streams too short for a window, bad sizes and ids that are not int32 integers', () => {
    expect(() => new RandomWindowSampler(positions(8), { blockSize: 8, batchSize: 1, seed: 0 })).toThrow(
      /RandomWindowSampler: a window of 8 tokens and its shifted target need at least 9 tokens, got 8/,
    );
    expect(() => new RandomWindowSampler(positions(8), { blockSize: 0, batchSize: 1 })).toThrow(/blockSize must be a positive integer, got 0/);
    expect(() => new RandomWindowSampler(positions(8), { blockSize: 2, batchSize: 1.5 })).toThrow(/batchSize must be a positive integer, got 1.5/);
    expect(() => new RandomWindowSampler([0, 1, 2.5, 3], { blockSize: 2, batchSize: 1 })).toThrow(/token 2 is 2.5, expected an integer id that fits int32/);
    expect(() => new RandomWindowSampler(new Uint32Array([0, 1, 2 ** 31]), { blockSize: 2, batchSize: 1 })).toThrow(/token 2 is 2147483648/);
    expect(() => new RandomWindowSampler('abc' as never, { blockSize: 2, batchSize: 1 })).toThrow(/expected the token ids/);
  });
});
