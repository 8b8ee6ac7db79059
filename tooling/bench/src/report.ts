/**
 * Results: the markdown tables printed to stdout and the JSON document written to
 * bench-results/latest.json. Ratios always divide Tessera by the other side (tensor cases) or the
 * other implementation (library comparisons) in the row's own unit, so read them with the row's
 * "higher/lower is better".
 */
import os from 'node:os';
import type { TimingOptions, TimingStats } from './harness';
import { SIDE_NAMES, type SideName } from './side';
import type { Unit } from './suites/suite';

/** One side's result for one case: raw run times and the same statistics in the case's unit. */
export interface SideResult {
  timing: TimingStats;
  /** Median and spread in the case's unit (for throughput, q1 of the metric comes from q3 of time). */
  metric: { median: number; q1: number; q3: number; min: number; max: number };
  /** Largest relative difference from the reference side's output, or why the check failed. */
  check?: { reference: SideName; maxRelativeDifference: number; ok: boolean } | { error: string };
  /** Set when the case failed on this side. */
  error?: string;
  /** Tensors still alive after the case was disposed (expected 0). */
  leakedTensors?: number;
}

export interface CaseResult {
  id: string;
  label: string;
  unit: Unit;
  higherIsBetter: boolean;
  sides: Partial<Record<SideName, SideResult>>;
  /** tessera-cpu metric / other side's metric (medians). */
  ratios: { tfjsCpu?: number; tfjsWasm?: number };
}

/** One implementation's result in a library comparison. */
export interface ImplementationResult {
  id: string;
  name: string;
  /** Installed version of its package, when it names one. */
  version?: string;
  timing: TimingStats;
  metric: SideResult['metric'];
  /** Whether its output equals the reference implementation's (first difference when not). */
  check?: { reference: string; ok: boolean; difference?: string };
  error?: string;
  /** Why it did not run here (e.g. no Python with torch); not a failure. */
  unavailable?: string;
}

/** A library comparison's result: one entry per implementation, ratios subject ÷ each other one. */
export interface ComparisonResult {
  id: string;
  suite: string;
  label: string;
  unit: Unit;
  higherIsBetter: boolean;
  /** The implementation the ratios are about (Tessera's). */
  subject: string;
  /** The implementation whose output the others were checked against. */
  reference?: string;
  checkDescription: string;
  /** Work per timed run (bytes for MB/s). */
  workPerRun?: number;
  /** Rounds of one run per implementation, after `warmupRuns` untimed runs each. */
  schedule: { rounds: number; warmupRuns: number };
  implementations: ImplementationResult[];
  /** subject metric ÷ implementation metric (medians), by implementation id. */
  ratios: Record<string, number>;
  /** Median over rounds of subject ÷ implementation within the same round (runs taken back to back). */
  pairedRatios: Record<string, number>;
  /** Project targets for subject ÷ implementation, and whether this run met them. */
  targets?: Record<string, { minimum: number; met: boolean }>;
  /** Upper bound on the subject's median (time units), and whether this run met it. */
  maxSubjectTime?: { limit: number; met: boolean };
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  totalMemoryGiB: number;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  loadAverage: number[];
}

export interface BenchReport {
  date: string;
  machine: MachineInfo;
  options: { quick: boolean; only: string[]; backends: SideName[]; relaxedSimd?: boolean; timing: TimingOptions; gcExposed: boolean };
  sides: { name: SideName; description?: string; unavailable?: string }[];
  /** Tensor cases, one column per side. */
  results: CaseResult[];
  /** Library comparisons (no tensor side), reported in their own table. */
  comparisons: ComparisonResult[];
  notes: string[];
}

/**
 * Facts about this machine and runtime for the report.
 * @example machineInfo().cores // e.g. 2
 */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()}`,
    arch: process.arch,
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

/**
 * Median and spread of run times converted to a unit; a throughput metric inverts the order.
 * @example metricStats(stats, (ms) => 1000 / ms, true)
 */
export function metricStats(timing: TimingStats, toMetric: (runMs: number) => number, higherIsBetter: boolean): SideResult['metric'] {
  const median = toMetric(timing.medianMs);
  if (higherIsBetter) {
    return { median, q1: toMetric(timing.q3Ms), q3: toMetric(timing.q1Ms), min: toMetric(timing.maxMs), max: toMetric(timing.minMs) };
  }
  return { median, q1: toMetric(timing.q1Ms), q3: toMetric(timing.q3Ms), min: toMetric(timing.minMs), max: toMetric(timing.maxMs) };
}

/** A number with 3 significant digits (no exponent for the ranges benchmarks produce). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function formatCell(result: SideResult | undefined, unavailable: boolean): string {
  if (unavailable) return 'n/a';
  if (!result) return '—';
  if (result.error) return 'error';
  const { median, q1, q3 } = result.metric;
  const warning = result.check && 'ok' in result.check && !result.check.ok ? ' ⚠' : '';
  return `${formatNumber(median)} (${formatNumber(q1)}–${formatNumber(q3)})${warning}`;
}

/**
 * A ratio with a plain-words reading: "0.42× (slower)" for a throughput row, "2.1× (slower)" for ms.
 * @example formatRatio(2, true) // '2.00× (faster)'
 */
export function formatRatio(ratio: number | undefined, higherIsBetter: boolean): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '—';
  const faster = higherIsBetter ? ratio > 1 : ratio < 1;
  const verdict = Math.abs(ratio - 1) < 0.03 ? 'same' : faster ? 'faster' : 'slower';
  return `${formatNumber(ratio)}× (${verdict})`;
}

/**
 * The markdown table: one row per case, median (interquartile range) per side, and ratios.
 * @example console.log(markdownTable(report));
 */
export function markdownTable(report: BenchReport): string {
  const unavailable = new Set(report.sides.filter((side) => side.unavailable).map((side) => side.name));
  const header = [
    'benchmark',
    'unit',
    ...SIDE_NAMES,
    'ratio tessera/tfjs-cpu',
    'ratio tessera/tfjs-wasm',
  ];
  const rows = report.results.map((result) => [
    result.label,
    `${result.unit}, ${result.higherIsBetter ? 'higher is better' : 'lower is better'}`,
    ...SIDE_NAMES.map((side) =>
      report.options.backends.includes(side) ? formatCell(result.sides[side], unavailable.has(side)) : 'skipped',
    ),
    formatRatio(result.ratios.tfjsCpu, result.higherIsBetter),
    formatRatio(result.ratios.tfjsWasm, result.higherIsBetter),
  ]);
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

function formatTarget(ratio: number | undefined, target: { minimum: number; met: boolean } | undefined, higherIsBetter: boolean): string {
  if (!target) return '';
  return ` ${target.met ? '✓' : '✗'} target ${higherIsBetter ? '≥' : '≤'} ${formatNumber(target.minimum)}×${ratio === undefined ? ' (not measured)' : ''}`;
}

/**
 * The library-comparison table: one line per implementation, the subject (Tessera) first in each
 * benchmark; median (interquartile range) in the row's unit, and the subject ÷ implementation ratio
 * with the project's target when there is one. Empty string when there are no comparisons.
 * @example console.log(comparisonTable(report));
 */
export function comparisonTable(report: Pick<BenchReport, 'comparisons'>): string {
  if (report.comparisons.length === 0) return '';
  const header = ['library comparison', 'unit', 'implementation', 'median (IQR)', 'runs', 'ratio Tessera ÷ this'];
  const rows: string[][] = [];
  for (const comparison of report.comparisons) {
    const ordered = [
      ...comparison.implementations.filter((implementation) => implementation.id === comparison.subject),
      ...comparison.implementations.filter((implementation) => implementation.id !== comparison.subject),
    ];
    ordered.forEach((implementation, index) => {
      const isSubject = implementation.id === comparison.subject;
      let ratio: string;
      if (isSubject) {
        const limit = comparison.maxSubjectTime;
        ratio = limit ? `${limit.met ? '✓' : '✗'} target ≤ ${formatNumber(limit.limit)} ${comparison.unit}` : '—';
      } else {
        const value = comparison.ratios[implementation.id];
        ratio = `${formatRatio(value, comparison.higherIsBetter)}${formatTarget(value, comparison.targets?.[implementation.id], comparison.higherIsBetter)}`;
      }
      const failedCheck = implementation.check && !implementation.check.ok ? ' ⚠' : '';
      rows.push([
        index === 0 ? comparison.label : '',
        index === 0 ? `${comparison.unit}, ${comparison.higherIsBetter ? 'higher is better' : 'lower is better'}` : '',
        implementation.version ? `${implementation.name} ${implementation.version}` : implementation.name,
        implementation.error ? 'error' : implementation.unavailable ? 'n/a' : `${formatNumber(implementation.metric.median)} (${formatNumber(implementation.metric.q1)}–${formatNumber(implementation.metric.q3)})${failedCheck}`,
        String(implementation.timing.runs),
        ratio,
      ]);
    });
  }
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/**
 * Everything printed after the table: cell format, machine, sides, failed checks, notes.
 * @example console.log(summaryText(report));
 */
export function summaryText(report: BenchReport): string {
  const { machine } = report;
  const lines = [
    ...(report.results.length > 0 ? ['Cells: median (interquartile range) over all timed runs; ratio = tessera-cpu ÷ other side, medians, in the row\'s unit.'] : []),
    ...(report.comparisons.length > 0
      ? [`Library comparisons: median (interquartile range) over timed runs taken run by run in rotating order (${report.comparisons[0].schedule.rounds} round(s) of one run per implementation after ${report.comparisons[0].schedule.warmupRuns} warm-up); ratio = Tessera ÷ that implementation, medians, in the row's unit; outputs checked identical to the reference implementation first (⚠ when not).`]
      : []),
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.totalMemoryGiB} GiB, Node ${machine.node} (${machine.platform}, ${machine.arch}); load average at start ${machine.loadAverage.join(' / ')}.`,
    `Date: ${report.date}. Mode: ${report.options.quick ? 'quick' : 'full'} (${report.options.timing.rounds} round(s), ≥${report.options.timing.minRuns} runs per round${report.options.gcExposed ? ', full gc (sweeping finished) before each run' : ', gc not exposed'}).`,
  ];
  for (const side of report.sides) {
    lines.push(`- ${side.name}: ${side.unavailable ? `UNAVAILABLE — ${side.unavailable}` : side.description}`);
  }
  for (const result of report.results) {
    for (const [side, sideResult] of Object.entries(result.sides)) {
      if (!sideResult) continue;
      if (sideResult.error) lines.push(`! ${result.id} on ${side} failed: ${sideResult.error}`);
      const check = sideResult.check;
      if (check && 'error' in check) lines.push(`! ${result.id} on ${side}: output check failed: ${check.error}`);
      else if (check && !check.ok) {
        lines.push(`! ${result.id} on ${side}: output differs from ${check.reference} by ${check.maxRelativeDifference.toExponential(2)} (⚠ in the table)`);
      }
      if (sideResult.leakedTensors) lines.push(`! ${result.id} on ${side}: ${sideResult.leakedTensors} tensor(s) leaked`);
    }
  }
  for (const comparison of report.comparisons) {
    for (const implementation of comparison.implementations) {
      if (implementation.error) lines.push(`! ${comparison.id}: ${implementation.name} failed: ${implementation.error}`);
      if (implementation.unavailable) lines.push(`- ${comparison.id}: ${implementation.name} unavailable — ${implementation.unavailable}`);
      if (implementation.check && !implementation.check.ok) {
        lines.push(`! ${comparison.id}: ${implementation.name} differs from ${comparison.reference} (${comparison.checkDescription}) at ${implementation.check.difference} (⚠ in the table)`);
      }
    }
  }
  lines.push(...report.notes.map((note) => `Note: ${note}`));
  return lines.join('\n');
}
