/**
 * WebAssembly storage and the worker pool: memory growth keeps buffers valid, a memory that cannot
 * grow gives a clear out-of-memory error, threaded kernels equal single-threaded ones, and a worker
 * that dies mid-kernel gives a clear error while the backend stays usable.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { autoThreads, CpuBackend } from '../src/cpu-backend';
import { OutOfMemoryError } from '../src/storage/wasm-heap';
import { WorkerCrashError } from '../src/threads/worker-pool';
import { randomValues, setup } from './helpers';
import type { StridedView } from '@tessera/core/backend';

const transposed = (view: StridedView, rows: number, cols: number): StridedView => ({
  ...view, shape: [1, rows, cols], strides: [0, 1, rows],
});

describe('WebAssembly storage', () => {
  it('buffers keep their contents when the memory grows (views are re-created)', () => {
    const { backend, input, read } = setup({ threads: 1, maxMemoryBytes: 256 << 20 });
    const first = input([1, 2, 3], [3]);
    const big = backend.alloc(8 << 20, 'float32'); // 32 MiB: forces growth
    expect(read({ ...first, shape: [3] })).toEqual([1, 2, 3]);
    backend.write(first.id, new Float32Array([4]), 1);
    expect(read({ ...first, shape: [3] })).toEqual([1, 4, 3]);
    backend.free(big);
  });

  it('a memory that cannot grow throws OutOfMemoryError naming the requested size, and stays usable', () => {
    const backend = new CpuBackend({ threads: 1, maxMemoryBytes: 4 << 20 });
    expect(() => backend.alloc(2_000_000, 'float32')).toThrow(OutOfMemoryError);
    expect(() => backend.alloc(2_000_000, 'float32')).toThrow(/out of memory allocating a float32 buffer of 2000000 elements \(8000000 bytes\).*cannot grow past 4194304 bytes/);
    const id = backend.alloc(4, 'float32');
    backend.write(id, new Float32Array([1, 2, 3, 4]));
    expect(Array.from(backend.readSync(id, 'float32', 0, 4))).toEqual([1, 2, 3, 4]);
    expect(backend.memory()).toEqual({ bytesInUse: 16, bytesPooled: 0, buffers: 1 });
  });

  it('freed blocks are reused by later allocations of the same size class', () => {
    const { backend } = setup();
    const id = backend.alloc(1000, 'float32');
    const ptr = (id as unknown as { ptr: number }).ptr;
    backend.free(id);
    const again = backend.alloc(990, 'float32');
    expect((again as unknown as { ptr: number }).ptr).toBe(ptr);
  });
});

describe('thread count', () => {
  it("'auto' uses TESSERA_CPU_THREADS when set, else the core count (at most 4)", () => {
    const saved = process.env.TESSERA_CPU_THREADS;
    try {
      process.env.TESSERA_CPU_THREADS = '3';
      expect(autoThreads()).toBe(3);
      delete process.env.TESSERA_CPU_THREADS;
      expect(autoThreads()).toBeGreaterThanOrEqual(1);
      expect(autoThreads()).toBeLessThanOrEqual(4);
    } finally {
      if (saved === undefined) delete process.env.TESSERA_CPU_THREADS;
      else process.env.TESSERA_CPU_THREADS = saved;
    }
  });

  it('simd: false runs single-threaded plain JS and says why threads are off', () => {
    const backend = new CpuBackend({ simd: false, threads: 2 });
    expect(backend.config).toMatchObject({ simd: false, threads: 1 });
    expect(backend.config.notes).toContain('threads need the SIMD kernels');
    expect(backend.pool).toBeNull();
  });
});

describe('worker pool', () => {
  const threaded = setup({ threads: 2 });
  const single = setup({ threads: 1 });
  afterAll(() => threaded.backend.dispose());
  const size = 256;
  const aValues = randomValues(size * size, 7);
  const bValues = randomValues(size * size, 8);

  function product(env: ReturnType<typeof setup>, transposeA: boolean, transposeB: boolean): number[] {
    const a = env.input(aValues, [1, size, size]);
    const b = env.input(bValues, [1, size, size]);
    const out = env.output([1, size, size]);
    env.backend.matmul(transposeA ? transposed(a, size, size) : a, transposeB ? transposed(b, size, size) : b, out);
    const values = env.read(out);
    for (const id of [a.id, b.id, out.id]) env.backend.free(id);
    return values;
  }

  it('starts its workers and reports two threads', () => {
    expect(threaded.backend.config.threads).toBe(2);
    expect(threaded.backend.pool!.waitUntilReady()).toBe(true);
  });

  it('threaded matmul equals single-threaded matmul bit for bit in all four transpose combinations', () => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      expect(product(threaded, ta, tb)).toEqual(product(single, ta, tb));
    }
  });

  it('threaded element-wise ops and sums over 1M elements equal single-threaded ones', () => {
    const n = 1 << 20;
    const values = randomValues(n, 3);
    for (const env of [threaded, single]) {
      const x = env.input(values, [n]);
      const out = env.output([n]);
      env.backend.binary('mul', x, x, out);
      const total = env.output([]);
      env.backend.reduce('sum', { ...x, id: out.id }, [0], total);
      (env as unknown as { results: number[] }).results = [...env.read(out).slice(0, 50), ...env.read(total)];
    }
    const threadedResults = (threaded as unknown as { results: number[] }).results;
    const singleResults = (single as unknown as { results: number[] }).results;
    expect(threadedResults.slice(0, 50)).toEqual(singleResults.slice(0, 50));
    expect(Math.abs(threadedResults[50] - singleResults[50])).toBeLessThan(1e-6 * Math.abs(singleResults[50]) + 1e-3);
  });

  it('a worker that dies mid-kernel gives a clear error and the backend stays usable', () => {
    const pool = threaded.backend.pool!;
    expect(pool.waitUntilReady()).toBe(true);
    const big = 512;
    const a = threaded.input(randomValues(big * big, 1), [1, big, big]);
    const out = threaded.output([1, big, big]);
    // The fault fires in whichever worker claims a chunk first; on a loaded machine the calling
    // thread may take every chunk before the worker wakes, so try a few times.
    pool.injectWorkerExit();
    let error: unknown;
    for (let attempt = 0; attempt < 50 && !error; attempt++) {
      try {
        threaded.backend.matmul(a, a, out);
      } catch (caught) {
        error = caught;
      }
    }
    expect(error).toBeInstanceOf(WorkerCrashError);
    expect((error as Error).message).toMatch(/worker 1 exited while running part of matmul; the result is incomplete/);
    // The pool replaced the worker: results are right again, with and without the new worker started.
    expect(product(threaded, false, false)).toEqual(product(single, false, false));
    expect(pool.waitUntilReady()).toBe(true);
    expect(product(threaded, true, false)).toEqual(product(single, true, false));
  });

  it('a terminated worker is replaced and kernels keep working', async () => {
    const pool = threaded.backend.pool!;
    expect(pool.waitUntilReady()).toBe(true);
    await pool.terminateWorker(1);
    expect(product(threaded, false, true)).toEqual(product(single, false, true));
    expect(pool.waitUntilReady()).toBe(true);
    expect(product(threaded, false, false)).toEqual(product(single, false, false));
  });
});
