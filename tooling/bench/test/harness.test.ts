import { describe, expect, it } from 'vitest';
import { lazy, maxRelativeDifference, measureInterleaved, normalData, quantile, summarize, type Runnable, type TimingOptions } from '../src/harness';

describe('statistics', () => {
  it('quantile interpolates between neighbours like numpy (linear)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([7], 0.75)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('summarize reports median, quartiles and range regardless of input order', () => {
    const stats = summarize([5, 1, 4, 2, 3]);
    expect(stats).toEqual({ runs: 5, medianMs: 3, minMs: 1, maxMs: 5, q1Ms: 2, q3Ms: 4, meanMs: 3 });
  });

  it('the median ignores a single outlier that would move the mean', () => {
    const stats = summarize([10, 10, 11, 10, 500]);
    expect(stats.medianMs).toBe(10);
    expect(stats.meanMs).toBeGreaterThan(100);
  });
});

describe('measureInterleaved', () => {
  const options: TimingOptions = { warmupRuns: 2, rounds: 3, minRuns: 2, maxRuns: 2, targetMs: 0, collectGarbage: false };

  it('warms up once, then alternates blocks of each side round by round', async () => {
    const log: string[] = [];
    const body = (name: string): Runnable => ({
      activate: async () => void log.push(`${name}:activate`),
      run: async () => void log.push(name),
    });
    const times = await measureInterleaved(new Map([['a', body('a')], ['b', body('b')]]), options);
    expect(times.get('a')).toHaveLength(6);
    expect(times.get('b')).toHaveLength(6);
    // Round 1: 2 warm-ups + 2 timed per side; later rounds: 1 warm-up + 2 timed.
    const round1 = ['a:activate', 'a', 'a', 'a', 'a', 'b:activate', 'b', 'b', 'b', 'b'];
    const later = ['a:activate', 'a', 'a', 'a', 'b:activate', 'b', 'b', 'b'];
    expect(log).toEqual([...round1, ...later, ...later]);
  });

  it('keeps running up to maxRuns until targetMs is spent', async () => {
    const body: Runnable = { activate: async () => undefined, run: () => new Promise((resolve) => setTimeout(resolve, 2)) };
    const times = await measureInterleaved(new Map([['slow', body]]), { ...options, rounds: 1, maxRuns: 5, targetMs: 1e9 });
    expect(times.get('slow')).toHaveLength(5);
    for (const time of times.get('slow')!) expect(time).toBeGreaterThan(0);
  });

  it('propagates an error thrown by a body', async () => {
    const body: Runnable = { activate: async () => undefined, run: async () => Promise.reject(new Error('kernel crashed')) };
    await expect(measureInterleaved(new Map([['bad', body]]), options)).rejects.toThrow('kernel crashed');
  });
});

describe('inputs and checks', () => {
  it('normalData is deterministic per seed and roughly standard normal', () => {
    expect(normalData(1000, 3)).toEqual(normalData(1000, 3));
    expect(normalData(1000, 3)).not.toEqual(normalData(1000, 4));
    const data = normalData(100_000, 9);
    const mean = data.reduce((sum, value) => sum + value, 0) / data.length;
    const variance = data.reduce((sum, value) => sum + (value - mean) ** 2, 0) / data.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    expect(normalData(5, 1)).toHaveLength(5); // odd counts fill every element
    expect(normalData(5, 1).every(Number.isFinite)).toBe(true);
  });

  it('maxRelativeDifference is scale-aware and treats NaN and length mismatch as infinitely different', () => {
    expect(maxRelativeDifference([1, 100], [1, 100])).toBe(0);
    expect(maxRelativeDifference([0, 101], [0, 100])).toBeCloseTo(1 / 101);
    expect(maxRelativeDifference([NaN], [1])).toBe(Infinity);
    expect(maxRelativeDifference([1, 2], [1])).toBe(Infinity);
  });

  it('lazy computes once, on first use', () => {
    let calls = 0;
    const value = lazy(() => ++calls);
    expect(calls).toBe(0);
    expect(value()).toBe(1);
    expect(value()).toBe(1);
    expect(calls).toBe(1);
  });
});
