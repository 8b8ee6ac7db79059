/**
 * Functional autograd, as PyTorch's `torch.autograd.functional`: derivatives of a function at a point,
 * returned instead of accumulated into `.grad`. Inputs and outputs are one tensor or an array of
 * tensors, and every result keeps the structure PyTorch gives it. Results are detached unless
 * `createGraph` is set, in which case they are differentiable again (for higher derivatives).
 * Jacobians and Hessians are in `functional-jacobian.ts`.
 */
import { ValueError } from '../errors';
import { onesLike } from '../ops/creation';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import {
  asList,
  checkVectors,
  differentiableInputs,
  evaluate,
  forwardProduct,
  gradientFunction,
  withGradients,
  restructure,
  vectorJacobian,
  type FunctionalOptions,
  type Like,
  type TensorFunction,
  type Tensors,
} from './functional-structure';

export type { FunctionalOptions, Like, TensorFunction, Tensors } from './functional-structure';

/** `v` as a list, or ones when it may be left out: every target has exactly one element. */
function vectorsFor(op: string, v: Tensors | undefined, targets: readonly Tensor[], what: string): Tensor[] {
  if (v !== undefined) {
    const vectors = asList(op, 'v', v);
    checkVectors(op, what, vectors, targets);
    return vectors;
  }
  const large = targets.findIndex((target) => target.size !== 1);
  if (large !== -1) {
    throw new ValueError(`${op}: v is required because ${what} ${large} has shape ${formatShape(targets[large].shape)} (it may be left out only for one-element ${what}s)`);
  }
  return targets.map((target) => onesLike(target));
}

/** The function's outputs as returned: detached unless the caller builds a graph. */
function visibleOutputs<O extends Tensors>(value: O, outputs: readonly Tensor[], createGraph: boolean): Like<O> {
  return restructure(value, outputs.map((output) => (createGraph ? output : output.detach())));
}

/**
 * The function's output and the vector-Jacobian product vᵀ·J (PyTorch's `vjp`): one reverse pass.
 * `v` has the outputs' structure and shapes (optional when every output has one element); the
 * product has the inputs' structure.
 * @example
 * const [y, vjpValue] = vjp((x) => x.pow(2), tensor([1, 2, 3]), tensor([1, 1, 1]));
 * // y = [1, 4, 9], vjpValue = [2, 4, 6]
 */
export function vjp<I extends Tensors, O extends Tensors>(fn: TensorFunction<O>, inputs: I, v?: Tensors, options: FunctionalOptions = {}): [Like<O>, Like<I>] {
  return withGradients(() => {
    const createGraph = options.createGraph ?? false;
    const points = differentiableInputs('vjp', asList('vjp', 'inputs', inputs), createGraph);
    const { value, outputs } = evaluate('vjp', fn, points);
    const product = vectorJacobian('vjp', outputs, points, vectorsFor('vjp', v, outputs, 'output'), options);
    return [visibleOutputs(value, outputs, createGraph), restructure(inputs, product)];
  });
}

/**
 * The function's output and the Jacobian-vector product J·v (PyTorch's `jvp`), exact: two reverse
 * passes (the double-vjp trick), no finite differences. `v` has the inputs' structure and shapes
 * (optional for a single one-element input); the product has the outputs' structure.
 * @example
 * const [y, jvpValue] = jvp((x) => x.pow(2), tensor([1, 2, 3]), tensor([1, 0, 0]));
 * // jvpValue = [2, 0, 0]
 */
export function jvp<I extends Tensors, O extends Tensors>(fn: TensorFunction<O>, inputs: I, v?: Tensors, options: FunctionalOptions = {}): [Like<O>, Like<O>] {
  return withGradients(() => {
    const createGraph = options.createGraph ?? false;
    const inputList = asList('jvp', 'inputs', inputs);
    const vectors = vectorsFor('jvp', v, inputList, 'input');
    const points = differentiableInputs('jvp', inputList, createGraph);
    const { value, outputs } = evaluate('jvp', fn, points);
    const product = forwardProduct('jvp', outputs, points, options)(vectors);
    return [visibleOutputs(value, outputs, createGraph), restructure(value, product)];
  });
}

/** hvp and vhp: the scalar value and one product of the gradient function's Jacobian (the Hessian) with v. */
function hessianProduct<I extends Tensors>(op: 'hvp' | 'vhp', fn: TensorFunction, inputs: I, v: Tensors | undefined, options: FunctionalOptions): [Tensor, Like<I>] {
  return withGradients(() => {
    const createGraph = options.createGraph ?? false;
    const inputList = asList(op, 'inputs', inputs);
    const vectors = vectorsFor(op, v, inputList, 'input');
    const points = differentiableInputs(op, inputList, createGraph);
    let value: Tensor | null = null;
    const gradients = gradientFunction(op, fn, options, (scalar) => (value = scalar))(...points);
    const product = op === 'vhp' ? vectorJacobian(op, gradients, points, vectors, options) : forwardProduct(op, gradients, points, options)(vectors);
    return [createGraph ? value! : value!.detach(), restructure(inputs, product)];
  });
}

/**
 * The value of a scalar function and the Hessian-vector product H·v (PyTorch's `hvp`), computed
 * exactly by differentiating the gradient forward (double-vjp) — the Hessian itself is never formed.
 * `v` has the inputs' structure; so has the product.
 * @example
 * const [value, hv] = hvp((x) => x.pow(3).sum(), tensor([1, 2]), tensor([1, 1]));
 * // value = 9, hv = [6, 12]  (H = diag(6x))
 */
export function hvp<I extends Tensors>(fn: TensorFunction, inputs: I, v?: Tensors, options: FunctionalOptions = {}): [Tensor, Like<I>] {
  return hessianProduct('hvp', fn, inputs, v, options);
}

/**
 * The value of a scalar function and the vector-Hessian product vᵀ·H (PyTorch's `vhp`): one reverse
 * pass through the gradient. Equals `hvp` for functions with continuous second derivatives.
 * @example
 * const [value, vh] = vhp((x) => x.pow(3).sum(), tensor([1, 2]), tensor([1, 1])); // vh = [6, 12]
 */
export function vhp<I extends Tensors>(fn: TensorFunction, inputs: I, v?: Tensors, options: FunctionalOptions = {}): [Tensor, Like<I>] {
  return hessianProduct('vhp', fn, inputs, v, options);
}
