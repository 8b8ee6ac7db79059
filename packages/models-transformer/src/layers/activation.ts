/**
 * The feed-forward activation of the transformer layers: PyTorch's `activation` argument.
 */
import { ValueError, type Tensor } from '@tessera/core';
import { F } from '@tessera/nn';

/** `'relu'` (default), `'gelu'` (exact, with erf) or any function of a tensor. */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);

/** The activation as a function, or a ValueError naming the layer. */
export function resolveActivation(where: string, activation: TransformerActivation | undefined): (x: Tensor) => Tensor {
  if (activation === undefined || activation === 'relu') return (x) => F.relu(x);
  if (activation === 'gelu') return (x) => F.gelu(x);
  if (typeof activation === 'function') return activation;
  throw new ValueError(`${where}: activation must be 'relu', 'gelu' or a function of a tensor, got ${JSON.stringify(activation)}`);
}
