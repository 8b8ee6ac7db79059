/** Every benchmark case, in report order. */
import { addCase } from './add';
import { matmulCases } from './matmul';
import { mlpCase } from './mlp';
import { softmaxCase } from './softmax';
import type { BenchmarkCase } from './suite';
import { conv2dCase } from './conv2d';
import { sumCase } from './sum';
import { tokenizerCases } from './tokenizers';

/**
 * All cases (inputs are generated lazily by each factory, so only selected suites allocate).
 * @example allCases().map((c) => c.id) // ['matmul-256', ..., 'mlp-train-step']
 */
export function allCases(): BenchmarkCase[] {
  return [...matmulCases(), addCase(), softmaxCase(), mlpCase(), ...tokenizerCases(), sumCase(), conv2dCase()];
}
