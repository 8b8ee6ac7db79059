/**
 * What the functional autograd API shares: PyTorch's "one tensor or a tuple of tensors" conventions,
 * the differentiable copies of the inputs a function is evaluated at, and gradients that come back as
 * zeros (or a clear error in strict mode) where an output does not depend on an input.
 */
import { isFloating } from '../dtype';
import { AutogradError, DTypeError, ShapeError, ValueError } from '../errors';
import { onesLike, zerosLike } from '../ops/creation';
import { formatShape, shapesEqual } from '../shape';
import { Tensor } from '../tensor/tensor';
import { grad } from './backward';
import { enableGrad } from './grad-mode';
import { tidy } from '../memory/scope';

/** One tensor or an array of tensors: what the functions take and return, as PyTorch's tensor-or-tuple. */
export type Tensors = Tensor | readonly Tensor[];

/** `Tensor` when `T` is one tensor, `Tensor[]` when it is an array (the structure results follow). */
export type Like<T extends Tensors> = T extends Tensor ? Tensor : Tensor[];

/** Options every functional-autograd function takes. */
export interface FunctionalOptions {
  /** Make the results differentiable (for higher derivatives); default false: results are detached. */
  createGraph?: boolean;
  /** Throw when an output does not depend on an input, instead of returning zeros (default false). */
  strict?: boolean;
}

/** A function of the inputs (passed as separate arguments, as PyTorch unpacks the tuple). */
export type TensorFunction<O extends Tensors = Tensors> = (...inputs: Tensor[]) => O;

/**
 * Run a functional-autograd computation: recording on (also inside `noGrad`, as PyTorch's
 * `enable_grad`), and every intermediate freed except the results returned.
 */
export function withGradients<T>(body: () => T): T {
  return tidy(() => enableGrad(body));
}

/** `value` as an array of tensors, checking every element is a live tensor. */
export function asList(op: string, what: string, value: Tensors | undefined): Tensor[] {
  const list = value instanceof Tensor ? [value] : Array.isArray(value) ? [...value] : null;
  if (!list) throw new ValueError(`${op}: ${what} must be a Tensor or an array of Tensors, got ${value === null ? 'null' : typeof value}`);
  list.forEach((item, i) => {
    if (!(item instanceof Tensor)) throw new ValueError(`${op}: ${what}[${i}] must be a Tensor, got ${item === null ? 'null' : typeof item}`);
    item.assertLive(op);
  });
  return list;
}

/** The list back in the caller's structure: one tensor when `like` was one tensor. */
export function restructure<T extends Tensors>(like: T, list: Tensor[]): Like<T> {
  return (like instanceof Tensor ? list[0] : list) as Like<T>;
}

/**
 * Differentiable stand-ins for the inputs. With `createGraph`, an input that already requires grad is
 * viewed (a new graph node to take gradients at, still linked to the caller's graph, so the result can
 * be differentiated again from outside); otherwise a fresh leaf sharing the data.
 */
export function differentiableInputs(op: string, inputs: readonly Tensor[], createGraph: boolean): Tensor[] {
  return inputs.map((input, i) => {
    if (!isFloating(input.dtype)) {
      throw new DTypeError(`${op}: input ${i} is ${input.dtype} of shape ${formatShape(input.shape)}; differentiation needs floating-point inputs`);
    }
    return createGraph && input.requiresGrad ? input.view(input.shape) : input.detach().requiresGrad_();
  });
}

/** Evaluate `fn` at `inputs` with gradient recording on, checking it returns tensors. */
export function evaluate<O extends Tensors>(op: string, fn: TensorFunction<O>, inputs: readonly Tensor[]): { value: O; outputs: Tensor[] } {
  if (typeof fn !== 'function') throw new ValueError(`${op}: expected a function as the first argument`);
  const value = enableGrad(() => fn(...inputs));
  return { value, outputs: asList(op, 'the function result', value) };
}

/** Check that `vectors` match `targets` one to one in shape (v of vjp, jvp, hvp). */
export function checkVectors(op: string, what: string, vectors: readonly Tensor[], targets: readonly Tensor[]): void {
  if (vectors.length !== targets.length) {
    throw new ValueError(`${op}: v has ${vectors.length} tensor(s) but the ${what} has ${targets.length}`);
  }
  vectors.forEach((vector, i) => {
    if (!shapesEqual(vector.shape, targets[i].shape)) {
      throw new ShapeError(`${op}: v[${i}] has shape ${formatShape(vector.shape)} but ${what} ${i} has shape ${formatShape(targets[i].shape)}`);
    }
  });
}

/**
 * Σₖ vₖᵀ ∂outputsₖ/∂inputs for every input — one reverse pass. Outputs that do not require grad add
 * nothing; an input nothing depends on gets zeros, or an AutogradError when `strict`.
 */
export function vectorJacobian(
  op: string,
  outputs: readonly Tensor[],
  inputs: readonly Tensor[],
  vectors: readonly Tensor[],
  options: FunctionalOptions,
): Tensor[] {
  const used = outputs.flatMap((output, k) => (output.requiresGrad ? [k] : []));
  const grads = used.length
    ? grad(
        used.map((k) => outputs[k]),
        inputs,
        { gradOutputs: used.map((k) => vectors[k]), createGraph: options.createGraph ?? false, retainGraph: true, allowUnused: true },
      )
    : inputs.map(() => null);
  return grads.map((gradient, i) => {
    if (gradient) return gradient;
    if (options.strict) {
      throw new AutogradError(`${op}: the output does not depend on input ${i} (shape ${formatShape(inputs[i].shape)}); strict mode forbids that`);
    }
    return zerosLike(inputs[i]);
  });
}

/**
 * The forward-mode product v ↦ J·v of `outputs` at `inputs`, exact, by the double-vjp trick: with a
 * dummy cotangent u, g(u) = Jᵀu is linear in u, so the gradient of g·v with respect to u is J·v.
 * The first reverse pass is done once; each call costs one more reverse pass.
 */
export function forwardProduct(op: string, outputs: readonly Tensor[], inputs: readonly Tensor[], options: FunctionalOptions): (vectors: readonly Tensor[]) => Tensor[] {
  outputs.forEach((output, k) => {
    if (!isFloating(output.dtype)) {
      throw new DTypeError(`${op}: output ${k} is ${output.dtype} of shape ${formatShape(output.shape)}; differentiation needs floating-point outputs`);
    }
  });
  const dummies = outputs.map((output) => zerosLike(output).requiresGrad_());
  const transposed = vectorJacobian(op, outputs, inputs, dummies, { createGraph: true, strict: options.strict });
  const linear = transposed.flatMap((gradient, i) => (gradient.requiresGrad ? [i] : []));
  return (vectors) => {
    const grads = linear.length
      ? grad(
          linear.map((i) => transposed[i]),
          dummies,
          { gradOutputs: linear.map((i) => vectors[i]), createGraph: options.createGraph ?? false, retainGraph: true, allowUnused: true },
        )
      : dummies.map(() => null);
    return grads.map((gradient, k) => {
      if (gradient) return gradient;
      if (options.strict) throw new AutogradError(`${op}: output ${k} (shape ${formatShape(outputs[k].shape)}) does not depend on the inputs; strict mode forbids that`);
      return zerosLike(outputs[k]);
    });
  };
}

/** A function that must return one tensor of one element (hvp, vhp, hessian): checked, squeezed to 0-d. */
export function scalarOutput(op: string, value: Tensors): Tensor {
  if (!(value instanceof Tensor)) throw new ValueError(`${op}: the function must return a single Tensor, got an array of ${value.length}`);
  if (value.size !== 1) throw new ValueError(`${op}: the function must return a one-element tensor, got shape ${formatShape(value.shape)}`);
  return value.ndim === 0 ? value : value.reshape([]);
}

/**
 * The gradient of a scalar function as a function of the inputs, recorded (createGraph) so it can be
 * differentiated again; `onValue` sees the function's one-element result each time it runs.
 */
export function gradientFunction(op: string, fn: TensorFunction, options: FunctionalOptions, onValue: (value: Tensor) => void): TensorFunction<Tensor[]> {
  return (...points) => {
    const returned = evaluate(op, fn, points).value;
    const value = scalarOutput(op, returned);
    onValue(returned as Tensor); // as returned (e.g. shape [1]), which is what PyTorch hands back
    return vectorJacobian(op, [value], points, [onesLike(value)], { createGraph: true, strict: options.strict });
  };
}

