// Expected keys and gradients are PyTorch 1.13's, printed by test/fixtures/containers-hooks-pytorch.py.
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { AutogradError, memory, noGrad, tidy, type Tensor } from '@tessera/core';
import { Linear, Module, ReLU, Sequential } from '../src/index';
import { expectClose, f64 } from './helpers';

/** A Linear with known float64 weights: y = x·Wᵀ + b with W = [[1, 2], [3, 4], [5, 6]], b = [0.5, -1, 2]. */
function knownLinear(): Linear {
  const layer = new Linear(2, 3, { dtype: 'float64' });
  noGrad(() => {
    layer.weight.assign(f64([[1, 2], [3, 4], [5, 6]]));
    layer.bias!.assign(f64([0.5, -1, 2]));
  });
  return layer;
}

/** out = a · b (elementwise): a module with two tensor inputs. */
class Product extends Module {
  forward(a: Tensor, b: Tensor): Tensor {
    return a.mul(b);
  }
}

describe('forward pre-hooks and forward hooks', () => {
  it('a pre-hook sees the inputs and may replace them; a forward hook may replace the output', async () => {
    const layer = knownLinear();
    const seen: unknown[][] = [];
    const pre = layer.registerForwardPreHook((module, inputs) => {
      expect(module).toBe(layer);
      seen.push(inputs);
      return [(inputs[0] as Tensor).mul(2)];
    });
    const post = layer.registerForwardHook((_module, inputs, output) => {
      expect(seen[0][0]).not.toBe(inputs[0]); // forward hooks see the replaced inputs
      return (output as Tensor).neg();
    });
    const x = f64([[1, 1]]);
    await expectClose(layer.forward(x), [[-(6 + 0.5), -(14 - 1), -(22 + 2)]]);
    expect(seen).toHaveLength(1);
    pre.remove();
    post.remove();
    await expectClose(layer.forward(x), [[3.5, 6, 13]]);
  });

  it('a pre-hook returning a single value makes it the only argument; returning nothing keeps the inputs', async () => {
    const layer = knownLinear();
    layer.registerForwardPreHook(() => undefined);
    layer.registerForwardPreHook(() => f64([[0, 0]]));
    await expectClose(layer.forward(f64([[5, 5]])), [[0.5, -1, 2]]);
  });

  it('hooks run in registration order and through a Sequential, since modules are called through forward', () => {
    const order: string[] = [];
    const model = new Sequential(knownLinear(), new ReLU());
    model.at(0).registerForwardHook(() => void order.push('linear: first'));
    model.at(0).registerForwardHook(() => void order.push('linear: second'));
    model.at(1).registerForwardPreHook(() => void order.push('relu: pre'));
    model.registerForwardHook(() => void order.push('sequential'));
    model.forward(f64([[1, 2]]));
    expect(order).toEqual(['linear: first', 'linear: second', 'relu: pre', 'sequential']);
  });

  it('a module without hooks runs its class forward directly (hooks cost nothing until used)', () => {
    const layer = knownLinear();
    expect(Object.prototype.hasOwnProperty.call(layer, 'forward')).toBe(false);
    const first = layer.registerForwardHook(() => undefined);
    const second = layer.registerForwardPreHook(() => undefined);
    expect(Object.prototype.hasOwnProperty.call(layer, 'forward')).toBe(true);
    first.remove();
    expect(Object.prototype.hasOwnProperty.call(layer, 'forward')).toBe(true);
    second.remove();
    second.remove(); // removing twice is harmless
    expect(Object.prototype.hasOwnProperty.call(layer, 'forward')).toBe(false);
    expect(layer.forward).toBe(Linear.prototype.forward);
  });

  it('hooks are not parameters, children or state', () => {
    const layer = knownLinear();
    layer.registerForwardHook(() => undefined);
    expect(Object.keys(layer.stateDict())).toEqual(['weight', 'bias']);
    expect(layer.namedChildren()).toEqual([]);
  });
});

describe('full backward hooks', () => {
  it('receive the gradient with respect to the input and output (PyTorch values) and may replace gradInput', async () => {
    const layer = knownLinear();
    const calls: { gradInput: number[][]; gradOutput: number[][] }[] = [];
    layer.registerFullBackwardHook((module, gradInput, gradOutput) => {
      expect(module).toBe(layer);
      expect(gradInput).toHaveLength(1);
      expect(gradOutput).toHaveLength(1);
      calls.push({ gradInput: gradInput[0]!.arraySync() as number[][], gradOutput: gradOutput[0]!.arraySync() as number[][] });
      return [gradInput[0]!.mul(10)];
    });
    const x = f64([[1, -1]], true);
    // loss = Σ y·[1, 2, 3]: gradOutput = [1, 2, 3], gradInput = gradOutput·W = [22, 28].
    layer.forward(x).mul(f64([1, 2, 3])).sum().backward();
    expect(calls).toEqual([{ gradInput: [[22, 28]], gradOutput: [[1, 2, 3]] }]);
    await expectClose(x.grad!, [[220, 280]]);
    // The parameters' gradients do not pass through the hook.
    await expectClose(layer.bias!.grad!, [1, 2, 3]);
  });

  it('gradInput is this module\'s share only when the input is also used elsewhere (a residual connection)', async () => {
    const layer = knownLinear();
    let gradInput: number[][] = [];
    layer.registerFullBackwardHook((_m, grads) => void (gradInput = grads[0]!.arraySync() as number[][]));
    const x = f64([[1, -1]], true);
    layer.forward(x).sum().add(x.sum().mul(100)).backward();
    expect(gradInput).toEqual([[9, 12]]);
    await expectClose(x.grad!, [[109, 112]]);
  });

  it('with several tensor inputs the hook is called once with one gradient per argument (null for the rest)', async () => {
    const product = new Product();
    const calls: ((number[] | null)[])[] = [];
    product.registerFullBackwardHook((_m, gradInput) => {
      calls.push(gradInput.map((g) => (g ? Array.from(g.dataSync()) : null)));
      return gradInput.map((g) => (g ? g.mul(-1) : null));
    });
    const a = f64([1, 2], true);
    const b = f64([3, 4], true);
    product.forward(a, b).sum().backward();
    expect(calls).toEqual([[[3, 4], [1, 2]]]);
    await expectClose(a.grad!, [-3, -4]);
    await expectClose(b.grad!, [-1, -2]);

    const c = f64([5, 6]); // does not require grad
    calls.length = 0;
    product.forward(a, c).sum().backward();
    expect(calls).toEqual([[[5, 6], null]]);
  });

  it('when no input requires grad the hook still sees gradOutput, with gradInput all null', () => {
    const layer = knownLinear();
    const seen: [(Tensor | null)[], number[][]][] = [];
    layer.registerFullBackwardHook((_m, gradInput, gradOutput) => void seen.push([gradInput, gradOutput[0]!.arraySync() as number[][]]));
    layer.forward(f64([[1, 2]])).sum().backward();
    expect(seen).toEqual([[[null], [[1, 1, 1]]]]);
    expect(layer.weight.grad).not.toBeNull();
  });

  it('a removed backward hook no longer runs; a wrong return is a clear AutogradError', () => {
    const layer = knownLinear();
    let calls = 0;
    const handle = layer.registerFullBackwardHook(() => void calls++);
    handle.remove();
    const x = f64([[1, 2]], true);
    layer.forward(x).sum().backward();
    expect(calls).toBe(0);
    layer.registerFullBackwardHook(() => [f64([1, 2, 3])]);
    expect(() => layer.forward(f64([[1, 2]], true)).sum().backward()).toThrow(AutogradError);
  });

  it('a backward hook on a layer inside a Sequential runs, and a hooked step leaves no tensors behind', () => {
    const model = new Sequential(knownLinear(), new ReLU(), new Linear(3, 1, { dtype: 'float64' }));
    const gradients: number[][][] = [];
    model.at(1).registerFullBackwardHook((_m, gradInput) => void gradients.push(gradInput[0]!.arraySync() as number[][]));
    const x = f64([[1, 2]]);
    const step = () => {
      const loss = tidy(() => model.forward(x).sum());
      loss.backward();
      loss.dispose();
      model.zeroGrad();
    };
    step();
    const before = memory().tensors;
    step();
    expect(memory().tensors).toBe(before);
    expect(gradients).toHaveLength(2);
    expect(gradients[0][0]).toHaveLength(3);
  });

  it('under noGrad the backward hook is not set up (forward runs as usual)', () => {
    const layer = knownLinear();
    layer.registerFullBackwardHook(() => undefined);
    const y = noGrad(() => layer.forward(f64([[1, 2]], true)));
    expect(y.requiresGrad).toBe(false);
  });
});

describe('hooks inside models that fuse layers', () => {
  it("MLP runs a hooked Linear or activation on its own instead of fusing it away, with the same result", async () => {
    const { MLP } = await import('../src/index');
    const model = new MLP({ sizes: [2, 3, 2], dtype: 'float64' });
    const x = f64([[1, -2]]);
    const fused = await model.forward(x).array();
    const seen: string[] = [];
    const handles = [
      model.layers.at(0).registerForwardHook(() => void seen.push('linear')),
      model.layers.at(1).registerForwardHook(() => void seen.push('relu')),
      model.layers.registerForwardPreHook(() => void seen.push('layers')),
    ];
    expect(await model.forward(x).array()).toEqual(fused);
    expect(seen).toEqual(['layers', 'linear', 'relu']);
    handles.forEach((handle) => handle.remove());
  });
});

describe('backward hooks on several inputs free what they make', () => {
  it('a two-input module with a replacing backward hook leaves no tensors behind after a step', () => {
    const product = new Product();
    product.registerFullBackwardHook((_m, gradInput) => gradInput.map((g) => (g ? g.mul(2) : null)));
    const a = f64([1, 2], true);
    const b = f64([[3, 4], [5, 6]], true);
    const step = () => {
      const loss = tidy(() => product.forward(a, b).sum());
      loss.backward();
      loss.dispose();
      for (const t of [a, b]) {
        t.grad?.dispose();
        t.grad = null;
      }
    };
    step();
    const before = memory().tensors;
    step();
    expect(memory().tensors).toBe(before);
  });
});
