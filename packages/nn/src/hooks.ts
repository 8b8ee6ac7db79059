/**
 * Module hooks with PyTorch's semantics: forward pre-hooks, forward hooks and full backward hooks,
 * each removed through the {@link RemovableHandle} its registration returns.
 *
 * A module without hooks is called exactly as before (its class's `forward`); registering the first hook
 * installs a wrapper as the instance's own `forward`, and removing the last one takes it away again, so
 * hooks cost nothing until they are used. The backward hook sees the gradient with respect to the
 * module's own inputs (not the total gradient of a tensor that other layers also read) because the
 * inputs pass through an identity view first — PyTorch's `BackwardHookFunction` — whose gradient node
 * carries a tensor hook.
 */
import { AutogradError, RemovableHandle, cat, isGradEnabled, isTensor, keep, noGrad, tidy, type Tensor } from '@tessera/core';
import type { Module } from './module';

/**
 * Called before `forward` with the module and its inputs; may return replacement inputs (an array
 * of arguments, or a single value that becomes the only argument).
 */
export type ForwardPreHook<M extends Module = Module> = (module: M, inputs: unknown[]) => unknown;

/** Called after `forward` with the module, its inputs and its output; may return a replacement output. */
export type ForwardHook<M extends Module = Module> = (module: M, inputs: unknown[], output: unknown) => unknown;

/**
 * Called during backward with the gradients with respect to the module's positional inputs (`null` for
 * arguments that are not tensors requiring grad) and with respect to its outputs; may return
 * replacement input gradients (same length, same shapes). Do not dispose the gradients it is given.
 */
export type FullBackwardHook<M extends Module = Module> = (
  module: M,
  gradInput: (Tensor | null)[],
  gradOutput: (Tensor | null)[],
) => (Tensor | null)[] | void | null | undefined;

let nextHookId = 0;

/** One module's hooks, each kind in registration order. */
export class ModuleHooks {
  readonly forwardPre = new Map<number, ForwardPreHook<any>>();
  readonly forward = new Map<number, ForwardHook<any>>();
  readonly backward = new Map<number, FullBackwardHook<any>>();

  /** Whether any hook is registered. */
  get empty(): boolean {
    return this.forwardPre.size === 0 && this.forward.size === 0 && this.backward.size === 0;
  }

  /** Add `hook` to `list`; the handle removes it and then calls `changed`. */
  add<H>(list: Map<number, H>, hook: H, changed: () => void): RemovableHandle {
    const id = nextHookId++;
    list.set(id, hook);
    return new RemovableHandle(() => {
      list.delete(id);
      changed();
    });
  }
}

/**
 * Whether `module`'s instance has its own `forward` (hooks, or one assigned by hand) instead of its
 * class's: code that fuses several modules into one kernel (MLP) must then call them one by one.
 */
export function hasOwnForward(module: Module): boolean {
  return Object.prototype.hasOwnProperty.call(module, 'forward');
}

/**
 * Run `forward` on `inputs` with `module`'s hooks around it, in PyTorch's order: pre-hooks, backward
 * hook setup on the inputs, forward, forward hooks, backward hook setup on the output.
 */
export function callWithHooks(module: Module, hooks: ModuleHooks, forward: (...inputs: any[]) => unknown, inputs: unknown[]): unknown {
  for (const hook of [...hooks.forwardPre.values()]) {
    const result = hook(module, inputs);
    if (result !== undefined && result !== null) inputs = Array.isArray(result) ? result : [result];
  }
  const backward = hooks.backward.size > 0 && isGradEnabled() ? new BackwardHookCall(module, hooks) : null;
  if (backward) inputs = backward.wrapInputs(inputs);
  let output = forward.apply(module, inputs);
  for (const hook of [...hooks.forward.values()]) {
    const result = hook(module, inputs, output);
    if (result !== undefined && result !== null) output = result;
  }
  if (backward) output = backward.watchOutput(output);
  return output;
}

/** One forward call's backward-hook bookkeeping: where the input gradients go and the output gradients seen. */
class BackwardHookCall {
  private readonly name: string;
  /** Positions of the inputs that require grad. */
  private tracked: number[] = [];
  private shapes: (readonly number[])[] = [];
  private sizes: number[] = [];
  private inputCount = 0;
  /** Gradients w.r.t. the outputs, kept (as views) until the input gradients arrive. */
  private gradOutput: (Tensor | null)[] = [];
  private pendingOutputs = 0;
  /** The identity views handed to forward; output that is one of them is re-wrapped. */
  private wrappers = new Set<Tensor>();

  constructor(
    private readonly module: Module,
    private readonly hooks: ModuleHooks,
  ) {
    this.name = module.constructor.name;
  }

  /**
   * Route every input that requires grad through one identity node: a plain view for one input; for
   * several, views into one concatenation, so one gradient hook sees all of their gradients at once.
   */
  wrapInputs(inputs: unknown[]): unknown[] {
    this.inputCount = inputs.length;
    this.tracked = inputs.flatMap((input, position) => (isTensor(input) && input.requiresGrad ? [position] : []));
    if (this.tracked.length === 0) return inputs;
    const tensors = this.tracked.map((position) => inputs[position] as Tensor);
    this.shapes = tensors.map((t) => t.shape);
    this.sizes = tensors.map((t) => t.size);
    const first = tensors[0];
    const mismatch = tensors.find((t) => t.dtype !== first.dtype || t.device !== first.device);
    if (mismatch) {
      throw new AutogradError(
        `${this.name}: a full backward hook needs the inputs that require grad to share one dtype and backend; got ${first.dtype} on '${first.device}' and ${mismatch.dtype} on '${mismatch.device}'`,
      );
    }
    // tidy frees the flattened copies and the concatenation's handle; the graph keeps what it needs.
    const views = tidy(() => {
      const combined = tensors.length === 1 ? first.reshape(first.shape) : cat(tensors.map((t) => t.reshape([-1])));
      combined.registerHook((grad) => this.onInputGrad(grad));
      return tensors.length === 1 ? [combined] : this.splitPerInput(combined);
    });
    const wrapped = [...inputs];
    this.tracked.forEach((position, i) => {
      this.wrappers.add(views[i]);
      wrapped[position] = views[i];
    });
    return wrapped;
  }

  /** Hook the output tensor(s) that require grad to record the gradient with respect to them. */
  watchOutput(output: unknown): unknown {
    const single = isTensor(output);
    const outputs: unknown[] = single ? [output] : Array.isArray(output) ? [...output] : [];
    this.gradOutput = outputs.map(() => null);
    outputs.forEach((value, i) => {
      if (!isTensor(value) || !value.requiresGrad) return;
      // A leaf or one of our input views has no node of its own for the output: give it one.
      const watched = value.isLeaf || this.wrappers.has(value) ? value.reshape(value.shape) : value;
      outputs[i] = watched;
      this.pendingOutputs++;
      watched.registerHook((grad) => {
        // The engine frees `grad` after this node runs; a view keeps it for the input hook.
        this.gradOutput[i] = keep(noGrad(() => grad.reshape(grad.shape)));
        if (--this.pendingOutputs === 0 && this.tracked.length === 0) this.finish(this.inputCount ? new Array(this.inputCount).fill(null) : []);
      });
    });
    return single ? outputs[0] : Array.isArray(output) ? outputs : output;
  }

  /** The gradient of the identity node: split it per input, run the hooks, join any replacements. */
  private onInputGrad(grad: Tensor): Tensor | undefined {
    const parts = this.tracked.length === 1 ? [grad] : tidy(() => this.splitPerInput(grad));
    const gradInput: (Tensor | null)[] = new Array(this.inputCount).fill(null);
    this.tracked.forEach((position, i) => (gradInput[position] = parts[i]));
    const result = this.finish(gradInput);
    const replaced = result !== gradInput;
    const finalParts = this.tracked.map((position, i) => {
      const value = result[position];
      if (!isTensor(value)) {
        throw new AutogradError(`${this.name}: a full backward hook returned ${value === null ? 'null' : typeof value} for input ${position}, which requires grad; return a Tensor there`);
      }
      if (value.shape.length !== this.shapes[i].length || value.shape.some((size, d) => size !== this.shapes[i][d])) {
        throw new AutogradError(
          `${this.name}: a full backward hook returned a gradient of shape [${value.shape.join(', ')}] for input ${position}; expected [${this.shapes[i].join(', ')}]`,
        );
      }
      return value;
    });
    if (!replaced) {
      if (parts[0] !== grad) for (const part of parts) part.dispose();
      return undefined;
    }
    if (finalParts.length === 1) return finalParts[0];
    const joined = tidy(() => cat(finalParts.map((part) => part.reshape([-1]))));
    for (const part of parts) part.dispose();
    return joined;
  }

  /** The concatenated gradient cut back into one view per tracked input, shaped like it. */
  private splitPerInput(grad: Tensor): Tensor[] {
    let offset = 0;
    return this.shapes.map((shape, i) => {
      const part = grad.narrow(0, offset, this.sizes[i]).reshape(shape);
      offset += this.sizes[i];
      return part;
    });
  }

  /** Run the backward hooks in order, each on the previous one's gradInput; free the kept output gradients. */
  private finish(gradInput: (Tensor | null)[]): (Tensor | null)[] {
    let current = gradInput;
    try {
      for (const hook of [...this.hooks.backward.values()]) {
        const result = hook(this.module, current, this.gradOutput);
        if (result === undefined || result === null) continue;
        if (!Array.isArray(result) || result.length !== current.length) {
          throw new AutogradError(
            `${this.name}: a full backward hook must return nothing or an array of ${current.length} gradient(s) (one per input), got ${Array.isArray(result) ? `${result.length}` : typeof result}`,
          );
        }
        current = result;
      }
    } finally {
      for (const kept of this.gradOutput) kept?.dispose();
      this.gradOutput = [];
    }
    return current;
  }
}
