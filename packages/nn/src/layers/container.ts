/**
 * Containers: Sequential and ModuleList.
 */
import { tidy, ValueError, type Tensor } from '@tessera/core';
import { Module } from '../module';

/**
 * Modules applied in order, named `0`, `1`, … (or by the keys of a record, like PyTorch's OrderedDict).
 * @example
 * const model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * model.namedParameters()[0][0]; // '0.weight'
 */
export class Sequential extends Module {
  private readonly _layers: Module[] = [];

  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && !(first instanceof Module)) {
      for (const [name, module] of Object.entries(first as Record<string, Module>)) this.add(name, module);
    } else {
      for (const module of modules as Module[]) this.append(module);
    }
  }

  private add(name: string, module: Module): void {
    if (!(module instanceof Module)) throw new ValueError(`Sequential: entry '${name}' is not a Module`);
    this.registerModule(name, module);
    this._layers.push(module);
  }

  /** Add a module at the end (named by its position). @example seq.append(new ReLU()) */
  append(module: Module): this {
    this.add(String(this._layers.length), module);
    return this;
  }

  /** The module at `index` (negative counts from the end). @example seq.at(-1) */
  at(index: number): Module {
    const module = this._layers.at(index);
    if (!module) throw new ValueError(`Sequential.at: index ${index} is out of range for ${this._layers.length} modules`);
    return module;
  }

  /** Number of modules. */
  get length(): number {
    return this._layers.length;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this._layers[Symbol.iterator]();
  }

  /** Feed `input` through every module in turn; intermediate outputs are freed. */
  forward(input: Tensor): Tensor {
    return tidy(() => this._layers.reduce((x, layer) => layer.forward(x), input));
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
export class ModuleList extends Module {
  private readonly _items: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    for (const module of modules) this.append(module);
  }

  /** Add a module at the end. @example list.append(new Linear(4, 4)) */
  append(module: Module): this {
    if (!(module instanceof Module)) throw new ValueError(`ModuleList.append: entry ${this._items.length} is not a Module`);
    this.registerModule(String(this._items.length), module);
    this._items.push(module);
    return this;
  }

  /** Add several modules at the end. @example list.extend([a, b]) */
  extend(modules: Iterable<Module>): this {
    for (const module of modules) this.append(module);
    return this;
  }

  /** The module at `index` (negative counts from the end). @example list.at(0) */
  at(index: number): Module {
    const module = this._items.at(index);
    if (!module) throw new ValueError(`ModuleList.at: index ${index} is out of range for ${this._items.length} modules`);
    return module;
  }

  /** Number of modules. */
  get length(): number {
    return this._items.length;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this._items[Symbol.iterator]();
  }

  /** ModuleList has no forward of its own. */
  forward(): Tensor {
    throw new ValueError('ModuleList: it has no forward(); iterate over its modules in your own forward()');
  }
}
