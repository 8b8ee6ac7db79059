import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, grad, memory, AutogradError, RemovableHandle, type Tensor } from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');

describe('Tensor.registerHook', () => {
  it('a leaf hook sees the gradient and its result goes into .grad', async () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const seen: number[][] = [];
    x.registerHook((g) => {
      seen.push(g.arraySync() as number[]);
      return g.mul(2);
    });
    x.mul(x).sum().backward();
    expect(seen).toEqual([[2, 4, 6]]);
    expect(await x.grad!.array()).toEqual([4, 8, 12]);
  });

  it('a leaf hook runs once per backward, on the gradient summed over every use', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const seen: number[][] = [];
    x.registerHook((g) => void seen.push(g.arraySync() as number[]));
    x.mul(2).add(x.mul(3)).sum().backward();
    expect(seen).toEqual([[5, 5]]);
    // A second backward: the hook sees this run's gradient, not the accumulated .grad.
    x.mul(4).sum().backward();
    expect(seen).toEqual([[5, 5], [4, 4]]);
    expect(await x.grad!.array()).toEqual([9, 9]);
  });

  it("a non-leaf hook's replacement flows on to the inputs", async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(x);
    const seen: number[][] = [];
    h.registerHook((g) => {
      seen.push(g.arraySync() as number[]);
      return g.mul(10);
    });
    h.mul(3).sum().backward();
    expect(seen).toEqual([[3, 3]]);
    expect(await x.grad!.array()).toEqual([60, 120]); // 2x · 3 · 10
  });

  it('hooks run in registration order, each on the previous result, before retainGrad stores .grad', async () => {
    const x = tensor([1], { requiresGrad: true });
    const h = x.mul(1).retainGrad();
    const order: string[] = [];
    h.registerHook((g) => {
      order.push('first');
      return g.add(1);
    });
    h.registerHook((g) => {
      order.push(`second saw ${g.itemSync()}`);
      return g.mul(5);
    });
    h.sum().backward();
    expect(order).toEqual(['first', 'second saw 2']);
    expect(await h.grad!.array()).toEqual([10]);
    expect(await x.grad!.array()).toEqual([10]);
  });

  it('grad() returns gradients with the hooks applied', async () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.registerHook((g) => g.mul(2));
    const [gx] = grad(x.mul(x).sum(), [x]);
    expect(await gx!.array()).toEqual([4, 8, 12]);
    expect(x.grad).toBeNull();
  });

  it('remove() unregisters the hook; removing twice is safe; `using` removes at block end', async () => {
    const x = tensor([1], { requiresGrad: true });
    let calls = 0;
    const handle = x.registerHook(() => void calls++);
    expect(handle).toBeInstanceOf(RemovableHandle);
    x.sum().backward();
    handle.remove();
    handle.remove();
    x.sum().backward();
    expect(calls).toBe(1);
    {
      using _scoped = x.registerHook(() => void calls++);
      x.sum().backward();
    }
    x.sum().backward();
    expect(calls).toBe(2);
  });

  it('a hook may remove itself while running', () => {
    const x = tensor([1], { requiresGrad: true });
    let calls = 0;
    const handle: RemovableHandle = x.registerHook(() => {
      calls++;
      handle.remove();
    });
    x.sum().backward();
    x.sum().backward();
    expect(calls).toBe(1);
  });

  it('a hook returning the wrong shape fails with an AutogradError naming both shapes', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.registerHook(() => tensor([1, 2, 3]));
    expect(() => x.mul(2).sum().backward()).toThrow(AutogradError);
    expect(() => x.mul(2).sum().backward()).toThrow(/returned a gradient of shape \[3\].*expected shape \[2\]/);
  });

  it('refuses tensors that do not require grad', () => {
    const x = tensor([1, 2]);
    expect(() => x.registerHook((g) => g)).toThrow(AutogradError);
    expect(() => x.registerHook((g) => g)).toThrow(/does not require grad/);
    expect(() => x.retainGrad()).toThrow(AutogradError);
  });

  it('hook replacements and the gradients they replace are freed', () => {
    const before = memory().tensors;
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const h = x.mul(2);
    h.registerHook((g) => g.mul(2));
    x.registerHook((g: Tensor) => g.add(1));
    const loss = h.sum();
    loss.backward();
    for (const t of [loss, h, x]) t.dispose(); // x takes its .grad with it
    expect(memory().tensors).toBe(before);
  });
});
