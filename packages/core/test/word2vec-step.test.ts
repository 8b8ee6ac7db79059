/**
 * word2vecStep and indexAdd_: one example matches the update written out by hand; the reference
 * backend's kernel (examples in order) and core's composite on the kernel-less 'plain' backend (waves
 * of examples on disjoint rows) give the same matrices and losses for skip-gram, CBOW (mean and sum)
 * and hierarchical-softmax batches with repeated rows; waves never put two examples on one row and
 * keep every shared row's order; bad batches are refused by name; indexAdd_ adds repeated rows in place.
 */
import { describe, expect, it } from 'vitest';
import {
  AutogradError, BackendError, ShapeError, ValueError, indexAdd_, registerBackend, setBackend, tensor, word2vecStep, zeros,
  type Tensor, type Word2VecBatch,
} from '../src/index';
import { word2vecWaves } from '../src/ops/word2vec-step';
import { referencePlugin, seededValues } from '../src/testing';
import { expectAllClose } from './helpers';
import { registerPlainBackend } from './plain-backend';

registerBackend(referencePlugin);
await setBackend('reference');
await registerPlainBackend();

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** A deterministic pseudo-random integer stream (LCG) for building batches. */
function integers(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % limit;
  };
}

/** E examples with 1–maxInputs input rows and 1–maxTargets targets (first label 1, others 0 or random codes). */
function randomBatch(seed: number, examples: number, rows: number, maxInputs: number, maxTargets: number): Word2VecBatch {
  const next = integers(seed);
  const inputOffsets = [0], inputIndex: number[] = [], targetOffsets = [0], targetIndex: number[] = [], targetLabel: number[] = [];
  for (let e = 0; e < examples; e++) {
    const inputs = 1 + next(maxInputs);
    for (let k = 0; k < inputs; k++) inputIndex.push(next(rows));
    const targets = 1 + next(maxTargets);
    for (let k = 0; k < targets; k++) {
      targetIndex.push(next(rows));
      targetLabel.push(k === 0 ? 1 : next(2) * (maxInputs === 1 ? 0 : 1));
    }
    inputOffsets.push(inputIndex.length);
    targetOffsets.push(targetIndex.length);
  }
  return {
    inputOffsets: Int32Array.from(inputOffsets), inputIndex: Int32Array.from(inputIndex),
    targetOffsets: Int32Array.from(targetOffsets), targetIndex: Int32Array.from(targetIndex), targetLabel: Float64Array.from(targetLabel),
  };
}

function matrix(device: string, rows: number, dim: number, seed: number): Tensor {
  return tensor(Float64Array.from(seededValues(rows * dim, seed), (v) => v * 0.5), { dtype: 'float64', device }).reshape([rows, dim]);
}

describe('word2vecStep', () => {
  it('updates one skip-gram example as the formulas written out by hand', async () => {
    const input = tensor([[0.1, -0.2], [0.3, 0.4]], { dtype: 'float64' });
    const output = tensor([[0.5, 0.1], [-0.3, 0.2], [0.05, -0.4]], { dtype: 'float64' });
    const batch: Word2VecBatch = {
      inputOffsets: Int32Array.of(0, 1), inputIndex: Int32Array.of(1),
      targetOffsets: Int32Array.of(0, 2), targetIndex: Int32Array.of(2, 0), targetLabel: Float64Array.of(1, 0),
    };
    const alpha = 0.5;
    const h = [0.3, 0.4];
    const o = [[0.05, -0.4], [0.5, 0.1]];
    const error = [0, 0];
    const expectedOut = o.map((row) => [...row]);
    let expectedLoss = 0;
    [1, 0].forEach((label, k) => {
      const x = h[0] * o[k][0] + h[1] * o[k][1];
      const g = alpha * (label - sigmoid(x));
      expectedLoss += Math.log(1 + Math.exp(x)) - label * x;
      for (let d = 0; d < 2; d++) {
        error[d] += g * o[k][d];
        expectedOut[k][d] += g * h[d];
      }
    });
    for (const fused of [true, false]) {
      const inputs = input.clone(), outputs = output.clone();
      const loss = word2vecStep(inputs, outputs, batch, { alpha, computeLoss: true, fused })!;
      expectAllClose(await inputs.data(), [0.1, -0.2, h[0] + error[0], h[1] + error[1]], 1e-12);
      expectAllClose(await outputs.data(), [...expectedOut[1], -0.3, 0.2, ...expectedOut[0]], 1e-12);
      expectAllClose(await loss.data(), [expectedLoss], 1e-12);
    }
  });

  const cases = [
    { name: 'skip-gram with negatives', maxInputs: 1, maxTargets: 6, mean: true },
    { name: 'CBOW (mean) with Huffman-style labels', maxInputs: 6, maxTargets: 5, mean: true },
    { name: 'CBOW (sum)', maxInputs: 4, maxTargets: 3, mean: false },
  ];
  for (const { name, maxInputs, maxTargets, mean } of cases) {
    it(`${name}: the composite on a kernel-less backend equals the in-order kernel, repeated rows included`, async () => {
      const rows = 9, dim = 5, examples = 40;
      const batch = randomBatch(7 + maxInputs, examples, rows, maxInputs, maxTargets);
      const results: number[][][] = [];
      for (const device of ['reference', 'plain']) {
        const input = matrix(device, rows, dim, 1), output = matrix(device, rows, dim, 2);
        const loss = word2vecStep(input, output, batch, { alpha: 0.3, meanInputs: mean, computeLoss: true })!;
        results.push([Array.from(await input.data()), Array.from(await output.data()), Array.from(await loss.data())]);
      }
      for (let k = 0; k < 3; k++) expectAllClose(results[1][k], results[0][k], 1e-12);
      // The matrices moved (a batch that changed nothing would pass the comparison too).
      const before = Array.from(await matrix('reference', rows, dim, 1).data());
      expect(results[0][0].some((v, i) => Math.abs(v - before[i]) > 1e-3)).toBe(true);
    });
  }

  it('float32 matrices: kernel and composite agree to float32 rounding', async () => {
    const batch = randomBatch(3, 30, 6, 3, 4);
    const labels = { ...batch, targetLabel: Float32Array.from(batch.targetLabel) };
    const values: number[][] = [];
    for (const device of ['reference', 'plain']) {
      const input = matrix(device, 6, 8, 3).float(), output = matrix(device, 6, 8, 4).float();
      word2vecStep(input, output, labels, { alpha: 0.1 });
      values.push([...(await input.data()), ...(await output.data())]);
    }
    expectAllClose(values[1], values[0], 1e-5);
  });

  it('waves hold no two examples on one row and keep the order of examples that share a row', () => {
    const batch = randomBatch(11, 200, 30, 3, 6);
    const waves = word2vecWaves(batch, 200);
    const waveOf = new Map<number, number>();
    waves.forEach((wave, w) => wave.forEach((e) => waveOf.set(e, w)));
    expect(waveOf.size).toBe(200);
    const rowsOf = (e: number) => ({
      inputs: new Set(batch.inputIndex.subarray(batch.inputOffsets[e], batch.inputOffsets[e + 1])),
      targets: new Set(batch.targetIndex.subarray(batch.targetOffsets[e], batch.targetOffsets[e + 1])),
    });
    for (let a = 0; a < 200; a++) {
      for (let b = a + 1; b < 200; b++) {
        const ra = rowsOf(a), rb = rowsOf(b);
        const share = [...ra.inputs].some((r) => rb.inputs.has(r)) || [...ra.targets].some((r) => rb.targets.has(r));
        if (share) expect(waveOf.get(a)!).toBeLessThan(waveOf.get(b)!);
      }
    }
    // Far fewer waves than examples: the composite batches.
    expect(waves.length).toBeLessThan(120);
  });

  it('refuses malformed batches and matrices, naming the op and the problem', () => {
    const input = zeros([4, 3], { dtype: 'float64' }), output = zeros([5, 3], { dtype: 'float64' });
    const good = randomBatch(1, 3, 4, 1, 3);
    expect(() => word2vecStep(input, output, { ...good, inputIndex: Int32Array.of(0, 1, 4) }, { alpha: 0.1 })).toThrow(/inputIndex\[2\] = 4 is out of range/);
    expect(() => word2vecStep(input, output, { ...good, targetOffsets: Int32Array.of(0, 2, 1, good.targetIndex.length) }, { alpha: 0.1 })).toThrow(ValueError);
    expect(() => word2vecStep(input, output, { ...good, targetLabel: new Float64Array(1) }, { alpha: 0.1 })).toThrow(ShapeError);
    expect(() => word2vecStep(input, zeros([5, 2], { dtype: 'float64' }), good, { alpha: 0.1 })).toThrow(/same vector length/);
    expect(() => word2vecStep(input, input.narrow(0, 1, 2), good, { alpha: 0.1 })).toThrow(/share memory/);
    expect(() => word2vecStep(input, output, good, { alpha: Number.NaN })).toThrow(/alpha/);
    const plainInput = zeros([4, 3], { dtype: 'float64', device: 'plain' }), plainOutput = zeros([5, 3], { dtype: 'float64', device: 'plain' });
    expect(() => word2vecStep(plainInput, plainOutput, good, { alpha: 0.1, fused: true })).toThrow(BackendError);
  });
});

describe('indexAdd_', () => {
  it('adds source rows into the named rows in place, repeats adding up, with alpha', async () => {
    for (const device of ['reference', 'plain']) {
      const w = zeros([4, 2], { device });
      const storageBefore = w;
      indexAdd_(w, 0, tensor([3, 0, 3], { dtype: 'int32', device }), tensor([[1, 2], [3, 4], [5, 6]], { device }), { alpha: 2 });
      expect(w).toBe(storageBefore);
      expect(Array.from(await w.data())).toEqual([6, 8, 0, 0, 0, 0, 12, 16]);
    }
  });

  it('works along dim 1 and on a strided view (through assign)', async () => {
    const w = zeros([2, 3]);
    indexAdd_(w, 1, tensor([2, 2], { dtype: 'int32' }), tensor([[1, 2], [3, 4]]));
    expect(Array.from(await w.data())).toEqual([0, 0, 3, 0, 0, 7]);
    const base = zeros([3, 4]);
    const view = base.transpose(0, 1);
    indexAdd_(view, 0, tensor([1], { dtype: 'int32' }), tensor([[1, 2, 3]]));
    expect(Array.from(await base.data())).toEqual([0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0]);
  });

  it('refuses a wrong source shape, an out-of-range row and a tensor that requires grad while recording', () => {
    const w = zeros([3, 2]);
    expect(() => indexAdd_(w, 0, tensor([0], { dtype: 'int32' }), zeros([2, 2]))).toThrow(/source must have shape \[1, 2\]/);
    expect(() => indexAdd_(w, 0, tensor([5], { dtype: 'int32' }), zeros([1, 2]))).toThrow(ValueError);
    const leaf = zeros([3, 2]);
    leaf.requiresGrad = true;
    expect(() => indexAdd_(leaf, 0, tensor([0], { dtype: 'int32' }), zeros([1, 2]))).toThrow(AutogradError);
  });
});
