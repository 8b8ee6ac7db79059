import { describe, expect, it } from 'vitest';
import { summarize } from '../src/harness';
import { formatNumber, formatRatio, markdownTable, metricStats, summaryText, type BenchReport } from '../src/report';
import { FULL_TIMING } from '../src/harness';

describe('metricStats', () => {
  const timing = summarize([1, 2, 3, 4, 5]);
  it('inverts the order for throughput: the fastest run gives the highest GFLOP/s', () => {
    const metric = metricStats(timing, (ms) => 10 / ms, true);
    expect(metric).toEqual({ median: 10 / 3, q1: 10 / 4, q3: 10 / 2, min: 10 / 5, max: 10 });
  });
  it('keeps the order for times', () => {
    expect(metricStats(timing, (ms) => ms, false)).toEqual({ median: 3, q1: 2, q3: 4, min: 1, max: 5 });
  });
});

describe('formatting', () => {
  it('formats numbers with about three significant digits', () => {
    expect(formatNumber(1234.5)).toBe('1235');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(1.2345)).toBe('1.23');
    expect(formatNumber(0.012345)).toBe('0.0123');
  });
  it('reads ratios in the direction of the unit', () => {
    expect(formatRatio(2, true)).toBe('2.00× (faster)');
    expect(formatRatio(2, false)).toBe('2.00× (slower)');
    expect(formatRatio(0.5, false)).toBe('0.500× (faster)');
    expect(formatRatio(1.01, true)).toBe('1.01× (same)');
    expect(formatRatio(undefined, true)).toBe('—');
  });
});

describe('markdownTable', () => {
  const report: BenchReport = {
    date: '2025-01-01T00:00:00.000Z',
    machine: { cpu: 'Test CPU', cores: 2, totalMemoryGiB: 4, node: 'v20.0.0', v8: '11', platform: 'Linux', arch: 'x64', loadAverage: [0, 0, 0] },
    options: { quick: true, only: [], backends: ['tessera-cpu', 'tfjs-cpu'], timing: FULL_TIMING, gcExposed: true },
    sides: [
      { name: 'tessera-cpu', unavailable: '@tessera/core does not export tensor' },
      { name: 'tfjs-cpu', description: 'tfjs cpu' },
    ],
    results: [
      {
        id: 'softmax',
        label: 'softmax 4×4',
        unit: 'ms',
        higherIsBetter: false,
        sides: { 'tfjs-cpu': { timing: summarize([2]), metric: { median: 2, q1: 1.5, q3: 2.5, min: 1, max: 3 } } },
        ratios: {},
      },
    ],
    comparisons: [],
    notes: ['noisy machine'],
  };

  it('has the required columns and marks unavailable and skipped sides', () => {
    const lines = markdownTable(report).split('\n');
    expect(lines[0]).toBe('| benchmark | unit | tessera-cpu | tfjs-cpu | tfjs-wasm | ratio tessera/tfjs-cpu | ratio tessera/tfjs-wasm |');
    expect(lines[2]).toBe('| softmax 4×4 | ms, lower is better | n/a | 2.00 (1.50–2.50) | skipped | — | — |');
  });

  it('explains unavailable sides and notes below the table', () => {
    const text = summaryText(report);
    expect(text).toContain('tessera-cpu: UNAVAILABLE — @tessera/core does not export tensor');
    expect(text).toContain('Machine: Test CPU, 2 cores');
    expect(text).toContain('Note: noisy machine');
  });
});
