import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, randn, manualSeed, tidy, memory } from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');

describe('smoke', () => {
  it('adds and multiplies', async () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(x).sum();
    expect(await y.item()).toBe(30);
    y.backward();
    expect(await x.grad!.array()).toEqual([[2, 4], [6, 8]]);
  });
  it('matmul grad', async () => {
    manualSeed(1);
    const a = randn([3, 4], { dtype: 'float64', requiresGrad: true });
    const b = randn([4, 2], { dtype: 'float64', requiresGrad: true });
    expect(await gradcheck((p, q) => p.matmul(q).tanh(), [a, b])).toBe(true);
  });
  it('tidy frees', () => {
    const before = memory().tensors;
    const kept = tidy(() => tensor([1, 2, 3]).mul(2).add(1).exp());
    expect(memory().tensors).toBe(before + 1);
    kept.dispose();
    expect(memory().tensors).toBe(before);
  });
});
