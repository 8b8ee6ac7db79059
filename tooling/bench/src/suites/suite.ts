/**
 * What a benchmark suite provides: cases that prepare a timed body on any {@link Side}.
 * One file per benchmark family in this folder; `index.ts` lists them in report order.
 */
import type { Side } from '../side';

/** The unit a case reports, and which direction is better. */
export type Unit = 'GFLOP/s' | 'GB/s' | 'ms';

/** A case prepared on one side: timed body, an output for cross-checking, and cleanup. */
export interface PreparedCase {
  /** The timed body: runs the work and awaits reading its result. */
  run(): Promise<void>;
  /** Values to compare across sides (computed once, before timing). */
  output(): Promise<Float32Array>;
  dispose(): void;
}

/** One row of the report. */
export interface BenchmarkCase {
  /** Stable id used by `--only` and in the JSON (e.g. `matmul-512`). */
  id: string;
  /** Suite name, also accepted by `--only` (e.g. `matmul`). */
  suite: string;
  /** Row label in the table. */
  label: string;
  unit: Unit;
  /** For throughput units: work per timed run (FLOPs or bytes). Unused for `ms`. */
  workPerRun?: number;
  /** Operations per timed run; a `ms` metric is divided by it (time per operation). */
  opsPerRun: number;
  /** Largest accepted {@link maxRelativeDifference} between two sides' outputs. */
  tolerance: number;
  /** What the output check compares, for the report. */
  checkDescription: string;
  prepare(side: Side): Promise<PreparedCase>;
}

/** Whether larger values of a unit are better. */
export function higherIsBetter(unit: Unit): boolean {
  return unit !== 'ms';
}

/**
 * Convert a run time to the case's unit.
 * @example toMetric({ unit: 'GFLOP/s', workPerRun: 2e9, opsPerRun: 1 } as BenchmarkCase, 1000) // 2
 */
export function toMetric(benchmark: BenchmarkCase, runMs: number): number {
  if (benchmark.unit === 'ms') return runMs / benchmark.opsPerRun;
  return benchmark.workPerRun! / (runMs * 1e6); // work per ns = G-work per second
}
