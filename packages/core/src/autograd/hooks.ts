/**
 * Tensor gradient hooks (PyTorch's `Tensor.register_hook`): functions called with a tensor's gradient
 * when backward computes it, which may return a replacement. A leaf's hooks live on the leaf; a
 * non-leaf's hooks live on the graph node that produced it, so they see the summed gradient of that
 * output before its op's rule runs.
 */
import { AutogradError } from '../errors';
import { formatShape, shapesEqual } from '../shape';
import type { Tensor } from '../tensor/tensor';
import type { GradNode } from './node';

/**
 * A gradient hook: receives the gradient (do not dispose it) and returns nothing to keep it, or a
 * tensor of the same shape to use instead.
 */
export type TensorHook = (grad: Tensor) => Tensor | void | null | undefined;

/**
 * Removes a registered hook. `remove()` is idempotent; `using handle = …` removes at block end.
 * @example
 * const handle = x.registerHook((g) => g.mul(2));
 * handle.remove();
 */
export class RemovableHandle {
  private static nextId = 0;
  /** A unique id, handy for debugging. */
  readonly id = RemovableHandle.nextId++;
  private removeFn: (() => void) | null;

  /** @internal Hook owners create handles; `remove` unregisters the hook. */
  constructor(remove: () => void) {
    this.removeFn = remove;
  }

  /** Unregister the hook (safe to call twice). */
  remove(): void {
    const removeFn = this.removeFn;
    this.removeFn = null;
    removeFn?.();
  }

  /** `using` support: removes the hook. */
  [Symbol.dispose](): void {
    this.remove();
  }
}

/** Hooks in registration order, keyed by leaf tensor or graph node (weakly: they die with their owner). */
const hooks = new WeakMap<Tensor | GradNode, Map<number, TensorHook>>();

/**
 * Register `hook` on `owner` (a leaf tensor, or the node that produced a non-leaf).
 * @example
 * const handle = addHook(leaf, (g) => g.clamp(-1, 1));
 */
export function addHook(owner: Tensor | GradNode, hook: TensorHook): RemovableHandle {
  let list = hooks.get(owner);
  if (!list) hooks.set(owner, (list = new Map()));
  const entries = list;
  const handle: RemovableHandle = new RemovableHandle(() => entries.delete(handle.id));
  entries.set(handle.id, hook);
  return handle;
}

/** Whether `owner` has hooks (checked before the engine arranges to call them). */
export function hasHooks(owner: Tensor | GradNode): boolean {
  return (hooks.get(owner)?.size ?? 0) > 0;
}

/**
 * Run `owner`'s hooks in order, each on the previous one's result. Returns the final gradient: `grad`
 * itself when no hook replaced it, else a new tensor the caller owns. `describe` names the tensor in errors.
 * @example
 * const g = runHooks(node, grad, () => 'tensor of shape [3]');
 */
export function runHooks(owner: Tensor | GradNode, grad: Tensor, describe: () => string): Tensor {
  const list = hooks.get(owner);
  if (!list || list.size === 0) return grad;
  let current = grad;
  // Copy first: a hook may remove itself (or others) while running.
  for (const hook of [...list.values()]) {
    const result = hook(current);
    if (result === undefined || result === null || result === current) continue;
    if (typeof result !== 'object' || !('shape' in result) || !('dtype' in result)) {
      throw new AutogradError(`registerHook: a hook on ${describe()} returned ${typeof result}; return a Tensor or nothing`);
    }
    result.assertLive('registerHook');
    if (!shapesEqual(result.shape, grad.shape) || result.dtype !== grad.dtype) {
      throw new AutogradError(
        `registerHook: a hook on ${describe()} returned a gradient of shape ${formatShape(result.shape)} (${result.dtype}); ` +
          `expected shape ${formatShape(grad.shape)} (${grad.dtype}), like the gradient it was given`,
      );
    }
    current = result;
  }
  return current;
}
