/**
 * What a benchmark suite provides. Two kinds of case:
 * - {@link BenchmarkCase}: tensor work that prepares a timed body on any {@link Side} (tessera-cpu,
 *   tfjs-cpu, tfjs-wasm); one table column per side.
 * - {@link ComparisonCase}: a library comparison that uses no tensor backend (tokenizers): each row
 *   times named implementations of the same job (Tessera, gpt-tokenizer, …) interleaved in one
 *   process, and is reported in its own table, once, whatever `--backends` says.
 * One file per benchmark family in this folder; `index.ts` lists them in report order.
 */
import type { Side } from '../side';

/** The unit a case reports, and which direction is better (throughputs: higher; times: lower). */
export type Unit = 'GFLOP/s' | 'GB/s' | 'MB/s' | 'ms' | 's';

/** A case prepared on one side: timed body, an output for cross-checking, and cleanup. */
export interface PreparedCase {
  /** The timed body: runs the work and awaits reading its result. */
  run(): Promise<void>;
  /** Values to compare across sides (computed once, before timing). */
  output(): Promise<Float32Array>;
  dispose(): void;
}

/** What every row of the report has, tensor case or library comparison. */
interface CaseHeader {
  /** Stable id used by `--only` and in the JSON (e.g. `matmul-512`, `tokenizers-cl100k-encode`). */
  id: string;
  /** Suite name, also accepted by `--only` (e.g. `matmul`, `tokenizers`). */
  suite: string;
  /** Row label in the table. */
  label: string;
  unit: Unit;
  /** For throughput units: work per timed run (FLOPs or bytes; may be a getter over lazy inputs). Unused for times. */
  workPerRun?: number;
  /** Operations per timed run; a time metric is divided by it (time per operation). */
  opsPerRun: number;
}

/** One row of the report. */
export interface BenchmarkCase extends CaseHeader {
  /** Largest accepted {@link maxRelativeDifference} between two sides' outputs. */
  tolerance: number;
  /** What the output check compares, for the report. */
  checkDescription: string;
  prepare(side: Side): Promise<PreparedCase>;
}

/** An implementation of a {@link ComparisonCase}, prepared: its timed body and its output. */
export interface PreparedImplementation {
  /** The timed body (synchronous work may return nothing). */
  run(): void | Promise<void>;
  /** Values to compare with the reference implementation's (e.g. token ids), computed once before timing. */
  output(): ArrayLike<number> | Promise<ArrayLike<number>>;
  dispose?(): void;
}

/** One named implementation in a library comparison. */
export interface Implementation {
  /** Stable id in the JSON and in `reference`/`targets` (e.g. `gpt-tokenizer`). */
  id: string;
  /** Row label (e.g. `tiktoken (WASM)`); the report appends the package version. */
  name: string;
  /** npm package whose installed version the report shows. */
  packageName?: string;
  /** Load and set up (untimed): build the tokenizer, load rank files, train a model. */
  prepare(): Promise<PreparedImplementation>;
  /**
   * Whether it can run here (`true`) or why not (e.g. no Python with torch): an unavailable
   * implementation is reported as such and does not fail the run. Default: available.
   */
  available?: () => Promise<true | string>;
}

/**
 * A library comparison: the same job done by several implementations, timed run by run in one
 * process (no tensor side involved). Outputs must equal the reference implementation's exactly.
 */
export interface ComparisonCase extends CaseHeader {
  kind: 'comparison';
  /** The implementation the ratios are about (Tessera's): ratio = subject ÷ other, in the row's unit. */
  subject: string;
  /** Implementations whose output is the truth, in order of preference (the first that loads); default the subject. */
  reference?: readonly string[];
  /** What the output check compares, for the report. */
  checkDescription: string;
  /** Project targets for subject ÷ other (e.g. `{ 'gpt-tokenizer': 1 }`), marked met or missed in the table. */
  targets?: Readonly<Record<string, number>>;
  /** An upper bound on the subject's median in the row's time unit (e.g. training ≤ 10 s), marked in the table. */
  maxSubjectTime?: number;
  implementations: readonly Implementation[];
  /** Whether the case can run here (`true`) or why not (e.g. no WebGPU adapter); unavailable cases are reported, not failed. */
  available?: () => Promise<true | string>;
}

/** Either kind of case; `suites/index.ts` lists both. */
export type AnyCase = BenchmarkCase | ComparisonCase;

/**
 * Whether a case is a library comparison (rather than a tensor case run on sides).
 * @example allCases().filter(isComparison)
 */
export function isComparison(benchmark: AnyCase): benchmark is ComparisonCase {
  return 'kind' in benchmark && benchmark.kind === 'comparison';
}

/** Whether larger values of a unit are better. */
export function higherIsBetter(unit: Unit): boolean {
  return unit !== 'ms' && unit !== 's';
}

/**
 * Convert a run time to the case's unit.
 * @example toMetric({ unit: 'GFLOP/s', workPerRun: 2e9, opsPerRun: 1 }, 1000) // 2
 * @example toMetric({ unit: 'MB/s', workPerRun: 1e6, opsPerRun: 1 }, 500) // 2
 */
export function toMetric(benchmark: Pick<BenchmarkCase, 'unit' | 'workPerRun' | 'opsPerRun'>, runMs: number): number {
  switch (benchmark.unit) {
    case 'ms':
      return runMs / benchmark.opsPerRun;
    case 's':
      return runMs / 1000 / benchmark.opsPerRun;
    case 'MB/s':
      return benchmark.workPerRun! / (runMs * 1e3); // bytes per ms / 1000 = MB per second
    default:
      return benchmark.workPerRun! / (runMs * 1e6); // work per ns = G-work per second
  }
}
