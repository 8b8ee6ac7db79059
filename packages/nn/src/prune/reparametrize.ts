/**
 * PyTorch's pruning mechanics on a module: the tensor `name` becomes `name_orig` (the same parameter
 * object, still trained) times the buffer `name_mask`, and a forward pre-hook recomputes
 * `module[name] = name_mask · name_orig` before every forward, so pruned entries are exactly zero in
 * every forward and get no gradient. `remove` writes the product into the parameter and undoes the rest.
 */
import { isTensor, keep, noGrad, ValueError, type RemovableHandle, type Tensor } from '@tessera/core';
import { isParameter, type Module } from '../module';

/** One pruned tensor of one module. */
interface Pruned {
  readonly orig: Tensor;
  mask: Tensor;
  readonly hook: RemovableHandle;
  /** The pruning methods applied, in order (PyTorch's PruningContainer). */
  readonly methods: string[];
}

const PRUNED = new WeakMap<Module, Map<string, Pruned>>();

function describe(module: Module): string {
  return module.constructor.name;
}

/** The tensor the module holds under `name`: its own parameter, or the product of a pruned one. */
function stateOf(module: Module, name: string): Pruned | undefined {
  return PRUNED.get(module)?.get(name);
}

/**
 * @internal The current (masked) value of `module[name]` and its mask: what a new pruning method starts
 * from (PyTorch reads `getattr(module, name)` and `name_mask`). Unpruned: the parameter and null.
 * @example
 * const { value, mask } = currentTensor('prune.l1Unstructured', linear, 'weight');
 */
export function currentTensor(op: string, module: Module, name: string): { value: Tensor; mask: Tensor | null } {
  const state = stateOf(module, name);
  if (state) return { value: noGrad(() => state.mask.mul(state.orig)), mask: state.mask };
  const param = module.namedParameters('', false).find(([key]) => key === name)?.[1];
  if (!param) {
    const names = module.namedParameters('', false).map(([key]) => key);
    throw new ValueError(`${op}: ${describe(module)} has no parameter '${name}' (its parameters: ${names.join(', ') || 'none'})`);
  }
  return { value: param, mask: null };
}

/** Recompute `module[name]` from the original and the mask (recorded when grad mode is on). */
function refresh(module: Module, name: string, state: Pruned): void {
  const target = module as unknown as Record<string, unknown>;
  const previous = target[name];
  target[name] = keep(state.mask.mul(state.orig));
  if (isTensor(previous) && previous !== state.orig && !previous.isDisposed) previous.dispose();
}

/**
 * @internal Prune `module[name]` with `mask` (the full new mask, earlier masks included): the first time,
 * re-parametrize it (`name_orig` parameter, `name_mask` buffer, forward pre-hook); later, replace the mask.
 * @example
 * applyMask(linear, 'weight', mask, 'l1Unstructured');
 */
export function applyMask(module: Module, name: string, mask: Tensor, method: string): void {
  let states = PRUNED.get(module);
  if (!states) PRUNED.set(module, (states = new Map()));
  const existing = states.get(name);
  if (existing) {
    existing.mask.dispose();
    existing.mask = mask;
    existing.methods.push(method);
    module.registerBuffer(`${name}_mask`, mask);
    refresh(module, name, existing);
    return;
  }
  const orig = currentTensor(`prune.${method}`, module, name).value;
  if (!isParameter(orig)) throw new ValueError(`prune.${method}: ${describe(module)}.${name} is not a parameter`);
  module.registerParameter(`${name}_orig`, orig);
  module.registerParameter(name, null); // `name` is no longer a parameter: its value is computed
  module.registerBuffer(`${name}_mask`, mask);
  const hook = module.registerForwardPreHook(() => {
    refresh(module, name, state);
  });
  const state: Pruned = { orig, mask, hook, methods: [method] };
  states.set(name, state);
  noGrad(() => refresh(module, name, state));
}

/**
 * Make the pruning of `module[name]` permanent: the parameter `name` comes back holding `mask · orig`
 * (the same tensor object as `name_orig`, so optimizers keep working), and `name_orig`, `name_mask` and
 * the hook go away. Pruning is not undone. PyTorch's `prune.remove`.
 * @example
 * prune.remove(linear, 'weight');
 * linear.stateDict(); // { weight, bias }, with the pruned entries of weight at 0
 */
export function remove<M extends Module>(module: M, name: string): M {
  const state = stateOf(module, name);
  if (!state) throw new ValueError(`prune.remove: parameter '${name}' of ${describe(module)} has to be pruned before pruning can be removed`);
  state.hook.remove();
  noGrad(() => {
    const pruned = state.mask.mul(state.orig);
    state.orig.assign(pruned);
    pruned.dispose();
  });
  const target = module as unknown as Record<string, unknown>;
  const computed = target[name];
  if (isTensor(computed) && computed !== state.orig && !computed.isDisposed) computed.dispose();
  module.registerParameter(`${name}_orig`, null);
  module.registerBuffer(`${name}_mask`, null);
  state.mask.dispose();
  module.registerParameter(name, state.orig);
  target[name] = state.orig;
  PRUNED.get(module)!.delete(name);
  return module;
}

/**
 * Whether `module` or any submodule has a pruned tensor. PyTorch's `prune.is_pruned`.
 * @example
 * prune.isPruned(model); // false until a prune.* call
 */
export function isPruned(module: Module): boolean {
  return module.modules().some((child) => (PRUNED.get(child)?.size ?? 0) > 0);
}

/**
 * The pruning methods applied to `module[name]` so far, in order (empty when it is not pruned).
 * @example
 * prune.methodsOf(linear, 'weight'); // ['l1Unstructured', 'lnStructured']
 */
export function methodsOf(module: Module, name: string): string[] {
  return [...(stateOf(module, name)?.methods ?? [])];
}
