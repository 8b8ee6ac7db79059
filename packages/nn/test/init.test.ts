import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { manualSeed, zeros, ShapeError, ValueError } from '@tessera/core';
import { init } from '../src/index';

async function stats(t: Parameters<typeof init.zeros>[0]) {
  const values = Array.from(await t.data());
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) };
}

describe('init fills tensors in place from the seeded stream', () => {
  it('calculateGain follows PyTorch’s table', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
    expect(init.calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 12);
    expect(init.calculateGain('leakyRelu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('swish' as 'relu')).toThrow(ValueError);
  });

  it('fan in and fan out of linear and conv weights', () => {
    expect(init.calculateFanInAndFanOut(zeros([20, 10]))).toEqual([10, 20]);
    expect(init.calculateFanInAndFanOut(zeros([16, 3, 5, 5]))).toEqual([75, 400]);
    expect(() => init.calculateFanInAndFanOut(zeros([3]))).toThrow(ShapeError);
  });

  it('uniform, normal, constant, zeros, ones return the same tensor, filled', async () => {
    const t = zeros([200, 100]);
    expect(init.uniform(t, -2, 2)).toBe(t);
    const u = await stats(t);
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(2);
    expect(u.std).toBeCloseTo(4 / Math.sqrt(12), 1);
    init.normal(t, 3, 0.5);
    const n = await stats(t);
    expect(n.mean).toBeCloseTo(3, 1);
    expect(n.std).toBeCloseTo(0.5, 1);
    expect(await init.constant(zeros([2]), 0.25).array()).toEqual([0.25, 0.25]);
    expect(await init.ones(zeros([2])).array()).toEqual([1, 1]);
    expect(await init.zeros(init.ones(zeros([2]))).array()).toEqual([0, 0]);
  });

  it('xavier: bound gain·√(6/(fanIn + fanOut)), std gain·√(2/(fanIn + fanOut))', async () => {
    const t = zeros([300, 200]);
    init.xavierUniform(t, 2);
    const bound = 2 * Math.sqrt(6 / 500);
    const u = await stats(t);
    expect(u.max).toBeLessThanOrEqual(bound);
    expect(u.max).toBeGreaterThan(bound * 0.99);
    init.xavierNormal(t);
    expect((await stats(t)).std / Math.sqrt(2 / 500)).toBeCloseTo(1, 1);
  });

  it('kaiming: std gain/√fan with mode and nonlinearity', async () => {
    const t = zeros([300, 200]);
    init.kaimingNormal(t, { nonlinearity: 'relu' });
    expect((await stats(t)).std / (Math.SQRT2 / Math.sqrt(200))).toBeCloseTo(1, 1);
    init.kaimingNormal(t, { mode: 'fanOut', nonlinearity: 'relu' });
    expect((await stats(t)).std / (Math.SQRT2 / Math.sqrt(300))).toBeCloseTo(1, 1);
    init.kaimingUniform(t, { a: Math.sqrt(5) }); // PyTorch's Linear default: U(±1/√fanIn)
    const u = await stats(t);
    expect(u.max).toBeLessThanOrEqual(1 / Math.sqrt(200));
    expect(u.max).toBeGreaterThan(0.99 / Math.sqrt(200));
    expect(() => init.kaimingUniform(t, { mode: 'fanAverage' as 'fanIn' })).toThrow(ValueError);
  });

  it('the same seed gives the same weights', async () => {
    manualSeed(42);
    const a = await init.kaimingUniform(zeros([4, 3])).array();
    manualSeed(42);
    expect(await init.kaimingUniform(zeros([4, 3])).array()).toEqual(a);
  });

  it('random init of an integer tensor is a ValueError', () => {
    expect(() => init.normal(zeros([2], { dtype: 'int32' }))).toThrow(ValueError);
  });
});
