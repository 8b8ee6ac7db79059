/**
 * In-place writes into an existing tensor's storage (parameter updates, buffers).
 */
import { isGradEnabled } from '../autograd/grad-mode';
import { AutogradError, ShapeError } from '../errors';
import { broadcastShapes, formatShape } from '../shape';
import { Tensor, type TensorOrScalar } from '../tensor/tensor';
import { castIfNeeded, disposeIfTemp } from './cast';
import { backendOf, broadcastView, scalarOn, viewOf } from './dispatch';
import { clone } from './view';
import { checkFitsDType } from './dtype-range';
import { noGrad } from '../autograd/grad-mode';

/**
 * Copy `value` (broadcast, converted to the target's dtype) into `target`'s elements in place.
 * Every view of the same storage sees the change. Refused while autograd records a tensor that needs grad.
 * @example
 * noGrad(() => assignInto(weight, weight.sub(weight.grad!.mul(0.1))));
 */
export function assignInto(target: Tensor, value: TensorOrScalar): void {
  const backend = backendOf('assign', value instanceof Tensor ? [target, value] : [target]);
  if (isGradEnabled() && target.requiresGrad) {
    throw new AutogradError(
      `assign: in-place update of a tensor that requires grad (shape ${formatShape(target.shape)}); ` +
        'do parameter updates inside noGrad(() => …)',
    );
  }
  if (!(value instanceof Tensor)) checkFitsDType('assign', value, target.dtype);
  noGrad(() => {
    let source = value instanceof Tensor ? castIfNeeded(value, target.dtype) : scalarOn('assign', backend, value, target.dtype);
    const shape = broadcastShapes('assign', target.shape, source.shape);
    if (shape.length !== target.ndim || shape.some((size, d) => size !== target.shape[d])) {
      disposeIfTemp(source, value);
      throw new ShapeError(`assign: a value of shape ${formatShape(source.shape)} does not broadcast to the target ${formatShape(target.shape)}`);
    }
    if (value instanceof Tensor && source.storage === target.storage) {
      // Overlapping source and destination: copy first so no element is read after it was written.
      const copy = clone(source);
      disposeIfTemp(source, value);
      source = copy;
    }
    if (target.size > 0) backend.assign(viewOf(target), broadcastView(source, target.shape));
    target.storage.bumpVersion('assign');
    disposeIfTemp(source, value);
  });
}
