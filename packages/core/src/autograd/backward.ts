/**
 * The reverse-mode engine: walks the graph from the outputs in topological order, applies each node's
 * rule once with the summed gradient of its output, and accumulates into leaves' `.grad`.
 */
import { AutogradError } from '../errors';
import { Scope } from '../memory/scope';
import { formatShape, shapesEqual } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { GradModeGuard } from './grad-mode';
import { pauseAutocast } from './autocast';
import { GradNode } from './node';
import { runHooks } from './hooks';
import { onesLike } from '../ops/creation';

/** Options of `backward()` and `grad()`. */
export interface BackwardOptions {
  /** Keep saved tensors so backward can run through this graph again (default false). */
  retainGraph?: boolean;
  /** Record the backward pass itself, for gradients of gradients (default false; implies retainGraph). */
  createGraph?: boolean;
}

type Destination = GradNode | Tensor;

interface EngineRun {
  roots: readonly Tensor[];
  rootGrads: readonly Tensor[] | undefined;
  options: BackwardOptions;
  /** When set (grad()), gradients of these targets are captured instead of accumulated into `.grad`. */
  capture: Map<Destination, Tensor | null> | null;
}

function describe(tensor: Tensor): string {
  return `shape ${formatShape(tensor.shape)} (${tensor.dtype})`;
}

function describeLeaf(tensor: Tensor): string {
  return `tensor #${tensor.id} of ${describe(tensor)}`;
}

/** The gradient a root starts from; under createGraph a given one keeps its graph (differentiable in it, as PyTorch). */
function rootGradient(root: Tensor, given: Tensor | undefined, index: number, createGraph: boolean): Tensor {
  root.assertLive('backward');
  if (!root.requiresGrad) {
    throw new AutogradError(
      `backward: output ${index} (${describe(root)}) does not require grad: no input of the computation had requiresGrad set, ` +
        'or it was computed inside noGrad()',
    );
  }
  if (given) {
    if (!shapesEqual(given.shape, root.shape)) {
      throw new AutogradError(`backward: gradient of ${describe(given)} does not match output of ${describe(root)}`);
    }
    return given.shareInternal(createGraph);
  }
  if (root.size !== 1) {
    throw new AutogradError(
      `backward: output has ${describe(root)}; gradients can be created implicitly only for one-element outputs — ` +
        'reduce it first (e.g. loss.mean()) or pass a gradient of the same shape: y.backward(grad)',
    );
  }
  return onesLike(root);
}

/** Nodes reachable from `starts`, with how many reachable children feed each one. */
function dependencies(starts: readonly GradNode[]): Map<GradNode, number> {
  const counts = new Map<GradNode, number>();
  const stack = [...new Set(starts)];
  for (const node of stack) counts.set(node, 0);
  while (stack.length) {
    const node = stack.pop()!;
    for (const parent of node.parents) {
      if (!(parent instanceof GradNode)) continue;
      const seen = counts.has(parent);
      counts.set(parent, (counts.get(parent) ?? 0) + 1);
      if (!seen) stack.push(parent);
    }
  }
  return counts;
}

function run({ roots, rootGrads, options, capture }: EngineRun): void {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const mode = new GradModeGuard(createGraph);
  // Rules run in the dtypes the forward recorded, not re-cast by an autocast region around backward().
  const autocastPause = pauseAutocast();
  const pending = new Map<GradNode, Tensor>();
  /** Leaves' (and retained non-leaves') gradients, summed over this run; hooks see the sum, once. */
  const pendingTensors = new Map<Tensor, Tensor>();
  const share = (tensor: Tensor) => tensor.shareInternal(createGraph);
  const accumulate = <K>(into: Map<K, Tensor>, key: K, grad: Tensor) => {
    const previous = into.get(key);
    into.set(key, previous ? share(previous.add(grad)) : share(grad));
    previous?.dispose();
  };

  /** Add `grad` into a destination: a node's pending gradient, or a tensor's (captured or for `.grad`). */
  const deliver = (destination: Destination, grad: Tensor) => {
    if (destination instanceof GradNode) accumulate(pending, destination, grad);
    else if (capture ? capture.has(destination) : !destination.isDisposed) accumulate(pendingTensors, destination, grad);
  };

  /** Run each tensor's hooks on its summed gradient, then capture it or add it into `.grad`. */
  const flushTensors = () => {
    for (const [tensor, total] of pendingTensors) {
      pendingTensors.delete(tensor);
      const flushScope = new Scope();
      try {
        flushScope.run(() => {
          const grad = runHooks(tensor, total, () => describeLeaf(tensor));
          if (capture) {
            capture.set(tensor, share(grad));
          } else if (!tensor.isDisposed) {
            const previous = tensor.grad;
            // Not scope-tracked (the user's scope must not free it), but freed if the user drops it.
            tensor.grad = (previous ? previous.add(grad) : grad).share(createGraph, false, true);
            previous?.dispose();
          }
        });
      } finally {
        flushScope.dispose();
        total.dispose();
      }
    }
  };

  try {
    const starts: GradNode[] = [];
    const scope = new Scope();
    scope.run(() => {
      roots.forEach((root, i) => {
        const grad = rootGradient(root, rootGrads?.[i], i, createGraph);
        deliver(root.gradFn ?? root, grad);
        grad.dispose();
        if (root.gradFn) starts.push(root.gradFn);
      });
    });
    scope.dispose();

    const remaining = dependencies(starts);
    const ready = [...new Set(starts)].filter((node) => remaining.get(node) === 0);
    while (ready.length) {
      const node = ready.pop()!;
      const grad = pending.get(node);
      pending.delete(node);
      if (grad) processNode(node, grad);
      for (const parent of node.parents) {
        if (!(parent instanceof GradNode)) continue;
        const left = remaining.get(parent)! - 1;
        remaining.set(parent, left);
        if (left === 0) ready.push(parent);
      }
      if (!retainGraph) {
        node.freeSaved();
        node.released = true;
      }
    }
    flushTensors();
  } finally {
    for (const grad of pending.values()) grad.dispose();
    for (const grad of pendingTensors.values()) grad.dispose();
    mode.release();
    autocastPause.release();
  }

  function processNode(node: GradNode, incoming: Tensor): void {
    const nodeScope = new Scope();
    try {
      nodeScope.run(() => {
        // Hooks of the tensor this node produced come first; `.grad` (retainGrad) and grad() see their result.
        const grad = runHooks(node, incoming, () => `the output of '${node.opName}' (${formatShape(node.outputShape)})`);
        const retained = node.retainedFor?.deref();
        if (retained && !retained.isDisposed) deliver(retained, grad);
        if (capture?.has(node)) {
          const previous = capture.get(node);
          capture.set(node, previous ? share(previous.add(grad)) : share(grad));
          previous?.dispose();
        }
        let output: Tensor | null = null;
        if (createGraph && node.output) {
          output = node.output.shareInternal(false);
          node.retain();
          output.attachGradFn(node);
          nodeScope.track(output);
        }
        const inputGrads = node.apply(grad, output);
        node.parents.forEach((parent, i) => {
          const inputGrad = inputGrads[i];
          if (!parent || !inputGrad) return;
          const expected = parent instanceof GradNode ? parent.outputShape : parent.shape;
          if (!shapesEqual(inputGrad.shape, expected)) {
            throw new AutogradError(
              `backward: the gradient rule of '${node.opName}' returned shape ${formatShape(inputGrad.shape)} for input ${i}, ` +
                `expected ${formatShape(expected)} (a bug in that op's rule)`,
            );
          }
          deliver(parent, inputGrad);
        });
      });
    } finally {
      nodeScope.dispose();
      incoming.dispose();
    }
  }
}

/**
 * Backpropagate from `outputs` (with optional output gradients), accumulating into every leaf's `.grad`.
 * @example
 * backward([loss]);
 */
export function backward(outputs: readonly Tensor[], grads?: readonly Tensor[], options: BackwardOptions = {}): void {
  run({ roots: outputs, rootGrads: grads, options, capture: null });
}

/** Options of {@link grad}. */
export interface GradOptions extends BackwardOptions {
  /** Gradients of the outputs (required for outputs with more than one element). */
  gradOutputs?: readonly Tensor[];
  /** Return null for inputs the outputs do not depend on instead of throwing (default false). */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned instead of accumulated into `.grad`
 * (PyTorch's `torch.autograd.grad`). With `createGraph` the results are differentiable again.
 * @example
 * const [dx] = grad(x.pow(3).sum(), [x], { createGraph: true });
 * const [d2x] = grad(dx.sum(), [x]); // 6x
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: readonly Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  const roots = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  const capture = new Map<Destination, Tensor | null>();
  const targets = inputs.map((input) => {
    input.assertLive('grad');
    if (!input.requiresGrad) throw new AutogradError(`grad: input of ${describe(input)} does not require grad`);
    const target = input.gradFn ?? input;
    capture.set(target, null);
    return target;
  });
  run({ roots, rootGrads: options.gradOutputs, options, capture });
  return targets.map((target, i) => {
    const result = capture.get(target) ?? null;
    if (!result && !options.allowUnused) {
      throw new AutogradError(`grad: input ${i} was not used to compute the outputs; pass { allowUnused: true } to get null`);
    }
    if (!result) return null;
    const visible = result.share(options.createGraph ?? false, true);
    result.dispose();
    return visible;
  });
}
