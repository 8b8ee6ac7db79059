/**
 * Bad input and faults: each is a clear error, and the backend stays usable afterwards wherever the
 * device still is.
 */
import { BackendError, DTypeError, DisposedError, backendUnavailableReason, ensureBackend, registerBackend, tensor } from '@tessera/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWebGPUPlugin } from '../src/plugin';
import { WebGPUBackend } from '../src/webgpu-backend';
import { gpu, hasWebGPU } from './webgpu-environment';

const view = (id: object, shape: number[]) => ({ id, dtype: 'float32' as const, shape, strides: shape.length === 1 ? [1] : [shape[1], 1], offset: 0 });

/** A quick end-to-end check that `backend` still computes. */
async function stillWorks(backend: WebGPUBackend): Promise<void> {
  const x = backend.alloc(3, 'float32');
  backend.write(x, new Float32Array([1, -2, 3]));
  const out = backend.alloc(3, 'float32');
  backend.unary('abs', view(x, [3]), { id: out, dtype: 'float32', shape: [3] });
  expect(Array.from(await backend.read(out, 'float32', 0, 3))).toEqual([1, 2, 3]);
  backend.free(x);
  backend.free(out);
}

describe('registration without an adapter', () => {
  it('reports why, and core keeps another backend as the default', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    const plugin = createWebGPUPlugin({ gpu: noAdapter, name: 'webgpu-none', priority: 100 });
    expect(await plugin.isAvailable!()).toMatch(/no WebGPU adapter/);
    registerBackend(plugin);
    await expect(ensureBackend('webgpu-none')).rejects.toThrow(/not available here: no WebGPU adapter/);
    expect(backendUnavailableReason('webgpu-none')).toMatch(/no WebGPU adapter/);
  });
});

describe.skipIf(!hasWebGPU)('webgpu faults', () => {
  let backend: WebGPUBackend;
  beforeAll(async () => {
    registerBackend(createWebGPUPlugin({ gpu }));
    backend = (await ensureBackend('webgpu')) as WebGPUBackend;
  });

  it('a kernel launched after the device is lost throws a clear BackendError', async () => {
    const doomed = await WebGPUBackend.create(gpu);
    const x = doomed.alloc(4, 'float32');
    doomed.write(x, new Float32Array([1, 2, 3, 4]));
    const out = doomed.alloc(4, 'float32');
    doomed.device.destroy();
    await doomed.device.lost;
    expect(() => doomed.unary('exp', view(x, [4]), { id: out, dtype: 'float32', shape: [4] })).toThrow(BackendError);
    expect(() => doomed.unary('exp', view(x, [4]), { id: out, dtype: 'float32', shape: [4] })).toThrow(/device was lost \(destroyed/);
    await expect(doomed.read(out, 'float32', 0, 4)).rejects.toThrow(/device was lost/);
    // Another device is unaffected.
    await stillWorks(backend);
  });

  it('reading a disposed tensor is a clear error, at the tensor and at the buffer', async () => {
    const t = tensor([1, 2, 3], { device: 'webgpu' });
    t.dispose();
    await expect(t.data()).rejects.toThrow(DisposedError);
    const id = backend.alloc(4, 'float32');
    backend.free(id);
    await expect(backend.read(id, 'float32', 0, 4)).rejects.toThrow(/freed/);
    expect(() => backend.unary('exp', view(id, [4]), { id: backend.alloc(4, 'float32'), dtype: 'float32', shape: [4] })).toThrow(/freed/);
    await stillWorks(backend);
  });

  it('a tensor larger than maxStorageBufferBindingSize stores and reads, and a kernel on it names the limit', async () => {
    const limit = backend.runtime.limits.maxStorageBufferBindingSize;
    const size = Math.floor(limit / 4) + 4;
    if (size * 4 > backend.runtime.limits.maxBufferSize) return; // the adapter caps buffers at the binding size
    const big = backend.alloc(size, 'float32');
    const tail = new Float32Array([1, 2, 3, 4]);
    backend.write(big, tail, size - 4);
    expect(Array.from(await backend.read(big, 'float32', size - 4, 4))).toEqual([1, 2, 3, 4]);
    const out = backend.alloc(size, 'float32');
    expect(() => backend.unary('neg', view(big, [size]), { id: out, dtype: 'float32', shape: [size] })).toThrow(/maxStorageBufferBindingSize of \d+ bytes/);
    backend.free(big);
    backend.free(out);
    await stillWorks(backend);
  });

  it('unsupported dtypes are DTypeErrors naming the dtype', async () => {
    expect(() => backend.alloc(4, 'float64')).toThrow(DTypeError);
    expect(() => backend.alloc(4, 'float64')).toThrow(/float64 is not supported by the webgpu backend/);
    expect(() => tensor(new Float64Array([1, 2]), { device: 'webgpu' })).toThrow(/float64/);
    expect(() => tensor(new BigInt64Array([1n, 2n]) as never, { device: 'webgpu' })).toThrow(DTypeError);
    expect(() => tensor([1, 2], { dtype: 'int64' as never, device: 'webgpu' })).toThrow(/int64/);
    await stillWorks(backend);
  });

  it('reports memory: live and pooled bytes', async () => {
    await backend.sync();
    const before = backend.memory();
    const id = backend.alloc(1000, 'float32');
    expect(backend.memory().buffers).toBe(before.buffers + 1);
    expect(backend.memory().bytesInUse).toBeGreaterThanOrEqual(before.bytesInUse + 4000);
    backend.free(id);
    await backend.sync();
    expect(backend.memory().bytesInUse).toBe(before.bytesInUse);
    expect(backend.memory().bytesPooled).toBeGreaterThan(0);
  });

  it('reads issued together share one submit and each gets its own data', async () => {
    const ids = [0, 1, 2, 3].map((i) => {
      const id = backend.alloc(5, 'int32');
      backend.write(id, new Int32Array(5).fill(i));
      return id;
    });
    const serial = backend.runtime.stream.serial;
    const results = await Promise.all(ids.map((id) => backend.read(id, 'int32', 0, 5)));
    expect(backend.runtime.stream.serial - serial).toBe(1);
    results.forEach((result, i) => expect(Array.from(result)).toEqual([i, i, i, i, i]));
    ids.forEach((id) => backend.free(id));
  });

  it('advertises its dtypes and the shader-f16 feature (float16 exactly with it)', () => {
    expect(typeof backend.features.shaderF16).toBe('boolean');
    expect(backend.capabilities.dtypes).toEqual(backend.features.shaderF16 ? ['float32', 'int32', 'bool', 'float16'] : ['float32', 'int32', 'bool']);
  });
});
