/**
 * Running modules in order with Linear + activation fusion: a Linear (with a bias) directly followed
 * by a plain ReLU, Sigmoid or Tanh runs as one `fusedMatmul`, so on a backend with the
 * `matmulBiasActivation` kernel the bias and activation are applied as the product is stored — one
 * op and one autograd node instead of three. Same values and gradients as the layers one by one.
 * Subclasses of those activations, and modules with hooks, run as themselves (their hooks must run).
 */
import { fusedMatmul, type FusedActivation, type Tensor } from '@tessera/core';
import type { Module } from '../module';
import { hasOwnForward } from '../hooks';
import { Linear } from './linear';
import { ReLU, Sigmoid, Tanh } from '../activations';

/** The fused activation a module is exactly (not a subclass, no hooks), or null. */
function fusableActivation(module: Module | undefined): FusedActivation | null {
  if (!module || hasOwnForward(module)) return null;
  if (module.constructor === ReLU) return 'relu';
  if (module.constructor === Sigmoid) return 'sigmoid';
  if (module.constructor === Tanh) return 'tanh';
  return null;
}

/**
 * `modules[i].forward` in order, with Linear + activation pairs fused (see the file comment).
 * @example
 * forwardFused([new Linear(4, 8), new ReLU(), new Linear(8, 2)], x); // two ops: fused, then linear
 */
export function forwardFused(modules: readonly Module[], input: Tensor): Tensor {
  let x = input;
  for (let i = 0; i < modules.length; i++) {
    const layer = modules[i];
    const activation = fusableActivation(modules[i + 1]);
    if (layer instanceof Linear && layer.bias && activation && x.ndim >= 2 && !hasOwnForward(layer)) {
      x = fusedMatmul(x, layer.weight.transpose(0, 1), { bias: layer.bias, activation });
      i++;
    } else {
      x = layer.forward(x);
    }
  }
  return x;
}
