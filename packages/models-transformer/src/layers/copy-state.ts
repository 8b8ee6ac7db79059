/**
 * Copying a module's state into a freshly built twin: what `clone()` of the transformer layers does
 * (PyTorch's `copy.deepcopy` in `_get_clones`).
 */
import type { Module } from '@tessera/nn';

/**
 * Copy `source`'s parameters and buffers into `target` (built with the same configuration), then
 * its `requiresGrad` flags and the training mode of every submodule. Returns `target`.
 */
export function copyModuleState<M extends Module>(source: Module, target: M): M {
  target.loadStateDict(source.stateDict());
  const targetParameters = new Map(target.namedParameters());
  for (const [name, parameter] of source.namedParameters()) {
    const copy = targetParameters.get(name);
    if (copy) copy.requiresGrad = parameter.requiresGrad;
  }
  const targetModules = new Map(target.namedModules());
  for (const [name, module] of source.namedModules()) {
    const copy = targetModules.get(name);
    if (copy) copy.training = module.training;
  }
  return target;
}
