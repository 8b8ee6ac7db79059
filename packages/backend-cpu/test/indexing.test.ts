import { fillPhiloxStream } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { setup } from './helpers';

describe('gather and scatterAdd', () => {
  it('gather picks along axis 1 like torch.gather', () => {
    const { backend, input, output, read } = setup();
    const x = input([1, 2, 3, 4, 5, 6], [2, 3]);
    const index = input([2, 0, 1, 1], [2, 2], 'int32');
    const out = output([2, 2]);
    backend.gather(x, 1, index, out);
    expect(read(out)).toEqual([3, 1, 5, 5]);
  });

  it('gather throws a RangeError for an out-of-range index (the Backend contract)', () => {
    const { backend, input, output } = setup();
    expect(() => backend.gather(input([1, 2], [2]), 0, input([2], [1], 'int32'), output([1]))).toThrow(RangeError);
  });

  it('scatterAdd accumulates duplicates along axis 0', () => {
    const { backend, input, output, read } = setup();
    const target = output([3, 2]);
    backend.fill(target, 0);
    const index = input([0, 2, 0, 0], [2, 2], 'int32');
    const src = input([1, 2, 3, 4], [2, 2]);
    backend.scatterAdd(target, 0, index, src);
    expect(read(target)).toEqual([4, 4, 0, 0, 0, 2]);
  });
});

describe('fill, arange and random', () => {
  it('fill writes bool as 0/1 and arange is exact for int32', () => {
    const { backend, output, read } = setup();
    const flags = output([2], 'bool');
    backend.fill(flags, 5);
    expect(read(flags)).toEqual([1, 1]);
    const range = output([4], 'int32');
    backend.arange(range, -3, 2);
    expect(read(range)).toEqual([-3, -1, 1, 3]);
    const floats = output([3], 'float64');
    backend.arange(floats, 0.5, 0.25);
    expect(read(floats)).toEqual([0.5, 0.75, 1]);
  });

  for (const [distribution, dtype] of [['uniform', 'float32'], ['normal', 'float32'], ['normal', 'float64'], ['bits', 'int32'], ['randint', 'int32']] as const) {
    it(`random ${distribution} ${dtype} equals fillPhiloxStream bit for bit (odd length, high counter word)`, () => {
      const { backend, output, read } = setup();
      const request = { distribution, key: [1234, 99] as [number, number], counter: [0xfffffffe, 3] as [number, number], low: -5, high: 17 };
      const out = output([13], dtype);
      backend.random(out, request);
      const expected = dtype === 'float32' ? new Float32Array(13) : dtype === 'float64' ? new Float64Array(13) : new Int32Array(13);
      fillPhiloxStream(expected, request);
      expect(read(out)).toEqual(Array.from(expected));
    });
  }
});

describe('storage', () => {
  it('tracks bytes and buffers, and read returns a copy', async () => {
    const { backend } = setup();
    const id = backend.alloc(4, 'float64');
    const flags = backend.alloc(3, 'bool');
    expect(backend.memory()).toEqual({ bytesInUse: 35, bytesPooled: 0, buffers: 2 });
    backend.write(id, new Float64Array([1, 2]), 2);
    const copy = await backend.read(id, 'float64', 1, 3);
    expect(Array.from(copy)).toEqual([0, 1, 2]);
    copy[0] = 42;
    expect(Array.from(backend.readSync(id, 'float64', 0, 2))).toEqual([0, 0]);
    backend.free(id);
    backend.free(flags);
    // Freed blocks (64-byte size class each) stay pooled in the WebAssembly heap for reuse.
    expect(backend.memory()).toEqual({ bytesInUse: 0, bytesPooled: 128, buffers: 0 });
    const again = backend.alloc(2, 'float32');
    expect(backend.memory()).toEqual({ bytesInUse: 8, bytesPooled: 64, buffers: 1 });
    backend.free(again);
  });

  it('rejects reading a freed buffer', () => {
    const { backend } = setup();
    const id = backend.alloc(1, 'float32');
    backend.free(id);
    expect(() => backend.readSync(id, 'float32', 0, 1)).toThrow(/freed/);
  });

  it('advertises its capabilities', () => {
    const { backend } = setup();
    expect(backend.capabilities).toEqual({ dtypes: ['float32', 'int32', 'bool', 'float64', 'float16'], syncRead: true, stridedInputs: true });
  });
});
