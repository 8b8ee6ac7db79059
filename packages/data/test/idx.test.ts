import '@tessera/backend-cpu';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataFormatError, IDX_TYPE_CODES, gunzip, isGzip, loadIDX, parseIDX, serializeIDX, type IDXDType } from '../src';
import { tidied } from './helpers';

const SAMPLES: Record<IDXDType, number[]> = {
  uint8: [0, 1, 127, 128, 254, 255],
  int8: [-128, -1, 0, 1, 100, 127],
  int16: [-32768, -2, 0, 2, 1000, 32767],
  int32: [-2147483648, -70000, 0, 1, 70000, 2147483647],
  float32: [-1.5, 0, 0.25, Math.fround(3.14), Math.fround(1e30), -7],
  float64: [-1.5, 0, 0.1, Math.PI, 1e300, -7e-300],
};

describe('IDX', () => {
  it('the header of a hand-written file: magic, dims, big-endian data', tidied(() => {
    // 00 00 0B 02 | 00 00 00 01 | 00 00 00 02 | 01 02 | FF FE  → int16 [[258, -2]]
    const bytes = new Uint8Array([0, 0, 0x0b, 2, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 0xff, 0xfe]);
    const { shape, data, dtype } = parseIDX(bytes);
    expect(dtype).toBe('int16');
    expect(shape).toEqual([1, 2]);
    expect(data).toBeInstanceOf(Int16Array);
    expect([...data]).toEqual([258, -2]);
  }));

  for (const [dtype, values] of Object.entries(SAMPLES) as [IDXDType, number[]][]) {
    it(`round-trips ${dtype} (type code 0x${IDX_TYPE_CODES[dtype].toString(16).padStart(2, '0')}), plain and gzip`, async () => {
      const bytes = serializeIDX(values, [2, 3], dtype);
      expect(bytes[2]).toBe(IDX_TYPE_CODES[dtype]);
      const plain = parseIDX(bytes);
      expect(plain.dtype).toBe(dtype);
      expect(plain.shape).toEqual([2, 3]);
      expect([...plain.data]).toEqual(values);
      const zipped = await loadIDX(gzipSync(bytes));
      expect(zipped).toEqual(plain);
    });
  }

  it('a 0-d file and an empty file are valid', tidied(() => {
    expect(parseIDX(serializeIDX([42], [], 'uint8'))).toEqual({ shape: [], data: new Uint8Array([42]), dtype: 'uint8' });
    expect(parseIDX(serializeIDX([], [0, 28, 28])).shape).toEqual([0, 28, 28]);
  }));

  it('accepts an ArrayBuffer and subarrays of a larger buffer', tidied(() => {
    const bytes = serializeIDX([1, 2, 3], [3], 'int32');
    expect([...parseIDX(bytes.slice().buffer).data]).toEqual([1, 2, 3]);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect([...parseIDX(padded.subarray(3)).data]).toEqual([1, 2, 3]);
  }));

  it('a bad magic number is a DataFormatError showing the bytes', tidied(() => {
    expect(() => parseIDX(new Uint8Array([0, 0, 0x0a, 1, 0, 0, 0, 0]))).toThrow(DataFormatError);
    expect(() => parseIDX(new Uint8Array([1, 2, 8, 1, 0, 0, 0, 0]))).toThrow('parseIDX: bad magic number 01 02 08 01');
  }));

  it('a truncated file says how many bytes it needs', tidied(() => {
    const bytes = serializeIDX([1, 2, 3, 4], [2, 2], 'int16');
    expect(() => parseIDX(bytes.subarray(0, bytes.length - 1))).toThrow(
      'parseIDX: truncated file: shape [2, 2] of int16 needs 20 bytes, the file has 19',
    );
    expect(() => parseIDX(bytes.subarray(0, 6))).toThrow('truncated header: 2 dims need 12 bytes, the file has 6');
    expect(() => parseIDX(bytes.subarray(0, 2))).toThrow(/fewer than the 4-byte magic/);
    const extra = new Uint8Array(bytes.length + 1);
    extra.set(bytes);
    expect(() => parseIDX(extra)).toThrow('1 unexpected bytes after the data');
  }));

  it('gzip data is detected: parseIDX points to loadIDX, gunzip rejects corrupt data', async () => {
    const zipped = gzipSync(serializeIDX([1], [1]));
    expect(isGzip(zipped)).toBe(true);
    expect(() => parseIDX(zipped)).toThrow(/use `await loadIDX\(bytes\)`/);
    await expect(loadIDX(zipped.subarray(0, zipped.length - 8))).rejects.toThrow(DataFormatError);
    await expect(gunzip(new Uint8Array([1, 2]))).rejects.toThrow(/not gzip data/);
  });

  it('DecompressionStream (the browser path) decompresses the same bytes', async () => {
    const bytes = serializeIDX([5, 6, 7], [3]);
    const stream = new Blob([gzipSync(bytes)]).stream().pipeThrough(new DecompressionStream('gzip'));
    expect(new Uint8Array(await new Response(stream).arrayBuffer())).toEqual(bytes);
  });

  it('serializeIDX checks the element count', tidied(() => {
    expect(() => serializeIDX([1, 2, 3], [2, 2])).toThrow('serializeIDX: shape [2, 2] needs 4 elements, got 3');
  }));
});
