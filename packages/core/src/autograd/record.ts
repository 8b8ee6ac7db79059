/**
 * Recording an op in the autograd graph. Every differentiable op calls {@link recordOp} once with
 * its inputs, its output and its gradient rule.
 */
import type { Tensor } from '../tensor/tensor';
import { isGradEnabled } from './grad-mode';
import { GradNode, type GradTarget, type GradientRule } from './node';
import { refreshHistory } from './view-history';

/** What a rule needs kept alive until backward. */
export interface SaveOptions {
  /** Tensors the rule reads (usually some inputs). Their graph links are kept, so rules compose to higher orders. */
  save?: readonly Tensor[];
  /** Whether the rule reads the op's output (exp, tanh, sigmoid, softmax…). */
  saveOutput?: boolean;
}

/**
 * @internal What `checkpoint` puts between {@link recordOp} and the graph while it runs a region: in its
 * forward, nodes that keep nothing (their rule recomputes the region); in its recomputation, a look at
 * every node recorded, in order.
 */
export interface RecordInterceptor {
  /** A node for `opName` that replaces the ordinary one (saving nothing), or null to record normally. */
  defer(opName: string, parents: GradTarget[], outputShape: readonly number[]): GradNode | null;
  /** The ordinary node just recorded. */
  recorded(node: GradNode): void;
}

let interceptor: RecordInterceptor | null = null;

/** @internal Install `next` (or none) and return the one it replaces, to restore afterwards. */
export function setRecordInterceptor(next: RecordInterceptor | null): RecordInterceptor | null {
  const previous = interceptor;
  interceptor = next;
  return previous;
}

/**
 * Whether an op on `inputs` must be recorded now. While recording, first brings inputs up to date with
 * in-place writes recorded through other handles of their storage (a view's base, sibling views).
 */
export function needsGrad(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  let needed = false;
  for (const input of inputs) {
    if (input.historyAt !== input.storage.rebases && input.historyAt !== -1) refreshHistory(input);
    if (input.requiresGrad) needed = true;
  }
  return needed;
}

/**
 * Attach a graph node to `output` when grad mode is on and an input requires grad. Returns `output`.
 * @example
 * return recordOp('exp', [x], y, (g, _saved, out) => [g.mul(out!)], { saveOutput: true });
 */
export function recordOp(opName: string, inputs: readonly Tensor[], output: Tensor, rule: GradientRule, options: SaveOptions = {}): Tensor {
  if (!needsGrad(inputs)) return output;
  const parents = inputs.map((input) => (input.requiresGrad ? (input.gradFn ?? input) : null));
  const deferred = interceptor?.defer(opName, parents, output.shape) ?? null;
  if (deferred) {
    output.attachGradFn(deferred);
    return output;
  }
  const toSave = options.save ?? [];
  const saved = toSave.map((tensor) => tensor.shareInternal(true));
  const savedOutput = options.saveOutput ? output.shareInternal(false) : null;
  const sourceIds = toSave.map((tensor) => tensor.id);
  if (savedOutput) sourceIds.push(output.id);
  const node = new GradNode(opName, parents, saved, savedOutput, rule, output.shape, sourceIds);
  output.attachGradFn(node);
  interceptor?.recorded(node);
  return output;
}
