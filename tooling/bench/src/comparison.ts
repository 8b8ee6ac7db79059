/**
 * Library comparisons (suites/suite.ts {@link ComparisonCase}): several implementations of one job,
 * with no tensor backend, prepared, checked against a reference implementation's output and timed
 * run by run in one process. The tensor-side counterpart is runner.ts.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { measureInterleaved, runByRun, summarize, type Runnable, type TimingOptions } from './harness';
import { metricStats, type ComparisonResult, type ImplementationResult } from './report';
import { higherIsBetter, toMetric, type ComparisonCase, type PreparedImplementation } from './suites/suite';

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Where two id sequences first differ, or undefined when they are equal.
 * @example firstDifference([1, 2, 3], [1, 5, 3]) // 'position 1: 2 vs 5'
 */
export function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): string | undefined {
  const length = Math.min(actual.length, expected.length);
  for (let index = 0; index < length; index++) {
    if (actual[index] !== expected[index]) return `position ${index}: ${actual[index]} vs ${expected[index]}`;
  }
  return actual.length === expected.length ? undefined : `length ${actual.length} vs ${expected.length}`;
}

const require = createRequire(import.meta.url);

/**
 * The installed version of a package (its package.json, found above its entry point when the
 * package's `exports` hide `./package.json`), or undefined when it is not installed.
 * @example packageVersion('gpt-tokenizer') // '4.0.0'
 */
export function packageVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version?: string }).version;
  } catch {
    // exports without ./package.json: walk up from the resolved entry point
  }
  try {
    for (let dir = path.dirname(require.resolve(name)); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
      try {
        const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (manifest.name === name) return manifest.version;
      } catch {
        // no package.json here
      }
    }
  } catch {
    // not installed
  }
  return undefined;
}

/**
 * Run one library comparison: prepare every implementation, check each output against the reference
 * implementation's, time them run by run ({@link runByRun}), dispose. An implementation that throws
 * is reported in its result and does not stop the others.
 * @example const result = await runComparison(tokenizerCases()[0], QUICK_TIMING);
 */
export async function runComparison(benchmark: ComparisonCase, timing: TimingOptions): Promise<ComparisonResult> {
  const failed = new Map<string, string>();
  const unavailable = new Map<string, string>();
  const prepared = new Map<string, PreparedImplementation>();
  for (const implementation of benchmark.implementations) {
    const availability = implementation.available ? await implementation.available() : true;
    if (availability !== true) {
      unavailable.set(implementation.id, availability);
      continue;
    }
    try {
      prepared.set(implementation.id, await implementation.prepare());
    } catch (error) {
      failed.set(implementation.id, `prepare: ${errorMessage(error)}`);
    }
  }

  // Outputs first (the first, cold run of each implementation), so a wrong one is never reported as fast.
  const outputs = new Map<string, ArrayLike<number>>();
  for (const [id, body] of prepared) {
    try {
      outputs.set(id, await body.output());
    } catch (error) {
      failed.set(id, `output: ${errorMessage(error)}`);
    }
  }
  const reference = [...(benchmark.reference ?? []), benchmark.subject].find((id) => outputs.has(id));

  const bodies = new Map<string, Runnable>();
  for (const [id, body] of prepared) {
    if (!failed.has(id)) bodies.set(id, { activate: async () => undefined, run: async () => body.run() });
  }
  const schedule = runByRun(timing);
  let times = new Map<string, number[]>();
  try {
    times = await measureInterleaved(bodies, schedule);
  } catch {
    times = new Map();
    for (const [id, body] of bodies) {
      try {
        times.set(id, (await measureInterleaved(new Map([[id, body]]), schedule)).get(id)!);
      } catch (error) {
        failed.set(id, `run: ${errorMessage(error)}`);
      }
    }
  }

  for (const [id, body] of prepared) {
    try {
      body.dispose?.();
    } catch (error) {
      failed.set(id, `dispose: ${errorMessage(error)}`);
    }
  }

  const better = higherIsBetter(benchmark.unit);
  const implementations: ImplementationResult[] = benchmark.implementations.map((implementation) => {
    const version = implementation.packageName ? packageVersion(implementation.packageName) : undefined;
    const base = { id: implementation.id, name: implementation.name, ...(version ? { version } : {}) };
    const runTimes = times.get(implementation.id);
    const reason = unavailable.get(implementation.id);
    if (reason !== undefined) {
      return { ...base, unavailable: reason, timing: summarize([]), metric: metricStats(summarize([]), () => Number.NaN, better) };
    }
    const error = failed.get(implementation.id);
    if (error || !runTimes) {
      return { ...base, error: error ?? 'not timed', timing: summarize([]), metric: metricStats(summarize([]), () => Number.NaN, better) };
    }
    const timingStats = summarize(runTimes);
    const result: ImplementationResult = {
      ...base,
      timing: timingStats,
      metric: metricStats(timingStats, (runMs) => toMetric(benchmark, runMs), better),
    };
    const output = outputs.get(implementation.id);
    if (reference && reference !== implementation.id && output) {
      const difference = firstDifference(output, outputs.get(reference)!);
      result.check = difference ? { reference, ok: false, difference } : { reference, ok: true };
    }
    return result;
  });

  const subject = implementations.find((implementation) => implementation.id === benchmark.subject);
  const ratios: Record<string, number> = {};
  for (const implementation of implementations) {
    if (implementation === subject || !subject || subject.error || implementation.error || implementation.unavailable) continue;
    const ratio = subject.metric.median / implementation.metric.median;
    if (Number.isFinite(ratio)) ratios[implementation.id] = ratio;
  }
  // Paired ratios: round i's subject run against round i's run of the other implementation (they ran
  // back to back), median over rounds; less sensitive to load drift than the ratio of medians.
  const pairedRatios: Record<string, number> = {};
  const subjectTimes = times.get(benchmark.subject);
  for (const id of Object.keys(ratios)) {
    const otherTimes = times.get(id);
    if (!subjectTimes || !otherTimes) continue;
    const perRound = subjectTimes
      .slice(0, otherTimes.length)
      .map((subjectMs, round) => toMetric(benchmark, subjectMs) / toMetric(benchmark, otherTimes[round]))
      .sort((left, right) => left - right);
    pairedRatios[id] = summarize(perRound).medianMs;
  }
  const targets: ComparisonResult['targets'] = {};
  for (const [id, minimum] of Object.entries(benchmark.targets ?? {})) {
    targets[id] = { minimum, met: ratios[id] !== undefined && (better ? ratios[id] >= minimum : ratios[id] <= minimum) };
  }
  const maxSubjectTime =
    benchmark.maxSubjectTime === undefined
      ? undefined
      : { limit: benchmark.maxSubjectTime, met: subject !== undefined && !subject.error && subject.metric.median <= benchmark.maxSubjectTime };

  let workPerRun: number | undefined;
  try {
    workPerRun = benchmark.workPerRun; // may be a getter over an input that failed to load
  } catch {
    workPerRun = undefined;
  }

  return {
    id: benchmark.id,
    suite: benchmark.suite,
    label: benchmark.label,
    unit: benchmark.unit,
    higherIsBetter: better,
    subject: benchmark.subject,
    ...(reference ? { reference } : {}),
    checkDescription: benchmark.checkDescription,
    ...(workPerRun !== undefined ? { workPerRun } : {}),
    schedule: { rounds: schedule.rounds, warmupRuns: schedule.warmupRuns },
    implementations,
    ratios,
    pairedRatios,
    ...(Object.keys(targets).length > 0 ? { targets } : {}),
    ...(maxSubjectTime ? { maxSubjectTime } : {}),
  };
}
