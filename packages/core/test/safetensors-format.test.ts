import { describe, expect, it } from 'vitest';
import {
  parseSafetensors,
  SafetensorsError,
  serializeSafetensors,
  type SafetensorsEntry,
} from '../src/io/safetensors-format';
import { fromFloat16Bits } from '../src/float16';

// ----- helpers that build files by hand, independently of the serializer -----

function u64le(value: number): number[] {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
  return [...bytes];
}

function ascii(text: string): number[] {
  return [...new TextEncoder().encode(text)];
}

/** A file from a header object (or raw header text) and raw data bytes; the header is not padded. */
function buildFile(header: unknown, data: number[] | Uint8Array = [], options: { pad?: boolean } = {}): Uint8Array {
  let text = typeof header === 'string' ? header : JSON.stringify(header);
  if (options.pad) text = text.padEnd(Math.ceil(text.length / 8) * 8, ' ');
  const headerBytes = new TextEncoder().encode(text);
  return new Uint8Array([...u64le(headerBytes.length), ...headerBytes, ...data]);
}

function f32le(...values: number[]): number[] {
  return [...new Uint8Array(new Float32Array(values).buffer)];
}

function expectRejected(bytes: Uint8Array, ...fragments: (string | RegExp)[]): void {
  let caught: unknown;
  try {
    parseSafetensors(bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  expect(caught).toBeInstanceOf(Error);
  for (const fragment of fragments) expect((caught as Error).message).toMatch(fragment);
}

describe('serializeSafetensors pins the layout of the reference library', () => {
  it('writes a [1, 2, 3] F32 tensor byte for byte: u64 length, compact JSON, spaces to 8, LE data', () => {
    const bytes = serializeSafetensors({
      'attn.0': { dtype: 'float32', shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) },
    });
    // 64 bytes of JSON: already a multiple of 8, so no padding.
    const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(json.length).toBe(64);
    const expected = [
      64, 0, 0, 0, 0, 0, 0, 0,
      ...ascii(json),
      // 0, 1, 2, 3, 4, 5 as little-endian IEEE 754 singles
      0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ];
    expect([...bytes]).toEqual(expected);
  });

  it('pads the header with spaces to a multiple of 8 so the data section starts aligned', () => {
    const bytes = serializeSafetensors({
      attn0: { dtype: 'float32', shape: [1, 1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) },
    });
    const json = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    expect(json.length).toBe(65);
    expect([...bytes.subarray(0, 8)]).toEqual([72, 0, 0, 0, 0, 0, 0, 0]);
    expect([...bytes.subarray(8, 80)]).toEqual([...ascii(json), 32, 32, 32, 32, 32, 32, 32]);
    expect([...bytes.subarray(80)]).toEqual(f32le(0, 1, 2, 3, 4, 5));
  });

  it('writes an empty file as {} padded to 8 bytes, and metadata first in the header', () => {
    expect([...serializeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, ...ascii('{}      ')]);
    const withMetadata = serializeSafetensors({}, { framework: 'pt' });
    expect(new TextDecoder().decode(withMetadata.subarray(8))).toBe('{"__metadata__":{"framework":"pt"}}     ');
    expect([...withMetadata.subarray(0, 8)]).toEqual(u64le(40));
  });

  it('orders tensors by descending alignment then name, contiguous from offset 0', () => {
    const bytes = serializeSafetensors({
      b: { dtype: 'float32', shape: [1], data: new Float32Array([1]) },
      flag: { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) },
      a: { dtype: 'float32', shape: [2], data: new Float32Array([2, 3]) },
      count: { dtype: 'int32', shape: [1], data: new Int32Array([7]) },
      z: { dtype: 'float64', shape: [1], data: new Float64Array([0.5]) },
    });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(Object.keys(header)).toEqual(['z', 'a', 'b', 'count', 'flag']);
    expect(header.z.data_offsets).toEqual([0, 8]);
    expect(header.a.data_offsets).toEqual([8, 16]);
    expect(header.b.data_offsets).toEqual([16, 20]);
    expect(header.count).toEqual({ dtype: 'I32', shape: [1], data_offsets: [20, 24] });
    expect(header.flag).toEqual({ dtype: 'BOOL', shape: [3], data_offsets: [24, 27] });
    expect(bytes.length).toBe(8 + headerLength + 27);
  });

  it('is deterministic: insertion order of the entries does not change the bytes', () => {
    const x = { dtype: 'float32' as const, shape: [1], data: new Float32Array([1]) };
    const y = { dtype: 'int32' as const, shape: [2], data: new Int32Array([1, 2]) };
    expect(serializeSafetensors({ x, y, w: x })).toEqual(serializeSafetensors({ w: x, y, x }));
  });
});

describe('round trip', () => {
  const entries: Record<string, SafetensorsEntry> = {
    'float32.matrix': { dtype: 'float32', shape: [2, 3], data: new Float32Array([1.5, -2, 0, Infinity, -0, 3e-39]) },
    'float64.vector': { dtype: 'float64', shape: [3], data: new Float64Array([Math.PI, -1e300, 5e-324]) },
    'int32.cube': { dtype: 'int32', shape: [2, 1, 2], data: new Int32Array([-2147483648, 2147483647, 0, -1]) },
    'bool.mask': { dtype: 'bool', shape: [4], data: new Uint8Array([1, 0, 0, 1]) },
    'scalar.float32': { dtype: 'float32', shape: [], data: new Float32Array([42]) },
    'scalar.float64': { dtype: 'float64', shape: [], data: new Float64Array([-0.25]) },
    'scalar.int32': { dtype: 'int32', shape: [], data: new Int32Array([-7]) },
    'scalar.bool': { dtype: 'bool', shape: [], data: new Uint8Array([1]) },
    'empty.float32': { dtype: 'float32', shape: [0], data: new Float32Array(0) },
    'empty.float64': { dtype: 'float64', shape: [2, 0, 3], data: new Float64Array(0) },
    'empty.int32': { dtype: 'int32', shape: [0, 5], data: new Int32Array(0) },
    'empty.bool': { dtype: 'bool', shape: [0], data: new Uint8Array(0) },
  };

  it('returns every dtype, 0-d and empty tensor unchanged, with metadata', () => {
    const { tensors, metadata } = parseSafetensors(serializeSafetensors(entries, { format: 'pt', note: 'ünïcode ✓' }));
    expect(metadata).toEqual({ format: 'pt', note: 'ünïcode ✓' });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(entries).sort());
    for (const [name, entry] of Object.entries(entries)) {
      expect(tensors[name].dtype, name).toBe(entry.dtype);
      expect(tensors[name].shape, name).toEqual(entry.shape);
      expect(tensors[name].data.constructor, name).toBe(entry.data.constructor);
      expect(Object.is(tensors[name].data[0], entry.data[0]), name).toBe(true); // keeps -0 and NaN bit-exact
      expect([...tensors[name].data], name).toEqual([...entry.data]);
    }
  });

  it('reports no metadata as an empty map', () => {
    const { metadata } = parseSafetensors(serializeSafetensors({ x: entries['scalar.int32'] }));
    expect(metadata).toEqual({});
  });

  it('keeps NaN payloads of float32 data and writes bool as 0/1', () => {
    const nan = new Float32Array(new Uint32Array([0x7fc00001, 0xffa00000]).buffer);
    const { tensors } = parseSafetensors(
      serializeSafetensors({
        nan: { dtype: 'float32', shape: [2], data: nan },
        mask: { dtype: 'bool', shape: [2], data: new Uint8Array([0, 5]) },
      }),
    );
    expect([...new Uint32Array(tensors.nan.data.buffer)]).toEqual([0x7fc00001, 0xffa00000]);
    expect([...tensors.mask.data]).toEqual([0, 1]);
  });

  it('writes typed arrays that are views into a larger buffer', () => {
    const backing = new Float32Array([9, 1, 2, 9]);
    const { tensors } = parseSafetensors(
      serializeSafetensors({ view: { dtype: 'float32', shape: [2], data: backing.subarray(1, 3) } }),
    );
    expect([...tensors.view.data]).toEqual([1, 2]);
  });

  it('handles tensor names that look like object internals', () => {
    const { tensors } = parseSafetensors(
      serializeSafetensors({ ['__proto__']: { dtype: 'int32', shape: [1], data: new Int32Array([3]) } }),
    );
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
  });
});

describe('parseSafetensors reads hand-built files', () => {
  it('reads a file written by hand, with tensors in any header order', () => {
    const file = buildFile(
      {
        __metadata__: { format: 'pt' },
        b: { dtype: 'I32', shape: [1], data_offsets: [8, 12] },
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      },
      [...f32le(1.5, -2), 5, 0, 0, 0],
    );
    const { tensors, metadata } = parseSafetensors(file);
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.a).toEqual({ dtype: 'float32', shape: [2], data: new Float32Array([1.5, -2]) });
    expect(tensors.b).toEqual({ dtype: 'int32', shape: [1], data: new Int32Array([5]) });
  });

  it('reads data at unaligned offsets and from a Uint8Array that is a view at an odd byte offset', () => {
    // Header of odd length (no padding), so the F64 data starts at an odd file offset.
    const header = { x: { dtype: 'F64', shape: [2], data_offsets: [1, 17] }, y: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] } };
    const doubles = [...new Uint8Array(new Float64Array([1.25, -3]).buffer)];
    const file = buildFile(header, [1, ...doubles]);
    const shifted = new Uint8Array(file.length + 3);
    shifted.set(file, 3);
    const { tensors } = parseSafetensors(shifted.subarray(3));
    expect([...tensors.x.data]).toEqual([1.25, -3]);
    expect([...tensors.y.data]).toEqual([1]);
  });

  it('copies data out, so changing the file bytes afterwards does not change the tensors', () => {
    const file = buildFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32le(2), { pad: true });
    const { tensors } = parseSafetensors(file);
    file.fill(0);
    expect(tensors.a.data[0]).toBe(2);
  });

  it('decodes F16 to float16 bit patterns unchanged, including subnormals, infinities, signed zero and NaN payloads', () => {
    const halves = [0x3c00, 0xc000, 0x3555, 0x7bff, 0x0400, 0x0001, 0x03ff, 0x8001, 0x7c00, 0xfc00, 0x0000, 0x8000, 0x7e00, 0x7d01];
    const expected = [
      1, -2, 0.333251953125, 65504, 2 ** -14, 2 ** -24, 1023 * 2 ** -24, -(2 ** -24), Infinity, -Infinity, 0, -0, NaN, NaN,
    ];
    const data = halves.flatMap((half) => [half & 0xff, half >> 8]);
    const file = buildFile({ h: { dtype: 'F16', shape: [halves.length], data_offsets: [0, data.length] } }, data, { pad: true });
    const { tensors } = parseSafetensors(file);
    expect(tensors.h.dtype).toBe('float16');
    expect(tensors.h.data).toEqual(new Uint16Array(halves));
    const widened = fromFloat16Bits(tensors.h.data as Uint16Array);
    expected.forEach((value, index) => expect(Object.is(widened[index], value), `index ${index}`).toBe(true));
    expect(serializeSafetensors(tensors)).toEqual(file);
  });

  it('decodes BF16 exactly as the top half of a float32', () => {
    const values = [1, -2.5, 3.140625, 2 ** -133, -(2 ** -126), Infinity, -Infinity, -0, NaN, 3.3895313892515355e38];
    const halves = values.map((value) => new Uint32Array(new Float32Array([value]).buffer)[0] >>> 16);
    const data = halves.flatMap((half) => [half & 0xff, half >> 8]);
    const file = buildFile({ b: { dtype: 'BF16', shape: [2, 5], data_offsets: [0, data.length] } }, data);
    const { tensors } = parseSafetensors(file);
    expect(tensors.b).toMatchObject({ dtype: 'float32', shape: [2, 5] });
    values.forEach((value, index) => expect(Object.is(tensors.b.data[index], value), `index ${index}`).toBe(true));
  });

  it('decodes I64 in int32 range to int32', () => {
    const values = [0n, 1n, -1n, 2147483647n, -2147483648n, 123456n];
    const data = new Uint8Array(values.length * 8);
    values.forEach((value, index) => new DataView(data.buffer).setBigInt64(index * 8, value, true));
    const { tensors } = parseSafetensors(buildFile({ ids: { dtype: 'I64', shape: [6], data_offsets: [0, 48] } }, data));
    expect(tensors.ids).toEqual({ dtype: 'int32', shape: [6], data: new Int32Array([0, 1, -1, 2147483647, -2147483648, 123456]) });
  });

  it('rejects I64 values outside the int32 range, naming the tensor and the value', () => {
    for (const bad of [2147483648n, -2147483649n, 2n ** 40n]) {
      const data = new Uint8Array(16);
      new DataView(data.buffer).setBigInt64(8, bad, true);
      expectRejected(
        buildFile({ 'token.ids': { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, data),
        'tensor "token.ids"',
        `I64 value ${bad} at index 1 is outside the int32 range`,
      );
    }
  });

  it('decodes I8, U8, I16 and U16 to int32', () => {
    const file = buildFile(
      {
        i8: { dtype: 'I8', shape: [2], data_offsets: [0, 2] },
        u8: { dtype: 'U8', shape: [2], data_offsets: [2, 4] },
        i16: { dtype: 'I16', shape: [2], data_offsets: [4, 8] },
        u16: { dtype: 'U16', shape: [2], data_offsets: [8, 12] },
      },
      [0x80, 0x7f, 0xff, 0x01, 0x00, 0x80, 0xff, 0x7f, 0xff, 0xff, 0x34, 0x12],
    );
    const { tensors } = parseSafetensors(file);
    expect(tensors.i8.data).toEqual(new Int32Array([-128, 127]));
    expect(tensors.u8.data).toEqual(new Int32Array([255, 1]));
    expect(tensors.i16.data).toEqual(new Int32Array([-32768, 32767]));
    expect(tensors.u16.data).toEqual(new Int32Array([65535, 0x1234]));
    for (const name of ['i8', 'u8', 'i16', 'u16']) expect(tensors[name].dtype).toBe('int32');
  });

  it('reads BOOL bytes as 0/1', () => {
    const { tensors } = parseSafetensors(buildFile({ m: { dtype: 'BOOL', shape: [3], data_offsets: [0, 3] } }, [0, 1, 2]));
    expect(tensors.m).toEqual({ dtype: 'bool', shape: [3], data: new Uint8Array([0, 1, 1]) });
  });

  it('accepts several empty tensors at the same offset', () => {
    const file = buildFile(
      {
        e1: { dtype: 'F32', shape: [0], data_offsets: [0, 0] },
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        e2: { dtype: 'I64', shape: [3, 0], data_offsets: [4, 4] },
      },
      f32le(1),
    );
    const { tensors } = parseSafetensors(file);
    expect(tensors.e1.data.length).toBe(0);
    expect(tensors.e2).toEqual({ dtype: 'int32', shape: [3, 0], data: new Int32Array(0) });
    expect([...tensors.a.data]).toEqual([1]);
  });
});

describe('parseSafetensors rejects malformed files with SafetensorsError', () => {
  it('a file shorter than 8 bytes', () => {
    expectRejected(new Uint8Array(0), 'file is 0 bytes, shorter than the 8-byte header length prefix');
    expectRejected(new Uint8Array(7), 'file is 7 bytes');
  });

  it('a header length past the end of the file', () => {
    const file = new Uint8Array([...u64le(100), ...ascii('{}')]);
    expectRejected(file, 'header length 100 bytes runs past the end of the 10-byte file');
  });

  it('a header length over 100 MB, before decoding or allocating anything', () => {
    expectRejected(new Uint8Array([...u64le(100_000_001), ...ascii('{}')]), 'header length 100000001 bytes exceeds', '100 MB');
    expectRejected(new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255]), 'header length 18446744073709551615 bytes exceeds');
  });

  it('a header that is not valid UTF-8', () => {
    expectRejected(new Uint8Array([...u64le(2), 0xff, 0xfe]), 'header is not valid UTF-8');
  });

  it('a header that is not valid JSON', () => {
    expectRejected(buildFile('{"a": '), 'header is not valid JSON');
  });

  it('a header that is not a JSON object', () => {
    expectRejected(buildFile('[1, 2]'), 'header must be a JSON object, got an array');
    expectRejected(buildFile('null'), 'header must be a JSON object, got null');
    expectRejected(buildFile('"text"'), 'header must be a JSON object, got string');
  });

  it('a tensor entry that is not an object', () => {
    expectRejected(buildFile({ w: 3 }), 'tensor "w": entry must be an object');
  });

  it('an unknown dtype, naming it and listing the supported ones', () => {
    const file = buildFile({ 'layer.weight': { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, [0]);
    expectRejected(file, 'tensor "layer.weight"', 'unknown dtype "F8_E4M3"', 'supported dtypes are F64, F32, F16, BF16, I64');
    expectRejected(buildFile({ w: { shape: [1], data_offsets: [0, 1] } }, [0]), 'tensor "w": unknown dtype missing');
  });

  it('a shape that is not an array of non-negative integers', () => {
    for (const shape of [[-1], [1.5], ['2'], 4, null]) {
      expectRejected(
        buildFile({ w: { dtype: 'F32', shape, data_offsets: [0, 4] } }, f32le(1)),
        'tensor "w": shape must be an array of non-negative integers',
      );
    }
  });

  it('malformed data_offsets', () => {
    for (const offsets of [[0], [0, 4, 8], [-4, 0], [0, '4'], 'nope', [0, 1.5]]) {
      expectRejected(
        buildFile({ w: { dtype: 'F32', shape: [1], data_offsets: offsets } }, f32le(1)),
        'tensor "w": data_offsets must be [begin, end] with non-negative integers',
      );
    }
  });

  it('data_offsets whose end is before their begin', () => {
    expectRejected(
      buildFile({ w: { dtype: 'U8', shape: [0], data_offsets: [4, 0] } }, f32le(1)),
      'tensor "w": data_offsets [4, 0] end before they begin',
    );
  });

  it('data_offsets out of range of the data section', () => {
    expectRejected(
      buildFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32le(1)),
      'tensor "w": data_offsets [0, 8] are out of range of the 4-byte data section',
    );
  });

  it('a huge shape whose range is not in the file, without allocating it', () => {
    const file = buildFile({ w: { dtype: 'F64', shape: [1 << 20, 1 << 20], data_offsets: [0, 8 * 2 ** 40] } }, []);
    expectRejected(file, 'tensor "w"', 'out of range of the 0-byte data section');
  });

  it('a byte length that does not match shape and dtype', () => {
    expectRejected(
      buildFile({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, [...f32le(1, 2, 3)]),
      'tensor "w": 12 bytes in data_offsets [0, 12] but shape [2, 2] of F32 needs 16',
    );
  });

  it('overlapping tensors', () => {
    const file = buildFile(
      {
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
      },
      f32le(1, 2),
    );
    expectRejected(file, 'tensor "b": data_offsets [4, 8] overlap tensor "a" [0, 8]');
  });

  it('a gap between tensors, or before the first one', () => {
    const gap = buildFile(
      {
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
      },
      f32le(1, 2, 3),
    );
    expectRejected(gap, 'tensor "b": data_offsets [8, 12] leave a gap of 4 bytes after byte 4', 'fully indexed');
    const leading = buildFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32le(1, 2));
    expectRejected(leading, 'tensor "a"', 'gap of 4 bytes after byte 0');
  });

  it('trailing bytes that no tensor indexes', () => {
    const file = buildFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32le(1, 2));
    expectRejected(file, 'the data section is 8 bytes but the tensors cover only 4; 4 trailing bytes are not indexed');
  });

  it('__metadata__ that is not a string-to-string map', () => {
    expectRejected(buildFile({ __metadata__: ['a'] }), '__metadata__ must be an object mapping strings to strings');
    expectRejected(buildFile({ __metadata__: 'pt' }), '__metadata__ must be an object');
    expectRejected(buildFile({ __metadata__: { epochs: 3 } }), '__metadata__ must map strings to strings, but "epochs" is 3');
  });
});

describe('serializeSafetensors rejects entries it cannot write', () => {
  function expectWriteRejected(run: () => unknown, fragment: string): void {
    expect(run).toThrow(SafetensorsError);
    expect(run).toThrow(fragment);
  }

  it('data of the wrong typed array or length', () => {
    expectWriteRejected(
      () => serializeSafetensors({ w: { dtype: 'float32', shape: [2], data: new Float64Array(2) } }),
      'tensor "w": dtype float32 needs data as Float32Array, got Float64Array',
    );
    expectWriteRejected(
      () => serializeSafetensors({ w: { dtype: 'int32', shape: [2, 2], data: new Int32Array(3) } }),
      'tensor "w": shape [2, 2] has 4 elements but data has 3',
    );
  });

  it('an invalid dtype or shape', () => {
    expectWriteRejected(
      () => serializeSafetensors({ w: { dtype: 'bfloat16' as never, shape: [1], data: new Float32Array(1) } }),
      'tensor "w": cannot write dtype "bfloat16"; supported dtypes are float64, float32, int32, float16, bool',
    );
    expectWriteRejected(
      () => serializeSafetensors({ w: { dtype: 'float16', shape: [1], data: new Float32Array(1) } }),
      'tensor "w": dtype float16 needs data as Uint16Array, got Float32Array',
    );
    expectWriteRejected(
      () => serializeSafetensors({ w: { dtype: 'float32', shape: [-1], data: new Float32Array(1) } }),
      'tensor "w": shape must be an array of non-negative integers',
    );
  });

  it('a tensor named __metadata__ and non-string metadata values', () => {
    expectWriteRejected(
      () => serializeSafetensors({ __metadata__: { dtype: 'float32', shape: [], data: new Float32Array(1) } }),
      '"__metadata__" is reserved',
    );
    expectWriteRejected(
      () => serializeSafetensors({}, { epochs: 3 as unknown as string }),
      'metadata must map strings to strings, but "epochs" is 3',
    );
  });
});
