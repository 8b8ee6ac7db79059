/**
 * Containers: Sequential, ModuleList and ModuleDict, as in PyTorch.
 *
 * A container keeps no list of its own: every read (`forward`, `at`, iteration, `length`) goes through
 * the module registry that `namedParameters()` and `stateDict()` read too, so replacing a child with
 * `registerModule`, `set` or `insert` changes what runs and what is saved at once.
 */
import { tidy, ValueError, type Tensor } from '@tessera/core';
import { Module } from '../module';
import { forwardFused } from './fused-sequence';

function checkModule(owner: string, module: unknown, where: string): asserts module is Module {
  if (!(module instanceof Module)) {
    const got = module === null ? 'null' : typeof module === 'object' ? (module.constructor?.name ?? 'object') : typeof module;
    throw new ValueError(`${owner}: ${where} must be a Module, got ${got}`);
  }
}

/**
 * Positional containers (Sequential and ModuleList): children in order, Python's list operations with
 * negative indices, and PyTorch's renumbering of the keys `0`, `1`, … when a child is inserted or removed.
 */
abstract class ModuleSequence extends Module {
  /** Number of modules. @example new Sequential(new Linear(2, 2), new ReLU()).length; // 2 */
  get length(): number {
    return this.namedChildren().length;
  }

  /**
   * The module at `index` (negative counts from the end).
   * @example
   * seq.at(-1); // the last module
   */
  at(index: number): Module {
    const children = this.namedChildren();
    return children[this.position('at', index, children.length)][1];
  }

  /**
   * Replace the module at `index` (negative counts from the end), keeping its key, as PyTorch's
   * `seq[i] = module` does: `forward`, `namedParameters()` and `stateDict()` all see the new one.
   * @example
   * model.set(-1, new Linear(256, 3)); // a new head for transfer learning
   */
  set(index: number, module: Module): this {
    checkModule(`${this.constructor.name}.set`, module, 'the new entry');
    const children = this.namedChildren();
    this.registerModule(children[this.position('set', index, children.length)][0], module);
    return this;
  }

  /**
   * Add a module at the end, under the key `String(length)`.
   * @example
   * seq.append(new ReLU());
   */
  append(module: Module): this {
    checkModule(`${this.constructor.name}.append`, module, `entry ${this.length}`);
    this.registerModule(String(this.length), module);
    return this;
  }

  /**
   * Add several modules at the end.
   * @example
   * list.extend([new Linear(4, 4), new ReLU()]);
   */
  extend(modules: Iterable<Module>): this {
    for (const module of modules) this.append(module);
    return this;
  }

  /**
   * Insert a module before position `index` (`-length ≤ index ≤ length`); the keys of the modules after
   * it shift up by one (`'2'` becomes `'3'`), as in PyTorch.
   * @example
   * seq.insert(1, new Dropout(0.1)); // Linear, Dropout, ReLU, Linear
   */
  insert(index: number, module: Module): this {
    const owner = `${this.constructor.name}.insert`;
    checkModule(owner, module, 'the new entry');
    const children = this.namedChildren();
    const n = children.length;
    if (!Number.isInteger(index) || index < -n || index > n) {
      throw new ValueError(`${owner}: index ${index} is out of range for ${n} modules (expected an integer in [${-n}, ${n}])`);
    }
    this.checkPositionalKeys(owner, children);
    const at = index < 0 ? index + n : index;
    const modules = children.map(([, child]) => child);
    modules.splice(at, 0, module);
    this.renumber(modules);
    return this;
  }

  /**
   * Remove the module at `index` (default the last) and return it; the keys after it shift down so they
   * stay `0 … length−1` (PyTorch's `del seq[i]` renumbers, named keys included).
   * @example
   * const head = seq.pop(); // seq.length is one less
   */
  pop(index = -1): Module {
    const children = this.namedChildren();
    const at = this.position('pop', index, children.length);
    const modules = children.map(([, child]) => child);
    const [removed] = modules.splice(at, 1);
    this.renumber(modules);
    return removed;
  }

  /** The modules in order. @example for (const layer of seq) console.log(layer.constructor.name); */
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  /** `index` as a position in `[0, length)`, or a ValueError naming the method. */
  private position(method: string, index: number, length: number): number {
    if (!Number.isInteger(index) || index < -length || index >= length) {
      throw new ValueError(`${this.constructor.name}.${method}: index ${index} is out of range for ${length} modules`);
    }
    return index < 0 ? index + length : index;
  }

  /** Inserting shifts keys by position, which needs the keys to be the positions (PyTorch fails here too). */
  private checkPositionalKeys(owner: string, children: [string, Module][]): void {
    const named = children.filter(([key], position) => key !== String(position)).map(([key]) => key);
    if (named.length) {
      throw new ValueError(`${owner}: shifting keys needs the keys 0, 1, …; this container has named keys (${named.join(', ')}); build a new Sequential instead`);
    }
  }

  /** Register `modules` afresh under the keys `0 … n−1`. */
  private renumber(modules: Module[]): void {
    for (const [key] of this.namedChildren()) this.removeModule(key);
    modules.forEach((module, position) => this.registerModule(String(position), module));
  }
}

/**
 * Modules applied in order, named `0`, `1`, … (or by the keys of a record, like PyTorch's OrderedDict).
 * Its children are its registered submodules, so `set`, `insert`, `pop` or `registerModule` change
 * what `forward` runs, what `namedParameters()` lists and what `stateDict()` saves, together. A Linear
 * followed by a plain ReLU, Sigmoid or Tanh runs as one `fusedMatmul` (same values and gradients).
 * @example
 * const model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * model.namedParameters()[0][0]; // '0.weight'
 * model.set(2, new Linear(256, 3)); // forward now ends in the new head
 */
export class Sequential extends ModuleSequence {
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && !(first instanceof Module)) {
      for (const [name, module] of Object.entries(first as Record<string, Module>)) {
        checkModule('Sequential', module, `entry '${name}'`);
        this.registerModule(name, module);
      }
    } else {
      for (const module of modules as Module[]) this.append(module);
    }
  }

  /**
   * A new Sequential over the modules in `[start, end)` (negative counts from the end), keeping their
   * keys as PyTorch's `seq[start:end]` does; the modules are shared, not copied.
   * @example
   * const backbone = model.slice(0, -1); // every layer but the head
   */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(Object.fromEntries(this.namedChildren().slice(start, end)));
  }

  /** Feed `input` through every module in turn; intermediate outputs are freed. */
  forward(input: Tensor): Tensor {
    const layers = this.children();
    return tidy(() => forwardFused(layers, input));
  }
}

/**
 * A list of modules whose parameters are registered (`0.weight`, `1.weight`, …); it has no forward —
 * iterate over it in your own forward.
 * @example
 * class Stack extends Module {
 *   layers = new ModuleList([new Linear(4, 4), new Linear(4, 4)]);
 *   forward(x: Tensor) { for (const layer of this.layers) x = layer.forward(x); return x; }
 * }
 */
export class ModuleList extends ModuleSequence {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /**
   * A new ModuleList over the modules in `[start, end)`, numbered from 0 (PyTorch's `list[start:end]`).
   * @example
   * const firstTwo = layers.slice(0, 2);
   */
  slice(start?: number, end?: number): ModuleList {
    return new ModuleList(this.children().slice(start, end));
  }

  /** ModuleList has no forward of its own. */
  forward(): Tensor {
    throw new ValueError('ModuleList: it has no forward(); iterate over its modules in your own forward()');
  }
}

/**
 * Modules by name, in insertion order (PyTorch's `nn.ModuleDict`): parameters are named
 * `<key>.weight`, …; it has no forward — pick modules by key in your own forward.
 * @example
 * const heads = new ModuleDict({ classify: new Linear(16, 10), regress: new Linear(16, 1) });
 * heads.get('classify').forward(features);
 */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  /** Number of modules. @example new ModuleDict({ a: new ReLU() }).length; // 1 */
  get length(): number {
    return this.namedChildren().length;
  }

  /**
   * The module under `key` (a ValueError naming the known keys when absent).
   * @example
   * heads.get('classify');
   */
  get(key: string): Module {
    const found = this.namedChildren().find(([name]) => name === key);
    if (!found) throw new ValueError(`ModuleDict.get: no module under '${key}' (keys: ${this.keys().join(', ') || 'none'})`);
    return found[1];
  }

  /**
   * Add or replace the module under `key` (a replaced key keeps its position, as in PyTorch).
   * @example
   * heads.set('classify', new Linear(16, 3));
   */
  set(key: string, module: Module): this {
    checkModule('ModuleDict.set', module, `entry '${key}'`);
    this.registerModule(key, module);
    return this;
  }

  /** Whether a module is registered under `key`. @example heads.has('classify'); // true */
  has(key: string): boolean {
    return this.namedChildren().some(([name]) => name === key);
  }

  /**
   * Remove the module under `key` and return it.
   * @example
   * const old = heads.pop('regress');
   */
  pop(key: string): Module {
    const module = this.get(key);
    this.removeModule(key);
    return module;
  }

  /** Remove every module. @example heads.clear(); */
  clear(): void {
    for (const key of this.keys()) this.removeModule(key);
  }

  /**
   * Add or replace several modules (from a record or `[key, module]` pairs).
   * @example
   * heads.update({ segment: new Conv2d(16, 4, 1) });
   */
  update(modules: Record<string, Module> | Iterable<[string, Module]>): this {
    const entries = Symbol.iterator in modules ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const [key, module] of entries) this.set(key, module);
    return this;
  }

  /** The keys in order. @example heads.keys(); // ['classify', 'regress'] */
  keys(): string[] {
    return this.namedChildren().map(([key]) => key);
  }

  /** The modules in order. @example heads.values().length */
  values(): Module[] {
    return this.children();
  }

  /** `[key, module]` pairs in order. @example for (const [key, head] of heads.items()) … */
  items(): [string, Module][] {
    return this.namedChildren();
  }

  /** The keys in order, as iterating a PyTorch ModuleDict gives. @example [...heads]; // ['classify', 'regress'] */
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  /** ModuleDict has no forward of its own. */
  forward(): Tensor {
    throw new ValueError('ModuleDict: it has no forward(); pick its modules by key in your own forward()');
  }
}
