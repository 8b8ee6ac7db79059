/**
 * Shared settings of the fuzz tests: a fixed seed and 1,000 runs per target in the normal test run;
 * `pnpm fuzz` raises the runs (FUZZ_RUNS) and may change the seed (FUZZ_SEED). A failure prints the
 * seed and path that reproduce it; commit the failing input as a fixture beside the regression test.
 */
import fc from 'fast-check';

export const FUZZ_PARAMETERS: fc.Parameters<unknown> = {
  seed: Number(process.env['FUZZ_SEED'] ?? 13),
  numRuns: Number(process.env['FUZZ_RUNS'] ?? 1000),
};

/** Longest time one input may take before the property fails (a hang or a quadratic blow-up). */
export const FUZZ_TIME_BOUND_MS = 2000;

/** Text with anything a user can type or paste: ASCII, BMP, astral characters and lone surrogates. */
export const anyText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom(' ', '  ', '\n', '\t', 'a', 'b', 'ab', 'é', '😀', "'s", '1', '!', '<s>', '[UNK]', '▁', '\u0085', '\ufeff'),
      fc.integer({ min: 0, max: 0x10ffff }).map((code) => (code >= 0xd800 && code <= 0xdfff ? String.fromCharCode(code) : String.fromCodePoint(code))),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

/** Runs `body` and fails if it took longer than {@link FUZZ_TIME_BOUND_MS}. */
export function withinTimeBound<T>(what: string, body: () => T): T {
  const started = performance.now();
  const result = body();
  const elapsed = performance.now() - started;
  if (elapsed > FUZZ_TIME_BOUND_MS) throw new Error(`${what} took ${elapsed.toFixed(0)} ms (bound ${FUZZ_TIME_BOUND_MS} ms)`);
  return result;
}
