// Expected keys and gradients are PyTorch 1.13's, printed by test/fixtures/containers-hooks-pytorch.py.
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { ValueError, randn, type Tensor } from '@tessera/core';
import { Dropout, Linear, Module, ModuleDict, ModuleList, ReLU, Sequential, Tanh } from '../src/index';

const keys = (module: Module) => Object.keys(module.stateDict());
const kinds = (modules: Iterable<Module>) => [...modules].map((m) => m.constructor.name);

describe('containers have one source of truth: the registry', () => {
  it('registerModule replaces what forward, at() and namedParameters() see, together (issue 12, trap 1)', async () => {
    const seq = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
    const head = new Linear(8, 3);
    seq.registerModule('2', head);
    expect(seq.at(2)).toBe(head);
    expect(seq.at(-1)).toBe(head);
    expect(seq.namedParameters().slice(2).map(([, p]) => p)).toEqual([head.weight, head.bias]);
    expect(seq.forward(randn([5, 4])).shape).toEqual([5, 3]);
  });

  it('the replaced module can be disposed: forward no longer touches it', () => {
    const seq = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
    const old = seq.at(2);
    seq.set(2, new Linear(8, 3));
    old.dispose();
    expect(seq.forward(randn([2, 4])).shape).toEqual([2, 3]);
  });
});

describe('Sequential behaves like PyTorch 1.13', () => {
  it('set(i) keeps the key, negative indices count from the end', () => {
    const seq = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    seq.set(-1, new Linear(3, 4));
    expect(keys(seq)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect((seq.at(2) as Linear).outFeatures).toBe(4);
    expect(() => seq.set(3, new ReLU())).toThrow(ValueError);
    expect(() => seq.at(-4)).toThrow(/index -4 is out of range for 3 modules/);
  });

  it('insert shifts the keys after it up by one (stateDict keys follow)', () => {
    const seq = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    seq.insert(1, new Dropout(0.1));
    expect(kinds(seq)).toEqual(['Linear', 'Dropout', 'ReLU', 'Linear']);
    expect(keys(seq)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    seq.insert(-1, new Linear(3, 3));
    expect(kinds(seq)).toEqual(['Linear', 'Dropout', 'ReLU', 'Linear', 'Linear']);
    expect(keys(seq)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias', '4.weight', '4.bias']);
    seq.insert(5, new Tanh());
    expect(seq.length).toBe(6);
    expect(() => seq.insert(8, new ReLU())).toThrow(/index 8 is out of range for 6 modules/);
  });

  it('pop removes and renumbers (PyTorch renumbers named keys too); the default is the last', () => {
    const seq = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    const relu = seq.pop(1);
    expect(relu).toBeInstanceOf(ReLU);
    expect(keys(seq)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect(seq.pop()).toBeInstanceOf(Linear);
    expect(seq.length).toBe(1);
    const named = new Sequential({ hidden: new Linear(2, 3), act: new ReLU(), out: new Linear(3, 1) });
    named.pop(1);
    expect(keys(named)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
  });

  it('append, extend, iteration and slice (which keeps keys, like seq[a:b])', () => {
    const seq = new Sequential(new Linear(2, 3));
    seq.append(new ReLU()).extend([new Linear(3, 1), new Tanh()]);
    expect(kinds(seq)).toEqual(['Linear', 'ReLU', 'Linear', 'Tanh']);
    const tail = seq.slice(2);
    expect(keys(tail)).toEqual(['2.weight', '2.bias']);
    expect(tail.at(0)).toBe(seq.at(2));
    expect(seq.slice(0, -1).length).toBe(3);
  });

  it('insert into a Sequential with named keys fails clearly (PyTorch raises KeyError there)', () => {
    const named = new Sequential({ hidden: new Linear(2, 3), act: new ReLU() });
    expect(() => named.insert(0, new ReLU())).toThrow(/named keys \(hidden, act\)/);
  });

  it('refuses entries that are not modules', () => {
    const seq = new Sequential(new ReLU());
    expect(() => seq.append({} as Module)).toThrow(/must be a Module, got Object/);
    expect(() => seq.set(0, null as unknown as Module)).toThrow(ValueError);
  });
});

describe('ModuleList behaves like PyTorch 1.13', () => {
  it('set, insert, pop, extend with renumbered keys after each', () => {
    const list = new ModuleList([new Linear(2, 2), new Linear(2, 3)]);
    list.insert(0, new Linear(1, 2));
    expect(keys(list)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '2.weight', '2.bias']);
    expect([...list].map((m) => (m as Linear).inFeatures)).toEqual([1, 2, 2]);
    list.pop(1);
    expect([...list].map((m) => (m as Linear).inFeatures)).toEqual([1, 2]);
    expect(keys(list)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    list.set(-1, new Linear(2, 5));
    expect((list.at(1) as Linear).outFeatures).toBe(5);
    list.extend([new ReLU()]);
    expect(list.length).toBe(3);
    expect(list.slice(1).namedChildren().map(([key]) => key)).toEqual(['0', '1']);
  });

  it('a model iterating a ModuleList runs the replaced layer', () => {
    class Stack extends Module {
      layers = new ModuleList([new Linear(4, 4), new Linear(4, 4)]);
      forward(x: Tensor): Tensor {
        for (const layer of this.layers) x = layer.forward(x);
        return x;
      }
    }
    const model = new Stack();
    model.layers.set(1, new Linear(4, 6));
    expect(model.forward(randn([1, 4])).shape).toEqual([1, 6]);
    expect(keys(model)).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']);
  });
});

describe('ModuleDict behaves like PyTorch', () => {
  it('get, set, has, pop, keys, items and iteration over keys in insertion order', () => {
    const heads = new ModuleDict({ classify: new Linear(4, 10), regress: new Linear(4, 1) });
    expect(heads.keys()).toEqual(['classify', 'regress']);
    expect([...heads]).toEqual(['classify', 'regress']);
    expect(keys(heads)).toEqual(['classify.weight', 'classify.bias', 'regress.weight', 'regress.bias']);
    heads.set('classify', new Linear(4, 3)); // a replaced key keeps its position
    expect(heads.keys()).toEqual(['classify', 'regress']);
    expect((heads.get('classify') as Linear).outFeatures).toBe(3);
    expect(heads.has('regress')).toBe(true);
    expect(heads.pop('regress')).toBeInstanceOf(Linear);
    expect(heads.has('regress')).toBe(false);
    expect(() => heads.get('regress')).toThrow(/no module under 'regress' \(keys: classify\)/);
    heads.update([['segment', new ReLU()]]);
    expect(heads.items().map(([key, m]) => [key, m.constructor.name])).toEqual([['classify', 'Linear'], ['segment', 'ReLU']]);
    expect(heads.length).toBe(2);
    heads.clear();
    expect(heads.length).toBe(0);
    expect(() => heads.forward()).toThrow(ValueError);
  });

  it('keys may not contain a dot', () => {
    expect(() => new ModuleDict({ 'a.b': new ReLU() })).toThrow(ValueError);
  });
});
