/**
 * `linalg`: PyTorch's `torch.linalg` as composites of core ops (no kernels, so every backend —
 * third-party ones included — runs them), batched over leading dims, in float32 and float64, with
 * gradients where PyTorch has them.
 * @example
 * import { linalg, tensor } from '@tessera/core';
 * const { eigenvalues } = linalg.eigh(tensor([[2, 1], [1, 2]])); // [1, 3]
 */
import { eigh, eigvalsh } from './eigh';

export type { EighOptions, EighResult } from './eigh';

/** The `linalg` namespace (PyTorch's `torch.linalg`). @example linalg.eigvalsh(h) */
export const linalg = Object.freeze({
  eigh,
  eigvalsh,
});
