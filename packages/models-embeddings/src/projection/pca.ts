/**
 * Principal component analysis on core's `linalg`: centre the points, form the covariance
 * C = XcᵀXc / (n − 1) with one matmul on the backend (float64 where the backend has it), and take
 * its leading eigenvectors.
 *
 * - `'full'`: `linalg.eigh` of the whole dim × dim covariance — exact, but core's Jacobi eigh is a
 *   composite whose cost grows quickly with dim (seconds at 64).
 * - `'randomized'`: subspace iteration on C⁴ (two matmuls) from a random block of k + 8 columns,
 *   re-orthonormalised by `linalg.qr` each round, then Rayleigh–Ritz: `linalg.eigh` of the small
 *   (k + 8) × (k + 8) matrix QᵀCQ. Each round shrinks the error by (λ_{k+9}/λ_k)⁴.
 * - `'auto'` (default): full up to dim 24 or when k is more than half of dim, else randomized.
 *
 * Matches scikit-learn's `PCA`: `explainedVariance` = eigenvalues of C (S²/(n − 1)),
 * `explainedVarianceRatio` = those over the total variance (the trace of C), and each component's
 * sign is scikit-learn's (`svd_flip`, u-based: the largest |projection| of each component is positive).
 */
import { linalg, resolveBackend, tensor, tidy, ValueError, type Tensor } from '@tessera/core';
import { hostMatrix, type PointsInput } from './matrix-input';
import { uniformStream } from './seeded-random';

/** Options of {@link pca}. */
export interface PcaOptions {
  /** `'auto'` (default), `'full'` or `'randomized'` (see the module comment). */
  method?: 'auto' | 'full' | 'randomized';
  /** Subspace-iteration rounds for `'randomized'` (default 6: error factor (λ_{k+9}/λ_k)²⁴). */
  rounds?: number;
  /** Seed of the random start block (default 0). */
  seed?: number;
  /** The vectors' length when `vectors` is a flat typed array. */
  dim?: number;
}

/** The result of {@link pca}. */
export interface PcaResult {
  /** The points in the new basis, row-major `[n, k]`. */
  points: Float64Array;
  /** The principal axes, row-major `[k, dim]`, unit length, by decreasing variance. */
  components: Float64Array;
  /** The variance along each component (eigenvalues of the covariance). */
  explainedVariance: Float64Array;
  /** Each component's share of the total variance. */
  explainedVarianceRatio: Float64Array;
  /** The mean that was subtracted, `[dim]`. */
  mean: Float64Array;
  k: number;
  dim: number;
}

const OVERSAMPLE = 8;

/**
 * The first `k` principal components of a set of vectors.
 * @example
 * const { points, explainedVarianceRatio } = await pca(wv, 2); // 2-D coordinates for a scatter plot
 */
export async function pca(vectors: PointsInput, k: number, options: PcaOptions = {}): Promise<PcaResult> {
  const { values, rows, cols } = await hostMatrix('pca', vectors, options.dim);
  if (!Number.isInteger(k) || k < 1 || k > Math.min(rows, cols)) {
    throw new ValueError(`pca: k must be an integer in 1…min(n, dim) = ${Math.min(rows, cols)} for ${rows} points of dim ${cols}, got ${k}`);
  }
  if (rows < 2) throw new ValueError(`pca: needs at least 2 points, got ${rows}`);
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'full' && method !== 'randomized') {
    throw new ValueError(`pca: method must be 'auto', 'full' or 'randomized', got ${JSON.stringify(method)}`);
  }
  const randomized = method === 'randomized' || (method === 'auto' && cols > 24 && 2 * k <= cols);
  const dtype = resolveBackend(undefined).capabilities.dtypes.includes('float64') ? 'float64' : 'float32';

  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += values[i * cols + j] / rows;
  const centred = new Float64Array(values.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) centred[i * cols + j] = values[i * cols + j] - mean[j];

  // The total variance is the covariance's trace: Σ xc² / (n − 1).
  let totalVariance = 0;
  for (const value of centred) totalVariance += value * value;
  totalVariance /= rows - 1;

  const x = tensor(dtype === 'float64' ? centred : Float32Array.from(centred), { shape: [rows, cols], dtype });
  const covariance = tidy(() => x.T.matmul(x).div(rows - 1));
  let eigen: { values: Float64Array; vectors: Float64Array; size: number };
  try {
    eigen = randomized ? await randomizedEigen(covariance, k, totalVariance, options) : await fullEigen(covariance);
  } finally {
    x.dispose();
    covariance.dispose();
  }

  // Eigenpairs come ascending: take the last k, largest first.
  const components = new Float64Array(k * cols);
  const explainedVariance = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const column = eigen.size - 1 - c;
    explainedVariance[c] = eigen.values[column];
    for (let j = 0; j < cols; j++) components[c * cols + j] = eigen.vectors[j * eigen.size + column];
  }
  const points = new Float64Array(rows * k);
  for (let c = 0; c < k; c++) {
    let largest = 0;
    for (let i = 0; i < rows; i++) {
      let projection = 0;
      for (let j = 0; j < cols; j++) projection += centred[i * cols + j] * components[c * cols + j];
      points[i * k + c] = projection;
      if (Math.abs(projection) > Math.abs(largest)) largest = projection;
    }
    if (largest < 0) {
      for (let j = 0; j < cols; j++) components[c * cols + j] = -components[c * cols + j];
      for (let i = 0; i < rows; i++) points[i * k + c] = -points[i * k + c];
    }
  }
  const explainedVarianceRatio = explainedVariance.map((variance) => variance / totalVariance);
  return { points, components, explainedVariance, explainedVarianceRatio, mean, k, dim: cols };
}

/** All eigenpairs of the covariance (ascending), columns of `vectors` `[dim, dim]`. */
async function fullEigen(covariance: Tensor): Promise<{ values: Float64Array; vectors: Float64Array; size: number }> {
  const { eigenvalues, eigenvectors } = tidy(() => linalg.eigh(covariance));
  const [values, vectors] = [Float64Array.from(await eigenvalues.data()), Float64Array.from(await eigenvectors.data())];
  eigenvalues.dispose();
  eigenvectors.dispose();
  return { values, vectors, size: covariance.shape[0] };
}

/**
 * The leading k + 8 eigenpairs by subspace iteration on C⁴ and Rayleigh–Ritz, as the columns of a
 * `[dim, k + 8]` matrix (ascending, like eigh's).
 */
async function randomizedEigen(covariance: Tensor, k: number, trace: number, options: PcaOptions): Promise<{ values: Float64Array; vectors: Float64Array; size: number }> {
  const dim = covariance.shape[0];
  const width = Math.min(dim, k + OVERSAMPLE);
  const rounds = options.rounds ?? 6;
  if (!Number.isInteger(rounds) || rounds < 1) throw new ValueError(`pca: rounds must be a positive integer, got ${rounds}`);
  const start = randomBlock(dim, width, options.seed ?? 0);
  const [values, vectors] = tidy(() => {
    // C⁴ scaled by 1/trace(C)⁴ keeps the numbers near 1 (the range is what matters).
    const scaled = covariance.div(trace);
    const square = scaled.matmul(scaled);
    const fourth = square.matmul(square);
    let basis = linalg.qr(tensor(start, { shape: [dim, width], dtype: covariance.dtype })).Q;
    for (let round = 0; round < rounds; round++) basis = linalg.qr(fourth.matmul(basis)).Q;
    const small = basis.T.matmul(covariance).matmul(basis);
    const { eigenvalues, eigenvectors } = linalg.eigh(small.add(small.T).mul(0.5));
    return [eigenvalues, basis.matmul(eigenvectors)];
  });
  const result = { values: Float64Array.from(await values.data()), vectors: Float64Array.from(await vectors.data()), size: width };
  values.dispose();
  vectors.dispose();
  return result;
}

/** A seeded uniform [−1, 1) block, float64, row-major `[rows, cols]`. */
function randomBlock(rows: number, cols: number, seed: number): Float64Array {
  const uniform = uniformStream(seed);
  return Float64Array.from({ length: rows * cols }, () => 2 * uniform() - 1);
}
