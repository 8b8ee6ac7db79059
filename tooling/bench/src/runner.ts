/**
 * Running cases on sides: the part of the harness between timing (harness.ts) and output (report.ts).
 */
import { maxRelativeDifference, measureInterleaved, summarize, type Runnable, type TimingOptions } from './harness';
import { metricStats, type CaseResult, type SideResult } from './report';
import type { Side, SideName, UnavailableSide } from './side';
import { higherIsBetter, toMetric, type BenchmarkCase, type PreparedCase } from './suites/suite';
import { createTesseraSide } from './tessera-side';
import { createTfjsSides } from './tfjs-side';

/**
 * Whether a side started.
 * @example sides.filter(isReady)
 */
export const isReady = (side: Side | UnavailableSide): side is Side => !('unavailable' in side);

/** Output checks compare against this side when it runs (the most established implementation). */
const REFERENCE_ORDER: SideName[] = ['tfjs-cpu', 'tfjs-wasm', 'tessera-cpu'];

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Start the selected sides; one that cannot start is returned as {@link UnavailableSide}.
 * @example const sides = await createSides(['tessera-cpu', 'tfjs-wasm']);
 */
export async function createSides(names: readonly SideName[]): Promise<(Side | UnavailableSide)[]> {
  const sides: (Side | UnavailableSide)[] = [];
  if (names.includes('tessera-cpu')) sides.push(await createTesseraSide());
  const tfjsBackends = (['cpu', 'wasm'] as const).filter((backend) => names.includes(`tfjs-${backend}`));
  if (tfjsBackends.length > 0) sides.push(...(await createTfjsSides([...tfjsBackends])));
  return sides;
}

/**
 * Run one case on all sides: prepare, cross-check outputs, time in interleaved rounds, dispose,
 * count leaked tensors. A side that throws is reported in its result, never aborts the others.
 * @example const result = await runCase(matmulCases([256])[0], sides, QUICK_TIMING);
 */
export async function runCase(benchmark: BenchmarkCase, sides: readonly Side[], timing: TimingOptions): Promise<CaseResult> {
  const results: Partial<Record<SideName, SideResult>> = {};
  const failed = new Map<SideName, string>();
  const prepared = new Map<SideName, { side: Side; body: PreparedCase }>();

  // Live-tensor counts are taken before any side prepares and after all dispose, because both
  // tfjs sides share one engine (and one count).
  const liveBefore = new Map(sides.map((side) => [side.name, side.liveTensors()]));
  for (const side of sides) {
    try {
      await side.activate();
      prepared.set(side.name, { side, body: await benchmark.prepare(side) });
    } catch (error) {
      failed.set(side.name, `prepare: ${errorMessage(error)}`);
    }
  }

  // Cross-check outputs before timing, so a broken kernel is never reported as fast.
  const outputs = new Map<SideName, Float32Array>();
  for (const [name, { side, body }] of prepared) {
    try {
      await side.activate();
      outputs.set(name, await body.output());
    } catch (error) {
      failed.set(name, `output: ${errorMessage(error)}`);
    }
  }
  const reference = REFERENCE_ORDER.find((name) => outputs.has(name));

  // Time every working side in interleaved rounds; if that throws, time sides one by one to find the culprit.
  const bodies = new Map<SideName, Runnable>();
  for (const [name, { side, body }] of prepared) {
    if (!failed.has(name)) bodies.set(name, { activate: () => side.activate(), run: () => body.run() });
  }
  let times = new Map<SideName, number[]>();
  try {
    times = await measureInterleaved(bodies, timing);
  } catch {
    times = new Map();
    for (const [name, body] of bodies) {
      try {
        times.set(name, (await measureInterleaved(new Map([[name, body]]), timing)).get(name)!);
      } catch (error) {
        failed.set(name, `run: ${errorMessage(error)}`);
      }
    }
  }

  for (const [name, { side, body }] of prepared) {
    try {
      await side.activate();
      body.dispose();
    } catch (error) {
      failed.set(name, `dispose: ${errorMessage(error)}`);
    }
  }

  for (const side of sides) {
    const error = failed.get(side.name);
    const runTimes = times.get(side.name);
    if (error || !runTimes) {
      results[side.name] = { error: error ?? 'not timed', timing: summarize([]), metric: metricStats(summarize([]), () => Number.NaN, true) };
      continue;
    }
    const timingStats = summarize(runTimes);
    const result: SideResult = {
      timing: timingStats,
      metric: metricStats(timingStats, (runMs) => toMetric(benchmark, runMs), higherIsBetter(benchmark.unit)),
      leakedTensors: Math.max(0, side.liveTensors() - liveBefore.get(side.name)!),
    };
    const output = outputs.get(side.name);
    if (reference && reference !== side.name && output) {
      const difference = maxRelativeDifference(output, outputs.get(reference)!);
      result.check = { reference, maxRelativeDifference: difference, ok: difference <= benchmark.tolerance };
    }
    results[side.name] = result;
  }

  const tessera = results['tessera-cpu']?.metric.median;
  const ratio = (other: SideName): number | undefined => {
    const value = results[other]?.metric.median;
    return tessera !== undefined && value !== undefined && Number.isFinite(tessera) && Number.isFinite(value) ? tessera / value : undefined;
  };
  return {
    id: benchmark.id,
    label: benchmark.label,
    unit: benchmark.unit,
    higherIsBetter: higherIsBetter(benchmark.unit),
    sides: results,
    ratios: { tfjsCpu: ratio('tfjs-cpu'), tfjsWasm: ratio('tfjs-wasm') },
  };
}
