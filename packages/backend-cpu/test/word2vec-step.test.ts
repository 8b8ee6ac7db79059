/**
 * The word2vec step on the CPU backend: the WebAssembly kernel on one thread equals the JavaScript loop
 * (core's shared scalar definition) to float32 rounding for skip-gram, CBOW and odd vector lengths (the
 * scalar tail); float64 runs the JavaScript loop; on two threads (Hogwild blocks on the pool) a batch
 * that splits across both threads still trains — the loss of a learnable task falls — and stays finite.
 */
import { describe, expect, it } from 'vitest';
import { registerBackend, tensor, word2vecStep, type Tensor, type Word2VecBatch } from '@tessera/core';
import { createCpuPlugin } from '../src/plugin';

registerBackend(createCpuPlugin({ name: 'w2v-simd-1t', simd: 'auto', threads: 1 }));
registerBackend(createCpuPlugin({ name: 'w2v-js', simd: false, threads: 1 }));
registerBackend(createCpuPlugin({ name: 'w2v-simd-2t', simd: 'auto', threads: 2 }));

function lcg(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % limit;
  };
}

/** Skip-gram-like (one input, 1 + negatives targets) or CBOW-like (several inputs) examples. */
function batchOf(seed: number, examples: number, rows: number, maxInputs: number, negatives: number): Word2VecBatch {
  const next = lcg(seed);
  const inputOffsets = [0], inputIndex: number[] = [], targetOffsets = [0], targetIndex: number[] = [], targetLabel: number[] = [];
  for (let e = 0; e < examples; e++) {
    const inputs = 1 + next(maxInputs);
    for (let k = 0; k < inputs; k++) inputIndex.push(next(rows));
    for (let k = 0; k <= negatives; k++) {
      targetIndex.push(next(rows));
      targetLabel.push(k === 0 ? 1 : 0);
    }
    inputOffsets.push(inputIndex.length);
    targetOffsets.push(targetIndex.length);
  }
  return {
    inputOffsets: Int32Array.from(inputOffsets), inputIndex: Int32Array.from(inputIndex),
    targetOffsets: Int32Array.from(targetOffsets), targetIndex: Int32Array.from(targetIndex), targetLabel: Float32Array.from(targetLabel),
  };
}

function matrix(device: string, rows: number, dim: number, seed: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const next = lcg(seed);
  const values = Float64Array.from({ length: rows * dim }, () => (next(2001) - 1000) / 4000);
  return tensor(dtype === 'float32' ? Float32Array.from(values) : values, { dtype, device }).reshape([rows, dim]);
}

describe('word2vecStep on the CPU backend', () => {
  for (const [name, dim, maxInputs] of [['skip-gram, dim 100', 100, 1], ['CBOW, dim 37 (scalar tail)', 37, 6], ['skip-gram, dim 3', 3, 1]] as const) {
    it(`${name}: the WebAssembly kernel on one thread equals the JavaScript loop`, async () => {
      const batch = batchOf(dim, 500, 60, maxInputs, 5);
      const results: Float32Array[] = [];
      for (const device of ['w2v-simd-1t', 'w2v-js']) {
        const input = matrix(device, 60, dim, 1), output = matrix(device, 60, dim, 2);
        const loss = word2vecStep(input, output, batch, { alpha: 0.05, computeLoss: true, fused: true })!;
        results.push(Float32Array.of(...(await input.data()), ...(await output.data()), ...(await loss.data())));
      }
      const [simd, js] = results;
      let worst = 0;
      for (let i = 0; i < js.length; i++) worst = Math.max(worst, Math.abs(simd[i] - js[i]) / Math.max(1, Math.abs(js[i])));
      expect(worst).toBeLessThan(2e-5);
    });
  }

  it('float64 matrices run the JavaScript loop and match the composite', async () => {
    const batch = batchOf(5, 200, 30, 4, 3);
    const labels = { ...batch, targetLabel: Float64Array.from(batch.targetLabel) };
    const values: number[][] = [];
    for (const fused of [true, false]) {
      const input = matrix('w2v-simd-1t', 30, 9, 3, 'float64'), output = matrix('w2v-simd-1t', 30, 9, 4, 'float64');
      word2vecStep(input, output, labels, { alpha: 0.1, fused });
      values.push([...(await input.data()), ...(await output.data())]);
    }
    for (let i = 0; i < values[0].length; i++) expect(values[0][i]).toBeCloseTo(values[1][i], 10);
  });

  it('two threads (Hogwild blocks) keep training: the loss of a learnable pairing falls and stays finite', async () => {
    // Word i's context is always word (i + 1) mod 40, against random negatives.
    const rows = 40, examples = 4000;
    const next = lcg(17);
    const inputOffsets = Int32Array.from({ length: examples + 1 }, (_, e) => e);
    const inputIndex = Int32Array.from({ length: examples }, () => next(rows));
    const targetOffsets = Int32Array.from({ length: examples + 1 }, (_, e) => 4 * e);
    const targetIndex = new Int32Array(4 * examples);
    const targetLabel = new Float32Array(4 * examples);
    for (let e = 0; e < examples; e++) {
      targetIndex[4 * e] = (inputIndex[e] + 1) % rows;
      targetLabel[4 * e] = 1;
      for (let k = 1; k < 4; k++) targetIndex[4 * e + k] = (inputIndex[e] + 2 + next(rows - 2)) % rows;
    }
    const batch = { inputOffsets, inputIndex, targetOffsets, targetIndex, targetLabel };
    const input = matrix('w2v-simd-2t', rows, 16, 5), output = matrix('w2v-simd-2t', rows, 16, 6).mul(0);
    const losses: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      const loss = word2vecStep(input, output, batch, { alpha: 0.05, threads: 2, computeLoss: true, fused: true })!;
      const values = await loss.data();
      losses.push(Array.from(values as ArrayLike<number>).reduce((a, b) => a + b, 0) / examples);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[3]).toBeLessThan(0.5 * losses[0]);
  });
});
