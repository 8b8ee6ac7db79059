/**
 * Storage: plugin metadata, capabilities, write/read at offsets, async reads that see queued work,
 * sync reads, deferred frees, and memory accounting that returns to its baseline.
 */
import { describe } from 'vitest';
import { hostArray, randomData } from './generators';
import type { Suite } from './harness';
import { expectClose } from './tolerance';
import { ALL_DTYPES } from './kernels-elementwise';
import { BACKEND_API_VERSION, type DataArray, type DType } from '@tessera/core/backend';

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1, float16: 2 };

/**
 * Declare the storage and memory checks.
 * @example
 * describeMemory(suite);
 */
export function describeMemory(suite: Suite): void {
  describe('plugin and storage', () => {
    suite.check('the plugin declares the current API version, its name and the required dtypes', 'storage.plugin', ({ backend }) => {
      if (suite.plugin.apiVersion !== BACKEND_API_VERSION) {
        throw new Error(`plugin ${suite.plugin.name} implements API version ${suite.plugin.apiVersion}, core is at ${BACKEND_API_VERSION}`);
      }
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        if (!backend.capabilities.dtypes.includes(dtype)) throw new Error(`capabilities.dtypes must include ${dtype}`);
      }
      if (typeof backend.capabilities.syncRead !== 'boolean' || typeof backend.capabilities.stridedInputs !== 'boolean') {
        throw new Error('capabilities.syncRead and capabilities.stridedInputs must be booleans');
      }
      if (backend.capabilities.syncRead && typeof backend.readSync !== 'function') throw new Error('capabilities.syncRead is true but readSync is missing');
    });

    for (const dtype of ALL_DTYPES) {
      suite.check(
        `write at an offset and read any sub-range round-trips exactly (${dtype})`,
        `storage.readWrite:${dtype}`,
        async ({ backend, session, rng }) => {
          const size = 37;
          const id = session.allocate(backend, size, dtype);
          const whole = randomData(rng, dtype, size, dtype === 'int32' ? { kind: 'int32' } : { kind: 'uniform', low: -1e6, high: 1e6 });
          backend.write(id, whole);
          const patch = randomData(rng, dtype, 5, { kind: 'integers', low: -9, high: 9 });
          backend.write(id, patch, 30);
          const expected = whole.slice();
          expected.set(patch, 30);
          expectClose(await backend.read(id, dtype, 0, size), expected, `read of a written ${dtype} buffer`, { tolerance: null });
          expectClose(await backend.read(id, dtype, 11, 20), expected.slice(11, 31), `read of elements [11, 31) (${dtype})`, { tolerance: null });
          expectClose(await backend.read(id, dtype, size, 0), hostArray(dtype, 0), `read of 0 elements at the end (${dtype})`, { tolerance: null });
          const empty = session.allocate(backend, 0, dtype);
          expectClose(await backend.read(empty, dtype, 0, 0), hostArray(dtype, 0), `read of a 0-element buffer (${dtype})`, { tolerance: null });
        },
        { dtype },
      );
    }

    suite.check('read returns a fresh array the caller owns', 'storage.readOwnership', async ({ backend, session }) => {
      const id = session.allocate(backend, 4, 'float32');
      backend.write(id, new Float32Array([1, 2, 3, 4]));
      const first = await backend.read(id, 'float32', 0, 4);
      first[0] = 99;
      expectClose(await backend.read(id, 'float32', 0, 4), new Float32Array([1, 2, 3, 4]), 'a second read after mutating the first result', { tolerance: null });
      if (!(first instanceof Float32Array)) throw new Error(`read of float32 returned ${Object.prototype.toString.call(first)}, expected a Float32Array`);
    });

    suite.check('read sees all work queued before it, without an explicit sync', 'storage.asyncRead', async ({ backend, session }) => {
      // fill → exp → add, then read immediately: a queueing backend must flush before resolving.
      const half = session.output('float32', [1000]);
      const out = session.output('float32', [1000]);
      const total = session.output('float32', [1000]);
      const viewOf = (id: object) => ({ id, dtype: 'float32' as const, shape: [1000], strides: [1], offset: 0 });
      backend.fill(half.plugin, 0.5);
      backend.unary('exp', viewOf(half.plugin.id), out.plugin);
      backend.binary('add', viewOf(out.plugin.id), viewOf(half.plugin.id), total.plugin);
      const [sum, exp] = await Promise.all([backend.read(total.plugin.id, 'float32', 0, 1000), backend.read(out.plugin.id, 'float32', 0, 1000)]);
      const expectedExp = new Float32Array(1000).fill(Math.exp(0.5));
      expectClose(exp, expectedExp, 'exp(0.5) read right after queuing', { tolerance: suite.options.tolerances.float32 });
      expectClose(sum, new Float32Array(1000).fill(Math.exp(0.5) + 0.5), 'exp(0.5) + 0.5 computed from a queued result', { tolerance: suite.options.tolerances.float32 });
    });

    suite.check('concurrent reads of many buffers each resolve with their own data', 'storage.concurrentReads', async ({ backend, session }) => {
      const ids = Array.from({ length: 16 }, (_, i) => {
        const id = session.allocate(backend, 64, 'int32');
        backend.write(id, new Int32Array(64).fill(i * 1000 + 7));
        return id;
      });
      const results = await Promise.all(ids.map((id) => backend.read(id, 'int32', 0, 64)));
      results.forEach((result, i) => expectClose(result, new Int32Array(64).fill(i * 1000 + 7), `concurrent read #${i}`, { tolerance: null }));
    });

    suite.check('readSync agrees with read when capabilities.syncRead is true', 'storage.readSync', async (context) => {
      const { backend, session, rng } = context;
      if (!backend.capabilities.syncRead || !backend.readSync) return;
      for (const dtype of suite.dtypes) {
        const id = session.allocate(backend, 21, dtype);
        const data = randomData(rng, dtype, 21, { kind: 'integers', low: -100, high: 100 });
        backend.write(id, data);
        const out = session.output(dtype, [21]);
        backend.fill(out.plugin, 1);
        expectClose(backend.readSync(id, dtype, 3, 15), data.slice(3, 18), `readSync (${dtype})`, { tolerance: null });
        expectClose(backend.readSync(out.plugin.id, dtype, 0, 21), await backend.read(out.plugin.id, dtype, 0, 21), `readSync after fill (${dtype})`, { tolerance: null });
      }
    });

    suite.check('freeing inputs right after queuing a kernel does not change its result', 'storage.deferredFree', async ({ backend, session }) => {
      const size = 4096;
      const values = new Float32Array(size).map((_, i) => i * 0.5);
      const input = session.allocate(backend, size, 'float32');
      backend.write(input, values);
      const out = session.output('float32', [size]);
      backend.unary('neg', { id: input, dtype: 'float32', shape: [size], strides: [1], offset: 0 }, out.plugin);
      session.release(backend, input);
      // A reused buffer must not overwrite the freed input before the queued kernel read it.
      const reuse = session.allocate(backend, size, 'float32');
      backend.write(reuse, new Float32Array(size).fill(123));
      expectClose(await backend.read(out.plugin.id, 'float32', 0, size), values.map((value) => -value), 'neg of an input freed right after queuing', { tolerance: null });
    });
  });

  describe('memory accounting', () => {
    suite.check('memory().buffers and bytesInUse count live buffers and return to the baseline after free', 'memory.accounting', async ({ backend }) => {
      await backend.sync?.();
      const baseline = backend.memory();
      const sizes: [number, DType][] = [[0, 'float32'], [1, 'bool'], [1000, 'float32'], [77, 'int32'], [4097, 'bool']];
      if (suite.dtypes.includes('float64')) sizes.push([333, 'float64']);
      if (suite.dtypes.includes('float16')) sizes.push([333, 'float16']);
      const ids = sizes.map(([size, dtype]) => {
        const id = backend.alloc(size, dtype);
        if (size > 0) backend.write(id, hostArray(dtype, size) as DataArray);
        return id;
      });
      const during = backend.memory();
      const bytes = sizes.reduce((total, [size, dtype]) => total + size * BYTES[dtype], 0);
      const problems: string[] = [];
      if (during.buffers - baseline.buffers !== sizes.length) problems.push(`buffers went from ${baseline.buffers} to ${during.buffers} after ${sizes.length} allocs`);
      if (during.bytesInUse - baseline.bytesInUse < bytes) problems.push(`bytesInUse grew by ${during.bytesInUse - baseline.bytesInUse}, less than the ${bytes} bytes allocated`);
      for (const id of ids) backend.free(id);
      await backend.sync?.();
      const after = backend.memory();
      if (after.buffers !== baseline.buffers) problems.push(`buffers is ${after.buffers} after freeing everything, baseline ${baseline.buffers}`);
      if (after.bytesInUse !== baseline.bytesInUse) problems.push(`bytesInUse is ${after.bytesInUse} after freeing everything, baseline ${baseline.bytesInUse}`);
      if (!(after.bytesPooled >= 0)) problems.push(`bytesPooled is ${after.bytesPooled}`);
      if (problems.length > 0) throw new Error(`memory accounting: ${problems.join('; ')}`);
    });

    suite.check('running kernels and freeing their buffers leaves no live buffers behind', 'memory.kernels', async ({ backend, rng }) => {
      await backend.sync?.();
      const baseline = backend.memory();
      const x = backend.alloc(300, 'float32');
      backend.write(x, randomData(rng, 'float32', 300, { kind: 'uniform', low: -1, high: 1 }));
      const view = { id: x, dtype: 'float32' as const, shape: [10, 30], strides: [30, 1], offset: 0 };
      const outputs = [
        { id: backend.alloc(300, 'float32'), run: (id: object) => backend.unary('tanh', view, { id, dtype: 'float32', shape: [10, 30] }) },
        { id: backend.alloc(10, 'float32'), run: (id: object) => backend.reduce('sum', view, [1], { id, dtype: 'float32', shape: [10] }) },
        { id: backend.alloc(100, 'float32'), run: (id: object) => backend.matmul({ ...view, shape: [1, 10, 30], strides: [0, 30, 1] }, { ...view, shape: [1, 30, 10], strides: [0, 1, 30] }, { id, dtype: 'float32', shape: [1, 10, 10] }) },
      ];
      for (const output of outputs) output.run(output.id);
      await backend.read(outputs[2].id, 'float32', 0, 100);
      for (const output of outputs) backend.free(output.id);
      backend.free(x);
      await backend.sync?.();
      const after = backend.memory();
      if (after.buffers !== baseline.buffers || after.bytesInUse !== baseline.bytesInUse) {
        throw new Error(`after freeing every buffer: ${after.buffers} buffers / ${after.bytesInUse} bytes, baseline ${baseline.buffers} / ${baseline.bytesInUse}`);
      }
    });

    suite.check('a second backend instance can be created, used and disposed independently', 'memory.dispose', async () => {
      const other = await suite.plugin.create();
      const id = other.alloc(8, 'int32');
      other.write(id, new Int32Array([1, 2, 3, 4, 5, 6, 7, 8]));
      expectClose(await other.read(id, 'int32', 2, 3), new Int32Array([3, 4, 5]), 'read from a second instance', { tolerance: null });
      other.free(id);
      other.dispose?.();
    });
  });
}
