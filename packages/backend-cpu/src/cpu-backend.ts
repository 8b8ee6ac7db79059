import { DTypeError, ShapeError, ValueError } from '@tessera/core';
import { BufferStore } from './storage/buffer-store';
import type { CpuBuffer } from './storage/cpu-buffer';
import { WasmHeap } from './storage/wasm-heap';
import { CHUNK_FUNCTIONS, SimdKernels, type BufferView } from './kernels/simd';
import { WorkerPool, workerFactory } from './threads/worker-pool';
import { compileKernels, detectWasmFeatures, instantiateKernels, pickVariant, relaxedSimdIsFaster } from './wasm/wasm-runtime';
import { assignKernel } from './kernels/assign';
import { binaryKernel } from './kernels/binary';
import { castKernel } from './kernels/cast';
import { conv2dKernel } from './kernels/conv2d';
import { argsortKernel } from './kernels/argsort';
import { cumsumKernel } from './kernels/cumsum';
import { installFloat16Kernels } from './kernels/float16';
import { arangeKernel, fillKernel } from './kernels/fill';
import { gatherKernel } from './kernels/gather';
import { layerNormKernel } from './kernels/layer-norm';
import { matmulKernel } from './kernels/matmul';
import { optimizerStepKernel } from './kernels/optimizer-step';
import { avgPool2dKernel, maxPool2dKernel } from './kernels/pool2d';
import { randomKernel } from './kernels/random';
import { reduceKernel } from './kernels/reduce';
import { scatterAddKernel } from './kernels/scatter-add';
import { softmaxKernel } from './kernels/softmax';
import type { ArrayView } from './kernels/strided';
import { unaryKernel } from './kernels/unary';
import { whereKernel } from './kernels/where';
import { castSimd } from './kernels/simd-cast';
import { cumsumSimd } from './kernels/simd-cumsum';
import { gatherSimd, scatterAddSimd } from './kernels/simd-indexing';
import { layerNormSimd } from './kernels/simd-layer-norm';
import { avgPool2dSimd, maxPool2dSimd } from './kernels/simd-pool2d';
import { softmaxAxisSimd } from './kernels/simd-softmax-axis';
import { optimizerStepSimd } from './kernels/simd-optimizer-step';
import { whereSimd } from './kernels/simd-where';
import { FUSED_ACTIVATIONS, type Backend, type BackendCapabilities, type BackendMemory, type BinaryOp, type Conv2dParams, type DataArray, type DataId, type DType, type FusedActivation, type OptimizerStepRequest, type OutputBuffer, type Pool2dParams, type RandomRequest, type ReduceOp, type StridedView, type UnaryOp } from '@tessera/core/backend';

/** Options of {@link CpuBackend} (see `createCpuPlugin`). */
export interface CpuBackendOptions {
  /** Backend name reported to core (default 'cpu'). */
  readonly name?: string;
  /** Use the WebAssembly SIMD kernels: 'auto' (when supported; default) or false (plain JS only). */
  readonly simd?: 'auto' | false;
  /**
   * Threads for large kernels, counting the calling thread: a number, or 'auto' (the
   * `TESSERA_CPU_THREADS` environment variable, else the core count, at most 4). 1 disables workers.
   * Needs SIMD and shared memory (Node, or a cross-origin isolated page).
   */
  readonly threads?: number | 'auto';
  /** Largest WebAssembly memory in bytes (default 4 GiB); allocations beyond it throw OutOfMemoryError. */
  readonly maxMemoryBytes?: number;
  /** A pre-compiled kernel module (from the async path of `createCpuPlugin`). */
  readonly module?: WebAssembly.Module;
}

/** The configuration a backend actually runs with (after feature detection). */
export interface CpuBackendConfig {
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
  readonly threads: number;
  readonly sharedMemory: boolean;
  /** Why a requested feature is off (e.g. "threads need SIMD"), for diagnostics. */
  readonly notes: readonly string[];
}

/** Resolve `threads: 'auto'`. */
export function autoThreads(): number {
  const env = typeof process === 'object' ? process.env?.TESSERA_CPU_THREADS : undefined;
  if (env !== undefined && env !== '' && Number.isInteger(Number(env)) && Number(env) >= 1) return Number(env);
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  let cores = nav?.hardwareConcurrency ?? 1;
  // Node 20 has no global navigator: ask node:os (synchronously, through process.getBuiltinModule).
  const getBuiltin = typeof process === 'object' ? (process as unknown as { getBuiltinModule?: (name: string) => unknown }).getBuiltinModule : undefined;
  if (nav?.hardwareConcurrency === undefined && typeof getBuiltin === 'function') {
    const os = getBuiltin('node:os') as { availableParallelism?: () => number; cpus(): unknown[] };
    cores = os.availableParallelism?.() ?? os.cpus().length;
  }
  return Math.max(1, Math.min(4, cores));
}

/**
 * The CPU backend: every `Backend` primitive and optional kernel. Tensor storage lives in one
 * WebAssembly memory; float32 hot paths (matmul, conv2d, element-wise and transcendental ops,
 * reductions, softmax, layerNorm, pooling, where, cast, cumsum, gather/scatterAdd) run WebAssembly SIMD
 * kernels, large ones split across a worker pool; everything else — and every path
 * when SIMD is off — runs the plain JavaScript kernels over views of the same memory.
 * Work runs synchronously, so `read` and `readSync` see everything queued before them.
 * @example
 * const cpu = new CpuBackend();
 * const id = cpu.alloc(2, 'float32');
 * cpu.write(id, new Float32Array([1, 2]));
 * cpu.readSync(id, 'float32', 0, 2); // Float32Array [1, 2]
 */
export class CpuBackend implements Backend {
  readonly name: string;
  readonly capabilities: BackendCapabilities = {
    dtypes: ['float32', 'int32', 'bool', 'float64', 'float16'],
    syncRead: true,
    stridedInputs: true,
  };
  /** What this instance runs with. */
  readonly config: CpuBackendConfig;
  /** The worker pool (null when single-threaded); exposed for diagnostics and fault tests. */
  readonly pool: WorkerPool | null = null;
  private readonly heap: WasmHeap;
  private readonly store: BufferStore;
  private readonly simd: SimdKernels | null = null;
  private disposed = false;

  constructor(options: CpuBackendOptions = {}) {
    this.name = options.name ?? 'cpu';
    const features = detectWasmFeatures();
    const notes: string[] = [];
    const simd = options.simd !== false && features.simd;
    if (options.simd !== false && !features.simd) notes.push('WebAssembly SIMD is not supported here');
    let threads = options.threads === undefined || options.threads === 'auto' ? autoThreads() : Math.max(1, Math.floor(options.threads));
    if (threads > 1 && !simd) {
      notes.push('threads need the SIMD kernels');
      threads = 1;
    }
    if (threads > 1 && !features.sharedMemory) {
      notes.push('threads need shared WebAssembly memory');
      threads = 1;
    }
    const factory = threads > 1 ? workerFactory() : null;
    if (typeof factory === 'string') {
      notes.push(factory);
      threads = 1;
    }
    const shared = threads > 1;
    this.heap = new WasmHeap({ maxBytes: options.maxMemoryBytes, shared });
    this.store = new BufferStore(this.heap);
    if (simd) {
      const relaxed = features.relaxedSimd && relaxedSimdIsFaster();
      if (features.relaxedSimd && !relaxed) notes.push('relaxed SIMD validates but its FMA was slower here: using mul + add');
      const module = options.module ?? compileKernels(pickVariant(relaxed, shared));
      this.simd = new SimdKernels(instantiateKernels(module, this.heap.memory), this.heap, threads);
      if (threads > 1 && typeof factory === 'function') {
        this.pool = new WorkerPool({
          module, memory: this.heap.memory, functions: CHUNK_FUNCTIONS, workers: threads - 1,
          scratchBase: this.simd.scratchBase, scratchStride: this.simd.scratchStride, factory,
        });
        this.simd.attachPool(this.pool);
      }
    }
    this.config = { simd, relaxedSimd: simd && features.relaxedSimd && relaxedSimdIsFaster(), threads, sharedMemory: shared, notes };
    // float16 runs every arithmetic kernel in float32 and rounds the results (see kernels/float16.ts).
    installFloat16Kernels(this, this.store, this.simd);
  }

  // ---- storage ----

  alloc(size: number, dtype: DType): DataId {
    this.checkLive('alloc');
    return this.store.alloc(size, dtype);
  }

  free(id: DataId): void {
    this.store.free(id);
  }

  write(id: DataId, data: DataArray, offset = 0): void {
    const target = this.store.get(id, 'write').data;
    if (offset < 0 || offset + data.length > target.length) {
      throw new RangeError(
        `cpu backend: write of ${data.length} elements at offset ${offset} overflows a buffer of ${target.length}`,
      );
    }
    target.set(data as never, offset);
  }

  read(id: DataId, dtype: DType, offset: number, size: number): Promise<DataArray> {
    try {
      return Promise.resolve(this.readSync(id, dtype, offset, size));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  readSync(id: DataId, dtype: DType, offset: number, size: number): DataArray {
    const buffer = this.store.get(id, 'read');
    if (buffer.dtype !== dtype) {
      throw new TypeError(`cpu backend: read asked for ${dtype} from a ${buffer.dtype} buffer`);
    }
    if (offset < 0 || size < 0 || offset + size > buffer.data.length) {
      throw new RangeError(`cpu backend: read of ${size} elements at offset ${offset} overflows a buffer of ${buffer.data.length}`);
    }
    // slice, not subarray: the caller owns the result.
    return buffer.data.slice(offset, offset + size);
  }

  memory(): BackendMemory {
    return this.store.memory();
  }

  // ---- required primitives ----

  unary(op: UnaryOp, x: StridedView, out: OutputBuffer): void {
    if (this.simd?.unary(op, this.bufferView(x, 'unary'), this.outBuffer(out, 'unary'))) return;
    unaryKernel(op, this.view(x, 'unary'), this.output(out, 'unary'), x.dtype);
  }

  binary(op: BinaryOp, a: StridedView, b: StridedView, out: OutputBuffer): void {
    if (this.simd?.binary(op, this.bufferView(a, 'binary'), this.bufferView(b, 'binary'), this.outBuffer(out, 'binary'))) return;
    binaryKernel(op, this.view(a, 'binary'), this.view(b, 'binary'), this.output(out, 'binary'), a.dtype);
  }

  where(cond: StridedView, a: StridedView, b: StridedView, out: OutputBuffer): void {
    if (this.simd && whereSimd(this.simd, this.bufferView(cond, 'where'), this.bufferView(a, 'where'), this.bufferView(b, 'where'), this.outBuffer(out, 'where'))) return;
    whereKernel(this.view(cond, 'where'), this.view(a, 'where'), this.view(b, 'where'), this.output(out, 'where'));
  }

  cast(x: StridedView, out: OutputBuffer): void {
    if (this.simd && castSimd(this.simd, this.bufferView(x, 'cast'), this.outBuffer(out, 'cast'))) return;
    castKernel(this.view(x, 'cast'), x.dtype, this.output(out, 'cast'), out.dtype);
  }

  reduce(op: ReduceOp, x: StridedView, axes: readonly number[], out: OutputBuffer): void {
    if (this.simd?.reduce(op, this.bufferView(x, 'reduce'), axes, this.outBuffer(out, 'reduce'))) return;
    reduceKernel(op, this.view(x, 'reduce'), axes, this.output(out, 'reduce'), x.dtype);
  }

  matmul(a: StridedView, b: StridedView, out: OutputBuffer): void {
    const target = this.output(out, 'matmul');
    if (!(target instanceof Float32Array || target instanceof Float64Array)) {
      throw new TypeError(`cpu backend: matmul supports float32 and float64, got ${out.dtype}`);
    }
    if (this.simd?.matmul(this.bufferView(a, 'matmul'), this.bufferView(b, 'matmul'), this.outBuffer(out, 'matmul'))) return;
    matmulKernel(this.view(a, 'matmul'), this.view(b, 'matmul'), target);
  }

  /**
   * `out = activation(a · b + bias)` with matmul's operands, the bias added and the activation
   * applied as each result is stored (float32: the SIMD kernel's tile epilogue; float64 and no-SIMD
   * builds: the JavaScript kernel's store; float16 through float32, see kernels/float16.ts).
   * @example
   * cpu.matmulBiasActivation(x, w, b, 'relu', out); // out = relu(x · w + b)
   */
  matmulBiasActivation(a: StridedView, b: StridedView, bias: StridedView | null, activation: FusedActivation, out: OutputBuffer): void {
    const op = 'matmulBiasActivation';
    const target = this.output(out, op);
    // The operand list is spelled out only when a check fails (this runs once per layer per step).
    const describe = (view: { dtype: DType; shape: readonly number[] } | null) => (view ? `${view.dtype} [${view.shape.join(', ')}]` : 'null');
    const operands = () => `a ${describe(a)}, b ${describe(b)}, bias ${describe(bias)}, out ${describe(out)}`;
    if (!(target instanceof Float32Array || target instanceof Float64Array)) {
      throw new DTypeError(`cpu backend: ${op} supports float32 and float64, got ${operands()}`);
    }
    if (a.dtype !== out.dtype || b.dtype !== out.dtype || (bias && bias.dtype !== out.dtype)) {
      throw new DTypeError(`cpu backend: ${op} needs every operand in the output's dtype, got ${operands()}`);
    }
    const [batch, m, k] = a.shape;
    const n = b.shape[2];
    const chains = a.shape.length === 3 && b.shape.length === 3 && b.shape[0] === batch && b.shape[1] === k;
    if (!chains || out.shape.length !== 3 || out.shape[0] !== batch || out.shape[1] !== m || out.shape[2] !== n) {
      throw new ShapeError(`cpu backend: ${op} needs a [B, M, K], b [B, K, N] and out [B, M, N], got ${operands()}`);
    }
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n)) {
      throw new ShapeError(`cpu backend: ${op} needs a bias of shape [${n}] (the product's columns), got ${operands()}`);
    }
    if (!FUSED_ACTIVATIONS.includes(activation)) {
      throw new ValueError(`cpu backend: ${op} activation must be one of ${FUSED_ACTIVATIONS.join(', ')}, got ${String(activation)}`);
    }
    if (this.simd?.matmulBiasActivation(this.bufferView(a, op), this.bufferView(b, op), bias && this.bufferView(bias, op), activation, this.outBuffer(out, op))) return;
    matmulKernel(this.view(a, op), this.view(b, op), target, 0, { bias: bias && this.view(bias, op), activation });
  }

  assign(dst: StridedView, src: StridedView): void {
    assignKernel(this.view(dst, 'assign'), this.view(src, 'assign'));
  }

  gather(x: StridedView, axis: number, index: StridedView, out: OutputBuffer): void {
    if (this.simd && gatherSimd(this.simd, this.bufferView(x, 'gather'), axis, this.bufferView(index, 'gather'), this.outBuffer(out, 'gather'))) return;
    gatherKernel(this.view(x, 'gather'), axis, this.view(index, 'gather'), this.output(out, 'gather'));
  }

  scatterAdd(target: OutputBuffer, axis: number, index: StridedView, src: StridedView): void {
    if (this.simd && scatterAddSimd(this.simd, this.outBuffer(target, 'scatterAdd'), target.shape, axis, this.bufferView(index, 'scatterAdd'), this.bufferView(src, 'scatterAdd'))) return;
    scatterAddKernel(this.output(target, 'scatterAdd'), target.shape, axis, this.view(index, 'scatterAdd'), this.view(src, 'scatterAdd'));
  }

  cumsum(x: StridedView, axis: number, out: OutputBuffer): void {
    if (this.simd && cumsumSimd(this.simd, this.bufferView(x, 'cumsum'), axis, this.outBuffer(out, 'cumsum'))) return;
    cumsumKernel(this.view(x, 'cumsum'), axis, this.output(out, 'cumsum'), x.dtype);
  }

  fill(out: OutputBuffer, value: number): void {
    fillKernel(this.output(out, 'fill'), out.dtype, value);
  }

  arange(out: OutputBuffer, start: number, step: number): void {
    arangeKernel(this.output(out, 'arange'), out.dtype, start, step);
  }

  random(out: OutputBuffer, request: RandomRequest): void {
    randomKernel(this.output(out, 'random'), request);
  }

  // ---- optional kernels ----

  argsort(x: StridedView, axis: number, descending: boolean, out: OutputBuffer): void {
    argsortKernel(this.view(x, 'argsort'), axis, descending, this.output(out, 'argsort'), x.dtype);
  }

  softmax(x: StridedView, axis: number, out: OutputBuffer): void {
    this.runSoftmax(x, axis, out, false);
  }

  logSoftmax(x: StridedView, axis: number, out: OutputBuffer): void {
    this.runSoftmax(x, axis, out, true);
  }

  /** softmax or logSoftmax: the last-axis SIMD kernel, else the any-axis one, else the JavaScript kernel. */
  private runSoftmax(x: StridedView, axis: number, out: OutputBuffer, log: boolean): void {
    const op = log ? 'logSoftmax' : 'softmax';
    if (this.simd) {
      const view = this.bufferView(x, op), target = this.outBuffer(out, op);
      if (this.simd.softmax(view, axis, target, log) || softmaxAxisSimd(this.simd, view, axis, target, log)) return;
    }
    softmaxKernel(this.view(x, op), axis, this.output(out, op), log);
  }

  layerNorm(
    x: StridedView, weight: StridedView | null, bias: StridedView | null, normalizedSize: number, eps: number,
    out: OutputBuffer, mean: OutputBuffer, rstd: OutputBuffer,
  ): void {
    if (
      this.simd &&
      layerNormSimd(
        this.simd, this.bufferView(x, 'layerNorm'), weight && this.bufferView(weight, 'layerNorm'), bias && this.bufferView(bias, 'layerNorm'),
        normalizedSize, eps, this.outBuffer(out, 'layerNorm'), this.outBuffer(mean, 'layerNorm'), this.outBuffer(rstd, 'layerNorm'),
      )
    ) {
      return;
    }
    layerNormKernel(
      this.view(x, 'layerNorm'), weight && this.view(weight, 'layerNorm'), bias && this.view(bias, 'layerNorm'),
      normalizedSize, eps, this.output(out, 'layerNorm'), this.output(mean, 'layerNorm'), this.output(rstd, 'layerNorm'),
    );
  }

  conv2d(x: StridedView, weight: StridedView, bias: StridedView | null, params: Conv2dParams, out: OutputBuffer): void {
    const target = this.output(out, 'conv2d');
    if (!(target instanceof Float32Array || target instanceof Float64Array)) {
      throw new TypeError(`cpu backend: conv2d supports float32 and float64, got ${out.dtype}`);
    }
    const simdView = (view: StridedView): BufferView => this.bufferView(view, 'conv2d');
    if (this.simd?.conv2d(simdView(x), simdView(weight), bias && simdView(bias), params, this.outBuffer(out, 'conv2d'), out.shape)) return;
    conv2dKernel(this.view(x, 'conv2d'), this.view(weight, 'conv2d'), bias && this.view(bias, 'conv2d'), params, target, out.shape);
  }

  maxPool2d(x: StridedView, params: Pool2dParams, out: OutputBuffer, indices: OutputBuffer): void {
    if (this.simd && maxPool2dSimd(this.simd, this.bufferView(x, 'maxPool2d'), params, this.outBuffer(out, 'maxPool2d'), out.shape, this.outBuffer(indices, 'maxPool2d'))) return;
    maxPool2dKernel(this.view(x, 'maxPool2d'), params, this.output(out, 'maxPool2d'), out.shape, this.output(indices, 'maxPool2d'));
  }

  avgPool2d(x: StridedView, params: Pool2dParams, out: OutputBuffer): void {
    if (this.simd && avgPool2dSimd(this.simd, this.bufferView(x, 'avgPool2d'), params, this.outBuffer(out, 'avgPool2d'), out.shape)) return;
    avgPool2dKernel(this.view(x, 'avgPool2d'), params, this.output(out, 'avgPool2d'), out.shape);
  }

  optimizerStep(request: OptimizerStepRequest): void {
    if (this.simd && optimizerStepSimd(this.simd, request, (range) => this.store.get(range.id, 'optimizerStep'), this.bufferView(request.grad, 'optimizerStep'))) return;
    optimizerStepKernel(request, (range) => this.store.get(range.id, 'optimizerStep').data, this.view(request.grad, 'optimizerStep'));
  }

  async sync(): Promise<void> {
    // Kernels run synchronously: nothing is ever queued.
  }

  dispose(): void {
    this.disposed = true;
    this.pool?.dispose();
  }

  // ---- helpers ----

  private checkLive(op: string): void {
    if (this.disposed) throw new Error(`cpu backend: ${op} called after dispose()`);
  }

  /** The typed array behind a strided input view. */
  private view(view: StridedView, op: string): ArrayView {
    return { data: this.store.get(view.id, op).data, shape: view.shape, strides: view.strides, offset: view.offset };
  }

  /** A view for the SIMD kernels (buffer + layout). */
  private bufferView(view: StridedView, op: string): BufferView {
    return { buffer: this.store.get(view.id, op), shape: view.shape, strides: view.strides, offset: view.offset };
  }

  /** The buffer behind an output. */
  private outBuffer(out: OutputBuffer, op: string): CpuBuffer {
    return this.store.get(out.id, op);
  }

  /** The typed array behind an output buffer. */
  private output(out: OutputBuffer, op: string): DataArray {
    return this.store.get(out.id, op).data;
  }
}
