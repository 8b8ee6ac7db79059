/**
 * Recording an op in the autograd graph. Every differentiable op calls {@link recordOp} once with
 * its inputs, its output and its gradient rule.
 */
import { AutogradError } from '../errors';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { isGradEnabled } from './grad-mode';
import { GradNode, type GradientRule } from './node';

/** What a rule needs kept alive until backward. */
export interface SaveOptions {
  /** Tensors the rule reads (usually some inputs). Their graph links are kept, so rules compose to higher orders. */
  save?: readonly Tensor[];
  /** Whether the rule reads the op's output (exp, tanh, sigmoid, softmax…). */
  saveOutput?: boolean;
}

/**
 * Whether an op on `inputs` must be recorded now. While recording, refuses inputs whose history went
 * stale: another handle of their storage was modified by a recorded in-place op (a view's base, or a
 * view of it), so their data no longer matches the graph that would be recorded.
 */
export function needsGrad(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  let needed = false;
  for (const input of inputs) {
    if (input.historyAt !== input.storage.rebases && input.historyAt !== -1) refuseStale(input);
    if (input.requiresGrad) needed = true;
  }
  return needed;
}

function refuseStale(input: Tensor): never {
  throw new AutogradError(
    `tensor #${input.id} of shape ${formatShape(input.shape)} shares its storage with a tensor that ` +
      `${input.storage.lastWrittenBy ?? 'an in-place op'} modified in place while autograd recorded it (a view and its base, ` +
      'or two views of one tensor): its recorded history no longer describes its data. Use the tensor the in-place op ' +
      'ran on (it carries the new history), or clone() before modifying in place; under noGrad() this is allowed',
  );
}

/**
 * Attach a graph node to `output` when grad mode is on and an input requires grad. Returns `output`.
 * @example
 * return recordOp('exp', [x], y, (g, _saved, out) => [g.mul(out!)], { saveOutput: true });
 */
export function recordOp(opName: string, inputs: readonly Tensor[], output: Tensor, rule: GradientRule, options: SaveOptions = {}): Tensor {
  if (!needsGrad(inputs)) return output;
  const parents = inputs.map((input) => (input.requiresGrad ? (input.gradFn ?? input) : null));
  const toSave = options.save ?? [];
  const saved = toSave.map((tensor) => tensor.shareInternal(true));
  const savedOutput = options.saveOutput ? output.shareInternal(false) : null;
  const sourceIds = toSave.map((tensor) => tensor.id);
  if (savedOutput) sourceIds.push(output.id);
  output.attachGradFn(new GradNode(opName, parents, saved, savedOutput, rule, output.shape, sourceIds));
  return output;
}
