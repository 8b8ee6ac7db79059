/**
 * What kernels see of the device: `launch` a generated kernel on storage buffers, plus temporary
 * buffers and the adapter's limits. Owns the command stream, the pipeline cache and the buffer pool,
 * and turns device loss and oversize bindings into clear errors.
 */
import { BackendError } from '@tessera/core';
import { BufferPool } from '../storage/buffer-pool';
import { GpuStorage, gpuElementBytes, wordAligned } from '../storage/gpu-storage';
import type { UniformParams } from '../codegen/uniforms';
import { CommandStream } from './command-stream';
import { PipelineCache } from './pipeline-cache';
import type { DType } from '@tessera/core/backend';

/** One kernel launch: everything `GpuRuntime.launch` needs. */
export interface KernelLaunch {
  /** The op, for error messages (e.g. 'matmul'). */
  readonly op: string;
  /** Pipeline cache key: everything the source depends on besides the uniform struct's layout. */
  readonly key: string;
  /** The WGSL (declaring `uniforms`' struct). Bindings: 0 uniforms, then inputs, then outputs. */
  readonly source: () => string;
  /** The named uniform parameters: their layout joins the cache key, their values are uploaded. */
  readonly uniforms: UniformParams;
  readonly inputs: readonly GpuStorage[];
  readonly outputs: readonly GpuStorage[];
  /** Workgroups: a count (laid out on a 2-D grid, see `flatEntry`) or an explicit grid. */
  readonly groups: number | readonly [number, number, number];
}

/**
 * @example
 * const runtime = new GpuRuntime(device, { dispatchesPerSubmit: 64 });
 * runtime.launch({ op: 'fill', key: 'fill:f32', source, uniforms, inputs: [], outputs: [out], groups: 4 });
 */
export class GpuRuntime {
  readonly stream: CommandStream;
  /** The adapter runs on the CPU (see `WebGPUFeatures.software`): few cores, costly invocations. */
  readonly software: boolean;
  readonly pipelines: PipelineCache;
  readonly pool: BufferPool;
  readonly limits: GPUSupportedLimits;
  /** Set once the device is lost; every later call throws it. */
  lostMessage: string | null = null;
  /** The first uncaptured device error (validation/out-of-memory), reported by the next read. */
  deviceError: string | null = null;

  constructor(
    readonly device: GPUDevice,
    options: { dispatchesPerSubmit?: number; software?: boolean } = {},
  ) {
    this.limits = device.limits;
    this.software = options.software ?? false;
    this.stream = new CommandStream(device, options);
    this.pipelines = new PipelineCache(device);
    this.pool = new BufferPool(device, device.limits.maxBufferSize);
    this.stream.onComplete((serial) => this.pool.complete(serial));
  }

  /** The pending uncaptured device error as a BackendError (and clear it), or null. */
  takeDeviceError(): BackendError | null {
    if (this.deviceError === null) return null;
    const message = this.deviceError;
    this.deviceError = null;
    return new BackendError(`webgpu: the GPU reported an error in queued work: ${message}`);
  }

  /** Throw if the device is gone. */
  ensureAlive(op: string): void {
    if (this.lostMessage !== null) {
      throw new BackendError(
        `webgpu ${op}: the GPU device was lost (${this.lostMessage}); tensors on it are gone. ` +
          "Re-create the backend (removeBackendInstance('webgpu'), then await setBackend('webgpu')).",
      );
    }
  }

  /** The workgroup grid for `count` workgroups: x up to the per-dimension limit, then y. */
  grid(count: number, op: string): [number, number, number] {
    const perDimension = this.limits.maxComputeWorkgroupsPerDimension;
    const x = Math.max(1, Math.min(count, perDimension));
    const y = Math.ceil(count / x);
    if (y > perDimension) {
      throw new BackendError(`webgpu ${op}: ${count} workgroups exceed this adapter's grid (${perDimension}² workgroups)`);
    }
    return [x, y, 1];
  }

  /** Bytes to bind for a storage buffer, checked against maxStorageBufferBindingSize. */
  bindingSize(storage: GpuStorage, op: string): number {
    const bytes = Math.ceil(Math.max(storage.byteSize, 16) / 16) * 16;
    const limit = this.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new BackendError(
        `webgpu ${op}: a ${storage.dtype} tensor buffer of ${storage.size} elements (${storage.byteSize} bytes) exceeds this adapter's ` +
          `maxStorageBufferBindingSize of ${limit} bytes; split the tensor (e.g. with narrow/chunk) or use the cpu backend for it`,
      );
    }
    return Math.min(bytes, storage.buffer.size);
  }

  /** Record one kernel. Inputs that alias an output are copied first (WebGPU forbids the overlap). */
  launch(launch: KernelLaunch): void {
    this.ensureAlive(launch.op);
    const temporaries: GpuStorage[] = [];
    const inputs = launch.inputs.map((input) => {
      this.ensureLive(input, launch.op);
      if (!launch.outputs.includes(input)) return input;
      const copy = this.temporary(input.size, input.dtype);
      this.copyStorage(input, copy);
      temporaries.push(copy);
      return copy;
    });
    for (const output of launch.outputs) this.ensureLive(output, launch.op);
    const all = [...inputs, ...launch.outputs];
    const bindings = all.map((storage) => ({ buffer: storage.buffer, size: this.bindingSize(storage, launch.op) }));
    const words = launch.uniforms.toWords();
    const pipeline = this.pipelines.get(`${launch.key}|${launch.uniforms.signature}`, launch.source);
    const groups = typeof launch.groups === 'number' ? this.grid(launch.groups, launch.op) : launch.groups;
    const serial = this.stream.dispatch(pipeline, words, bindings, groups);
    for (const storage of all) storage.lastUse = serial;
    for (const temporary of temporaries) this.releaseTemporary(temporary);
  }

  /** Copy all of `source` into `target` (same size) on the queue, in whole words (pooled buffers have room). */
  copyStorage(source: GpuStorage, target: GpuStorage): void {
    const serial = this.stream.copy(source.buffer, 0, target.buffer, 0, wordAligned(Math.min(source.byteSize, target.byteSize)));
    source.lastUse = serial;
    target.lastUse = serial;
  }

  private ensureLive(storage: GpuStorage, op: string): void {
    if (storage.freed) throw new BackendError(`webgpu ${op}: a buffer was used after it was freed (its tensor was disposed)`);
  }

  /** A scratch buffer of `size` elements, released with {@link releaseTemporary} after its last use is recorded. */
  temporary(size: number, dtype: DType): GpuStorage {
    return new GpuStorage(this.pool.acquire(Math.max(wordAligned(size * gpuElementBytes(dtype)), 16)), size, dtype);
  }

  releaseTemporary(storage: GpuStorage): void {
    storage.freed = true;
    this.pool.release(storage.buffer, storage.lastUse, this.stream.completed);
  }

  destroy(): void {
    this.stream.destroy();
    this.pool.destroy();
  }
}
