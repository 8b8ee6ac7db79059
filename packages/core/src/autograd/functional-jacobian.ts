/**
 * Full Jacobians and Hessians (PyTorch's `torch.autograd.functional.jacobian` and `hessian`), built row
 * by row from vector-Jacobian products (reverse mode) or column by column from exact Jacobian-vector
 * products (forward mode), so every backend runs them and their entries are exact.
 */
import { AutogradError } from '../errors';
import { eye, zeros } from '../ops/creation';
import { stack } from '../ops/join';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import {
  asList,
  differentiableInputs,
  evaluate,
  forwardProduct,
  gradientFunction,
  restructure,
  vectorJacobian,
  withGradients,
  type FunctionalOptions,
  type TensorFunction,
  type Tensors,
} from './functional-structure';

/** How a Jacobian is assembled: one reverse pass per output element, or one forward product per input element. */
export type JacobianStrategy = 'reverse-mode' | 'forward-mode';

/** Options of {@link jacobian}. */
export interface JacobianOptions extends FunctionalOptions {
  /** 'reverse-mode' (default; cheaper for fewer outputs than inputs) or 'forward-mode' (fewer inputs). */
  strategy?: JacobianStrategy;
}

/** Options of {@link hessian}. */
export interface HessianOptions extends FunctionalOptions {
  /** Strategy of the outer Jacobian (of the gradient); default 'reverse-mode'. */
  outerJacobianStrategy?: JacobianStrategy;
}

/**
 * The Jacobian's structure, as PyTorch's: one tensor for one input and one output, an array over
 * inputs (one output) or over outputs (one input), else `jac[output][input]`. Each block has shape
 * `[...output.shape, ...input.shape]`.
 */
export type Jacobian<I extends Tensors, O extends Tensors> = O extends Tensor ? (I extends Tensor ? Tensor : Tensor[]) : I extends Tensor ? Tensor[] : Tensor[][];

/** The Hessian's structure: one tensor `[...x.shape, ...x.shape]` for one input, else `hess[i][j]`. */
export type Hessian<I extends Tensors> = I extends Tensor ? Tensor : Tensor[][];

/** Unit vectors of `like`'s shape, one per element (the rows of an identity). */
function unitVectors(like: Tensor): Tensor[] {
  if (like.size === 0) return [];
  const identity = eye(like.size, like.size, { dtype: like.dtype, device: like.device });
  return Array.from({ length: like.size }, (_, e) => identity.select(0, e).reshape(like.shape));
}

/**
 * One Jacobian block `[...outputShape, ...inputShape]` from per-element pieces: rows (reverse mode, one
 * per output element, each of the input's shape) or columns (forward mode, one per input element).
 */
function assemble(pieces: readonly Tensor[], outputShape: readonly number[], inputShape: readonly number[], like: Tensor, kind: 'rows' | 'columns'): Tensor {
  const shape = [...outputShape, ...inputShape];
  if (pieces.length === 0) return zeros(shape, { dtype: like.dtype, device: like.device });
  return stack(pieces, kind === 'rows' ? 0 : outputShape.length).reshape(shape);
}

/** `blocks[k][i]` = ∂outputs[k]/∂inputs[i], one reverse pass per output element. */
function reverseModeBlocks(outputs: readonly Tensor[], inputs: readonly Tensor[], options: FunctionalOptions): Tensor[][] {
  return outputs.map((output, k) => {
    if (!output.requiresGrad && options.strict) {
      throw new AutogradError(`jacobian: output ${k} (shape ${formatShape(output.shape)}) does not depend on the inputs; strict mode forbids that`);
    }
    const rows = unitVectors(output).map((unit) => vectorJacobian('jacobian', [output], inputs, [unit], options));
    return inputs.map((input, i) => assemble(rows.map((row) => row[i]), output.shape, input.shape, input, 'rows'));
  });
}

/** `blocks[k][i]` = ∂outputs[k]/∂inputs[i], one exact Jacobian-vector product per input element. */
function forwardModeBlocks(outputs: readonly Tensor[], inputs: readonly Tensor[], options: FunctionalOptions): Tensor[][] {
  const product = forwardProduct('jacobian', outputs, inputs, options);
  const columnsPerInput = inputs.map((input, i) =>
    unitVectors(input).map((unit) => product(inputs.map((other, j) => (j === i ? unit : zeros(other.shape, { dtype: other.dtype, device: other.device }))))),
  );
  return outputs.map((output, k) =>
    inputs.map((input, i) => assemble(columnsPerInput[i].map((columns) => columns[k]), output.shape, input.shape, output, 'columns')),
  );
}

/**
 * The Jacobian of `fn` at `inputs` (PyTorch's `jacobian`): block `[k][i]` has shape
 * `[...outputs[k].shape, ...inputs[i].shape]`, nested as PyTorch nests it (see {@link Jacobian}).
 * With `createGraph` the entries are differentiable (a Hessian is the Jacobian of a gradient).
 * @example
 * jacobian((x) => x.pow(2), tensor([1, 2, 3]));            // diag([2, 4, 6]), shape [3, 3]
 * jacobian((a, b) => a.mul(b), [tensor([1, 2]), tensor([3, 4])]); // [diag([3, 4]), diag([1, 2])]
 */
export function jacobian<I extends Tensors, O extends Tensors>(fn: TensorFunction<O>, inputs: I, options: JacobianOptions = {}): Jacobian<I, O> {
  return withGradients(() => {
    const strategy = options.strategy ?? 'reverse-mode';
    if (strategy !== 'reverse-mode' && strategy !== 'forward-mode') {
      throw new AutogradError(`jacobian: strategy must be 'reverse-mode' or 'forward-mode', got ${JSON.stringify(strategy)}`);
    }
    const points = differentiableInputs('jacobian', asList('jacobian', 'inputs', inputs), options.createGraph ?? false);
    const { value, outputs } = evaluate('jacobian', fn, points);
    const blocks = strategy === 'reverse-mode' ? reverseModeBlocks(outputs, points, options) : forwardModeBlocks(outputs, points, options);
    const perOutput = blocks.map((row) => restructure(inputs, row));
    return restructure(value, perOutput as Tensor[]) as Jacobian<I, O>;
  });
}

/**
 * The Hessian of a scalar function at `inputs` (PyTorch's `hessian`): the Jacobian of its gradient.
 * One input gives a tensor of shape `[...x.shape, ...x.shape]`; several give `hess[i][j]` of shape
 * `[...inputs[i].shape, ...inputs[j].shape]`.
 * @example
 * hessian((x) => x.pow(3).sum(), tensor([1, 2])); // [[6, 0], [0, 12]]
 */
export function hessian<I extends Tensors>(fn: TensorFunction, inputs: I, options: HessianOptions = {}): Hessian<I> {
  const gradient = gradientFunction('hessian', fn, options, () => undefined);
  const blocks = jacobian(gradient, asList('hessian', 'inputs', inputs), {
    createGraph: options.createGraph,
    strict: options.strict,
    strategy: options.outerJacobianStrategy,
  }) as Tensor[][];
  return (Array.isArray(inputs) ? blocks : blocks[0][0]) as Hessian<I>;
}
