/**
 * Moving a tensor to another backend in place (what `Module.to` and `Optimizer.to` build on).
 * `tensor.to(device)` makes a copy; this moves the storage itself, so the handle — and every view
 * sharing its storage — keeps its identity: an optimizer's parameter list, a model's weights and any
 * other reference to them stay valid, as with PyTorch's `module.to()`.
 */
import { ensureBackend } from '../backend/registry';
import { AutogradError } from '../errors';
import { requireBackendDType } from '../ops/dispatch';
import { formatShape } from '../shape';
import type { Tensor } from './tensor';

/**
 * Move `tensor`'s data to `device` in place and return the same tensor. Views that share its storage
 * move with it. Only tensors not computed by a recorded op (leaves, gradients, state) can move: a
 * graph node's saved tensors would otherwise change backend under it.
 * @example
 * const w = zeros([2, 2]);
 * await moveInPlace(w, 'webgpu'); // w.device === 'webgpu', same object
 */
export async function moveInPlace(tensor: Tensor, device: string): Promise<Tensor> {
  tensor.assertLive('moveInPlace');
  if (tensor.gradFn) {
    throw new AutogradError(
      `moveInPlace: tensor #${tensor.id} of shape ${formatShape(tensor.shape)} was computed by an op; move the leaf tensors it came from, or copy it with to('${device}')`,
    );
  }
  const backend = await ensureBackend(device);
  requireBackendDType('moveInPlace', backend, tensor.dtype);
  await tensor.storage.moveTo(backend);
  return tensor;
}
