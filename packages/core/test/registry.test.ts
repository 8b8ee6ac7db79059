import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, getBackend, listBackends, ready, ensureBackend, backendUnavailableReason, memory, tensor,
  BACKEND_API_VERSION, BackendError, type BackendPlugin,
} from '../src/index';
import { referencePlugin, ReferenceBackend } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');

describe('backend registry', () => {
  it('lists registered backends by priority, highest first', () => {
    registerBackend({ ...referencePlugin, name: 'high', priority: 10 });
    registerBackend({ ...referencePlugin, name: 'low', priority: -5 });
    const names = listBackends();
    expect(names.indexOf('high')).toBeLessThan(names.indexOf('reference'));
    expect(names.indexOf('reference')).toBeLessThan(names.indexOf('low'));
  });

  it('setBackend changes where new tensors go; existing tensors stay', async () => {
    const before = tensor([1]);
    await setBackend('high');
    expect(getBackend()).toBe('high');
    const after = tensor([1]);
    expect(after.device).toBe('high');
    expect(before.device).toBe('reference');
    await setBackend('reference');
    expect(getBackend()).toBe('reference');
  });

  it('ensureBackend creates a backend once without making it current', async () => {
    let created = 0;
    registerBackend({ ...referencePlugin, name: 'counted', create: () => (created++, new ReferenceBackend()) });
    const first = await ensureBackend('counted');
    const second = await ensureBackend('counted');
    expect(first).toBe(second);
    expect(created).toBe(1);
    expect(getBackend()).toBe('reference');
    expect(Object.keys(memory().backends)).toContain('counted');
  });

  it('re-registering a created backend is ignored', async () => {
    registerBackend({ ...referencePlugin, name: 'counted', create: () => { throw new Error('should not be called'); } });
    expect(tensor([1], { device: 'counted' }).device).toBe('counted');
  });

  it('a plugin of another API version is refused', () => {
    expect(() => registerBackend({ ...referencePlugin, name: 'old', apiVersion: BACKEND_API_VERSION + 1 })).toThrow(BackendError);
    expect(() => registerBackend({} as BackendPlugin)).toThrow(BackendError);
  });

  it('an unavailable plugin reports why', async () => {
    registerBackend({ ...referencePlugin, name: 'gpu-less', isAvailable: async () => 'no adapter' });
    await expect(setBackend('gpu-less')).rejects.toThrow(/gpu-less.*no adapter/);
    expect(backendUnavailableReason('gpu-less')).toBe('no adapter');
    expect(getBackend()).toBe('reference');
  });

  it('an asynchronous backend must be awaited before use', async () => {
    registerBackend({ ...referencePlugin, name: 'slow', create: async () => new ReferenceBackend() });
    expect(() => tensor([1], { device: 'slow' })).toThrow(/await/);
    await setBackend('slow');
    expect(tensor([1]).device).toBe('slow');
    await setBackend('reference');
    await ready();
    expect(getBackend()).toBe('reference');
  });

  it('setBackend of an unknown name lists the registered ones', async () => {
    await expect(setBackend('nope')).rejects.toThrow(/not registered \(registered: .*reference/);
  });
});
