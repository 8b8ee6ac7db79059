/**
 * Small seeded generators for start values (PCA's random block, t-SNE's random init), kept apart
 * from core's global Philox stream so that calling `pca` or `tsne` does not move the user's seed.
 */

/** A uniform [0, 1) stream from a 32-bit seed (SplitMix32 finaliser on a Weyl sequence). */
export function uniformStream(seed: number): () => number {
  let state = (Math.imul(seed >>> 0, 0x9e3779b9) ^ 0x5bd1e995) >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
}

/** A standard-normal stream (Box–Muller on {@link uniformStream}). */
export function normalStream(seed: number): () => number {
  const uniform = uniformStream(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
