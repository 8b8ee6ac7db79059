import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, randn, zeros, saveSafetensors, loadSafetensors, readSafetensorsMetadata, SafetensorsError,
} from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
registerBackend({ ...referencePlugin, name: 'reference2' });
await setBackend('reference');

describe('saveSafetensors / loadSafetensors', () => {
  it('round-trips every dtype, shape and value, with metadata', async () => {
    const record = {
      'fc.weight': randn([3, 4]),
      'fc.bias': tensor([0.5, -1, 2]),
      'embed.weight': randn([2, 2], { dtype: 'float64' }),
      steps: tensor([7, -3], { dtype: 'int32' }),
      mask: tensor([true, false, true]),
      scalar: tensor(3.25),
      empty: zeros([0, 2]),
    };
    const bytes = await saveSafetensors(record, { format: 'pt' });
    const loaded = loadSafetensors(bytes);
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(record).sort());
    for (const [name, original] of Object.entries(record)) {
      expect(loaded[name].dtype, name).toBe(original.dtype);
      expect(loaded[name].shape, name).toEqual(original.shape);
      expect(await loaded[name].data(), name).toEqual(await original.data());
    }
    expect(readSafetensorsMetadata(bytes)).toEqual({ format: 'pt' });
  });

  it('saves strided views by value', async () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const loaded = loadSafetensors(await saveSafetensors({ t: x.T, f: x.flip(1).slice(1, 0, 3, 2) }));
    expect(await loaded.t.array()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(await loaded.f.array()).toEqual([[3, 1], [6, 4]]);
  });

  it('loads onto a chosen device', async () => {
    const loaded = loadSafetensors(await saveSafetensors({ a: tensor([1]) }), { device: 'reference2' });
    expect(loaded.a.device).toBe('reference2');
  });

  it('loaded tensors are independent leaves that can require grad', async () => {
    const loaded = loadSafetensors(await saveSafetensors({ w: tensor([1, 2]) }));
    loaded.w.requiresGrad = true;
    loaded.w.mul(2).sum().backward();
    expect(await loaded.w.grad!.array()).toEqual([2, 2]);
  });

  it('malformed bytes are a SafetensorsError', () => {
    expect(() => loadSafetensors(new Uint8Array([1, 2, 3]))).toThrow(SafetensorsError);
  });
});
