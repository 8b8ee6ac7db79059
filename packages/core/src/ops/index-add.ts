/**
 * `indexAdd_` (PyTorch's `index_add_`): add slices of a source into the rows a 1-D index names, in
 * place — how a row-sparse gradient (an `Embedding` with `sparse: true`) updates only the rows it
 * touched, and how word2vec's composite writes its row updates. Repeated indices add up. On a
 * contiguous tensor that starts its storage it is the backend's in-place `scatterAdd` (cost ∝ the
 * source, not the tensor); elsewhere it writes the out-of-place result back with `assign`.
 */
import { isGradEnabled, noGrad } from '../autograd/grad-mode';
import { isFloating } from '../dtype';
import { AutogradError, DTypeError, ShapeError, ValueError } from '../errors';
import { formatShape, normalizeDim, shapesEqual } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { castIfNeeded } from './cast';
import { backendOf, viewOf } from './dispatch';
import { checkIndexTensor } from './index-policy';
import { scatterAdd } from './indexing';
import { tidy } from '../memory/scope';
import { expand } from './view';

/** Options of {@link indexAdd_}. */
export interface IndexAddOptions {
  /** Scale the source by this factor first (PyTorch's `alpha`, default 1). */
  alpha?: number;
}

/**
 * In place: `self[..., index[k], ...] += alpha · source[..., k, ...]` along `dim`, for every k. `index`
 * is 1-D int32 with values in `[0, self.shape[dim])`; `source` has self's shape with `dim` replaced by
 * `index.length`. Not differentiable: call it under `noGrad` on tensors that require grad (as
 * optimizers update parameters). Returns `self`.
 * @example
 * const w = zeros([4, 2]);
 * indexAdd_(w, 0, tensor([3, 0, 3], { dtype: 'int32' }), ones([3, 2])); // rows 0 += 1, 3 += 2
 */
export function indexAdd_(self: Tensor, dim: number, index: Tensor, source: Tensor, options: IndexAddOptions = {}): Tensor {
  const op = 'indexAdd_';
  const backend = backendOf(op, [self, index, source]);
  checkIndexTensor(op, index);
  const axis = normalizeDim(op, dim, self.ndim);
  if (index.ndim !== 1) throw new ShapeError(`${op}: index must be 1-D, got ${formatShape(index.shape)}`);
  const expected = self.shape.map((size, d) => (d === axis ? index.shape[0] : size));
  if (!shapesEqual(source.shape, expected)) {
    throw new ShapeError(`${op}: source must have shape ${formatShape(expected)} (self ${formatShape(self.shape)} with dim ${axis} of the index's length), got ${formatShape(source.shape)}`);
  }
  if (!isFloating(self.dtype) && isFloating(source.dtype)) {
    throw new DTypeError(`${op}: cannot add a ${source.dtype} source into a ${self.dtype} tensor in place`);
  }
  if (isGradEnabled() && (self.requiresGrad || source.requiresGrad)) {
    throw new AutogradError(`${op}: not differentiable; call it inside noGrad(() => …) (tensor of shape ${formatShape(self.shape)} requires grad)`);
  }
  const alpha = options.alpha ?? 1;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new ValueError(`${op}: alpha must be a finite number, got ${String(alpha)}`);
  if (index.size === 0 || self.size === 0) return self;
  noGrad(() =>
    tidy(() => {
      const cast = castIfNeeded(source, self.dtype);
      const scaled = alpha === 1 ? cast : cast.mul(alpha);
      // The index broadcast to the source's shape: index[k] wherever the source's `dim` coordinate is k.
      const spread = expand(index.reshape(expected.map((size, d) => (d === axis ? size : 1))), expected);
      if (self.offset !== 0 || !self.isContiguous()) {
        self.assign(scatterAdd(self, axis, spread, scaled));
        return;
      }
      const strided = backend.capabilities.stridedInputs;
      const indexInput = strided ? spread : spread.clone();
      const sourceInput = strided ? scaled : scaled.clone();
      try {
        backend.scatterAdd({ id: self.storage.id, dtype: self.dtype, shape: self.shape }, axis, viewOf(indexInput), viewOf(sourceInput));
      } catch (error) {
        if (error instanceof RangeError) throw new ValueError(`${op}: an index is out of range for dim ${axis} of size ${self.shape[axis]}: ${error.message}`);
        throw error;
      }
      self.storage.bumpVersion(op);
    }),
  );
  return self;
}
