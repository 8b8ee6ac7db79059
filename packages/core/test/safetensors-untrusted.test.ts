import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, loadSafetensors, readSafetensorsMetadata, SafetensorsError } from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');

/** A safetensors file from raw header text (so duplicate keys survive) and data bytes. */
function fileFromHeaderText(header: string, data: number[] = []): Uint8Array {
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

const entry = (begin: number, end: number): string => `{"dtype":"U8","shape":[${end - begin}],"data_offsets":[${begin},${end}]}`;

function rejection(run: () => unknown): SafetensorsError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SafetensorsError);
    return error as SafetensorsError;
  }
  throw new Error('expected a SafetensorsError');
}

describe('loadSafetensors on hostile files', () => {
  it('a tensor named __proto__ is an ordinary entry and the record has no prototype', async () => {
    const loaded = loadSafetensors(fileFromHeaderText(`{"__proto__":${entry(0, 2)},"constructor":${entry(2, 3)}}`, [1, 2, 3]));
    expect(Object.getPrototypeOf(loaded)).toBeNull();
    expect(Object.keys(loaded).sort()).toEqual(['__proto__', 'constructor']);
    expect(await loaded['__proto__']!.data()).toEqual(Int32Array.from([1, 2]));
  });

  it('rejects duplicate tensor names (same or different ranges) and a duplicate __metadata__', () => {
    expect(rejection(() => loadSafetensors(fileFromHeaderText(`{"a":${entry(0, 1)},"a":${entry(0, 1)}}`, [1]))).message).toMatch(/header: duplicate key "a"/);
    expect(() => loadSafetensors(fileFromHeaderText(`{"a":${entry(0, 1)},"b":${entry(1, 2)},"a":${entry(1, 2)}}`, [1, 2]))).toThrow(/duplicate key "a"/);
    expect(() => readSafetensorsMetadata(fileFromHeaderText('{"__metadata__":{"x":"1"},"__metadata__":{"x":"2"}}'))).toThrow(/duplicate key "__metadata__"/);
    expect(() => readSafetensorsMetadata(fileFromHeaderText('{"__metadata__":{"x":"1","x":"2"}}'))).toThrow(/header\["__metadata__"\]: duplicate key "x"/);
  });

  it('bounds nesting depth with an error naming the path', () => {
    const deep = `{"__metadata__":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(rejection(() => readSafetensorsMetadata(fileFromHeaderText(deep))).message).toMatch(/header\["__metadata__"\](\[0\])+: nesting deeper than 64 levels/);
    const deepDtype = `{"a":{"dtype":${'{"x":'.repeat(5000)}1${'}'.repeat(5000)},"shape":[],"data_offsets":[0,0]}}`;
    expect(rejection(() => loadSafetensors(fileFromHeaderText(deepDtype))).message).toMatch(/header\["a"\]\["dtype"\]\["x"\]/);
  });

  it('accepts an ArrayBuffer and names what it expected for a string or null', async () => {
    const bytes = fileFromHeaderText(`{"w":${entry(0, 2)}}`, [4, 5]);
    const buffer = bytes.buffer.slice(0) as ArrayBuffer;
    expect(await loadSafetensors(buffer)['w']!.data()).toEqual(Int32Array.from([4, 5]));
    expect(rejection(() => loadSafetensors('model.safetensors' as unknown as Uint8Array)).message).toMatch(/loadSafetensors: expected the file's bytes as a Uint8Array or ArrayBuffer, got string/);
    expect(() => loadSafetensors(null as unknown as Uint8Array)).toThrow(/got null/);
  });
});
