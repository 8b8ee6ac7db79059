import { describe, expect, it } from 'vitest';
import { GrowableFloats } from '../src/io/growable-floats';

describe('GrowableFloats', () => {
  it('grows in place and trims in place where resizable ArrayBuffers exist (Node 20): no copy ever doubles memory', () => {
    const growable = new GrowableFloats(4);
    const buffer = growable.values.buffer;
    for (let i = 0; i < 1000; i++) {
      growable.reserve(3);
      growable.values.set([i, i + 0.5, -i], growable.length);
      growable.length += 3;
    }
    expect(growable.values.buffer).toBe(buffer);
    expect(growable.values.length).toBeLessThan(3000 * 1.5 + 4);
    const values = growable.finish();
    expect(values.buffer).toBe(buffer);
    expect(buffer.byteLength).toBe(3000 * 4);
    expect(values.length).toBe(3000);
    expect(Array.from(values.subarray(2997))).toEqual([999, 999.5, -999]);
  });

  it('falls back to copying ×1.5 growth when the buffer cannot grow further', () => {
    const growable = new GrowableFloats(2, 4); // 16 bytes of address space
    for (let i = 0; i < 10; i++) {
      growable.reserve(1);
      growable.values[growable.length++] = i;
    }
    expect(Array.from(growable.finish())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
