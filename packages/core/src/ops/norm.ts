/**
 * Vector norms (PyTorch's `Tensor.norm` / `torch.linalg.vector_norm`): p = 'fro' (= 2), 1, 2, ±∞, 0
 * and any other real p, over all elements or the given dims. Gradients use PyTorch's subgradients:
 * 0 where the norm is 0 (p ≥ 1) and at zero elements, and ±∞-norms share the gradient among ties.
 */
import { recordOp } from '../autograd/record';
import { autocastNeedsFloat32, autocastOp } from '../autograd/autocast';
import { ValueError } from '../errors';
import { tidy } from '../memory/scope';
import { normalizeDims } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { requireFloat } from './dispatch';

/** The order of a vector norm: 'fro' is the 2-norm of the flattened elements. */
export type NormOrder = 'fro' | number;

/** Reshape a reduction kept with keepdim back to its non-kept shape when needed (taking ownership of `kept`). */
function dropKept(kept: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim) return kept;
  const dropped = kept.reshape(kept.shape.filter((_, d) => !dims.includes(d)));
  kept.dispose();
  return dropped;
}

/**
 * `(Σ |x|^p)^(1/p)` over `dim` (all elements when omitted); p = ∞ is max |x|, −∞ min |x|, 0 the count
 * of non-zeros. Floating-point inputs only.
 * @example
 * norm(tensor([3, 4]));            // 5
 * norm(tensor([[1, -2]]), 1, 1);   // [3]
 * norm(x, Infinity, [0, 1], true);
 */
export function norm(x: Tensor, p: NormOrder = 'fro', dim?: number | number[], keepdim = false): Tensor {
  if (autocastNeedsFloat32(x)) return autocastOp('norm', 'float32', [x, p, dim, keepdim], norm);
  x.assertLive('norm');
  requireFloat('norm', x, '; cast with .float() first');
  if (p !== 'fro' && (typeof p !== 'number' || Number.isNaN(p))) {
    throw new ValueError(`norm: p must be 'fro', a number, Infinity or -Infinity, got ${String(p)}`);
  }
  const order = p === 'fro' ? 2 : p;
  const dims = normalizeDims('norm', dim, x.ndim);
  if (order === Infinity) return tidy(() => x.abs().amax(dims, keepdim));
  if (order === -Infinity) return tidy(() => x.abs().amin(dims, keepdim));
  if (order === 0) return tidy(() => x.ne(0).cast(x.dtype).sum(dims, keepdim).detach());
  if (order === 1) return tidy(() => x.abs().sum(dims, keepdim));
  const kept = tidy(() => {
    const magnitude = x.detach().abs();
    const powered = order === 2 ? magnitude.mul(magnitude) : magnitude.pow(order);
    const total = powered.sum(dims, true);
    return order === 2 ? total.sqrt() : total.pow(1 / order);
  });
  const recorded = recordOp(
    'norm',
    [x],
    kept,
    (grad, [input], output) =>
      // ∂‖x‖/∂x = sign(x)·|x|^(p−1) / ‖x‖^(p−1), taken as 0 at zero elements and where the norm is 0.
      tidy(() => {
        const local =
          order === 2
            ? input.div(output!)
            : input.sign().mul(input.abs().pow(order - 1)).div(output!.pow(order - 1)).where(input.ne(0), 0);
        return [grad.mul(local.where(output!.ne(0), 0))];
      }),
    { save: [x], saveOutput: true },
  );
  return dropKept(recorded, dims, keepdim);
}
