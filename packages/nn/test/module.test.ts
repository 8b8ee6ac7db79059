import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, ValueError, memory, ones, randn, tensor, zeros, type Tensor } from '@tessera/core';
import {
  BatchNorm1d, Dropout, Linear, MLP, Module, ModuleList, ReLU, Sequential, parameter, isParameter,
} from '../src/index';

class TwoLayer extends Module {
  fc1 = new Linear(4, 8);
  act = new ReLU();
  fc2 = new Linear(8, 2);
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

class Scale extends Module {
  factor = parameter(ones([1]));
  plain = tensor([5]); // not a parameter: a tensor that does not require grad
  forward(x: Tensor): Tensor {
    return x.mul(this.factor);
  }
}

describe('Module registers parameters and submodules by assignment', () => {
  it('names parameters with PyTorch dotted names in assignment order', () => {
    const model = new TwoLayer();
    expect(model.namedParameters().map(([name, p]) => [name, p.shape])).toEqual([
      ['fc1.weight', [8, 4]],
      ['fc1.bias', [8]],
      ['fc2.weight', [2, 8]],
      ['fc2.bias', [2]],
    ]);
    expect(model.namedChildren().map(([name]) => name)).toEqual(['fc1', 'act', 'fc2']);
    expect(model.parameters()).toHaveLength(4);
    expect(model.numParameters()).toBe(8 * 4 + 8 + 2 * 8 + 2);
  });

  it('Sequential inside a model gives names like layers.0.weight', () => {
    const model = new MLP({ sizes: [3, 5, 2] });
    expect(model.namedParameters().map(([name]) => name)).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'layers.2.bias']);
  });

  it('a property holding a parameter() or a leaf that requires grad is a parameter; other tensors are not', () => {
    const scale = new Scale();
    expect(scale.namedParameters().map(([name]) => name)).toEqual(['factor']);
    expect(isParameter(scale.factor)).toBe(true);
    expect(isParameter(scale.plain)).toBe(false);
    class Raw extends Module {
      w = randn([2], { requiresGrad: true });
      forward(x: Tensor) {
        return x.mul(this.w);
      }
    }
    expect(new Raw().namedParameters().map(([name]) => name)).toEqual(['w']);
  });

  it('a shared (tied) parameter is listed once', () => {
    const shared = new Linear(2, 2);
    const model = new Sequential(shared, new ReLU(), shared);
    expect(model.parameters()).toHaveLength(2);
  });

  it('ModuleList registers its items as 0, 1, … and iterates', () => {
    const list = new ModuleList([new Linear(2, 2), new Linear(2, 3)]);
    list.append(new Linear(3, 1));
    expect(list.length).toBe(3);
    expect(list.namedParameters().map(([name]) => name)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '2.weight', '2.bias']);
    expect([...list].map((m) => (m as Linear).outFeatures)).toEqual([2, 3, 1]);
    expect(() => list.forward()).toThrow(ValueError);
  });

  it('Sequential accepts a record of named modules', () => {
    const model = new Sequential({ hidden: new Linear(2, 3), act: new ReLU(), out: new Linear(3, 1) });
    expect(model.namedParameters().map(([name]) => name)).toEqual(['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']);
    expect(model.at(-1)).toBeInstanceOf(Linear);
  });
});

describe('train, eval, freeze, zeroGrad, apply', () => {
  it('train() and eval() set the mode recursively', () => {
    const model = new Sequential(new Linear(2, 2), new Dropout(0.5));
    model.eval();
    expect(model.modules().every((m) => !m.training)).toBe(true);
    model.train();
    expect(model.at(1).training).toBe(true);
  });

  it('freeze() stops gradients and unfreeze() restores them; numParameters(true) counts trainable ones', () => {
    const model = new TwoLayer();
    model.fc1.freeze();
    expect(model.fc1.weight.requiresGrad).toBe(false);
    expect(model.parameters()).toHaveLength(4); // frozen parameters are still parameters
    expect(model.numParameters(true)).toBe(2 * 8 + 2);
    model.forward(randn([3, 4])).sum().backward();
    expect(model.fc1.weight.grad).toBeNull();
    expect(model.fc2.weight.grad).not.toBeNull();
    model.unfreeze();
    expect(model.numParameters(true)).toBe(model.numParameters());
  });

  it('zeroGrad() clears gradients (to null by default, to zeros with false)', async () => {
    const model = new Linear(2, 1);
    model.forward(ones([1, 2])).sum().backward();
    model.zeroGrad(false);
    expect(await model.weight.grad!.array()).toEqual([[0, 0]]);
    model.zeroGrad();
    expect(model.weight.grad).toBeNull();
  });

  it('apply() visits children before the parent', () => {
    const visited: string[] = [];
    new TwoLayer().apply((m) => visited.push(m.constructor.name));
    expect(visited).toEqual(['Linear', 'ReLU', 'Linear', 'TwoLayer']);
  });
});

describe('stateDict and loadStateDict', () => {
  it('stateDict keys follow PyTorch, with BatchNorm buffers', () => {
    const model = new Sequential(new Linear(3, 4), new BatchNorm1d(4));
    expect(Object.keys(model.stateDict())).toEqual([
      '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked',
    ]);
    expect(model.stateDict()['1.num_batches_tracked'].dtype).toBe('int32');
    expect(model.namedBuffers().map(([name]) => name)).toEqual(['1.running_mean', '1.running_var', '1.num_batches_tracked']);
  });

  it('a non-persistent buffer is listed and moved but neither saved nor expected by loadStateDict (PyTorch persistent=False)', () => {
    class WithTable extends Module {
      fc = new Linear(2, 2);
      constructor() {
        super();
        this.registerBuffer('table', zeros([3]), { persistent: false });
        this.registerBuffer('count', zeros([1]));
      }
      forward(x: Tensor): Tensor {
        return this.fc.forward(x);
      }
    }
    const model = new Sequential(new WithTable());
    expect(model.namedBuffers().map(([name]) => name)).toEqual(['0.table', '0.count']);
    expect(Object.keys(model.stateDict())).toEqual(['0.count', '0.fc.weight', '0.fc.bias']);
    expect(model.loadStateDict(new Sequential(new WithTable()).stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  it('loadStateDict copies values in place into the existing tensors', async () => {
    const source = new TwoLayer();
    const target = new TwoLayer();
    const weightBefore = target.fc1.weight;
    const result = target.loadStateDict(source.stateDict());
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(target.fc1.weight).toBe(weightBefore);
    expect(await target.fc1.weight.array()).toEqual(await source.fc1.weight.array());
  });

  it('strict loading throws on missing or unexpected keys, naming them', () => {
    const model = new TwoLayer();
    const state = { ...new TwoLayer().stateDict() };
    delete (state as Record<string, Tensor>)['fc2.bias'];
    state['extra.weight'] = zeros([1]);
    expect(() => model.loadStateDict(state)).toThrow(ValueError);
    expect(() => model.loadStateDict(state)).toThrow(/missing keys: fc2\.bias; unexpected keys: extra\.weight/);
  });

  it('non-strict loading loads the matching keys and reports the others', async () => {
    const model = new TwoLayer();
    const source = new TwoLayer();
    const state: Record<string, Tensor> = { 'fc1.weight': source.fc1.weight, 'other.bias': zeros([2]) };
    expect(model.loadStateDict(state, { strict: false })).toEqual({
      missingKeys: ['fc1.bias', 'fc2.weight', 'fc2.bias'],
      unexpectedKeys: ['other.bias'],
    });
    expect(await model.fc1.weight.array()).toEqual(await source.fc1.weight.array());
  });

  it('a wrong shape or dtype throws even when not strict, and nothing is copied', async () => {
    const model = new TwoLayer();
    const before = await model.fc1.bias!.array();
    const state = { ...new TwoLayer().stateDict(), 'fc2.weight': zeros([3, 8]) };
    expect(() => model.loadStateDict(state, { strict: false })).toThrow(ShapeError);
    expect(() => model.loadStateDict(state)).toThrow(/size mismatch for 'fc2\.weight': the state dict has shape \[3, 8\], TwoLayer expects \[2, 8\]/);
    expect(await model.fc1.bias!.array()).toEqual(before);
    const wrongType = { ...new TwoLayer().stateDict(), 'fc2.bias': zeros([2], { dtype: 'float64' }) };
    expect(() => model.loadStateDict(wrongType)).toThrow(DTypeError);
  });
});

describe('to(), toString(), dispose()', () => {
  it('to() on the same device keeps the tensors', async () => {
    const model = new Linear(2, 2);
    const weight = model.weight;
    await model.to('cpu');
    expect(model.weight).toBe(weight);
  });

  it('to() moves parameters and buffers to another backend and keeps them parameters', async () => {
    const { registerBackend } = await import('@tessera/core');
    const { referencePlugin } = await import('@tessera/core/testing');
    registerBackend(referencePlugin);
    const model = new Sequential(new Linear(2, 3), new BatchNorm1d(3));
    const before = await model.at(0).parameters()[0].array();
    await model.to('reference');
    expect(model.parameters().every((p) => p.device === 'reference' && p.requiresGrad && p.isLeaf)).toBe(true);
    expect(model.buffers().every((b) => b.device === 'reference')).toBe(true);
    expect(await (model.at(0) as Linear).weight.array()).toEqual(before);
    expect(Object.keys(model.stateDict())).toHaveLength(7);
    await model.to('cpu');
  });

  it('toString() shows the tree with parameter counts', () => {
    const text = new MLP({ sizes: [784, 256, 10] }).toString();
    expect(text).toContain('MLP(sizes=[784, 256, 10]');
    expect(text).toContain('(0): Linear(inFeatures=784, outFeatures=256, bias=true)  # 200,960 params');
    expect(text).toContain('(1): ReLU()');
    expect(text).toContain('Total parameters: 203,530 (trainable: 203,530)');
  });

  it('dispose() frees every parameter and buffer', () => {
    const before = memory().tensors;
    const model = new Sequential(new Linear(3, 4), new BatchNorm1d(4));
    expect(memory().tensors).toBeGreaterThan(before);
    model.dispose();
    expect(memory().tensors).toBe(before);
  });

  it('register rejects names with dots', () => {
    expect(() => new Sequential({ 'a.b': new ReLU() })).toThrow(ValueError);
  });
});
