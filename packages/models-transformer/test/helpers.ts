import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { loadSafetensors, readSafetensorsMetadata, type Tensor } from '@tessera/core';

/** A fixture written by test/fixtures/make_fixtures.py (PyTorch 1.13, float64) and its config. */
export function fixture<C = Record<string, unknown>>(name: string): { record: Record<string, Tensor>; config: C } {
  const bytes = new Uint8Array(readFileSync(new URL(`./fixtures/${name}.safetensors`, import.meta.url)));
  return { record: loadSafetensors(bytes), config: JSON.parse(readSafetensorsMetadata(bytes).config) as C };
}

/** The entries of `record` under the keys of `stateDict` (the module's own weights in a fixture). */
export function stateDictOf(record: Record<string, Tensor>, stateDict: Record<string, Tensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.keys(stateDict).map((key) => [key, record[key]]));
}

/** The largest |actual − expected| (shapes must match; NaN counts as infinitely far). */
export async function maxDeviation(actual: Tensor, expected: Tensor): Promise<number> {
  expect(actual.shape).toEqual(expected.shape);
  const [got, want] = [await actual.data(), await expected.data()];
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const deviation = Math.abs(Number(got[i]) - Number(want[i]));
    worst = Math.max(worst, Number.isNaN(deviation) ? Infinity : deviation);
  }
  return worst;
}

/** Expect `actual` within `tolerance` of `expected` everywhere. */
export async function expectClose(actual: Tensor, expected: Tensor, tolerance = 1e-10): Promise<number> {
  const worst = await maxDeviation(actual, expected);
  expect(worst).toBeLessThan(tolerance);
  return worst;
}
