/**
 * t-SNE (van der Maaten & Hinton), with scikit-learn's choices so results are comparable with
 * `sklearn.manifold.TSNE` (≥ 1.2):
 *
 * - affinities by perplexity bisection; every pair for exact t-SNE, the ⌊3·perplexity + 1⌋ nearest
 *   neighbours for Barnes–Hut (see tsne-affinities.ts);
 * - Student-t similarities with max(k − 1, 1) degrees of freedom in the embedding;
 * - gradient descent with momentum and per-coordinate gains (+0.2 where the step changes sign,
 *   ×0.8 elsewhere, at least 0.01), in two stages that each start from zero momentum and unit gains:
 *   250 iterations with P multiplied by the early exaggeration (12) and momentum 0.5, then the rest
 *   with momentum 0.8; progress is checked every 50 iterations, and a stage stops after
 *   `iterationsWithoutProgress` iterations without a lower KL divergence or when the gradient's norm
 *   falls to `minGradNorm`;
 * - learning rate 'auto' = max(n / early exaggeration / 4, 50);
 * - init 'pca': the first k principal components, scaled so the first has standard deviation 1e-4.
 *
 * Exact t-SNE computes every pair's force (O(n²) per iteration); Barnes–Hut (2-D) summarises far
 * cells of a quad tree with angle θ = 0.5 (O(n log n)). 'auto' uses exact up to 2,000 points.
 */
import { ValueError } from '@tessera/core';
import { QuadTree } from './barnes-hut';
import { hostMatrix, type PointsInput } from './matrix-input';
import { pca } from './pca';
import { normalStream } from './seeded-random';
import { MACHINE_EPSILON, denseAffinities, sparseAffinities, type SparseRows } from './tsne-affinities';

/** Options of {@link tsne}; defaults are scikit-learn's. */
export interface TsneOptions {
  /** Dimensions of the embedding (default 2; Barnes–Hut needs 2). */
  dimensions?: number;
  /** The effective number of neighbours each point's Gaussian covers (default 30). */
  perplexity?: number;
  /** Factor on P during the first 250 iterations (default 12). */
  earlyExaggeration?: number;
  /** Step size, or 'auto' (default): max(n / earlyExaggeration / 4, 50). */
  learningRate?: number | 'auto';
  /** Total iterations, the 250 exaggerated ones included (default 1000; at least 250). */
  iterations?: number;
  /** Stop after this many iterations without a lower KL divergence (default 300; checked every 50). */
  iterationsWithoutProgress?: number;
  /** Stop when the gradient's norm falls to this (default 1e-7). */
  minGradNorm?: number;
  /** 'pca' (default), 'random' (N(0, 1e-4²), seeded), or the start points, row-major `[n, dimensions]`. */
  init?: 'pca' | 'random' | Float64Array | Float32Array;
  /** 'auto' (default: exact up to 2,000 points), 'exact' or 'barnes-hut'. */
  method?: 'auto' | 'exact' | 'barnes-hut';
  /** Barnes–Hut angle θ (default 0.5). */
  theta?: number;
  /** Seed of the 'random' init (default 0). */
  seed?: number;
  /** The vectors' length when `vectors` is a flat typed array. */
  dim?: number;
  /** Called after each progress check (every 50 iterations) with the KL divergence then. */
  onProgress?: (progress: { iteration: number; klDivergence: number; gradNorm: number }) => void;
}

/** The result of {@link tsne}. */
export interface TsneResult {
  /** The embedding, row-major `[n, dimensions]`. */
  points: Float64Array;
  /** The KL divergence at the last iteration (for Barnes–Hut, over the neighbour pairs, as scikit-learn reports it). */
  klDivergence: number;
  /** Index of the last iteration run (999 for a full default run, as scikit-learn's `n_iter_`). */
  iterations: number;
  method: 'exact' | 'barnes-hut';
}

const EXPLORATION_ITERATIONS = 250;
const CHECK_EVERY = 50;
const MIN_GAIN = 0.01;
/** scikit-learn's floor inside the Barnes–Hut error. */
const FLOAT32_TINY = 1.1754943508222875e-38;

/** The cost and gradient of the embedding, given the current P (scaled by the exaggeration). */
interface Objective {
  /** Writes ∂KL/∂y into `gradient`; returns the KL divergence when `withError`, else NaN. */
  evaluate(points: Float64Array, gradient: Float64Array, withError: boolean): number;
  /** Multiply P by `factor` (early exaggeration on and off). */
  scale(factor: number): void;
}

/**
 * A low-dimensional embedding of a set of vectors in which near neighbours stay near.
 * @example
 * const { points } = await tsne(wv, { perplexity: 15 }); // [n, 2] for a scatter plot
 */
export async function tsne(vectors: PointsInput, options: TsneOptions = {}): Promise<TsneResult> {
  const input = await hostMatrix('tsne', vectors, options.dim);
  const n = input.rows;
  const dimensions = options.dimensions ?? 2;
  const perplexity = options.perplexity ?? 30;
  const exaggeration = options.earlyExaggeration ?? 12;
  const iterations = options.iterations ?? 1000;
  const theta = options.theta ?? 0.5;
  checkOptions(n, dimensions, perplexity, exaggeration, iterations, theta);
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'exact' && method !== 'barnes-hut') {
    throw new ValueError(`tsne: method must be 'auto', 'exact' or 'barnes-hut', got ${JSON.stringify(method)}`);
  }
  const barnesHut = method === 'barnes-hut' || (method === 'auto' && n > 2000);
  if (barnesHut && dimensions !== 2) throw new ValueError(`tsne: Barnes–Hut works in 2 dimensions, got dimensions ${dimensions}; use method 'exact'`);
  const learningRate = options.learningRate === undefined || options.learningRate === 'auto' ? Math.max(n / exaggeration / 4, 50) : options.learningRate;
  if (!(learningRate > 0)) throw new ValueError(`tsne: learningRate must be positive or 'auto', got ${options.learningRate}`);

  const points = await initialPoints(vectors, input.rows, dimensions, options);
  const degreesOfFreedom = Math.max(dimensions - 1, 1);
  const objective = barnesHut
    ? barnesHutObjective(await sparseAffinities(input, perplexity), n, theta)
    : exactObjective(denseAffinities(input, perplexity), n, dimensions, degreesOfFreedom);

  const descent = { points, learningRate, minGradNorm: options.minGradNorm ?? 1e-7, onProgress: options.onProgress };
  objective.scale(exaggeration);
  let stage = gradientDescent(objective, { ...descent, from: 0, to: Math.min(EXPLORATION_ITERATIONS, iterations), momentum: 0.5, patience: EXPLORATION_ITERATIONS });
  objective.scale(1 / exaggeration);
  if (stage.last < EXPLORATION_ITERATIONS - 1 || iterations > EXPLORATION_ITERATIONS) {
    stage = gradientDescent(objective, { ...descent, from: stage.last + 1, to: iterations, momentum: 0.8, patience: options.iterationsWithoutProgress ?? 300 });
  }
  return { points, klDivergence: stage.error, iterations: stage.last, method: barnesHut ? 'barnes-hut' : 'exact' };
}

function checkOptions(n: number, dimensions: number, perplexity: number, exaggeration: number, iterations: number, theta: number): void {
  if (n < 2) throw new ValueError(`tsne: needs at least 2 points, got ${n}`);
  if (!Number.isInteger(dimensions) || dimensions < 1) throw new ValueError(`tsne: dimensions must be a positive integer, got ${dimensions}`);
  if (!(perplexity > 0) || perplexity >= n) throw new ValueError(`tsne: perplexity must be in (0, n = ${n}), got ${perplexity}`);
  if (!(exaggeration >= 1)) throw new ValueError(`tsne: earlyExaggeration must be at least 1, got ${exaggeration}`);
  if (!Number.isInteger(iterations) || iterations < EXPLORATION_ITERATIONS) {
    throw new ValueError(`tsne: iterations must be an integer of at least ${EXPLORATION_ITERATIONS} (the exaggerated ones count), got ${iterations}`);
  }
  if (!(theta >= 0)) throw new ValueError(`tsne: theta must be non-negative, got ${theta}`);
}

async function initialPoints(vectors: PointsInput, n: number, dimensions: number, options: TsneOptions): Promise<Float64Array> {
  const init = options.init ?? 'pca';
  if (init instanceof Float64Array || init instanceof Float32Array) {
    if (init.length !== n * dimensions) throw new ValueError(`tsne: init has ${init.length} values, expected n × dimensions = ${n * dimensions}`);
    return Float64Array.from(init);
  }
  if (init === 'random') {
    const normal = normalStream(options.seed ?? 0);
    return Float64Array.from({ length: n * dimensions }, () => 1e-4 * normal());
  }
  if (init !== 'pca') throw new ValueError(`tsne: init must be 'pca', 'random' or an array of points, got ${JSON.stringify(init)}`);
  // As scikit-learn: the PCA projection in float32, scaled so the first column's std is 1e-4.
  const { points } = await pca(vectors, dimensions, { dim: options.dim });
  const rounded = Float64Array.from(points, Math.fround);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += rounded[i * dimensions] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (rounded[i * dimensions] - mean) ** 2 / n;
  const scale = 1e-4 / Math.sqrt(variance);
  return rounded.map((value) => value * scale);
}

interface DescentOptions {
  points: Float64Array;
  from: number;
  to: number;
  momentum: number;
  learningRate: number;
  patience: number;
  minGradNorm: number;
  onProgress?: TsneOptions['onProgress'];
}

/** scikit-learn's `_gradient_descent`: momentum and gains, fresh for each stage; updates `points` in place. */
function gradientDescent(objective: Objective, options: DescentOptions): { error: number; last: number } {
  const { points, momentum, learningRate } = options;
  const update = new Float64Array(points.length);
  const gains = new Float64Array(points.length).fill(1);
  const gradient = new Float64Array(points.length);
  let error = Number.MAX_VALUE;
  let bestError = Number.MAX_VALUE;
  let bestIteration = options.from;
  let i = options.from;
  for (; i < options.to; i++) {
    const check = (i + 1) % CHECK_EVERY === 0;
    error = objective.evaluate(points, gradient, check || i === options.to - 1);
    let squaredNorm = 0;
    for (let e = 0; e < points.length; e++) {
      gains[e] = update[e] * gradient[e] < 0 ? gains[e] + 0.2 : Math.max(gains[e] * 0.8, MIN_GAIN);
      const step = gradient[e] * gains[e];
      squaredNorm += step * step;
      update[e] = momentum * update[e] - learningRate * step;
      points[e] += update[e];
    }
    if (!check) continue;
    const gradNorm = Math.sqrt(squaredNorm);
    options.onProgress?.({ iteration: i + 1, klDivergence: error, gradNorm });
    if (error < bestError) [bestError, bestIteration] = [error, i];
    else if (i - bestIteration > options.patience) break;
    if (gradNorm <= options.minGradNorm) break;
  }
  return { error, last: Math.min(i, options.to - 1) };
}

/** Exact t-SNE: every pair's attraction and repulsion. `P` is dense `[n, n]`. */
function exactObjective(P: Float64Array, n: number, dimensions: number, degreesOfFreedom: number): Objective {
  const weights = new Float64Array(n * n);
  const exponent = (degreesOfFreedom + 1) / -2;
  const factor = (2 * (degreesOfFreedom + 1)) / degreesOfFreedom;
  return {
    scale(by) {
      for (let e = 0; e < P.length; e++) P[e] *= by;
    },
    evaluate(points, gradient, withError) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          let squared = 0;
          for (let d = 0; d < dimensions; d++) squared += (points[i * dimensions + d] - points[j * dimensions + d]) ** 2;
          const w = degreesOfFreedom === 1 ? 1 / (1 + squared) : (1 + squared / degreesOfFreedom) ** exponent;
          weights[i * n + j] = w;
          sum += 2 * w;
        }
      }
      gradient.fill(0);
      let kl = 0;
      // P and Q are symmetric: each pair once, its force added to i and taken from j.
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const w = weights[i * n + j];
          const q = Math.max(w / sum, MACHINE_EPSILON);
          const p = P[i * n + j];
          if (withError) kl += 2 * p * Math.log(Math.max(p, MACHINE_EPSILON) / q);
          const pull = (p - q) * w;
          for (let d = 0; d < dimensions; d++) {
            const towards = pull * (points[i * dimensions + d] - points[j * dimensions + d]);
            gradient[i * dimensions + d] += towards;
            gradient[j * dimensions + d] -= towards;
          }
        }
      }
      for (let e = 0; e < gradient.length; e++) gradient[e] *= factor;
      return withError ? kl : NaN;
    },
  };
}

/** Barnes–Hut t-SNE in 2-D: sparse attraction over neighbour pairs, quad-tree repulsion. */
function barnesHutObjective(P: SparseRows, n: number, theta: number): Objective {
  const tree = new QuadTree();
  const repulsion = new Float64Array(2 * n);
  const force = new Float64Array(2);
  return {
    scale(by) {
      for (let e = 0; e < P.values.length; e++) P.values[e] *= by;
    },
    evaluate(points, gradient, withError) {
      tree.build(points, n);
      let sumQ = 0;
      for (let i = 0; i < n; i++) {
        force[0] = 0;
        force[1] = 0;
        sumQ += tree.repulsion(points[2 * i], points[2 * i + 1], theta, force);
        repulsion[2 * i] = force[0];
        repulsion[2 * i + 1] = force[1];
      }
      let kl = 0;
      for (let i = 0; i < n; i++) {
        let [attractX, attractY] = [0, 0];
        for (let e = P.offsets[i]; e < P.offsets[i + 1]; e++) {
          const j = P.columns[e];
          const dx = points[2 * i] - points[2 * j];
          const dy = points[2 * i + 1] - points[2 * j + 1];
          const q = 1 / (1 + dx * dx + dy * dy);
          const p = P.values[e];
          attractX += p * q * dx;
          attractY += p * q * dy;
          if (withError) kl += p * Math.log(Math.max(p, FLOAT32_TINY) / Math.max(q / sumQ, FLOAT32_TINY));
        }
        gradient[2 * i] = 4 * (attractX - repulsion[2 * i] / sumQ);
        gradient[2 * i + 1] = 4 * (attractY - repulsion[2 * i + 1] / sumQ);
      }
      return withError ? kl : NaN;
    },
  };
}
