import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, manualSeed, rand, randn, randint, randomBits, getRngState, setRngState, fillPhiloxStream, DEFAULT_SEED, ValueError,
} from '../src/index';
import { referencePlugin } from '../src/testing';
import { values } from './helpers';

registerBackend(referencePlugin);
await setBackend('reference');

describe('seeding', () => {
  it('the same seed gives the same numbers', async () => {
    manualSeed(42);
    const first = [await values(rand([5])), await values(randn([3])), await values(randint(0, 10, [4]))];
    manualSeed(42);
    const second = [await values(rand([5])), await values(randn([3])), await values(randint(0, 10, [4]))];
    expect(second).toEqual(first);
    manualSeed(43);
    expect(await values(rand([5]))).not.toEqual(first[0]);
  });

  it('rejects negative or unsafe seeds', () => {
    expect(() => manualSeed(-1)).toThrow(ValueError);
    expect(() => manualSeed(1.5)).toThrow(ValueError);
    expect(() => manualSeed(2 ** 60)).toThrow(ValueError);
  });

  it('large seeds use both key words', async () => {
    manualSeed(2 ** 40 + 1);
    const a = await values(randomBits([4]));
    manualSeed(1);
    const b = await values(randomBits([4]));
    expect(a).not.toEqual(b);
  });
});

describe('the streams equal the Philox reference', () => {
  it('rand, randn, randint and randomBits match fillPhiloxStream for float32 and float64', async () => {
    manualSeed(1234);
    const uniform = await rand([7]).data();
    const normal64 = await randn([6], { dtype: 'float64' }).data();
    const integers = await randint(-5, 5, [9]).data();
    const bits = await randomBits([3]).data();
    const key: [number, number] = [1234, 0];
    const expectUniform = new Float32Array(7);
    fillPhiloxStream(expectUniform, { distribution: 'uniform', key, counter: [0, 0] });
    const expectNormal = new Float64Array(6);
    fillPhiloxStream(expectNormal, { distribution: 'normal', key, counter: [2, 0] });
    const expectInt = new Int32Array(9);
    fillPhiloxStream(expectInt, { distribution: 'randint', key, counter: [4, 0], low: -5, high: 5 });
    const expectBits = new Int32Array(3);
    fillPhiloxStream(expectBits, { distribution: 'bits', key, counter: [7, 0] });
    expect(uniform).toEqual(expectUniform);
    expect(normal64).toEqual(expectNormal);
    expect(integers).toEqual(expectInt);
    expect(bits).toEqual(expectBits);
  });

  it('the default seed is PyTorch’s', () => {
    expect(DEFAULT_SEED).toBe(67280421310721);
  });
});

describe('distributions', () => {
  it('rand is in [0, 1) with mean ≈ 1/2', async () => {
    manualSeed(0);
    const data = await values(rand([20000]));
    expect(Math.min(...data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...data)).toBeLessThan(1);
    expect(Math.abs(data.reduce((s, v) => s + v, 0) / data.length - 0.5)).toBeLessThan(0.01);
  });

  it('randn has mean ≈ 0, variance ≈ 1, and no odd-length artefacts', async () => {
    manualSeed(1);
    const data = await values(randn([20001], { dtype: 'float64' }));
    const mean = data.reduce((s, v) => s + v, 0) / data.length;
    const variance = data.reduce((s, v) => s + (v - mean) ** 2, 0) / data.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(data.every(Number.isFinite)).toBe(true);
  });

  it('randint stays in [low, high) and hits every value', async () => {
    manualSeed(2);
    const data = await values(randint(3, 8, [2000]));
    expect(Math.min(...data)).toBe(3);
    expect(Math.max(...data)).toBe(7);
    expect(new Set(data).size).toBe(5);
    expect(randint(0, 2, [2]).dtype).toBe('int32');
    expect(() => randint(5, 5, [2])).toThrow(ValueError);
    expect(() => randint(0, 1.5, [2])).toThrow(ValueError);
  });

  it('requiresGrad and dtype options', () => {
    expect(randn([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(rand([2], { dtype: 'float64' }).dtype).toBe('float64');
    expect(() => rand([2], { dtype: 'int32' })).toThrow();
  });
});

describe('generator state', () => {
  it('consecutive calls do not overlap', async () => {
    manualSeed(5);
    const a = await values(randomBits([6]));
    const b = await values(randomBits([6]));
    const together = new Int32Array(16);
    fillPhiloxStream(together, { distribution: 'bits', key: [5, 0], counter: [0, 0] });
    expect(a).toEqual(Array.from(together.slice(0, 6)));
    expect(b).toEqual(Array.from(together.slice(8, 14)));
    expect(getRngState()).toEqual({ seed: 5, offset: 4 });
  });

  it('getRngState / setRngState replay the stream', async () => {
    manualSeed(77);
    rand([3]);
    const state = getRngState();
    const next = await values(randn([5]));
    rand([10]);
    setRngState(state);
    expect(await values(randn([5]))).toEqual(next);
  });

  it('empty requests consume nothing', () => {
    manualSeed(3);
    rand([0]);
    expect(getRngState().offset).toBe(0);
  });
});
