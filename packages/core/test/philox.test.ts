import { describe, expect, it } from 'vitest';
import { fillPhiloxStream, mulHi32, philox4x32, randintFromWord, uniformFromWord } from '../src/random/philox';

const hex = (words: Uint32Array) => Array.from(words, (w) => w.toString(16).padStart(8, '0')).join(' ');

describe('Philox4x32-10 known answers (Random123 test vectors)', () => {
  it('zero counter and key', () => {
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
  });
  it('all-ones counter and key', () => {
    const f = 0xffffffff;
    expect(hex(philox4x32([f, f, f, f], [f, f]))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
  });
  it('digits of pi', () => {
    const out = philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]);
    expect(hex(out)).toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
  });
});

describe('stream conversions', () => {
  it('mulHi32 matches BigInt arithmetic', () => {
    for (const [a, b] of [[0xffffffff, 0xffffffff], [0x12345678, 0x9abcdef0], [1, 5], [0x80000000, 3]]) {
      expect(mulHi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
    }
  });
  it('uniform is in [0, 1) and exact in float32', () => {
    expect(uniformFromWord(0)).toBe(0);
    expect(uniformFromWord(0xffffffff)).toBe(Math.fround(uniformFromWord(0xffffffff)));
    expect(uniformFromWord(0xffffffff)).toBeLessThan(1);
  });
  it('randint stays in range', () => {
    expect(randintFromWord(0xffffffff, -3, 7)).toBe(6);
    expect(randintFromWord(0, -3, 7)).toBe(-3);
  });
  it('element i uses word i mod 4 of block counter + floor(i/4)', () => {
    const bits = new Int32Array(9);
    fillPhiloxStream(bits, { distribution: 'bits', key: [7, 0], counter: [5, 0] });
    const block6 = philox4x32([6, 0, 0, 0], [7, 0]);
    expect(bits[5] >>> 0).toBe(block6[1]);
    const block7 = philox4x32([7, 0, 0, 0], [7, 0]);
    expect(bits[8] >>> 0).toBe(block7[0]);
  });
  it('the block counter carries into the high word', () => {
    const bits = new Int32Array(8);
    fillPhiloxStream(bits, { distribution: 'bits', key: [1, 2], counter: [0xffffffff, 0] });
    expect(bits[4] >>> 0).toBe(philox4x32([0, 1, 0, 0], [1, 2])[0]);
  });
  it('normals have mean 0 and variance 1', () => {
    const z = new Float64Array(100_000);
    fillPhiloxStream(z, { distribution: 'normal', key: [123, 0], counter: [0, 0] });
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });
});
