/**
 * `Module`, the base class of every layer and model: PyTorch's `nn.Module` in camelCase.
 *
 * Parameters and submodules are registered by assignment, without a Proxy: the module scans its own
 * properties whenever it is asked for its parameters, children or state. A property holding a Module is
 * a child; a property holding a tensor marked with {@link parameter} (or any leaf tensor that requires
 * grad, which is then marked) is a parameter. Names that are not JavaScript identifiers, such as
 * Sequential's `0`, `1`, … or BatchNorm's `running_mean` buffer, are registered explicitly with
 * `registerModule`, `registerParameter` and `registerBuffer`.
 */
import { clearRowSparseGrad, isTensor, keep, moveInPlace, noGrad, BackendError, DTypeError, ShapeError, ValueError, type RemovableHandle, type Tensor } from '@tessera/core';
import { ModuleHooks, callWithHooks, type ForwardHook, type ForwardPreHook, type FullBackwardHook } from './hooks';

const PARAMETERS = new WeakSet<Tensor>();

/**
 * Mark a tensor as a parameter: it becomes a leaf that requires grad (unless `requiresGrad` is false),
 * outlives the `tidy()` it was made in, and a Module that holds it in a property registers it.
 * @example
 * class Scale extends Module {
 *   factor = parameter(ones([1]));
 *   forward(x: Tensor) { return x.mul(this.factor); }
 * }
 */
export function parameter(value: Tensor, requiresGrad = true): Tensor {
  if (!value.isLeaf) {
    throw new ValueError(`parameter: a parameter must be a leaf tensor (shape [${value.shape.join(', ')}]); call detach() first`);
  }
  if (requiresGrad) value.requiresGrad = true;
  PARAMETERS.add(value);
  keep(value);
  return value;
}

/**
 * Whether `value` is a tensor registered as a parameter.
 * @example
 * isParameter(new Linear(2, 3).weight); // true
 */
export function isParameter(value: unknown): value is Tensor {
  return isTensor(value) && PARAMETERS.has(value);
}

/** What `loadStateDict` reports (it throws instead when `strict` and either list is non-empty). */
export interface LoadStateDictResult {
  /** Keys the module expects that the state dict lacks. */
  missingKeys: string[];
  /** Keys of the state dict that the module does not have. */
  unexpectedKeys: string[];
}

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Throw when keys are missing or unexpected (default true). Shape and dtype mismatches always throw. */
  strict?: boolean;
}

type EntryKind = 'parameter' | 'buffer' | 'module';

interface Entry {
  kind: EntryKind;
  value: Tensor | Module | null;
  /** False for a buffer left out of `stateDict` (PyTorch's `persistent=False`). */
  persistent?: boolean;
}

/** Options of {@link Module.registerBuffer}. */
export interface RegisterBufferOptions {
  /**
   * Save the buffer in `stateDict` (default true). A non-persistent buffer (PyTorch's
   * `persistent=False`) is state derived from the configuration — a positional-encoding table, a
   * causal mask — that `buffers()` lists and `to()` moves but checkpoints neither hold nor expect.
   */
  persistent?: boolean;
}

// Properties the scan never treats as registrations.
const RESERVED = new Set(['training']);

/**
 * Base class of layers and models. Subclasses assign parameters and submodules to properties in the
 * constructor and implement `forward`.
 * @example
 * class TwoLayer extends Module {
 *   fc1 = new Linear(4, 8);
 *   fc2 = new Linear(8, 2);
 *   forward(x: Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 * new TwoLayer().namedParameters().map(([name]) => name); // ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
 */
export abstract class Module {
  /** Training mode (true) or evaluation mode (false); set with `train()` / `eval()`. */
  training = true;
  /** Explicit registrations, in registration order (names that are not identifiers, buffers). */
  private readonly _registry = new Map<string, Entry>();
  /** Hooks, created on the first registration. */
  private _hooks: ModuleHooks | null = null;

  /**
   * Compute the output. Most layers return a Tensor; recurrent layers return `[output, state]`, so the
   * base signature is open (as in PyTorch) and each subclass declares its own precise types.
   */
  abstract forward(...inputs: any[]): any;

  // ------------------------------------------------------------------ registration

  /**
   * Register a parameter under `name` (or `null` for an absent optional one, like PyTorch's `bias=None`).
   * @example
   * this.registerParameter('weight', zeros([3, 2]));
   */
  registerParameter(name: string, value: Tensor | null): void {
    this.checkName(name);
    if (value) parameter(value, value.requiresGrad || !PARAMETERS.has(value));
    this._registry.set(name, { kind: 'parameter', value });
  }

  /**
   * Register a buffer: state that is saved in `stateDict` but not trained (BatchNorm's running statistics).
   * With `{ persistent: false }` it is moved by `to()` and listed by `buffers()` but not saved or loaded.
   * @example
   * this.registerBuffer('running_mean', zeros([channels]));
   * this.registerBuffer('pe', table, { persistent: false });
   */
  registerBuffer(name: string, value: Tensor | null, options: RegisterBufferOptions = {}): void {
    this.checkName(name);
    if (value) keep(value);
    this._registry.set(name, { kind: 'buffer', value, persistent: options.persistent ?? true });
  }

  /**
   * Register a submodule under `name` (Sequential uses `'0'`, `'1'`, …).
   * @example
   * this.registerModule('0', new Linear(2, 2));
   */
  registerModule(name: string, module: Module | null): void {
    this.checkName(name);
    this._registry.set(name, { kind: 'module', value: module });
  }

  /**
   * Remove the submodule registered under `name` and return it (PyTorch's `del self.name`); containers
   * use it to renumber their children. Returns `null` when no submodule is registered under `name`.
   * @example
   * this.removeModule('2');
   */
  protected removeModule(name: string): Module | null {
    const entry = this._registry.get(name);
    if (entry?.kind !== 'module') return null;
    this._registry.delete(name);
    return entry.value as Module | null;
  }

  private checkName(name: string): void {
    if (name === '' || name.includes('.')) {
      throw new ValueError(`${this.constructor.name}.register: name ${JSON.stringify(name)} must be non-empty and contain no '.'`);
    }
  }

  /**
   * Own registrations of one kind, in order: explicit ones first, then properties in assignment order.
   * `persistentOnly` leaves out non-persistent buffers (what `stateDict` saves).
   */
  private ownEntries(kind: EntryKind, persistentOnly = false): [string, Tensor | Module][] {
    const result: [string, Tensor | Module][] = [];
    for (const [name, entry] of this._registry) {
      if (persistentOnly && entry.persistent === false) continue;
      if (entry.kind === kind && entry.value) result.push([name, entry.value]);
    }
    for (const key of Object.keys(this)) {
      if (key.startsWith('_') || RESERVED.has(key) || this._registry.has(key)) continue;
      const value = (this as Record<string, unknown>)[key];
      if (value instanceof Module) {
        if (kind === 'module') result.push([key, value]);
      } else if (isTensor(value) && !value.isDisposed) {
        if (!PARAMETERS.has(value) && value.isLeaf && value.requiresGrad) PARAMETERS.add(value);
        if (kind === 'parameter' && PARAMETERS.has(value)) result.push([key, value]);
      }
    }
    return result;
  }

  // ------------------------------------------------------------------ hooks

  /**
   * Call `hook(module, inputs)` before every `forward`; it may return replacement inputs (an array of
   * arguments, or one value for a single argument). PyTorch's `register_forward_pre_hook`.
   * @example
   * const handle = layer.registerForwardPreHook((m, [x]) => [(x as Tensor).clamp(-1, 1)]);
   * handle.remove();
   */
  registerForwardPreHook(hook: ForwardPreHook<this>): RemovableHandle {
    return this.addHook((hooks) => hooks.forwardPre, hook);
  }

  /**
   * Call `hook(module, inputs, output)` after every `forward`; it may return a replacement output.
   * PyTorch's `register_forward_hook`.
   * @example
   * const activations: Tensor[] = [];
   * const handle = model.at(0).registerForwardHook((m, inputs, output) => { activations.push(keep((output as Tensor).detach())); });
   */
  registerForwardHook(hook: ForwardHook<this>): RemovableHandle {
    return this.addHook((hooks) => hooks.forward, hook);
  }

  /**
   * Call `hook(module, gradInput, gradOutput)` when backward has computed the gradients with respect to
   * this module's inputs (`null` for arguments that are not tensors requiring grad); it may return
   * replacement input gradients. PyTorch's `register_full_backward_hook`.
   * @example
   * layer.registerFullBackwardHook((m, gradInput) => gradInput.map((g) => g?.clamp(-1, 1) ?? null));
   */
  registerFullBackwardHook(hook: FullBackwardHook<this>): RemovableHandle {
    return this.addHook((hooks) => hooks.backward, hook);
  }

  private addHook<H>(list: (hooks: ModuleHooks) => Map<number, H>, hook: H): RemovableHandle {
    if (typeof hook !== 'function') throw new ValueError(`${this.constructor.name}: a hook must be a function, got ${typeof hook}`);
    const hooks = (this._hooks ??= new ModuleHooks());
    const handle = hooks.add(list(hooks), hook, () => this.updateHookedForward());
    this.updateHookedForward();
    return handle;
  }

  /**
   * With hooks, this instance's own `forward` runs them around its class's `forward`; without, the own
   * property is removed, so a module without hooks pays nothing for them.
   */
  private updateHookedForward(): void {
    const hooked = Object.prototype.hasOwnProperty.call(this, 'forward') && (this.forward as { hooked?: true }).hooked === true;
    const active = this._hooks !== null && !this._hooks.empty;
    if (active && !hooked) {
      const inner = this.forward;
      const hooks = this._hooks!;
      const wrapper = Object.assign((...inputs: unknown[]) => callWithHooks(this, hooks, inner, inputs), { hooked: true as const, inner });
      Object.defineProperty(this, 'forward', { value: wrapper, writable: true, configurable: true, enumerable: false });
    } else if (!active && hooked) {
      const { inner } = this.forward as unknown as { inner: (...inputs: any[]) => Tensor };
      delete (this as { forward?: unknown }).forward;
      // A forward that was itself an own property (an arrow-function field) comes back as it was.
      if (this.forward !== inner) Object.defineProperty(this, 'forward', { value: inner, writable: true, configurable: true, enumerable: false });
    }
  }

  // ------------------------------------------------------------------ traversal

  /**
   * Direct submodules with their names.
   * @example
   * new Sequential(new Linear(2, 2), new ReLU()).namedChildren(); // [['0', Linear], ['1', ReLU]]
   */
  namedChildren(): [string, Module][] {
    return this.ownEntries('module') as [string, Module][];
  }

  /** Direct submodules. @example model.children().length */
  children(): Module[] {
    return this.namedChildren().map(([, child]) => child);
  }

  /**
   * This module and every descendant, each once, with dotted names (`''` for this one).
   * @example
   * for (const [name, m] of model.namedModules()) console.log(name, m.constructor.name);
   */
  namedModules(prefix = ''): [string, Module][] {
    const seen = new Set<Module>();
    const result: [string, Module][] = [];
    const visit = (module: Module, name: string) => {
      if (seen.has(module)) return;
      seen.add(module);
      result.push([name, module]);
      for (const [childName, child] of module.namedChildren()) visit(child, name ? `${name}.${childName}` : childName);
    };
    visit(this, prefix);
    return result;
  }

  /** This module and every descendant. @example model.modules().filter((m) => m instanceof Linear) */
  modules(): Module[] {
    return this.namedModules().map(([, module]) => module);
  }

  private namedTensors(kind: 'parameter' | 'buffer', prefix: string, recurse: boolean): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const result: [string, Tensor][] = [];
    const modules: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [moduleName, module] of modules) {
      for (const [name, value] of module.ownEntries(kind) as [string, Tensor][]) {
        if (seen.has(value)) continue; // a shared (tied) tensor is listed once, as in PyTorch
        seen.add(value);
        result.push([moduleName ? `${moduleName}.${name}` : name, value]);
      }
    }
    return result;
  }

  /**
   * Parameters with PyTorch's dotted names (`layers.0.weight`); shared parameters appear once.
   * @example
   * new Linear(3, 2).namedParameters().map(([name, p]) => [name, p.shape]); // [['weight', [2, 3]], ['bias', [2]]]
   */
  namedParameters(prefix = '', recurse = true): [string, Tensor][] {
    return this.namedTensors('parameter', prefix, recurse);
  }

  /**
   * Every parameter (what an optimizer takes).
   * @example
   * const optimizer = new SGD(model.parameters(), { lr: 0.1 });
   */
  parameters(recurse = true): Tensor[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  /**
   * Buffers with dotted names (`bn.running_mean`).
   * @example
   * new BatchNorm1d(4).namedBuffers().map(([name]) => name); // ['running_mean', 'running_var', 'num_batches_tracked']
   */
  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    return this.namedTensors('buffer', prefix, recurse);
  }

  /** Every buffer. @example model.buffers().length */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  /**
   * Call `fn` on every submodule (children first) and then on this module; returns this module.
   * @example
   * model.apply((m) => { if (m instanceof Linear) init.zeros(m.bias!); });
   */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ------------------------------------------------------------------ modes and gradients

  /**
   * Set training mode (`true`) or evaluation mode (`false`) here and in every submodule.
   * Dropout and BatchNorm behave differently in the two modes.
   * @example
   * model.train(); // before training
   */
  train(mode = true): this {
    for (const module of this.modules()) module.training = mode;
    return this;
  }

  /**
   * Evaluation mode: `train(false)`.
   * @example
   * model.eval(); const predictions = noGrad(() => model.forward(x));
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clear the gradients of every parameter (disposes them and sets `.grad = null`, PyTorch's default
   * `set_to_none=True`; pass `false` to fill them with zeros instead).
   * @example
   * model.zeroGrad();
   */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      clearRowSparseGrad(p); // an Embedding with sparse: true keeps its gradient there
      if (!p.grad) continue;
      if (setToNone) {
        p.grad.dispose();
        p.grad = null;
      } else {
        p.grad.zero_();
      }
    }
  }

  /**
   * Stop gradients to every parameter (`requiresGrad = false`): for transfer learning, freeze a backbone.
   * @example
   * backbone.freeze();
   */
  freeze(): this {
    for (const p of this.parameters()) p.requiresGrad = false;
    return this;
  }

  /**
   * Let gradients reach every parameter again.
   * @example
   * backbone.unfreeze();
   */
  unfreeze(): this {
    for (const p of this.parameters()) p.requiresGrad = true;
    return this;
  }

  /**
   * Number of parameter elements (only trainable ones with `onlyTrainable`).
   * @example
   * new Linear(784, 256).numParameters(); // 200960
   */
  numParameters(onlyTrainable = false): number {
    return this.parameters()
      .filter((p) => !onlyTrainable || p.requiresGrad)
      .reduce((total, p) => total + p.size, 0);
  }

  // ------------------------------------------------------------------ state

  /**
   * Parameters and (persistent) buffers by PyTorch name. The tensors are the module's own (shared storage):
   * read or save them, but do not dispose them.
   * @example
   * const bytes = await saveSafetensors(model.stateDict());
   */
  stateDict(): Record<string, Tensor> {
    const state: Record<string, Tensor> = {};
    for (const [moduleName, module] of this.namedModules()) {
      for (const kind of ['parameter', 'buffer'] as const) {
        for (const [name, value] of module.ownEntries(kind, true) as [string, Tensor][]) {
          const key = moduleName ? `${moduleName}.${name}` : name;
          if (!(key in state)) state[key] = value;
        }
      }
    }
    return state;
  }

  /**
   * Copy values into this module's parameters and buffers (in place, with `assign`).
   * Every key, shape and dtype is checked before anything is copied: a shape or dtype mismatch always
   * throws; missing or unexpected keys throw when `strict` (the default) and are reported otherwise.
   * @example
   * model.loadStateDict(await loadSafetensors(bytes));
   * const { missingKeys } = model.loadStateDict(partial, { strict: false });
   */
  loadStateDict(stateDict: Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) {
      const got = stateDict === null ? 'null' : Array.isArray(stateDict) ? 'an array' : typeof stateDict;
      throw new ValueError(`loadStateDict: expected a record of tensors by name (e.g. from loadSafetensors), got ${got}`);
    }
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((key) => !(key in stateDict));
    const unexpectedKeys = Object.keys(stateDict).filter((key) => !(key in own));
    const name = this.constructor.name;
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      const parts = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
      throw new ValueError(`loadStateDict: the state dict does not match ${name} (${parts.join('; ')}); pass { strict: false } to load the matching keys only`);
    }
    const pairs: [Tensor, Tensor][] = [];
    for (const [key, target] of Object.entries(own)) {
      const source = stateDict[key];
      if (!source) continue;
      if (!isTensor(source)) throw new ValueError(`loadStateDict: value of '${key}' is not a tensor`);
      if (source.shape.length !== target.shape.length || source.shape.some((size, d) => size !== target.shape[d])) {
        throw new ShapeError(
          `loadStateDict: size mismatch for '${key}': the state dict has shape [${source.shape.join(', ')}], ${name} expects [${target.shape.join(', ')}]`,
        );
      }
      if (source.dtype !== target.dtype) {
        throw new DTypeError(`loadStateDict: dtype mismatch for '${key}': the state dict has ${source.dtype}, ${name} expects ${target.dtype}`);
      }
      pairs.push([target, source]);
    }
    noGrad(() => {
      for (const [target, source] of pairs) target.assign(source);
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Move every parameter, its gradient and every buffer to another backend, in place as PyTorch does:
   * the parameter tensors stay the same objects (now on `device`), so an optimizer built over them keeps
   * working — call `optimizer.to(device)` to move its state too. Returns this module.
   * @example
   * await model.to('webgpu');
   * await optimizer.to('webgpu');
   */
  async to(device: string): Promise<this> {
    for (const tensor of [...this.parameters(), ...this.buffers()]) {
      await moveInPlace(tensor, device);
      const grad = tensor.grad;
      if (!grad || grad.device === device) continue;
      if (!grad.gradFn) {
        await moveInPlace(grad, device);
      } else {
        // A gradient kept with its graph (createGraph) cannot move under that graph: it is replaced by a copy.
        const detached = grad.detach();
        tensor.grad = keep(await detached.to(device));
        detached.dispose();
        grad.dispose();
      }
    }
    return this;
  }

  /**
   * Throw a `BackendError` naming this layer's `forward` when `input` is on another backend than
   * `parameter` (cheap: one comparison), instead of the error of whichever op meets them first.
   * @example
   * forward(input: Tensor) { this.checkInputDevice(input, this.weight); … }
   */
  protected checkInputDevice(input: Tensor, parameter: Tensor): void {
    if (input.device !== parameter.device) {
      throw new BackendError(
        `${this.constructor.name}.forward: input is on '${input.device}' but the layer's parameters are on '${parameter.device}'; move one with .to() (await model.to('${input.device}') or await input.to('${parameter.device}'))`,
      );
    }
  }

  /**
   * Free every parameter and buffer (and their gradients). The module is unusable afterwards.
   * @example
   * model.dispose();
   */
  dispose(): void {
    for (const tensor of [...this.parameters(), ...this.buffers()]) tensor.dispose();
  }

  // ------------------------------------------------------------------ printing

  /**
   * The part inside the parentheses of this module's line in `toString()` (override in layers).
   * @example
   * new Linear(2, 3).extraRepr(); // 'inFeatures=2, outFeatures=3, bias=true'
   */
  extraRepr(): string {
    return '';
  }

  /**
   * A PyTorch-style summary: the module tree, each line with its parameter count, and the totals.
   * @example
   * console.log(new MLP({ sizes: [784, 256, 10] }).toString());
   */
  toString(): string {
    const total = this.numParameters();
    const trainable = this.numParameters(true);
    return `${this.describe(0)}\nTotal parameters: ${formatCount(total)} (trainable: ${formatCount(trainable)})`;
  }

  private describe(indent: number): string {
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    const count = this.numParameters();
    const children = this.namedChildren();
    const suffix = count ? `  # ${formatCount(count)} params` : '';
    if (!children.length) return `${head})${suffix}`;
    const pad = '  '.repeat(indent + 1);
    const lines = children.map(([name, child]) => `${pad}(${name}): ${child.describe(indent + 1)}`);
    return `${head}${head.endsWith('(') ? '' : ','}${suffix}\n${lines.join('\n')}\n${'  '.repeat(indent)})`;
  }

  /** Node's `console.log` support. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
