/**
 * The optimizer base class: parameter groups with per-group hyperparameters, per-parameter state,
 * `zeroGrad`, `step` and a PyTorch-shaped `stateDict`.
 *
 * A subclass only writes the update of one parameter ({@link Optimizer.updateParameter}); the base class
 * skips parameters without a gradient and runs each update inside `tidy(() => noGrad(…))`, so the
 * temporaries of a step are freed and `memory().tensors` stays flat across steps.
 */
import { DTypeError, Tensor, ValueError, clearRowSparseGrad, isFloating, isTensor, keep, moveInPlace, noGrad, rowSparseGrad, tidy, type RowSparseGrad } from '@tessera/core';
import { describe } from './checks';

/** Hyperparameters every optimizer has. */
export interface OptimizerOptions {
  /** Learning rate η (schedules change it between steps). */
  lr: number;
}

/** A parameter group as given to a constructor: its tensors and any options that differ from the defaults. */
export type ParamGroupInput<O extends OptimizerOptions> = { params: Iterable<Tensor> | Tensor } & Partial<O>;

/** What an optimizer constructor accepts: a list of tensors, or a list of parameter groups. */
export type ParamsInput<O extends OptimizerOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** A parameter group inside an optimizer: its tensors and every option, filled in from the defaults. */
export type ParamGroup<O extends OptimizerOptions> = O & { params: Tensor[] };

/** One parameter's state: tensors shaped like the parameter (moment estimates, buffers) and numbers (the step count). */
export type ParamState = Record<string, Tensor | number>;

/**
 * The serialisable form of an optimizer, structured like PyTorch's `optimizer.state_dict()`:
 * `state` maps a parameter's position (counted across groups in order) to its state, and `paramGroups`
 * lists each group's options with its parameters as those positions.
 */
export interface OptimizerStateDict<O extends OptimizerOptions = OptimizerOptions> {
  state: Record<number, ParamState>;
  paramGroups: (O & { params: number[] })[];
}

/**
 * Base class of every optimizer. Use a subclass (`SGD`, `Adam`, `AdamW`, `RMSprop`, `Adagrad`).
 * @example
 * const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * optimizer.zeroGrad();
 * loss.backward();
 * optimizer.step();
 */
export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions> {
  /** The parameter groups; options are mutable (schedules write `lr`). */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** The options a group gets when it does not set them. */
  readonly defaults: O;
  /** Per-parameter state, created on a parameter's first step. */
  protected readonly state = new Map<Tensor, ParamState>();

  /**
   * @param name class name used in error messages
   * @param params tensors, or parameter groups `{ params, ...options }`
   * @param defaults every option with its value for groups that do not set it
   */
  protected constructor(
    private readonly name: string,
    params: ParamsInput<O>,
    defaults: O,
  ) {
    this.validateOptions(defaults);
    this.defaults = defaults;
    for (const group of normalizeGroups(name, params)) this.addParamGroup(group);
  }

  /**
   * Add a parameter group (e.g. layers unfrozen during fine-tuning); missing options come from the defaults.
   * @example
   * optimizer.addParamGroup({ params: head.parameters(), lr: 0.01 });
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (group === null || typeof group !== 'object' || isTensor(group) || !('params' in group)) {
      throw new ValueError(`${this.name}.addParamGroup: expected a parameter group { params, ...options }, got ${describe(group)}`);
    }
    const index = this.paramGroups.length;
    const params = toParamList(this.name, group.params, index);
    if (params.length === 0) throw new ValueError(`${this.name}: parameter group ${index} has no parameters`);
    const seen = new Map<Tensor, number>();
    this.paramGroups.forEach((existing, groupIndex) => existing.params.forEach((p) => seen.set(p, groupIndex)));
    params.forEach((param, position) => {
      const earlier = seen.get(param);
      if (earlier !== undefined || params.indexOf(param) !== position) {
        throw new ValueError(
          `${this.name}: parameter ${position} of group ${index} (tensor #${param.id}, shape [${param.shape.join(', ')}]) ` +
            `is given more than once (${earlier !== undefined ? `it is already in group ${earlier}` : 'twice in this group'}); ` +
            'each parameter may appear once in one group',
        );
      }
    });
    const filled = { ...copyOptions(this.defaults), ...copyOptions(group), params } as ParamGroup<O>;
    this.validateOptions(filled, index);
    this.paramGroups.push(filled);
  }

  /**
   * Forget the gradients of every parameter. With `setToNone` (the default, as in PyTorch) each `.grad`
   * is disposed and set to `null`, so parameters that take no part in the next backward are skipped by
   * `step()`; otherwise the gradients are filled with zeros.
   * @example
   * optimizer.zeroGrad();
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const param of group.params) {
        clearRowSparseGrad(param); // an Embedding with sparse: true keeps its gradient there
        const grad = param.grad;
        if (grad === null) continue;
        if (setToNone) {
          grad.dispose();
          param.grad = null;
        } else {
          noGrad(() => grad.zero_());
        }
      }
    }
  }

  /**
   * Update every parameter that has a gradient, in place. Parameters whose `.grad` is `null` are skipped
   * (their state is untouched).
   * @example
   * loss.backward();
   * optimizer.step();
   */
  step(): void {
    for (const group of this.paramGroups) {
      this.validateOptions(group, this.paramGroups.indexOf(group));
      for (const param of group.params) {
        const grad = param.grad;
        const sparse = grad === null ? rowSparseGrad(param) : null;
        if (grad === null && sparse === null) continue;
        let state = this.state.get(param);
        if (!state) {
          state = {};
          this.state.set(param, state);
        }
        const paramState = state;
        if (grad === null) tidy(() => noGrad(() => this.updateParameterSparse(param, sparse!, paramState, group)));
        else tidy(() => noGrad(() => this.updateParameter(param, grad, paramState, group)));
      }
    }
  }

  /**
   * Apply one update to `param` in place (with `param.assign`). Runs inside `tidy(() => noGrad(…))`;
   * new state tensors must be made with `keep(...)` so they outlive the step, and updated with `assign`.
   */
  protected abstract updateParameter(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<O>): void;

  /**
   * Apply one update from a row-sparse gradient (an `Embedding` with `sparse: true`): `sparse.values[k]`
   * is the gradient of row `sparse.indices[k]`, repeats adding up. Optimizers that support it override
   * this (SGD, SparseAdam); the default refuses, naming the parameter, as PyTorch does.
   */
  protected updateParameterSparse(param: Tensor, _sparse: RowSparseGrad, _state: ParamState, _group: ParamGroup<O>): void {
    throw new ValueError(
      `${this.name}: parameter of shape [${param.shape.join(', ')}] has a row-sparse gradient (an Embedding with sparse: true), ` +
        'which this optimizer does not support; use SGD or SparseAdam for it',
    );
  }

  /** Throw a `ValueError` naming the bad option; `groupIndex` is absent for the defaults. */
  protected abstract checkOptions(options: O, where: string): void;

  private validateOptions(options: O, groupIndex?: number): void {
    this.checkOptions(options, groupIndex === undefined ? this.name : `${this.name} (parameter group ${groupIndex})`);
  }

  /**
   * The optimizer's state, structured like PyTorch's `state_dict()`. The tensors are the optimizer's live
   * state (not copies): save or read them, but do not dispose them. Parameters are referred to by their
   * position across groups, so the dict loads into an optimizer built over the same parameters in the same order.
   * @example
   * const saved = optimizer.stateDict();
   * saved.paramGroups[0].lr; // 0.1
   */
  stateDict(): OptimizerStateDict<O> {
    const positions = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...options } = group;
      const ids = params.map((param) => {
        const id = positions.size;
        positions.set(param, id);
        return id;
      });
      return { ...copyOptions(options), params: ids } as unknown as O & { params: number[] };
    });
    const state: Record<number, ParamState> = {};
    for (const [param, paramState] of this.state) {
      const id = positions.get(param);
      if (id !== undefined && Object.keys(paramState).length > 0) state[id] = { ...paramState };
    }
    return { state, paramGroups };
  }

  /**
   * Load a state from {@link stateDict} (of this optimizer or one built over the same parameters). Group
   * options are taken from the dict; state tensors are copied (cast to each parameter's dtype), so the
   * dict can be disposed afterwards. Throws a `ValueError` when the groups do not match.
   * @example
   * optimizer.loadStateDict(saved);
   */
  loadStateDict(stateDict: OptimizerStateDict<O>): void {
    const where = `${this.name}.loadStateDict`;
    if (stateDict === null || typeof stateDict !== 'object' || !Array.isArray(stateDict.paramGroups) || typeof stateDict.state !== 'object' || stateDict.state === null) {
      throw new ValueError(`${where}: expected { state, paramGroups } as returned by stateDict(), got ${describe(stateDict)}`);
    }
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new ValueError(`${where}: the state dict has ${saved.length} parameter group(s) but this optimizer has ${this.paramGroups.length}`);
    }
    const byId = new Map<number, Tensor>();
    saved.forEach((savedGroup, index) => {
      const group = this.paramGroups[index];
      if (!Array.isArray(savedGroup.params) || savedGroup.params.length !== group.params.length) {
        const count = Array.isArray(savedGroup.params) ? savedGroup.params.length : describe(savedGroup.params);
        throw new ValueError(`${where}: parameter group ${index} has ${count} parameter(s) in the state dict but ${group.params.length} in this optimizer`);
      }
      savedGroup.params.forEach((id, position) => byId.set(id, group.params[position]));
      const { params: _ids, ...options } = savedGroup;
      this.validateOptions({ ...copyOptions(options) } as unknown as O, index);
    });
    // Copy everything first, so a dict holding this optimizer's own live tensors loads correctly.
    const loaded = new Map<Tensor, ParamState>();
    try {
      for (const [key, paramState] of Object.entries(stateDict.state)) {
        const param = byId.get(Number(key));
        if (!param) throw new ValueError(`${where}: the state dict has state for parameter ${key}, which is in none of its parameter groups`);
        loaded.set(param, copyState(where, key, param, paramState, loaded));
      }
    } catch (error) {
      for (const paramState of loaded.values()) disposeState(paramState);
      throw error;
    }
    saved.forEach((savedGroup, index) => {
      const { params: _ids, ...options } = savedGroup;
      Object.assign(this.paramGroups[index], copyOptions(options));
    });
    for (const paramState of this.state.values()) disposeState(paramState);
    this.state.clear();
    for (const [param, paramState] of loaded) this.state.set(param, paramState);
  }

  /**
   * Move the optimizer's state (momentum buffers, moment estimates) to another backend in place, so
   * training continues there; step counts and group options carry over as they are. The parameters
   * move with their model: PyTorch-style, `await model.to(device)` moves them in place (same tensor
   * objects), then `await optimizer.to(device)`. Returns this optimizer.
   * @example
   * await model.to('webgpu');
   * await optimizer.to('webgpu');
   * optimizer.step(); // continues with the same momentum, now on webgpu
   */
  async to(device: string): Promise<this> {
    for (const paramState of this.state.values()) {
      for (const value of Object.values(paramState)) if (isTensor(value)) await moveInPlace(value, device);
    }
    return this;
  }

  /**
   * Free the optimizer's state tensors (the parameters are not touched). The optimizer starts afresh after it.
   * @example
   * optimizer.dispose();
   */
  dispose(): void {
    for (const paramState of this.state.values()) disposeState(paramState);
    this.state.clear();
  }
}

function disposeState(paramState: ParamState): void {
  for (const value of Object.values(paramState)) if (isTensor(value)) value.dispose();
}

function copyState(where: string, key: string, param: Tensor, paramState: ParamState, partial: Map<Tensor, ParamState>): ParamState {
  if (paramState === null || typeof paramState !== 'object') {
    throw new ValueError(`${where}: the state of parameter ${key} must be an object, got ${describe(paramState)}`);
  }
  const copy: ParamState = {};
  partial.set(param, copy); // registered early so a failure below disposes what was copied
  for (const [name, value] of Object.entries(paramState)) {
    if (typeof value === 'number') {
      copy[name] = value;
    } else if (isTensor(value)) {
      if (value.shape.length !== param.shape.length || value.shape.some((size, d) => size !== param.shape[d])) {
        throw new ValueError(
          `${where}: state '${name}' of parameter ${key} has shape [${value.shape.join(', ')}] but the parameter has shape [${param.shape.join(', ')}]`,
        );
      }
      const cloned = tidy(() => noGrad(() => (value.dtype === param.dtype ? value.clone() : value.cast(param.dtype))));
      copy[name] = keep(cloned);
    } else {
      throw new ValueError(`${where}: state '${name}' of parameter ${key} must be a Tensor or a number, got ${describe(value)}`);
    }
  }
  return copy;
}

function copyOptions<T extends object>(options: T): T {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options as Record<string, unknown>)) {
    if (key === 'params' || value === undefined) continue;
    copy[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  return copy as T;
}

function isPlainGroup(value: unknown): value is { params: unknown } {
  return value !== null && typeof value === 'object' && !isTensor(value) && 'params' in value;
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function';
}

function normalizeGroups<O extends OptimizerOptions>(owner: string, params: ParamsInput<O>): ParamGroupInput<O>[] {
  if (isTensor(params)) {
    throw new ValueError(`${owner}: params must be a list of tensors or of parameter groups ({ params, ...options }), got a single Tensor; wrap it in an array`);
  }
  if (!isIterable(params)) {
    throw new ValueError(`${owner}: params must be a list of tensors or of parameter groups ({ params, ...options }), got ${describe(params)}`);
  }
  const list = Array.from(params as Iterable<unknown>);
  if (list.length === 0) throw new ValueError(`${owner}: got an empty parameter list`);
  if (list.every(isPlainGroup)) return list as ParamGroupInput<O>[];
  if (list.some(isPlainGroup)) {
    throw new ValueError(`${owner}: params mixes tensors and parameter groups; give either a list of tensors or a list of { params, ...options }`);
  }
  return [{ params: list } as unknown as ParamGroupInput<O>];
}

function toParamList(owner: string, params: unknown, groupIndex: number): Tensor[] {
  const list = isTensor(params) ? [params] : isIterable(params) ? Array.from(params) : null;
  if (list === null) {
    throw new ValueError(`${owner}: the params of group ${groupIndex} must be a list of tensors, got ${describe(params)}`);
  }
  list.forEach((param, position) => {
    if (!isTensor(param)) {
      throw new ValueError(`${owner}: parameter ${position} of group ${groupIndex} is ${describe(param)}, not a Tensor`);
    }
    if (param.isDisposed) {
      throw new ValueError(`${owner}: parameter ${position} of group ${groupIndex} (tensor #${param.id}) was already disposed`);
    }
    if (!isFloating(param.dtype)) {
      throw new DTypeError(`${owner}: parameter ${position} of group ${groupIndex} has dtype ${param.dtype}; only floating-point tensors can be optimized`);
    }
    if (!param.isLeaf) {
      throw new ValueError(
        `${owner}: parameter ${position} of group ${groupIndex} (shape [${param.shape.join(', ')}]) is not a leaf tensor (it was computed by an op); optimize the tensors you created`,
      );
    }
  });
  return list as Tensor[];
}
