import '@tessera/backend-cpu';
import { BackendError, DTypeError, SafetensorsError, ShapeError, ValueError, loadSafetensors, serializeSafetensors } from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCSV } from '../../src/loaders/csv';
import { parseIDX, serializeIDX } from '../../src/loaders/idx';
import { FUZZ_PARAMETERS, anyText, withinTimeBound } from './fuzz-config';

/** Every outcome but a typed Tessera error (a TypeError, a RangeError, a plain Error) fails the property. */
function expectTypedOrSuccess(what: string, run: () => unknown): void {
  withinTimeBound(what, () => {
    try {
      run();
    } catch (error) {
      const typed = [SafetensorsError, ValueError, ShapeError, DTypeError, BackendError].some((type) => error instanceof type);
      if (!typed) throw error;
    }
  });
}

/** Byte-level mutations: overwrite, insert, delete and truncate. */
const byteMutations = fc.array(
  fc.record({ kind: fc.constantFrom('set', 'insert', 'delete', 'truncate'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  { minLength: 1, maxLength: 6 },
);

function mutateBytes(bytes: Uint8Array, mutations: { kind: string; at: number; byte: number }[]): Uint8Array {
  const out = [...bytes];
  for (const { kind, at, byte } of mutations) {
    const index = out.length === 0 ? 0 : at % (out.length + (kind === 'insert' ? 1 : 0));
    if (kind === 'set' && out.length > 0) out[index] = byte;
    else if (kind === 'insert') out.splice(index, 0, byte);
    else if (kind === 'delete') out.splice(index, 1);
    else if (kind === 'truncate') out.length = index;
  }
  return Uint8Array.from(out);
}

const safetensorsFile = fc
  .array(
    fc.record({
      name: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', '__metadata__x')),
      shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
      dtype: fc.constantFrom('float32' as const, 'int32' as const, 'bool' as const, 'float64' as const),
    }),
    { maxLength: 4 },
  )
  .map((specs) => {
    const entries: Record<string, { dtype: 'float32' | 'int32' | 'bool' | 'float64'; shape: number[]; data: Float32Array | Int32Array | Uint8Array | Float64Array }> = {};
    for (const { name, shape, dtype } of specs) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = dtype === 'float32' ? new Float32Array(size) : dtype === 'int32' ? new Int32Array(size) : dtype === 'bool' ? new Uint8Array(size) : new Float64Array(size);
      Object.defineProperty(entries, name, { value: { dtype, shape, data }, enumerable: true, configurable: true, writable: true });
    }
    return serializeSafetensors(entries, { format: 'pt' });
  });

describe('fuzz: loadSafetensors', () => {
  it('a valid file loads every tensor; a mutated one loads or throws a SafetensorsError, within the time bound', () => {
    fc.assert(
      fc.property(safetensorsFile, byteMutations, (bytes, mutations) => {
        const loaded = loadSafetensors(bytes);
        expect(Object.getPrototypeOf(loaded)).toBeNull();
        for (const value of Object.values(loaded)) value.dispose();
        expectTypedOrSuccess('loadSafetensors', () => {
          for (const value of Object.values(loadSafetensors(mutateBytes(bytes, mutations)))) value.dispose();
        });
      }),
      FUZZ_PARAMETERS,
    );
  });

  it('arbitrary bytes and arbitrary header text load or throw a SafetensorsError', () => {
    const headerFile = fc.oneof(fc.json(), anyText).map((text) => {
      const header = new TextEncoder().encode(text);
      const out = new Uint8Array(8 + header.length);
      new DataView(out.buffer).setUint32(0, header.length, true);
      out.set(header, 8);
      return out;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), headerFile), (bytes) => {
        expectTypedOrSuccess('loadSafetensors', () => {
          for (const value of Object.values(loadSafetensors(bytes))) value.dispose();
        });
      }),
      FUZZ_PARAMETERS,
    );
  });
});

describe('fuzz: CSV and IDX loaders', () => {
  it('parseCSV on arbitrary text parses or throws a typed error', () => {
    const csvText = fc.array(fc.oneof(anyText, fc.constantFrom(',', '"', '""', '\n', '\r\n', '1.5', 'x', 'a,b', 'NaN')), { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(csvText, fc.constantFrom(',', ';', '\t'), (text, delimiter) => {
        expectTypedOrSuccess('parseCSV', () => parseCSV(text, { delimiter }));
      }),
      FUZZ_PARAMETERS,
    );
  });

  it('parseIDX round-trips a valid file and parses or rejects a mutated one', () => {
    const idxFile = fc.record({
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
      dtype: fc.constantFrom('uint8' as const, 'int8' as const, 'int16' as const, 'int32' as const, 'float32' as const, 'float64' as const),
    });
    fc.assert(
      fc.property(idxFile, byteMutations, ({ shape, dtype }, mutations) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const values = Array.from({ length: size }, (_, i) => i % 100);
        const bytes = serializeIDX(values, shape, dtype);
        const parsed = parseIDX(bytes);
        expect([...parsed.shape]).toEqual(shape);
        expect(Array.from(parsed.data)).toEqual(values);
        expectTypedOrSuccess('parseIDX', () => parseIDX(mutateBytes(bytes, mutations)));
      }),
      FUZZ_PARAMETERS,
    );
  });
});
