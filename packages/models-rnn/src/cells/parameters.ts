/**
 * PyTorch's recurrent parameter layout: `weight_ih{suffix}` `[gates·H, in]`, `weight_hh{suffix}`
 * `[gates·H, H]`, `bias_ih{suffix}`, `bias_hh{suffix}` `[gates·H]`, all drawn from U(−1/√H, 1/√H).
 * The suffix is empty for cells and `_l{layer}` / `_l{layer}_reverse` for sequence layers.
 *
 * The tensors live in ordinary properties named exactly as PyTorch's keys, so `stateDict()` matches
 * PyTorch's and `Module.to()` / `loadStateDict` replace them in the one place `forward` reads from.
 */
import { zeros, type Tensor } from '@tessera/core';
import { init, parameter, type FactoryOptions, type Module } from '@tessera/nn';
import type { RecurrentWeights } from './steps';

type ParameterHolder = Module & Record<string, unknown>;

/** Create one direction's weights on `module` (in PyTorch's key order). */
export function createRecurrentWeights(
  module: Module,
  suffix: string,
  sizes: { input: number; hidden: number; gates: number },
  bias: boolean,
  factory: FactoryOptions,
): void {
  const holder = module as ParameterHolder;
  const options = { dtype: factory.dtype ?? 'float32', device: factory.device };
  const rows = sizes.gates * sizes.hidden;
  holder[`weight_ih${suffix}`] = parameter(zeros([rows, sizes.input], options));
  holder[`weight_hh${suffix}`] = parameter(zeros([rows, sizes.hidden], options));
  if (bias) {
    holder[`bias_ih${suffix}`] = parameter(zeros([rows], options));
    holder[`bias_hh${suffix}`] = parameter(zeros([rows], options));
  }
}

/** Read one direction's weights back from `module` (always the currently registered tensors). */
export function readRecurrentWeights(module: Module, suffix: string): RecurrentWeights {
  const holder = module as ParameterHolder;
  return {
    weightIh: holder[`weight_ih${suffix}`] as Tensor,
    weightHh: holder[`weight_hh${suffix}`] as Tensor,
    biasIh: (holder[`bias_ih${suffix}`] as Tensor | undefined) ?? null,
    biasHh: (holder[`bias_hh${suffix}`] as Tensor | undefined) ?? null,
  };
}

/** PyTorch's `reset_parameters` for RNN layers and cells: every parameter from U(−1/√H, 1/√H). */
export function resetRecurrentParameters(module: Module, hiddenSize: number): void {
  const bound = hiddenSize > 0 ? 1 / Math.sqrt(hiddenSize) : 0;
  for (const weight of module.parameters(false)) init.uniform(weight, -bound, bound);
}
