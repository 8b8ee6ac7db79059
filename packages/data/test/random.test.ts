import '@tessera/backend-cpu';
import { manualSeed, philox4x32, getRngState } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { SeededRandom, randomPermutation } from '../src';
import { resolveSeed } from '../src/random';
import { tidied } from './helpers';

describe('seeded shuffling on Philox', () => {
  it('a permutation holds every index exactly once', tidied(() => {
    const order = randomPermutation(1000, 7);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  }));

  it('the same seed and stream give the same permutation; another seed or stream another one', tidied(() => {
    expect(randomPermutation(50, 42)).toEqual(randomPermutation(50, 42));
    expect(randomPermutation(50, 42)).not.toEqual(randomPermutation(50, 43));
    expect(randomPermutation(50, 42, 1)).not.toEqual(randomPermutation(50, 42, 0));
  }));

  it('words come from core philox4x32 with the seed as key', tidied(() => {
    const rng = new SeededRandom(5);
    const block = philox4x32([0, 0, 0, 0x7e55e7a], [5, 0]);
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([...block]);
  }));

  it('nextInt is roughly uniform', tidied(() => {
    const rng = new SeededRandom(1);
    const counts = new Array(4).fill(0);
    for (let i = 0; i < 40000; i++) counts[rng.nextInt(4)]++;
    for (const count of counts) expect(Math.abs(count - 10000)).toBeLessThan(400);
  }));

  it('without a seed, one is drawn from the global generator: manualSeed makes it reproducible', tidied(() => {
    manualSeed(3);
    const first = resolveSeed(undefined, 'test');
    expect(getRngState().offset).toBe(1);
    const second = resolveSeed(undefined, 'test');
    manualSeed(3);
    expect(resolveSeed(undefined, 'test')).toBe(first);
    expect(second).not.toBe(first);
    expect(Number.isSafeInteger(first)).toBe(true);
  }));

  it('rejects bad seeds', tidied(() => {
    expect(() => randomPermutation(3, -1)).toThrow(/seed must be a non-negative safe integer, got -1/);
    expect(() => randomPermutation(3, 1.5)).toThrow(/seed/);
  }));
});
