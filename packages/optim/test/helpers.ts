/**
 * Shared helpers of the optim tests: closeness checks and a small training loop on f(w) = Σ (w − c)².
 */
import { expect } from 'vitest';
import { tensor, tidy, type DType, type Tensor } from '@tessera/core';
import type { Optimizer } from '../src/index';

/** Expect every number to agree with the expected one within `tolerance` relative to max(1, |expected|). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    expect(error, `${label}[${i}]: got ${actual[i]}, expected ${expected[i]}`).toBeLessThanOrEqual(tolerance);
  }
}

/** Expect two trajectories (one row of parameters per step) to agree within `tolerance`. */
export function expectTrajectory(actual: number[][], expected: number[][], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, step) => expectClose(row, expected[step], tolerance, `step ${step + 1}`));
}

/** Compute Σ (w − c)² and backpropagate it into w.grad, freeing the graph's tensors. */
export function backwardQuadratic(w: Tensor, c: Tensor): void {
  tidy(() => w.sub(c).square().sum().backward());
}

/**
 * Minimise Σ (w − c)² with `makeOptimizer([w])` for `steps` steps and return w after each step.
 * Frees everything it made.
 */
export async function tesseraTrajectory(
  makeOptimizer: (params: Tensor[]) => Optimizer | { step(): void; zeroGrad(): void; dispose(): void },
  w0: number[],
  c: number[],
  steps: number,
  dtype: DType = 'float32',
): Promise<number[][]> {
  const w = tensor(w0, { dtype, requiresGrad: true });
  const target = tensor(c, { dtype });
  const optimizer = makeOptimizer([w]);
  const trajectory: number[][] = [];
  for (let t = 0; t < steps; t++) {
    optimizer.zeroGrad();
    backwardQuadratic(w, target);
    optimizer.step();
    trajectory.push(Array.from(await w.data()));
  }
  optimizer.dispose();
  w.dispose();
  target.dispose();
  return trajectory;
}
