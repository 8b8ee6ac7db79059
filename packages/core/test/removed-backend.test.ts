import { describe, expect, it } from 'vitest';
import { BackendError, registerBackend, removeBackendInstance, setBackend, tensor } from '../src/index';
import { referencePlugin } from '../src/testing';

describe('a tensor whose backend instance was removed', () => {
  it('fails every use with a BackendError saying the backend was removed', async () => {
    registerBackend({ ...referencePlugin, name: 'removable' });
    await setBackend('removable');
    const a = tensor([1, 2, 3]);
    removeBackendInstance('removable');
    await setBackend('removable');
    const b = tensor([1, 1, 1]);
    await expect(a.data()).rejects.toThrow(BackendError);
    expect(() => a.add(b)).toThrow(/backend 'removable' whose instance was removed/);
    expect(() => b.add(a)).toThrow(/instance was removed/);
    expect(await b.add(b).data()).toEqual(Float32Array.from([2, 2, 2]));
  });
});
