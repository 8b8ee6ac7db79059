import { describe, expect, it } from 'vitest';
import { AutogradError, memory, moveInPlace, registerBackend, setBackend, tensor } from '../src/index';
import { referencePlugin } from '../src/testing';
import { registerPlainBackend } from './plain-backend';

registerBackend(referencePlugin);
await registerPlainBackend();
await setBackend('reference');

describe('moveInPlace moves a tensor to another backend keeping its identity', () => {
  it('the same handle now lives on the other backend with the same values', async () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const moved = await moveInPlace(w, 'plain');
    expect(moved).toBe(w);
    expect(w.device).toBe('plain');
    expect(w.requiresGrad).toBe(true);
    expect(await w.array()).toEqual([[1, 2], [3, 4]]);
    w.mul(w).sum().backward();
    expect(w.grad!.device).toBe('plain');
    expect(await w.grad!.array()).toEqual([[2, 4], [6, 8]]);
  });

  it('views sharing the storage move with it, and the old buffer is freed', async () => {
    const before = memory().backends.reference.buffers;
    const x = tensor([1, 2, 3, 4]);
    const view = x.reshape([2, 2]);
    expect(memory().backends.reference.buffers).toBe(before + 1);
    await moveInPlace(x, 'plain');
    expect(view.device).toBe('plain');
    expect(await view.array()).toEqual([[1, 2], [3, 4]]);
    expect(memory().backends.reference.buffers).toBe(before);
    x.dispose();
    view.dispose();
  });

  it('moving to the backend it is on is a no-op; disposed and computed tensors are refused', async () => {
    const x = tensor([1, 2]);
    await moveInPlace(x, 'reference');
    expect(x.device).toBe('reference');
    const y = tensor([1, 2], { requiresGrad: true }).mul(2);
    await expect(moveInPlace(y, 'plain')).rejects.toThrow(AutogradError);
    x.dispose();
    await expect(moveInPlace(x, 'plain')).rejects.toThrow(/disposed/);
  });
});
