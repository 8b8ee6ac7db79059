/**
 * float16 at the storage boundary, checked bit for bit: every binary16 pattern survives write/read
 * (NaNs may come back as another NaN pattern, as core's contract allows),
 * fill and cast round to nearest even with the known answers of core's `float32ToFloat16Bits`,
 * float16 → float32/float64 → float16 casts round-trip exactly, and core's `data()` widens float16
 * to a Float32Array. Runs only on backends that list float16.
 */
import { float32ToFloat16Bits, fromFloat16Bits } from '@tessera/core';
import { referencePlugin } from '@tessera/core/testing';
import { describe } from 'vitest';
import { hostData } from './generators';
import type { Suite } from './harness';
import { useCore } from './ops';
import type { DataArray, DType } from '@tessera/core/backend';

/** Values whose binary16 patterns core's contract fixes (ties to even, overflow, subnormals, −0). */
export const FLOAT16_KNOWN_ANSWERS: readonly (readonly [number, number])[] = [
  [1 / 3, 0x3555],
  [65504, 0x7bff],
  [65520, 0x7c00],
  [2 ** -24, 0x0001],
  [2 ** -25, 0x0000],
  [-0, 0x8000],
  [1 + 2 ** -11, 0x3c00],
  [1 + 3 * 2 ** -11, 0x3c02],
];

/** Every binary16 pattern, 0x0000 … 0xffff. */
function allPatterns(): Uint16Array {
  return Uint16Array.from({ length: 65536 }, (_, bits) => bits);
}

const isNaNPattern = (bits: number) => (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;

/** The first few positions where two bit-pattern arrays differ (NaN patterns only need to stay NaN). */
function patternMismatches(actual: DataArray, expected: ArrayLike<number>, nanAsNaN: boolean): string[] {
  const problems: string[] = [];
  if (!(actual instanceof Uint16Array)) return [`read returned ${Object.prototype.toString.call(actual)}, expected a Uint16Array of bit patterns`];
  if (actual.length !== expected.length) return [`read ${actual.length} elements, expected ${expected.length}`];
  const hex = (bits: number) => `0x${bits.toString(16).padStart(4, '0')}`;
  for (let i = 0; i < expected.length && problems.length < 5; i++) {
    const same = nanAsNaN && isNaNPattern(expected[i]) ? isNaNPattern(actual[i]) : actual[i] === expected[i];
    if (!same) problems.push(`element ${i}: got ${hex(actual[i])}, expected ${hex(expected[i])}`);
  }
  return problems;
}

/**
 * Declare the float16 storage, fill, cast and read checks.
 * @example
 * describeFloat16(suite); // inside runConformance's describe block
 */
export function describeFloat16(suite: Suite): void {
  describe('float16 storage and conversions', () => {
    suite.check(
      'every binary16 bit pattern survives write and read, at offsets too (NaNs stay NaN)',
      'float16.storage',
      async ({ backend, session }) => {
        const patterns = allPatterns();
        const id = session.allocate(backend, patterns.length + 3, 'float16');
        backend.write(id, patterns, 3);
        const problems = patternMismatches(await backend.read(id, 'float16', 3, patterns.length), patterns, true);
        if (problems.length > 0) throw new Error(`float16 write/read is not bit-exact:\n  ${problems.join('\n  ')}`);
      },
      { dtype: 'float16' },
    );

    suite.check(
      'fill and cast from float32 and float64 round to the known binary16 patterns',
      'float16.knownAnswers',
      async ({ backend, session }) => {
        const values = FLOAT16_KNOWN_ANSWERS.map(([value]) => value);
        const expected = FLOAT16_KNOWN_ANSWERS.map(([, bits]) => bits);
        const problems: string[] = [];
        FLOAT16_KNOWN_ANSWERS.forEach(([value, bits]) => {
          if (float32ToFloat16Bits(value) !== bits) problems.push(`core's float32ToFloat16Bits(${value}) is not 0x${bits.toString(16)}`);
        });
        for (const [value, bits] of FLOAT16_KNOWN_ANSWERS) {
          const out = session.output('float16', [3]);
          backend.fill(out.plugin, value);
          for (const problem of patternMismatches(await backend.read(out.plugin.id, 'float16', 0, 3), [bits, bits, bits], false)) {
            problems.push(`fill(${value}): ${problem}`);
          }
        }
        const sources: DType[] = suite.dtypes.includes('float64') ? ['float32', 'float64'] : ['float32'];
        for (const from of sources) {
          // float32 cannot hold 1 + 2⁻¹¹ + … exactly, but every known answer is a float32.
          const input = session.contiguousInput([values.length], from, hostData(from, values));
          const out = session.output('float16', [values.length]);
          backend.cast(input.plugin, out.plugin);
          for (const problem of patternMismatches(await backend.read(out.plugin.id, 'float16', 0, values.length), expected, false)) {
            problems.push(`cast ${from} → float16: ${problem}`);
          }
        }
        if (problems.length > 0) throw new Error(`float16 rounding:\n  ${problems.join('\n  ')}`);
      },
      { dtype: 'float16' },
    );

    suite.check(
      'float16 → float32 (and float64) → float16 casts round-trip every pattern exactly; NaN stays NaN',
      'float16.castRoundTrip',
      async ({ backend, session }) => {
        const patterns = allPatterns();
        const input = session.contiguousInput([patterns.length], 'float16', patterns);
        const problems: string[] = [];
        for (const wide of suite.dtypes.includes('float64') ? (['float32', 'float64'] as const) : (['float32'] as const)) {
          const widened = session.output(wide, [patterns.length]);
          const back = session.output('float16', [patterns.length]);
          backend.cast(input.plugin, widened.plugin);
          backend.cast({ id: widened.plugin.id, dtype: wide, shape: [patterns.length], strides: [1], offset: 0 }, back.plugin);
          const values = await backend.read(widened.plugin.id, wide, 0, patterns.length);
          const exact = fromFloat16Bits(patterns);
          for (let i = 0; i < patterns.length && problems.length < 5; i++) {
            if (!(Object.is(values[i], exact[i]) || (Number.isNaN(values[i]) && Number.isNaN(exact[i])))) {
              problems.push(`float16 0x${i.toString(16)} → ${wide} gave ${values[i]}, expected ${exact[i]}`);
            }
          }
          for (const problem of patternMismatches(await backend.read(back.plugin.id, 'float16', 0, patterns.length), patterns, true)) {
            problems.push(`float16 → ${wide} → float16: ${problem}`);
          }
        }
        if (problems.length > 0) throw new Error(`float16 casts:\n  ${problems.join('\n  ')}`);
      },
      { dtype: 'float16' },
    );

    const core = useCore(suite);
    suite.check(
      "core's data(), dataSync() and item() widen float16 to exact numbers; to() keeps the bits",
      'float16.read',
      async () => {
        const { api, reason } = core();
        if (!api) throw new Error(`core API checks cannot run: ${reason}`);
        const values = [0.1, -65504, 1e-6, 1 / 3, 70000, -0];
        const x = api.tensor(Float32Array.from(values), { dtype: 'float16', device: suite.plugin.name });
        const moved = await x.to(referencePlugin.name);
        const back = await moved.to(suite.plugin.name);
        try {
          const expected = fromFloat16Bits(Uint16Array.from(values, float32ToFloat16Bits));
          const problems: string[] = [];
          for (const [what, tensor] of [['data()', x], ['after to(reference) and back', back]] as const) {
            if (tensor.dtype !== 'float16') problems.push(`${what}: dtype ${tensor.dtype}`);
            const data = await tensor.data();
            if (!(data instanceof Float32Array)) problems.push(`${what}: returned ${Object.prototype.toString.call(data)}, expected a Float32Array`);
            else if (!expected.every((value, i) => Object.is(value, data[i]))) problems.push(`${what}: got [${Array.from(data).join(', ')}], expected [${Array.from(expected).join(', ')}]`);
          }
          if (suite.backend.capabilities.syncRead) {
            const sync = x.dataSync() as DataArray;
            if (!(sync instanceof Float32Array) || !expected.every((value, i) => Object.is(value, sync[i]))) problems.push(`dataSync() gave ${Object.prototype.toString.call(sync)} [${Array.from(sync).join(', ')}]`);
          }
          const first = await x.narrow(0, 0, 1).reshape([]).item();
          if (first !== expected[0]) problems.push(`item() gave ${first}, expected ${expected[0]}`);
          if (problems.length > 0) throw new Error(`float16 reads through core:\n  ${problems.join('\n  ')}`);
        } finally {
          for (const t of [x, moved, back]) t.dispose();
        }
      },
      { dtype: 'float16' },
    );
  });
}
