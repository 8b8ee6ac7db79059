/**
 * Gradient clipping: rescale all gradients together so their joint norm is at most `maxNorm`
 * (`clipGradNorm`), or clamp every gradient element into [−clipValue, clipValue] (`clipGradValue`).
 * Call either between `loss.backward()` and `optimizer.step()`.
 */
import { ValueError, isTensor, noGrad, tensor, tidy, type Tensor } from '@tessera/core';
import { checkNumber, describe } from './checks';

function collectGrads(owner: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  let list: unknown[];
  if (isTensor(params)) list = [params];
  else if (params !== null && typeof params === 'object' && Symbol.iterator in params) list = Array.from(params as Iterable<unknown>);
  else throw new ValueError(`${owner}: expected a tensor or a list of tensors, got ${describe(params)}`);
  const grads: Tensor[] = [];
  list.forEach((param, index) => {
    if (!isTensor(param)) throw new ValueError(`${owner}: parameter ${index} is ${describe(param)}, not a Tensor`);
    if (param.grad !== null) grads.push(param.grad);
  });
  return grads;
}

/**
 * Scale the gradients of `params` in place so that their total norm — the `normType`-norm of all gradient
 * elements taken together, as if concatenated — is at most `maxNorm`, as PyTorch's `clip_grad_norm_`:
 * every gradient is multiplied by `min(1, maxNorm / (total + 1e-6))`. Parameters without a gradient are
 * ignored.
 *
 * Returns the total norm **before** clipping as a 0-d tensor, like PyTorch (reading it needs an
 * `await norm.item()`; dispose it when done). It is 0 when no parameter has a gradient. A non-finite norm
 * makes every gradient NaN, as in PyTorch by default.
 *
 * @param normType 2 (default), any p > 0, or `Infinity` (the largest absolute element)
 * @example
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);
 * optimizer.step();
 * console.log(await norm.item()); norm.dispose();
 */
export function clipGradNorm(params: Iterable<Tensor> | Tensor, maxNorm: number, normType = 2): Tensor {
  const owner = 'clipGradNorm';
  checkNumber(owner, 'maxNorm', maxNorm, { min: 0 });
  checkNumber(owner, 'normType', normType, { min: 0, minExclusive: true, max: Infinity });
  const grads = collectGrads(owner, params).filter((grad) => grad.size > 0);
  if (grads.length === 0) return tensor(0);
  return tidy(() =>
    noGrad(() => {
      let total: Tensor;
      if (normType === Infinity) {
        total = grads.map((grad) => grad.abs().max()).reduce((a, b) => a.maximum(b));
      } else {
        const powered = grads.map((grad) => (normType === 2 ? grad.mul(grad).sum() : grad.abs().pow(normType).sum()));
        const sum = powered.reduce((a, b) => a.add(b));
        total = normType === 2 ? sum.sqrt() : sum.pow(1 / normType);
      }
      const coefficient = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
      for (const grad of grads) grad.assign(grad.mul(coefficient));
      return total;
    }),
  );
}

/**
 * Clamp every gradient element of `params` into [−clipValue, clipValue] in place, as PyTorch's
 * `clip_grad_value_`. Parameters without a gradient are ignored.
 * @example
 * loss.backward();
 * clipGradValue(model.parameters(), 0.5);
 * optimizer.step();
 */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  const owner = 'clipGradValue';
  checkNumber(owner, 'clipValue', clipValue, { min: 0 });
  for (const grad of collectGrads(owner, params)) {
    tidy(() => noGrad(() => grad.assign(grad.clamp(-clipValue, clipValue))));
  }
}
