/**
 * Entry point: `node --expose-gc dist/main.js [--quick] [--only matmul] [--backends tessera,tfjs]`.
 * Runs every selected tensor case on every selected side in one process, checks that the sides
 * agree on the outputs, times them in interleaved rounds; runs every selected library comparison
 * (tokenizers: no side, implementations interleaved run by run); prints a markdown table for each
 * kind (stdout; progress goes to stderr) and writes bench-results/latest.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { FULL_TIMING, QUICK_TIMING } from './harness';
import { isSelected, parseOptions, USAGE } from './options';
import { runComparison } from './comparison';
import { comparisonTable, machineInfo, markdownTable, summaryText, type BenchReport, type CaseResult, type ComparisonResult } from './report';
import { createSides, isReady, runCase } from './runner';
import { allCases } from './suites/index';
import { isComparison, type BenchmarkCase } from './suites/suite';

const DEFAULT_OUT = fileURLToPath(new URL('../bench-results/latest.json', import.meta.url));

const progress = (message: string): void => void process.stderr.write(`${message}\n`);

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const timing = { ...(options.quick ? QUICK_TIMING : FULL_TIMING), ...(options.rounds ? { rounds: options.rounds } : {}) };
  const selected = allCases().filter((benchmark) => isSelected(benchmark, options.only));
  if (selected.length === 0) {
    throw new Error(`--only ${options.only.join(',')} matches no case; cases are ${allCases().map((c) => c.id).join(', ')}`);
  }
  const cases = selected.filter((benchmark): benchmark is BenchmarkCase => !isComparison(benchmark));
  const comparisonCases = selected.filter(isComparison);
  const gcExposed = typeof (globalThis as { gc?: unknown }).gc === 'function';
  const machine = machineInfo();
  // Must precede the first WebAssembly compilation: V8 reads feature flags when it validates a module.
  if (options.relaxedSimd) setFlagsFromString('--experimental-wasm-relaxed-simd');

  // Sides (tensor backends) start only when a tensor case is selected: library comparisons use none.
  const sides = cases.length > 0 ? await createSides(options.backends) : [];
  for (const side of sides) progress(isReady(side) ? `side ${side.name}: ${side.description}` : `side ${side.name}: UNAVAILABLE — ${side.unavailable}`);
  const ready = sides.filter(isReady);

  const results: CaseResult[] = [];
  for (const benchmark of cases) {
    const start = performance.now();
    progress(`running ${benchmark.id} on ${ready.map((side) => side.name).join(', ') || 'no side'} ...`);
    results.push(await runCase(benchmark, ready, timing));
    progress(`  done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }

  const comparisons: ComparisonResult[] = [];
  const skipped: string[] = [];
  for (const benchmark of comparisonCases) {
    const availability = benchmark.available ? await benchmark.available() : true;
    if (availability !== true) {
      skipped.push(`${benchmark.id}: ${availability}`);
      progress(`skipping ${benchmark.id}: ${availability}`);
      continue;
    }
    const start = performance.now();
    progress(`running ${benchmark.id}: ${benchmark.implementations.map((implementation) => implementation.name).join(' vs ')} ...`);
    comparisons.push(await runComparison(benchmark, timing));
    progress(`  done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }

  const notes = [
    ...skipped.map((line) => `skipped ${line}`),
    `this machine has ${machine.cores} core(s) and may be shared with builds and tests: absolute numbers are noisy; compare ratios from the same run (sides are interleaved in rounds to share the noise).`,
  ];
  if (cases.length > 0) {
    notes.push(
      'every timed run includes reading the result back (await data()), so async work is finished inside the timed region; add does 10 adds per run and reads the last one.',
      'tfjs-wasm runs single-threaded (Node has no thread pool for this build); tfjs-node (native TensorFlow) is deliberately not compared.',
      'the MLP step uses the same math on every side: relu(x·W1 + b1)·W2 + b2, mean of −Σ onehot·logSoftmax, backward, SGD lr 0.1 in place.',
    );
  }
  if (comparisonCases.length > 0) {
    notes.push(
      'library comparisons use no tensor backend and ignore --backends; MB/s counts UTF-8 bytes of input (1 MB = 10⁶ bytes); each timed encode is of the whole text with warm caches (every library keeps a piece cache; the first, cold encode is the output check).',
    );
  }
  if (options.relaxedSimd) {
    notes.push('run with --relaxed-simd: V8 flag --experimental-wasm-relaxed-simd was set before any side started (Node 20 default is off; Chrome >= 114 and Node >= 22 have it on).');
  }
  if (!gcExposed) notes.push('run with node --expose-gc for a garbage collection before each timed run (less noise).');

  const report: BenchReport = {
    date: new Date().toISOString(),
    machine,
    options: { quick: options.quick, only: options.only, backends: options.backends, relaxedSimd: options.relaxedSimd, timing, gcExposed },
    sides: sides.map((side) => (isReady(side) ? { name: side.name, description: side.description } : { name: side.name, unavailable: side.unavailable })),
    results,
    comparisons,
    notes,
  };

  if (results.length > 0) console.log(`${markdownTable(report)}\n`);
  if (comparisons.length > 0) console.log(`${comparisonTable(report)}\n`);
  console.log(summaryText(report));

  const out = path.resolve(options.out ?? DEFAULT_OUT);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  progress(`wrote ${out}`);

  // Wrong outputs or crashes fail the run; a side that is not available yet does not.
  const broken =
    results.some((result) => Object.values(result.sides).some((side) => side?.error || (side?.check && ('error' in side.check || !side.check.ok)))) ||
    comparisons.some((comparison) => comparison.implementations.some((implementation) => implementation.error || implementation.check?.ok === false));
  return broken ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
