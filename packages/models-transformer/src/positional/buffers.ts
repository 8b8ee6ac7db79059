/**
 * Reading a module's own registered buffers by name (the tables positional modules keep).
 */
import { ValueError, type Tensor } from '@tessera/core';
import type { Module } from '@tessera/nn';

/** The buffer registered on `module` itself under `name` (the current tensor, after `to()` too). */
export function ownBuffer(module: Module, name: string): Tensor {
  const found = module.namedBuffers('', false).find(([key]) => key === name);
  if (!found) throw new ValueError(`${module.constructor.name}: buffer '${name}' is not registered`);
  return found[1];
}
