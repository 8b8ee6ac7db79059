/**
 * Deterministic test and benchmark data without touching the global RNG: a 32-bit linear
 * congruential sequence (Numerical Recipes' constants) mapped to [−1, 1).
 */

/**
 * `count` float32 values in [−1, 1) from `seed`; the same seed always gives the same values.
 * @example
 * seededValues(4, 1); // Float32Array of 4 values in [−1, 1)
 */
export function seededValues(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}
