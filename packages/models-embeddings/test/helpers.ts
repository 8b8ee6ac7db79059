/** Test helpers: a seeded Gaussian stream and clustered vectors. */

/** A seeded standard-normal stream (xorshift128+ and Box–Muller), independent of any backend. */
export function gaussian(seed: number): () => number {
  let s0 = (seed * 2654435761) >>> 0 || 1;
  let s1 = (seed * 40503 + 12345) >>> 0 || 2;
  const uniform = (): number => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    s1 = x >>> 0;
    return ((s0 + s1) >>> 0) / 4294967296;
  };
  return () => {
    const u = uniform() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

/** `count` vectors of `dim` around `clusters` random centres (centre scale 1, spread `spread`). */
export function clusteredVectors(count: number, dim: number, clusters: number, spread: number, seed: number): { values: Float32Array; labels: number[] } {
  const normal = gaussian(seed);
  const centres = Float64Array.from({ length: clusters * dim }, () => normal());
  const values = new Float32Array(count * dim);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const c = i % clusters;
    labels.push(c);
    for (let j = 0; j < dim; j++) values[i * dim + j] = centres[c * dim + j] + spread * normal();
  }
  return { values, labels };
}

/** Words w0 … w{n−1}. */
export function syntheticWords(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `w${i}`);
}
