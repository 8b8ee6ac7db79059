import '@tessera/backend-cpu';
import { DTypeError, ShapeError, ValueError, tensor, zeros, type Tensor } from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Linear, Sequential } from '../../src/index';

const PARAMETERS = { seed: Number(process.env['FUZZ_SEED'] ?? 13), numRuns: Number(process.env['FUZZ_RUNS'] ?? 1000) };

/** Values a state dict from an untrusted file or a bug could hold. */
const anyValue: fc.Arbitrary<() => unknown> = fc.oneof(
  fc.constantFrom(null, undefined, 0, 'weights', [], {}).map((value) => () => value),
  fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }).map((shape) => () => zeros(shape)),
  fc.constant(() => tensor([1, 2], { dtype: 'int32' })),
  fc.constant(() => zeros([2, 3])),
  fc.constant(() => zeros([2])),
);

describe('fuzz: loadStateDict', () => {
  it('any record loads or throws a typed error, and a model state dict round-trips', () => {
    const model = new Sequential(new Linear(3, 2));
    const names = Object.keys(model.stateDict());
    const record = fc.dictionary(fc.oneof(fc.constantFrom(...names, '__proto__', 'constructor'), fc.string({ maxLength: 5 })), anyValue, { maxKeys: 4 });
    fc.assert(
      fc.property(record, fc.boolean(), (entries, strict) => {
        const state: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
        for (const [key, make] of Object.entries(entries)) state[key] = make();
        try {
          model.loadStateDict(state as Record<string, Tensor>, { strict });
        } catch (error) {
          if (!(error instanceof ValueError || error instanceof ShapeError || error instanceof DTypeError)) throw error;
        }
        for (const value of Object.values(state)) if (value !== null && typeof value === 'object' && 'dispose' in value) (value as Tensor).dispose();
      }),
      PARAMETERS,
    );
    const saved = model.stateDict();
    expect(model.loadStateDict(saved)).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });
});
