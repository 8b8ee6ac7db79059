import { describe, expect, it } from 'vitest';
import { runComparison } from '../src/comparison';
import type { TimingOptions } from '../src/harness';
import { mlpSetup } from '../src/suites/mlp';
import { firstStepReference, mlpNnCase, STEPS_PER_RUN } from '../src/suites/mlp-nn';
import { isSelected } from '../src/options';

const ONE_RUN: TimingOptions = { warmupRuns: 1, rounds: 1, minRuns: 1, maxRuns: 1, targetMs: 0, collectGarbage: false };

describe('mlp-train-step-nn', () => {
  it('is a comparison of the user-level step against the raw fused path, with the 10 % target, in the mlp suite', () => {
    const benchmark = mlpNnCase();
    expect(benchmark).toMatchObject({ id: 'mlp-train-step-nn', suite: 'mlp', unit: 'ms', opsPerRun: STEPS_PER_RUN, subject: 'tessera-nn', targets: { 'tessera-fused': 1.1 } });
    expect(benchmark.implementations.map((implementation) => implementation.id)).toEqual(['tessera-nn', 'tessera-nn-tidy', 'tessera-fused', 'pytorch']);
    expect(isSelected(benchmark, ['mlp'])).toBe(true);
    expect(isSelected(benchmark, ['mlp-train-step-fused'])).toBe(false);
  });

  it('the float64 reference of the first step: the loss at the start is about ln 10, and b2 moves against its gradient', () => {
    const setup = mlpSetup();
    const [loss, ...b2] = firstStepReference(setup);
    expect(loss).toBeGreaterThan(1);
    expect(loss).toBeLessThan(5);
    expect(b2).toHaveLength(10);
    // Σ_c ∂L/∂b2[c] = Σ (softmax − onehot) / batch = 0, so a zero b2 moves to values that sum to 0.
    expect(Math.abs(b2.reduce((sum, value) => sum + value, 0))).toBeLessThan(1e-12);
    expect(b2.some((value) => Math.abs(value) > 1e-4)).toBe(true);
  });

  it('every Tessera implementation takes the same first step as the float64 reference (PyTorch too where it is installed)', async () => {
    const result = await runComparison(mlpNnCase(), ONE_RUN);
    for (const implementation of result.implementations) {
      if (implementation.unavailable) continue;
      expect(implementation.error, implementation.id).toBeUndefined();
      expect(implementation.timing.runs, implementation.id).toBe(1);
      if (implementation.id !== result.reference) expect(implementation.check, implementation.id).toEqual({ reference: 'tessera-fused', ok: true });
    }
    expect(result.ratios['tessera-fused']).toBeGreaterThan(0);
  }, 120_000);
});
