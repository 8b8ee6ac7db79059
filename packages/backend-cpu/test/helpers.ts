import { expect } from 'vitest';
import { CpuBackend, type CpuBackendOptions } from '../src/cpu-backend';
import type { ChunkCall, SimdKernels } from '../src/kernels/simd';
import { type DataArray, type DType, type OutputBuffer, type StridedView, contiguousStrides as contiguous, sizeOf as size } from '@tessera/core/backend';

/** A backend (single-threaded unless `options` say otherwise) plus helpers to make views and outputs from plain arrays. */
export function setup(options: CpuBackendOptions = { threads: 1 }) {
  const backend = new CpuBackend(options);
  const arrayFor = (dtype: DType, values: ArrayLike<number>): DataArray =>
    dtype === 'float32' ? Float32Array.from(values)
      : dtype === 'float64' ? Float64Array.from(values)
        : dtype === 'int32' ? Int32Array.from(values)
          : Uint8Array.from(values);
  /** A contiguous view of `values` with `shape`. */
  const input = (values: ArrayLike<number>, shape: number[], dtype: DType = 'float32'): StridedView => {
    const id = backend.alloc(values.length, dtype);
    backend.write(id, arrayFor(dtype, values));
    return { id, dtype, shape, strides: contiguous(shape), offset: 0 };
  };
  const output = (shape: number[], dtype: DType = 'float32'): OutputBuffer => ({
    id: backend.alloc(size(shape), dtype), dtype, shape,
  });
  const read = (buffer: { id: object; dtype: DType; shape: readonly number[] }): number[] =>
    Array.from(backend.readSync(buffer.id, buffer.dtype, 0, size(buffer.shape)));
  return { backend, input, output, read };
}

export { contiguous, size };

/** Element of a view of `data` at multi-index `index`. */
export function at(data: ArrayLike<number>, view: { strides: readonly number[]; offset: number }, index: number[]): number {
  let offset = view.offset;
  for (let dim = 0; dim < index.length; dim++) offset += index[dim] * view.strides[dim];
  return data[offset];
}

/** Every multi-index of `shape` in row-major order. */
export function indices(shape: readonly number[]): number[][] {
  const result: number[][] = [];
  const total = size(shape);
  for (let flat = 0; flat < total; flat++) {
    const index = new Array<number>(shape.length);
    let rest = flat;
    for (let dim = shape.length - 1; dim >= 0; dim--) {
      index[dim] = rest % shape[dim];
      rest = Math.floor(rest / shape[dim]);
    }
    result.push(index);
  }
  return result;
}

/** Deterministic pseudo-random values in [-1, 1). */
export function randomValues(count: number, seed = 1): number[] {
  let state = seed >>> 0 || 1;
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values.push(state / 2 ** 31 - 1);
  }
  return values;
}

export function expectClose(actual: number[], expected: number[], tolerance = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) ? !Number.isNaN(a) : Math.abs(a - e) > tolerance * (1 + Math.abs(e))) {
      throw new Error(`element ${i}: got ${a}, expected ${e}`);
    }
  }
}

/** A SIMD backend whose chunk lists are recorded per kernel name (see {@link recordingSimdBackend}). */
export interface RecordingSimdBackend {
  backend: CpuBackend;
  /** The last chunk list each kernel ran (arguments copied). */
  chunks: Map<string, ChunkCall[]>;
  /** The largest chunk count each kernel ran with: 1 on one thread, more when it split. */
  maxChunks: Map<string, number>;
}

/**
 * A SIMD backend with `threads` (workers started) that records the chunks every kernel runs, so a
 * test can check which WebAssembly kernel ran and how the work was split. Pushed onto `created` for disposal.
 * @example
 * const { backend, maxChunks } = recordingSimdBackend(2, created);
 */
export function recordingSimdBackend(threads: number, created: CpuBackend[]): RecordingSimdBackend {
  const backend = new CpuBackend({ threads });
  created.push(backend);
  expect(backend.config.simd).toBe(true);
  expect(backend.config.threads).toBe(threads);
  backend.pool?.waitUntilReady();
  const simd = (backend as unknown as { simd: SimdKernels }).simd;
  const chunks = new Map<string, ChunkCall[]>();
  const maxChunks = new Map<string, number>();
  const run = simd.runChunks.bind(simd);
  simd.runChunks = (calls: ChunkCall[], kernel: string) => {
    chunks.set(kernel, calls.map(([name, args, slot]) => [name, [...args], slot]));
    maxChunks.set(kernel, Math.max(maxChunks.get(kernel) ?? 0, calls.length));
    run(calls, kernel);
  };
  return { backend, chunks, maxChunks };
}

