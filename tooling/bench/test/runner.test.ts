import { describe, expect, it } from 'vitest';
import type { TimingOptions } from '../src/harness';
import { runCase } from '../src/runner';
import type { Handle } from '../src/side';
import { addCase } from '../src/suites/add';
import { matmulCases } from '../src/suites/matmul';
import { mlpCase } from '../src/suites/mlp';
import { softmaxCase } from '../src/suites/softmax';
import { ReferenceSide } from './reference-side';

const TINY: TimingOptions = { warmupRuns: 1, rounds: 2, minRuns: 1, maxRuns: 1, targetMs: 0, collectGarbage: false };

describe('runCase', () => {
  it('times every side, checks outputs against the reference side and computes ratios', async () => {
    const tessera = new ReferenceSide('tessera-cpu');
    const tfjs = new ReferenceSide('tfjs-cpu');
    const result = await runCase(matmulCases([16])[0], [tessera, tfjs], TINY);
    expect(result).toMatchObject({ id: 'matmul-16', unit: 'GFLOP/s', higherIsBetter: true });
    const side = result.sides['tessera-cpu']!;
    expect(side.error).toBeUndefined();
    expect(side.timing.runs).toBe(2);
    expect(side.check).toEqual({ reference: 'tfjs-cpu', maxRelativeDifference: 0, ok: true });
    expect(side.leakedTensors).toBe(0);
    expect(result.ratios.tfjsCpu).toBeGreaterThan(0);
    expect(result.ratios.tfjsWasm).toBeUndefined();
  });

  it('flags a side whose output is wrong', async () => {
    const broken = new ReferenceSide('tessera-cpu');
    const original = broken.add.bind(broken);
    broken.add = (a: Handle, b: Handle) => {
      const sum = original(a, b);
      void broken.read(sum).then((values) => (values[0] += 1));
      return sum;
    };
    const result = await runCase(addCase(64), [broken, new ReferenceSide('tfjs-wasm')], TINY);
    const check = result.sides['tessera-cpu']!.check!;
    expect('ok' in check && check.ok).toBe(false);
  });

  it('reports a side that throws without stopping the others, and counts leaks', async () => {
    const failing = new ReferenceSide('tessera-cpu');
    failing.softmax = () => {
      throw new Error('softmax: kernel not registered');
    };
    const leaky = new ReferenceSide('tfjs-cpu');
    leaky.dispose = () => undefined;
    const result = await runCase(softmaxCase(4, 8), [failing, leaky], TINY);
    expect(result.sides['tessera-cpu']!.error).toBe('output: softmax: kernel not registered');
    expect(result.sides['tfjs-cpu']!.error).toBeUndefined();
    expect(result.sides['tfjs-cpu']!.leakedTensors).toBeGreaterThan(0);
    expect(result.ratios.tfjsCpu).toBeUndefined();
  });

  it('runs the MLP case, whose first-step check sees the initial weights on every side', async () => {
    const result = await runCase(mlpCase(), [new ReferenceSide('tessera-cpu'), new ReferenceSide('tfjs-cpu')], {
      ...TINY,
      rounds: 1,
      warmupRuns: 0,
    });
    expect(result.sides['tessera-cpu']!.check).toEqual({ reference: 'tfjs-cpu', maxRelativeDifference: 0, ok: true });
  });
});
