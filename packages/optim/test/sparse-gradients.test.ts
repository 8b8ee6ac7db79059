/**
 * Row-sparse gradients (core's gatherRows with sparseGrad, what nn's Embedding({ sparse: true }) uses):
 * SparseAdam and SGD follow PyTorch 1.13's SparseAdam / SGD on an Embedding(sparse=True) step for step
 * (float64 fixture: repeated rows in a batch, rows never touched), untouched rows keep their values and
 * moments, zeroGrad clears the sparse gradient, and optimizers or options that cannot take one say so.
 */
import '@tessera/backend-cpu';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gatherRows, rowSparseGrad, tensor, type Tensor } from '@tessera/core';
import { Adam, SGD, SparseAdam, type Optimizer } from '../src/index';

interface Fixture {
  w0: number[][];
  batches: number[][];
  weights: number[][][];
  runs: Record<string, number[][][]>;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/sparse-embedding.json', import.meta.url), 'utf8')) as Fixture;

function table(): Tensor {
  const w = tensor(fixture.w0, { dtype: 'float64' });
  w.requiresGrad = true;
  return w;
}

async function trajectory(make: (params: Tensor[]) => Optimizer): Promise<number[][][]> {
  const weight = table();
  const optimizer = make([weight]);
  const result: number[][][] = [];
  for (let step = 0; step < fixture.batches.length; step++) {
    optimizer.zeroGrad();
    const ids = tensor(fixture.batches[step], { dtype: 'int32' });
    gatherRows(weight, ids, { sparseGrad: true }).mul(tensor(fixture.weights[step], { dtype: 'float64' })).sum().backward();
    expect(weight.grad).toBeNull();
    optimizer.step();
    result.push((await weight.array()) as number[][]);
  }
  return result;
}

function expectCloseTrajectory(actual: number[][][], expected: number[][][]): void {
  actual.flat(2).forEach((value, i) => expect(value).toBeCloseTo(expected.flat(2)[i], 12));
}

describe('row-sparse gradients', () => {
  it('SparseAdam matches PyTorch 1.13 (defaults)', async () => {
    expectCloseTrajectory(await trajectory((p) => new SparseAdam(p, { lr: 0.1 })), fixture.runs['SparseAdam/defaults']);
  });

  it('SparseAdam matches PyTorch 1.13 (betas, eps, maximize)', async () => {
    const run = await trajectory((p) => new SparseAdam(p, { lr: 0.05, betas: [0.8, 0.9], eps: 1e-3, maximize: true }));
    expectCloseTrajectory(run, fixture.runs['SparseAdam/betas+eps+maximize']);
  });

  it('SGD applies a sparse gradient to the touched rows only, as PyTorch', async () => {
    const run = await trajectory((p) => new SGD(p, { lr: 0.2 }));
    expectCloseTrajectory(run, fixture.runs['SGD/sparse']);
    // Row 4 is never looked up: it never moved.
    expect(run[3][4]).toEqual(fixture.w0[4]);
  });

  it('zeroGrad clears the sparse gradient', () => {
    const weight = table();
    const optimizer = new SGD([weight], { lr: 0.1 });
    gatherRows(weight, tensor([1], { dtype: 'int32' }), { sparseGrad: true }).sum().backward();
    expect(rowSparseGrad(weight)).not.toBeNull();
    optimizer.zeroGrad();
    expect(rowSparseGrad(weight)).toBeNull();
  });

  it('refuses what it cannot do, naming the optimizer and the fix', () => {
    const weight = table();
    gatherRows(weight, tensor([1], { dtype: 'int32' }), { sparseGrad: true }).sum().backward();
    expect(() => new Adam([weight]).step()).toThrow(/Adam: .*row-sparse gradient.*use SGD or SparseAdam/);
    expect(() => new SGD([weight], { lr: 0.1, momentum: 0.9 }).step()).toThrow(/neither momentum/);
    const dense = table();
    dense.sum().backward();
    expect(() => new SparseAdam([dense]).step()).toThrow(/dense gradient/);
  });
});
