/**
 * Choosing the default backend without `await ready()`: a plugin that must probe asynchronously
 * (webgpu) is skipped rather than started, so the first tensor lands on a synchronous backend (cpu);
 * `listBackends({ available: true })` names only what can run now.
 */
import { describe, expect, it } from 'vitest';
import { registerBackend, listBackends, getBackend, setBackend, tensor, ready, backendUnavailableReason, BackendError, type BackendPlugin } from '../src/index';
import { referencePlugin, ReferenceBackend } from '../src/testing';

let probes = 0;
/** Like webgpu on a machine without a GPU: a high priority, and an asynchronous probe that declines. */
const gpuLike: BackendPlugin = {
  ...referencePlugin,
  name: 'gpu-like',
  priority: 5,
  isAvailable: async () => (probes++, 'no adapter'),
  create: async () => new ReferenceBackend(),
};
registerBackend(gpuLike);
registerBackend({ ...referencePlugin, name: 'sync', priority: 1 });

describe('the default backend without await ready()', () => {
  it('before anything ran, every registered plugin is listed, but only the synchronous one is available', () => {
    expect(listBackends()).toEqual(['gpu-like', 'sync']);
    expect(listBackends({ available: true })).toEqual(['sync']);
  });

  it('the first tensor goes to the synchronous backend and the asynchronous plugin is never probed', async () => {
    const sum = tensor([1]).add(1);
    expect(sum.device).toBe('sync');
    expect(await sum.array()).toEqual([2]);
    expect(getBackend()).toBe('sync');
    expect(probes).toBe(0);
  });

  it('the choice sticks: a later ready() keeps it instead of moving new tensors elsewhere', async () => {
    await ready();
    expect(getBackend()).toBe('sync');
    expect(tensor([1]).device).toBe('sync');
  });

  it('a plugin that declined stays listed by name, with its reason, but never as available', async () => {
    await expect(setBackend('gpu-like')).rejects.toThrow(/gpu-like.*no adapter/);
    expect(probes).toBe(1);
    expect(getBackend()).toBe('sync');
    expect(listBackends()).toContain('gpu-like');
    expect(listBackends({ available: true })).toEqual(['sync']);
    expect(backendUnavailableReason('gpu-like')).toBe('no adapter');
  });
});

describe('canReadSync', () => {
  it('says whether dataSync()/itemSync() work on the tensor’s backend', () => {
    expect(tensor([1]).canReadSync).toBe(true);
    registerBackend({
      ...referencePlugin,
      name: 'async-reads',
      priority: -1,
      create: () => Object.assign(new ReferenceBackend(), { readSync: undefined }),
    });
    const onAsync = tensor([1], { device: 'async-reads' });
    expect(onAsync.canReadSync).toBe(false);
    expect(() => onAsync.dataSync()).toThrow(BackendError);
  });
});
