/**
 * Timing: warm-up, repeated runs in interleaved rounds, and robust statistics (median, quartiles).
 *
 * Why rounds: the machine is shared (other builds and tests run beside the benchmark), so load
 * drifts over seconds. Every side of a benchmark runs a block of repetitions per round, and the
 * rounds alternate between sides, so a burst of outside load hits all sides rather than one.
 */
import type { PreparedCase } from './suites/suite';

/** How much to measure. */
export interface TimingOptions {
  /** Untimed runs before the first round (and one more at the start of each later round). */
  warmupRuns: number;
  /** Rounds; each side runs one block per round. */
  rounds: number;
  /** Timed runs per block: at least `minRuns`, more until `targetMs` is spent, at most `maxRuns`. */
  minRuns: number;
  maxRuns: number;
  targetMs: number;
  /** Collect garbage completely (node --expose-gc, sweeping finished) before each timed run, outside the timed region. */
  collectGarbage: boolean;
  /** Untimed runs at the start of each round after the first (default 1: switching sides evicts caches). */
  rewarmRuns?: number;
  /** Start each round with the next body (a, b, c; b, c, a; …) so no body always runs after the same one. */
  rotate?: boolean;
}

/** Default settings, and the smaller `--quick` ones. */
export const FULL_TIMING: TimingOptions = {
  warmupRuns: 3,
  rounds: 3,
  minRuns: 3,
  maxRuns: 40,
  targetMs: 1500,
  collectGarbage: true,
};

export const QUICK_TIMING: TimingOptions = {
  warmupRuns: 1,
  rounds: 1,
  minRuns: 3,
  maxRuns: 10,
  targetMs: 300,
  collectGarbage: true,
};

/** Summary statistics of run times in milliseconds. */
export interface TimingStats {
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  q1Ms: number;
  q3Ms: number;
  meanMs: number;
}

/**
 * The value at quantile `q` (0..1) of sorted numbers, interpolating linearly between neighbours.
 * @example quantile([1, 2, 3, 4], 0.5) // 2.5
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * Median, min, max, quartiles and mean of a list of run times.
 * @example summarize([3, 1, 2]).medianMs // 2
 */
export function summarize(timesMs: readonly number[]): TimingStats {
  const sorted = [...timesMs].sort((left, right) => left - right);
  return {
    runs: sorted.length,
    medianMs: quantile(sorted, 0.5),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    q1Ms: quantile(sorted, 0.25),
    q3Ms: quantile(sorted, 0.75),
    meanMs: sorted.reduce((sum, time) => sum + time, 0) / (sorted.length || 1),
  };
}

/** A prepared benchmark body for one side: `run` does the work and waits until its results are read. */
export interface Runnable {
  /** Make this side's framework current (tfjs switches its global backend). Not timed. */
  activate(): Promise<void>;
  run(): Promise<void>;
}

const gcFunction = (globalThis as { gc?: (options?: { type: string; execution: string; flavor: string }) => void }).gc;

/**
 * A full, synchronous collection that also finishes sweeping. A plain `gc()` returns while V8's
 * concurrent sweeper threads still run; they then land on the cores a multi-threaded side computes
 * on inside its timed run (measured: a 2-thread 128×784·784×256 matmul 1.4–1.6 ms after nothing,
 * 2.0–2.2 ms after `gc()`, 1.4 ms after this), while a one-thread side barely notices. The
 * `last-resort` flavour collects everything and completes sweeping before it returns.
 */
function collectGarbage(): void {
  gcFunction?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

async function timeOnce(body: Runnable, options: TimingOptions): Promise<number> {
  if (options.collectGarbage && gcFunction) collectGarbage();
  const start = performance.now();
  await body.run();
  return performance.now() - start;
}

/**
 * Times several sides of one benchmark in interleaved rounds and returns each side's run times.
 * Each side warms up before its first block; later blocks start with one untimed run because
 * switching sides evicts caches and (for tfjs) changes the global backend.
 * @example
 * const times = await measureInterleaved(new Map([['a', bodyA], ['b', bodyB]]), QUICK_TIMING);
 * summarize(times.get('a')!).medianMs;
 */
export async function measureInterleaved<K>(
  bodies: ReadonlyMap<K, Runnable>,
  options: TimingOptions,
): Promise<Map<K, number[]>> {
  const times = new Map<K, number[]>();
  for (const key of bodies.keys()) times.set(key, []);
  const order = [...bodies];
  for (let round = 0; round < options.rounds; round++) {
    const start = options.rotate && order.length > 0 ? round % order.length : 0;
    for (const [key, body] of [...order.slice(start), ...order.slice(0, start)]) {
      await body.activate();
      const warmups = round === 0 ? options.warmupRuns : (options.rewarmRuns ?? 1);
      for (let index = 0; index < warmups; index++) await body.run();
      const block: number[] = [];
      let spent = 0;
      while (block.length < options.minRuns || (spent < options.targetMs && block.length < options.maxRuns)) {
        const elapsed = await timeOnce(body, options);
        block.push(elapsed);
        spent += elapsed;
      }
      times.get(key)!.push(...block);
    }
  }
  return times;
}

/**
 * A seeded generator of standard-normal float32 data (mulberry32 + Box–Muller), so every side gets
 * the same inputs and outputs can be compared across frameworks.
 * @example const data = normalData(1024, 7); // Float32Array of 1024 N(0, 1) samples
 */
export function normalData(count: number, seed: number, scale = 1): Float32Array {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return (((value ^ (value >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let index = 0; index < count; index += 2) {
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    out[index] = radius * Math.cos(angle) * scale;
    if (index + 1 < count) out[index + 1] = radius * Math.sin(angle) * scale;
  }
  return out;
}

/**
 * Largest |a − b| / (|b| + 1) over two arrays: a scale-aware difference for cross-framework checks.
 * @example maxRelativeDifference(new Float32Array([1]), new Float32Array([1.001])) // ≈ 0.0005
 */
export function maxRelativeDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let index = 0; index < actual.length; index++) {
    const difference = Math.abs(actual[index] - expected[index]) / (Math.abs(expected[index]) + 1);
    if (!(difference <= worst)) worst = Number.isNaN(difference) ? Number.POSITIVE_INFINITY : difference;
  }
  return worst;
}

/**
 * A value computed on first use and then reused (benchmark inputs are only generated for the
 * suites that run, and once for all sides).
 * @example const data = lazy(() => normalData(1 << 20, 1)); data(); // generated here
 */
export function lazy<T>(make: () => T): () => T {
  let value: { current: T } | undefined;
  return () => (value ??= { current: make() }).current;
}

/**
 * Timing for a library comparison: as many timed runs per implementation as a tensor case gets per
 * side (rounds × minRuns), but one run per round with the order rotated, so the implementations
 * alternate run by run and load drift is shared at the finest grain. One warm-up run each before the
 * first round; none later (a run of a whole-book encode is long enough to warm its own caches).
 * @example runByRun(FULL_TIMING).rounds // 9
 */
export function runByRun(options: TimingOptions): TimingOptions {
  return {
    ...options,
    rounds: options.rounds * options.minRuns,
    minRuns: 1,
    maxRuns: 1,
    targetMs: 0,
    warmupRuns: Math.min(options.warmupRuns, 1),
    rewarmRuns: 0,
    rotate: true,
  };
}

/**
 * A {@link PreparedCase} from a step that returns its check values: each timed run is one step; the
 * output is the first step's values (computed once, before timing).
 * @example return preparedFromStep(await tesseraStep(data()));
 */
export function preparedFromStep(run: { step(): Promise<Float32Array>; dispose(): void }): PreparedCase {
  let first: Float32Array | undefined;
  return {
    async run() {
      await run.step();
    },
    async output() {
      first ??= await run.step();
      return first;
    },
    dispose() {
      run.dispose();
    },
  };
}
