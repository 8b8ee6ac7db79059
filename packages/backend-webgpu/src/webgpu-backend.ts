import { BackendError, DTypeError } from '@tessera/core';
import { elementCount, rowMajorStrides } from './codegen/layout';
import { binaryExpression, castExpression, contiguousOperand, launchElementwise, unaryExpression } from './kernels/elementwise';
import { attentionBackwardKernel, attentionDeclineReason, attentionForwardKernel, type AttentionDims, type AttentionOperand } from './kernels/attention';
import { conv2dKernel, pool2dKernel } from './kernels/conv-pool';
import { layerNormKernel, softmaxKernel } from './kernels/fused';
import { arangeKernel, cumsumKernel, fillKernel, gatherKernel, scatterAddKernel } from './kernels/indexing';
import { matmulKernel } from './kernels/matmul';
import { optimizerStepKernel } from './kernels/optimizer-step';
import { randomKernel } from './kernels/random';
import { reduceKernel } from './kernels/reduce';
import { requestWebGPUDevice, watchDevice } from './runtime/device-setup';
import { GpuRuntime } from './runtime/gpu-runtime';
import { GpuStorage, gpuElementBytes, wordAligned } from './storage/gpu-storage';
import { Readback } from './storage/readback';
import { checkMatmulOperands, type AttentionParams, type Backend, type BackendCapabilities, type BackendMemory, type BinaryOp, type Conv2dParams, type DataArray, type DataId, type DType, type FusedActivation, type OptimizerStepRequest, type OutputBuffer, type Pool2dParams, type RandomRequest, type ReduceOp, type StridedView, type UnaryOp } from '@tessera/core/backend';

/** Dtypes stored on every device. float64 has no WGSL type; core keeps float64 tensors on other backends. */
const ALWAYS_SUPPORTED: readonly DType[] = ['float32', 'int32', 'bool'];
/** Plus float16 (`array<f16>`, f32 arithmetic) where the device has `shader-f16`. */
const WITH_SHADER_F16: readonly DType[] = [...ALWAYS_SUPPORTED, 'float16'];

/** Options of {@link WebGPUBackend}. */
export interface WebGPUBackendOptions {
  /** Backend name reported to core (default 'webgpu'). */
  readonly name?: string;
  /** Kernels recorded per queue submit before an automatic flush (default 64). */
  readonly dispatchesPerSubmit?: number;
}

/** Adapter features this backend uses, for diagnostics. */
export interface WebGPUFeatures {
  /** The device has `shader-f16` (half-precision WGSL): then `capabilities.dtypes` lists `float16`. */
  readonly shaderF16: boolean;
  /** A description of the adapter (vendor, architecture, device), when the browser exposes it. */
  readonly adapter: string;
  /**
   * The adapter runs on the CPU (a fallback / software adapter such as lavapipe or SwiftShader):
   * kernels then favour more work per invocation over more workgroups (e.g. matmul's largest tile).
   */
  readonly software?: boolean;
}

/** The dtypes of the matmul kernels (float16 where the device has shader-f16). */
const MATMUL_DTYPES = ['float32', 'float16'] as const;

/**
 * The WebGPU backend: every `Backend` primitive and the optional softmax, logSoftmax, layerNorm,
 * conv2d, maxPool2d, avgPool2d, optimizerStep, matmulBiasActivation and attention (+ backward) kernels as generated WGSL. Kernels are recorded into batches and
 * submitted together; `read` flushes, copies into pooled staging buffers and maps them.
 * @example
 * const backend = await WebGPUBackend.create(navigator.gpu);
 * const id = backend.alloc(2, 'float32');
 * backend.write(id, new Float32Array([1, 2]));
 * await backend.read(id, 'float32', 0, 2); // Float32Array [1, 2]
 */
export class WebGPUBackend implements Backend {
  readonly name: string;
  /** `dtypes` includes `float16` exactly when `features.shaderF16` is true. */
  readonly capabilities: BackendCapabilities;
  readonly features: WebGPUFeatures;
  /** The device and its command stream, pipeline cache and pool (exposed for diagnostics and fault tests). */
  readonly runtime: GpuRuntime;
  private readonly readback: Readback;
  private liveBuffers = 0;
  private liveBytes = 0;
  private disposed = false;

  /**
   * Wrap a device. `owner` (the `GPU` object the device came from) is kept referenced for the
   * backend's lifetime: in Node, Dawn crashes if it is collected while a device lives.
   */
  constructor(
    readonly device: GPUDevice,
    options: WebGPUBackendOptions & { features?: WebGPUFeatures; owner?: unknown } = {},
  ) {
    this.name = options.name ?? 'webgpu';
    this.owner = options.owner;
    this.features = options.features ?? { shaderF16: device.features.has('shader-f16'), adapter: 'unknown' };
    // A device without the feature cannot compile `enable f16;`, so float16 is offered only with it.
    const shaderF16 = this.features.shaderF16 && device.features.has('shader-f16');
    this.capabilities = { dtypes: shaderF16 ? WITH_SHADER_F16 : ALWAYS_SUPPORTED, syncRead: false, stridedInputs: true };
    this.runtime = new GpuRuntime(device, { dispatchesPerSubmit: options.dispatchesPerSubmit, software: this.features.software });
    this.readback = new Readback(this.runtime);
    watchDevice(device, this.runtime);
  }

  /** Kept only so it outlives the device (see the constructor). */
  private readonly owner: unknown;

  /**
   * Request an adapter and a device with the adapter's largest buffer and workgroup limits (runtime/device-setup.ts).
   * @example
   * const backend = await WebGPUBackend.create(navigator.gpu, { powerPreference: 'high-performance' });
   */
  static async create(gpu: GPU, options: WebGPUBackendOptions & { powerPreference?: 'low-power' | 'high-performance'; adapter?: GPUAdapter } = {}): Promise<WebGPUBackend> {
    const { device, features } = await requestWebGPUDevice(gpu, options);
    return new WebGPUBackend(device, { ...options, owner: gpu, features });
  }

  // ---- storage ----

  private storage(id: DataId, op: string): GpuStorage {
    if (!(id instanceof GpuStorage)) throw new BackendError(`webgpu ${op}: the buffer does not belong to the webgpu backend (move the tensor with .to('webgpu'))`);
    if (id.freed) throw new BackendError(`webgpu ${op}: the buffer was freed (its tensor was disposed)`);
    return id;
  }

  private check(op: string): void {
    if (this.disposed) throw new BackendError(`webgpu ${op}: the backend was disposed`);
    this.runtime.ensureAlive(op);
  }

  /** Throw a DTypeError naming the op unless this device stores `dtype`. */
  private checkDType(op: string, dtype: DType): void {
    if (this.capabilities.dtypes.includes(dtype)) return;
    const supported = this.capabilities.dtypes.join(', ');
    if (dtype === 'float16') {
      throw new DTypeError(
        `webgpu ${op}: dtype float16 needs the adapter feature 'shader-f16', which this device (${this.features.adapter}) does not have ` +
          `(supported: ${supported}); use float32, or keep float16 tensors on the cpu backend`,
      );
    }
    throw new DTypeError(`webgpu ${op}: dtype ${dtype} is not supported by the webgpu backend (supported: ${supported}); keep ${dtype} tensors on the cpu backend`);
  }

  /** Float kernels without an integer form (softmax, layerNorm, conv2d, pooling) take float32 or float16. */
  private checkFloat(op: string, dtype: DType): void {
    if (dtype !== 'float32' && dtype !== 'float16') throw new DTypeError(`webgpu ${op}: expected a float32 or float16 input, got ${dtype}`);
    this.checkDType(op, dtype);
  }

  alloc(size: number, dtype: DType): DataId {
    this.check('alloc');
    this.checkDType('alloc', dtype);
    const bytes = size * gpuElementBytes(dtype);
    if (bytes > this.runtime.limits.maxBufferSize) {
      throw new BackendError(`webgpu alloc: ${size} ${dtype} elements (${bytes} bytes) exceed this adapter's maxBufferSize of ${this.runtime.limits.maxBufferSize} bytes`);
    }
    let buffer: GPUBuffer;
    try {
      // Whole words even at the pool's largest size: copies and bindings of odd float16 counts round up to them.
      buffer = this.runtime.pool.acquire(Math.max(wordAligned(bytes), 16));
    } catch (error) {
      throw new BackendError(`webgpu alloc: could not allocate ${bytes} bytes for ${size} ${dtype} elements: ${(error as Error).message}`);
    }
    this.liveBuffers++;
    this.liveBytes += buffer.size;
    return new GpuStorage(buffer, size, dtype);
  }

  free(id: DataId): void {
    if (!(id instanceof GpuStorage) || id.freed) return;
    id.freed = true;
    this.liveBuffers--;
    this.liveBytes -= id.buffer.size;
    if (this.disposed) return;
    this.runtime.pool.release(id.buffer, id.lastUse, this.runtime.stream.completed);
  }

  write(id: DataId, data: DataArray, offset = 0): void {
    this.check('write');
    const storage = this.storage(id, 'write');
    if (data instanceof Float64Array && storage.dtype !== 'float64') {
      // Core converts host data to the tensor's dtype first; a Float64Array here is a caller bug.
      throw new DTypeError(`webgpu write: got float64 data for a ${storage.dtype} buffer`);
    }
    if (offset < 0 || offset + data.length > storage.size) {
      throw new BackendError(`webgpu write: ${data.length} elements at offset ${offset} do not fit a buffer of ${storage.size}`);
    }
    if ((storage.dtype === 'float16') !== (data instanceof Uint16Array)) {
      throw new DTypeError(
        `webgpu write: float16 buffers take a Uint16Array of binary16 bit patterns (and only they do); got ${data.constructor.name} for a ${storage.dtype} buffer`,
      );
    }
    if (data.length === 0) return;
    if (data instanceof Uint16Array) {
      writeHalves(this.runtime, storage, data, offset);
      return;
    }
    const words = storage.dtype === 'bool' || data instanceof Uint8Array ? Uint32Array.from(data) : data;
    if (words instanceof Float64Array) throw new DTypeError('webgpu write: float64 data is not supported');
    // Commands recorded but not yet submitted run after a queue write: submit them first.
    if (storage.lastUse === this.runtime.stream.serial && this.runtime.stream.pending) this.runtime.stream.flush();
    this.runtime.device.queue.writeBuffer(storage.buffer, offset * 4, words.buffer, words.byteOffset, words.byteLength);
  }

  read(id: DataId, dtype: DType, offset: number, size: number): Promise<DataArray> {
    try {
      this.check('read');
      const storage = this.storage(id, 'read');
      if (offset < 0 || size < 0 || offset + size > storage.size) {
        throw new BackendError(`webgpu read: elements [${offset}, ${offset + size}) are outside a buffer of ${storage.size}`);
      }
      if (size === 0) return Promise.resolve(emptyArray(dtype));
      return this.readback.read(storage, dtype, offset, size);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  memory(): BackendMemory {
    return { bytesInUse: this.liveBytes, bytesPooled: this.runtime.pool.stats().bytesPooled, buffers: this.liveBuffers };
  }

  async sync(): Promise<void> {
    this.check('sync');
    await this.runtime.stream.drain();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.readback.destroy();
    this.runtime.destroy();
    this.device.destroy();
  }

  // ---- primitives ----

  private operand(view: StridedView, op: string) {
    return { storage: this.storage(view.id, op), dtype: view.dtype, strides: view.strides, offset: view.offset };
  }

  private out(out: OutputBuffer, op: string) {
    return contiguousOperand(this.storage(out.id, op), out.dtype, out.shape);
  }

  unary(op: UnaryOp, x: StridedView, out: OutputBuffer): void {
    this.check(op);
    launchElementwise(this.runtime, { op, shape: out.shape, output: this.out(out, op), inputs: [this.operand(x, op)], expression: () => unaryExpression(op, x.dtype) });
  }

  binary(op: BinaryOp, a: StridedView, b: StridedView, out: OutputBuffer): void {
    this.check(op);
    launchElementwise(this.runtime, {
      op, shape: out.shape, output: this.out(out, op), inputs: [this.operand(a, op), this.operand(b, op)], expression: () => binaryExpression(op, a.dtype),
    });
  }

  where(cond: StridedView, a: StridedView, b: StridedView, out: OutputBuffer): void {
    this.check('where');
    launchElementwise(this.runtime, {
      op: 'where', shape: out.shape, output: this.out(out, 'where'), raw: true,
      inputs: [this.operand(cond, 'where'), this.operand(a, 'where'), this.operand(b, 'where')],
      expression: () => `select(v2, v1, ${cond.dtype === 'float32' ? '!(v0 == 0.0)' : cond.dtype === 'int32' ? 'v0 != 0' : 'v0 != 0u'})`,
    });
  }

  cast(x: StridedView, out: OutputBuffer): void {
    this.check('cast');
    launchElementwise(this.runtime, { op: 'cast', shape: out.shape, output: this.out(out, 'cast'), inputs: [this.operand(x, 'cast')], expression: () => castExpression(x.dtype, out.dtype) });
  }

  reduce(op: ReduceOp, x: StridedView, axes: readonly number[], out: OutputBuffer): void {
    this.check(op);
    reduceKernel(this.runtime, op, x, this.storage(x.id, op), axes, out, this.storage(out.id, op));
  }

  matmul(a: StridedView, b: StridedView, out: OutputBuffer): void {
    this.check('matmul');
    matmulKernel(this.runtime, a, this.storage(a.id, 'matmul'), b, this.storage(b.id, 'matmul'), out, this.storage(out.id, 'matmul'));
  }

  assign(dst: StridedView, src: StridedView): void {
    this.check('assign');
    launchElementwise(this.runtime, { op: 'assign', shape: dst.shape, output: this.operand(dst, 'assign'), inputs: [this.operand(src, 'assign')], expression: () => 'v0', raw: true });
  }

  gather(x: StridedView, axis: number, index: StridedView, out: OutputBuffer): void {
    this.check('gather');
    gatherKernel(this.runtime, x, this.storage(x.id, 'gather'), axis, index, this.storage(index.id, 'gather'), out, this.storage(out.id, 'gather'));
  }

  scatterAdd(target: OutputBuffer, axis: number, index: StridedView, src: StridedView): void {
    this.check('scatterAdd');
    scatterAddKernel(this.runtime, target, this.storage(target.id, 'scatterAdd'), axis, index, this.storage(index.id, 'scatterAdd'), src, this.storage(src.id, 'scatterAdd'));
  }

  cumsum(x: StridedView, axis: number, out: OutputBuffer): void {
    this.check('cumsum');
    cumsumKernel(this.runtime, x, this.storage(x.id, 'cumsum'), axis, out, this.storage(out.id, 'cumsum'));
  }

  fill(out: OutputBuffer, value: number): void {
    this.check('fill');
    fillKernel(this.runtime, out, this.storage(out.id, 'fill'), value);
  }

  arange(out: OutputBuffer, start: number, step: number): void {
    this.check('arange');
    arangeKernel(this.runtime, out, this.storage(out.id, 'arange'), start, step);
  }

  random(out: OutputBuffer, request: RandomRequest): void {
    this.check('random');
    randomKernel(this.runtime, out, this.storage(out.id, 'random'), request);
  }

  // ---- optional kernels ----

  /** A contiguous copy of `view` (or the view's own buffer when it already is), plus whether to release it. */
  private contiguous(view: StridedView, op: string): { storage: GpuStorage; offset: number; temporary: boolean } {
    const storage = this.storage(view.id, op);
    const expected = rowMajorStrides(view.shape);
    if (view.shape.every((dim, k) => dim === 1 || view.strides[k] === expected[k])) return { storage, offset: view.offset, temporary: false };
    const copy = this.runtime.temporary(elementCount(view.shape), view.dtype);
    launchElementwise(this.runtime, { op, shape: view.shape, output: contiguousOperand(copy, view.dtype, view.shape), inputs: [this.operand(view, op)], expression: () => 'v0', raw: true });
    return { storage: copy, offset: 0, temporary: true };
  }

  private done(...inputs: { storage: GpuStorage; temporary: boolean }[]): void {
    for (const input of inputs) if (input.temporary) this.runtime.releaseTemporary(input.storage);
  }

  softmax(x: StridedView, axis: number, out: OutputBuffer): void {
    this.softmaxLike(x, axis, out, false);
  }

  logSoftmax(x: StridedView, axis: number, out: OutputBuffer): void {
    this.softmaxLike(x, axis, out, true);
  }

  private softmaxLike(x: StridedView, axis: number, out: OutputBuffer, logarithm: boolean): void {
    const op = logarithm ? 'logSoftmax' : 'softmax';
    this.check(op);
    this.checkFloat(op, x.dtype);
    const input = this.contiguous(x, op);
    const outer = elementCount(x.shape.slice(0, axis));
    const inner = elementCount(x.shape.slice(axis + 1));
    softmaxKernel(this.runtime, input.storage, input.offset, [outer, x.shape[axis], inner], this.storage(out.id, op), logarithm);
    this.done(input);
  }

  layerNorm(
    x: StridedView, weight: StridedView | null, bias: StridedView | null, normalizedSize: number, eps: number,
    out: OutputBuffer, mean: OutputBuffer, rstd: OutputBuffer,
  ): void {
    this.check('layerNorm');
    this.checkFloat('layerNorm', x.dtype);
    const input = this.contiguous(x, 'layerNorm');
    const gamma = weight ? this.contiguous(weight, 'layerNorm') : null;
    const beta = bias ? this.contiguous(bias, 'layerNorm') : null;
    const rows = normalizedSize === 0 ? 0 : elementCount(x.shape) / normalizedSize;
    layerNormKernel(this.runtime, input.storage, input.offset, rows, normalizedSize, eps, gamma, beta, out, {
      out: this.storage(out.id, 'layerNorm'), mean: this.storage(mean.id, 'layerNorm'), rstd: this.storage(rstd.id, 'layerNorm'),
    });
    this.done(input, ...(gamma ? [gamma] : []), ...(beta ? [beta] : []));
  }

  conv2d(x: StridedView, weight: StridedView, bias: StridedView | null, params: Conv2dParams, out: OutputBuffer): void {
    this.check('conv2d');
    this.checkFloat('conv2d', x.dtype);
    const kernel = this.contiguous(weight, 'conv2d');
    conv2dKernel(
      this.runtime, x, this.storage(x.id, 'conv2d'), kernel, weight.shape,
      bias ? { storage: this.storage(bias.id, 'conv2d'), offset: bias.offset, stride: bias.strides[0] ?? 1 } : null,
      params, out, this.storage(out.id, 'conv2d'),
    );
    this.done(kernel);
  }

  maxPool2d(x: StridedView, params: Pool2dParams, out: OutputBuffer, indices: OutputBuffer): void {
    this.check('maxPool2d');
    this.checkFloat('maxPool2d', x.dtype);
    pool2dKernel(this.runtime, 'max', x, this.storage(x.id, 'maxPool2d'), params, out, this.storage(out.id, 'maxPool2d'), this.storage(indices.id, 'maxPool2d'));
  }

  avgPool2d(x: StridedView, params: Pool2dParams, out: OutputBuffer): void {
    this.check('avgPool2d');
    this.checkFloat('avgPool2d', x.dtype);
    pool2dKernel(this.runtime, 'avg', x, this.storage(x.id, 'avgPool2d'), params, out, this.storage(out.id, 'avgPool2d'), null);
  }

  optimizerStep(request: OptimizerStepRequest): void {
    this.check('optimizerStep');
    optimizerStepKernel(this.runtime, request, (id) => this.storage(id, 'optimizerStep'));
  }

  /**
   * `out = activation(a · b + bias)` in one dispatch: matmul's tiled kernel with the bias added and
   * the activation applied (in f32) as each output is stored, so the product never round-trips
   * through memory. Core's `fusedMatmul` calls it.
   * @example
   * backend.matmulBiasActivation(a, b, bias, 'relu', out); // a [B, M, K], b [B, K, N], bias [N], out [B, M, N]
   */
  matmulBiasActivation(a: StridedView, b: StridedView, bias: StridedView | null, activation: FusedActivation, out: OutputBuffer): void {
    const op = 'matmulBiasActivation';
    this.check(op);
    checkMatmulOperands(this.name, op, a, b, bias, out, MATMUL_DTYPES, activation);
    this.checkFloat(op, a.dtype);
    matmulKernel(
      this.runtime, a, this.storage(a.id, op), b, this.storage(b.id, op), out, this.storage(out.id, op),
      bias ? { mode: 'col', storage: this.storage(bias.id, op), offset: bias.offset, stride: bias.strides[0] ?? 1 } : null,
      null,
      { op, activation },
    );
  }

  /**
   * Fused scaled dot-product attention (`src/kernels/attention.ts`): one dispatch, the score matrix
   * only ever a tile at a time in workgroup memory. float32 with head dims up to 128; anything else
   * returns false and core runs its composite.
   * @example
   * backend.attention(q, k, v, null, { scale: 0.125, causal: true }, out, logsumexp); // q [BH, Tq, E] → out [BH, Tq, Ev], logsumexp [BH, Tq]
   */
  attention(q: StridedView, k: StridedView, v: StridedView, mask: StridedView | null, params: AttentionParams, out: OutputBuffer, logsumexp: OutputBuffer): boolean {
    const op = 'attention';
    this.check(op);
    if (attentionDeclineReason(q, k, v, mask) !== null) return false;
    attentionForwardKernel(
      this.runtime,
      { q: this.attentionOperand(q, op), k: this.attentionOperand(k, op), v: this.attentionOperand(v, op), mask: mask ? this.attentionOperand(mask, op) : null },
      attentionDims(q, k, v), params, this.storage(out.id, op), this.storage(logsumexp.id, op),
    );
    return true;
  }

  /**
   * The gradient of {@link attention} from its saved `out` and `logsumexp`: a row-statistics pass,
   * then dK/dV per key tile and dQ per query tile (no atomics, no `[Tq, Tk]` buffer). Declines as
   * {@link attention} does.
   * @example
   * backend.attentionBackward(grad, q, k, v, null, out, logsumexp, { scale: 0.125, causal: false }, gradQ, gradK, gradV);
   */
  attentionBackward(
    grad: StridedView, q: StridedView, k: StridedView, v: StridedView, mask: StridedView | null, out: StridedView, logsumexp: StridedView,
    params: AttentionParams, gradQ: OutputBuffer, gradK: OutputBuffer, gradV: OutputBuffer,
  ): boolean {
    const op = 'attentionBackward';
    this.check(op);
    if (attentionDeclineReason(q, k, v, mask) !== null || [grad, out, logsumexp].some((view) => view.dtype !== 'float32')) return false;
    const operand = (view: StridedView) => this.attentionOperand(view, op);
    attentionBackwardKernel(
      this.runtime,
      { grad: operand(grad), q: operand(q), k: operand(k), v: operand(v), mask: mask ? operand(mask) : null, out: operand(out), logsumexp: operand(logsumexp) },
      attentionDims(q, k, v), params, this.storage(gradQ.id, op), this.storage(gradK.id, op), this.storage(gradV.id, op),
    );
    return true;
  }

  private attentionOperand(view: StridedView, op: string): AttentionOperand {
    return { storage: this.storage(view.id, op), offset: view.offset, strides: view.strides };
  }
}

/** The sizes of an attention call from q `[BH, Tq, E]`, k `[BH, Tk, E]`, v `[BH, Tk, Ev]`. */
function attentionDims(q: StridedView, k: StridedView, v: StridedView): AttentionDims {
  return { problems: q.shape[0], tq: q.shape[1], tk: k.shape[1], e: q.shape[2], ev: v.shape[2] };
}

/**
 * Host float16 data (bit patterns) into a float16 buffer. Queue writes move whole 4-byte words:
 * a write that starts on a word and ends on one (or at the buffer's end, whose padding half is
 * free) goes straight to the buffer, padded; any other range would clobber a neighbouring half,
 * so it lands in a scratch buffer and a copy kernel moves exactly its halves.
 */
function writeHalves(runtime: GpuRuntime, storage: GpuStorage, data: Uint16Array, offset: number): void {
  // Whole words: an odd count gains one zero half (the destination's padding or scratch's tail).
  let words = data;
  if (data.length % 2 !== 0) {
    words = new Uint16Array(data.length + 1);
    words.set(data);
  }
  if (offset % 2 === 0 && (data.length % 2 === 0 || offset + data.length === storage.size)) {
    if (storage.lastUse === runtime.stream.serial && runtime.stream.pending) runtime.stream.flush();
    runtime.device.queue.writeBuffer(storage.buffer, offset * 2, words.buffer, words.byteOffset, words.byteLength);
    return;
  }
  // A pooled scratch buffer is unused by queued work, so it can be written at once; the copy
  // kernel is recorded after everything already queued on `storage`, keeping the order.
  const scratch = runtime.temporary(data.length, 'float16');
  runtime.device.queue.writeBuffer(scratch.buffer, 0, words.buffer, words.byteOffset, words.byteLength);
  launchElementwise(runtime, {
    op: 'write',
    shape: [data.length],
    output: { storage, dtype: 'float16', strides: [1], offset },
    inputs: [{ storage: scratch, dtype: 'float16', strides: [1], offset: 0 }],
    expression: () => 'v0',
    raw: true,
  });
  runtime.releaseTemporary(scratch);
}

function emptyArray(dtype: DType): DataArray {
  if (dtype === 'float16') return new Uint16Array(0);
  if (dtype === 'float32') return new Float32Array(0);
  if (dtype === 'int32') return new Int32Array(0);
  if (dtype === 'float64') return new Float64Array(0);
  return new Uint8Array(0);
}
