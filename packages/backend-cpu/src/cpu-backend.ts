import { BackendError, DTypeError } from '@tessera/core';
import { BufferStore } from './storage/buffer-store';
import type { CpuBuffer } from './storage/cpu-buffer';
import type { WasmHeap } from './storage/wasm-heap';
import type { SimdKernels, BufferView } from './kernels/simd';
import type { WorkerPool } from './threads/worker-pool';
import { setUpCpu, type CpuBackendConfig, type CpuBackendOptions } from './setup/cpu-setup';
import { assignKernel } from './kernels/assign';
import { binaryKernel } from './kernels/binary';
import { castKernel } from './kernels/cast';
import { conv2dKernel } from './kernels/conv2d';
import { argsortKernel } from './kernels/argsort';
import { attentionBackwardKernel, attentionKernel } from './kernels/attention';
import { cumsumKernel } from './kernels/cumsum';
import { Float16Adapter, isFloat16 } from './kernels/float16';
import { arangeKernel, fillKernel } from './kernels/fill';
import { gatherKernel } from './kernels/gather';
import { layerNormKernel } from './kernels/layer-norm';
import { matmulKernel } from './kernels/matmul';
import { gemmSimd } from './kernels/simd-gemm';
import { optimizerStepKernel } from './kernels/optimizer-step';
import { avgPool2dKernel, maxPool2dKernel } from './kernels/pool2d';
import { randomKernel } from './kernels/random';
import { gruCellBackwardKernel, gruCellKernel, lstmCellBackwardKernel, lstmCellKernel } from './kernels/recurrent-cell';
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
import { attentionBackwardSimd, attentionSimd } from './kernels/simd-attention';
import { avgPool2dSimd, maxPool2dSimd } from './kernels/simd-pool2d';
import { softmaxAxisSimd } from './kernels/simd-softmax-axis';
import { optimizerStepSimd } from './kernels/simd-optimizer-step';
import { whereSimd } from './kernels/simd-where';
import { word2vecStepSimd } from './kernels/simd-word2vec-step';
import { word2vecStepKernel } from './kernels/word2vec-step';
import { checkMatmulOperands, type AttentionParams, type Backend, type BackendCapabilities, type BackendMemory, type BinaryOp, type Conv2dParams, type DataArray, type DataId, type DType, type FusedActivation, type OptimizerStepRequest, type OutputBuffer, type Pool2dParams, type RandomRequest, type ReduceOp, type StridedView, type UnaryOp, type Word2VecStepRequest } from '@tessera/core/backend';

export { autoThreads, type CpuBackendConfig, type CpuBackendOptions } from './setup/cpu-setup';

/**
 * Score-matrix elements (BH·L·S) from which the JavaScript attention kernel runs instead of declining:
 * 2²² float64 scores are 32 MiB per [BH, L, S] tensor, and the composite keeps several.
 */
const JS_ATTENTION_MIN_SCORES = 1 << 22;

/** The dtypes of the JavaScript and SIMD matmul kernels (float16 reaches them as float32). */
const MATMUL_DTYPES = ['float32', 'float64'] as const;

/**
 * The CPU backend: every `Backend` primitive and optional kernel. Tensor storage lives in one
 * WebAssembly memory; float32 hot paths (matmul, conv2d, element-wise and transcendental ops,
 * reductions, softmax, layerNorm, pooling, where, cast, cumsum, gather/scatterAdd) run WebAssembly SIMD
 * kernels, large ones split across a worker pool; everything else — and every path
 * when SIMD is off — runs the plain JavaScript kernels over views of the same memory. float16
 * arithmetic takes an explicit path in each kernel method: the float32 kernel over widened
 * temporaries, rounded back (kernels/float16.ts). Feature detection and the thread pool are set up
 * by setup/cpu-setup.ts. Work runs synchronously, so `read` and `readSync` see everything queued before them.
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
  readonly pool: WorkerPool | null;
  private readonly heap: WasmHeap;
  private readonly store: BufferStore;
  private readonly simd: SimdKernels | null;
  /** float16 calls of the arithmetic kernels run through it (see kernels/float16.ts). */
  private readonly float16: Float16Adapter;
  private disposed = false;

  constructor(options: CpuBackendOptions = {}) {
    this.name = options.name ?? 'cpu';
    const { config, heap, simd, pool } = setUpCpu(options);
    this.config = config;
    this.heap = heap;
    this.simd = simd;
    this.pool = pool;
    this.store = new BufferStore(this.heap);
    this.float16 = new Float16Adapter(this.store, this.simd);
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
      throw new BackendError(
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
      throw new DTypeError(`cpu backend: read asked for ${dtype} from a ${buffer.dtype} buffer`);
    }
    if (offset < 0 || size < 0 || offset + size > buffer.data.length) {
      throw new BackendError(`cpu backend: read of ${size} elements at offset ${offset} overflows a buffer of ${buffer.data.length}`);
    }
    // slice, not subarray: the caller owns the result.
    return buffer.data.slice(offset, offset + size);
  }

  memory(): BackendMemory {
    return this.store.memory();
  }

  // ---- required primitives ----
  // Each arithmetic kernel first checks for float16 tensors: those calls run this same method on
  // float32 temporaries (see kernels/float16.ts). Then the SIMD kernel when it applies, else JavaScript.

  unary(op: UnaryOp, x: StridedView, out: OutputBuffer): void {
    if (isFloat16(x) || isFloat16(out)) return this.float16.run(this, 'unary', [op, x, out]);
    if (this.simd?.unary(op, this.bufferView(x, 'unary'), this.outBuffer(out, 'unary'))) return;
    unaryKernel(op, this.view(x, 'unary'), this.output(out, 'unary'), x.dtype);
  }

  binary(op: BinaryOp, a: StridedView, b: StridedView, out: OutputBuffer): void {
    if (isFloat16(a) || isFloat16(b) || isFloat16(out)) {
      if (this.float16.fusedBinary(op, a, b, out)) return;
      return this.float16.run(this, 'binary', [op, a, b, out]);
    }
    if (this.simd?.binary(op, this.bufferView(a, 'binary'), this.bufferView(b, 'binary'), this.outBuffer(out, 'binary'))) return;
    binaryKernel(op, this.view(a, 'binary'), this.view(b, 'binary'), this.output(out, 'binary'), a.dtype);
  }

  where(cond: StridedView, a: StridedView, b: StridedView, out: OutputBuffer): void {
    // Moves elements only: float16 is copied as 16-bit patterns.
    if (this.simd && whereSimd(this.simd, this.bufferView(cond, 'where'), this.bufferView(a, 'where'), this.bufferView(b, 'where'), this.outBuffer(out, 'where'))) return;
    whereKernel(this.view(cond, 'where'), this.view(a, 'where'), this.view(b, 'where'), this.output(out, 'where'));
  }

  cast(x: StridedView, out: OutputBuffer): void {
    if (isFloat16(x) || isFloat16(out)) return this.float16.cast((from, to) => this.castWithoutFloat16(from, to), x, out);
    this.castWithoutFloat16(x, out);
  }

  reduce(op: ReduceOp, x: StridedView, axes: readonly number[], out: OutputBuffer): void {
    if (isFloat16(x) || isFloat16(out)) return this.float16.run(this, 'reduce', [op, x, axes, out]);
    if (this.simd?.reduce(op, this.bufferView(x, 'reduce'), axes, this.outBuffer(out, 'reduce'))) return;
    reduceKernel(op, this.view(x, 'reduce'), axes, this.output(out, 'reduce'), x.dtype);
  }

  matmul(a: StridedView, b: StridedView, out: OutputBuffer): void {
    if (isFloat16(a) || isFloat16(b) || isFloat16(out)) return this.float16.run(this, 'matmul', [a, b, out]);
    checkMatmulOperands(this.name, 'matmul', a, b, null, out, MATMUL_DTYPES);
    if (this.simd && gemmSimd(this.simd, this.bufferView(a, 'matmul'), this.bufferView(b, 'matmul'), null, 'none', this.outBuffer(out, 'matmul'))) return;
    matmulKernel(this.view(a, 'matmul'), this.view(b, 'matmul'), this.output(out, 'matmul') as Float32Array | Float64Array);
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
    if (isFloat16(a) || isFloat16(b) || isFloat16(bias) || isFloat16(out)) return this.float16.run(this, op, [a, b, bias, activation, out]);
    checkMatmulOperands(this.name, op, a, b, bias, out, MATMUL_DTYPES, activation);
    if (this.simd && gemmSimd(this.simd, this.bufferView(a, op), this.bufferView(b, op), bias && this.bufferView(bias, op), activation, this.outBuffer(out, op))) return;
    matmulKernel(this.view(a, op), this.view(b, op), this.output(out, op) as Float32Array | Float64Array, 0, { bias: bias && this.view(bias, op), activation });
  }

  assign(dst: StridedView, src: StridedView): void {
    assignKernel(this.view(dst, 'assign'), this.view(src, 'assign'));
  }

  gather(x: StridedView, axis: number, index: StridedView, out: OutputBuffer): void {
    if (this.simd && gatherSimd(this.simd, this.bufferView(x, 'gather'), axis, this.bufferView(index, 'gather'), this.outBuffer(out, 'gather'))) return;
    gatherKernel(this.view(x, 'gather'), axis, this.view(index, 'gather'), this.output(out, 'gather'));
  }

  scatterAdd(target: OutputBuffer, axis: number, index: StridedView, src: StridedView): void {
    if (isFloat16(target) || isFloat16(src)) return this.float16.run(this, 'scatterAdd', [target, axis, index, src]);
    if (this.simd && scatterAddSimd(this.simd, this.outBuffer(target, 'scatterAdd'), target.shape, axis, this.bufferView(index, 'scatterAdd'), this.bufferView(src, 'scatterAdd'))) return;
    scatterAddKernel(this.output(target, 'scatterAdd'), target.shape, axis, this.view(index, 'scatterAdd'), this.view(src, 'scatterAdd'));
  }

  cumsum(x: StridedView, axis: number, out: OutputBuffer): void {
    if (isFloat16(x) || isFloat16(out)) return this.float16.run(this, 'cumsum', [x, axis, out]);
    if (this.simd && cumsumSimd(this.simd, this.bufferView(x, 'cumsum'), axis, this.outBuffer(out, 'cumsum'))) return;
    cumsumKernel(this.view(x, 'cumsum'), axis, this.output(out, 'cumsum'), x.dtype);
  }

  fill(out: OutputBuffer, value: number): void {
    if (isFloat16(out)) return this.float16.fill(out, value);
    fillKernel(this.output(out, 'fill'), out.dtype, value);
  }

  arange(out: OutputBuffer, start: number, step: number): void {
    if (isFloat16(out)) return this.float16.arange(out, start, step);
    arangeKernel(this.output(out, 'arange'), out.dtype, start, step);
  }

  random(out: OutputBuffer, request: RandomRequest): void {
    if (isFloat16(out)) return this.float16.run(this, 'random', [out, request]);
    randomKernel(this.output(out, 'random'), request);
  }

  // ---- optional kernels ----

  argsort(x: StridedView, axis: number, descending: boolean, out: OutputBuffer): void {
    argsortKernel(this.view(x, 'argsort'), axis, descending, this.output(out, 'argsort'), x.dtype);
  }

  softmax(x: StridedView, axis: number, out: OutputBuffer): void {
    if (isFloat16(x) || isFloat16(out)) return this.float16.run(this, 'softmax', [x, axis, out]);
    this.runSoftmax(x, axis, out, false);
  }

  logSoftmax(x: StridedView, axis: number, out: OutputBuffer): void {
    if (isFloat16(x) || isFloat16(out)) return this.float16.run(this, 'logSoftmax', [x, axis, out]);
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
    if (isFloat16(x) || isFloat16(weight) || isFloat16(bias) || isFloat16(out) || isFloat16(mean) || isFloat16(rstd)) {
      return this.float16.run(this, 'layerNorm', [x, weight, bias, normalizedSize, eps, out, mean, rstd]);
    }
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
    if (isFloat16(x) || isFloat16(weight) || isFloat16(bias) || isFloat16(out)) return this.float16.run(this, 'conv2d', [x, weight, bias, params, out]);
    const target = this.output(out, 'conv2d');
    if (!(target instanceof Float32Array || target instanceof Float64Array)) {
      throw new DTypeError(`${this.name} backend: conv2d supports float32 and float64, got ${out.dtype}`);
    }
    const simdView = (view: StridedView): BufferView => this.bufferView(view, 'conv2d');
    if (this.simd?.conv2d(simdView(x), simdView(weight), bias && simdView(bias), params, this.outBuffer(out, 'conv2d'), out.shape)) return;
    conv2dKernel(this.view(x, 'conv2d'), this.view(weight, 'conv2d'), bias && this.view(bias, 'conv2d'), params, target, out.shape);
  }

  maxPool2d(x: StridedView, params: Pool2dParams, out: OutputBuffer, indices: OutputBuffer): void {
    if (isFloat16(x) || isFloat16(out)) return this.float16.run(this, 'maxPool2d', [x, params, out, indices]);
    if (this.simd && maxPool2dSimd(this.simd, this.bufferView(x, 'maxPool2d'), params, this.outBuffer(out, 'maxPool2d'), out.shape, this.outBuffer(indices, 'maxPool2d'))) return;
    maxPool2dKernel(this.view(x, 'maxPool2d'), params, this.output(out, 'maxPool2d'), out.shape, this.output(indices, 'maxPool2d'));
  }

  avgPool2d(x: StridedView, params: Pool2dParams, out: OutputBuffer): void {
    if (isFloat16(x) || isFloat16(out)) return this.float16.run(this, 'avgPool2d', [x, params, out]);
    if (this.simd && avgPool2dSimd(this.simd, this.bufferView(x, 'avgPool2d'), params, this.outBuffer(out, 'avgPool2d'), out.shape)) return;
    avgPool2dKernel(this.view(x, 'avgPool2d'), params, this.output(out, 'avgPool2d'), out.shape);
  }

  optimizerStep(request: OptimizerStepRequest): void {
    // Core fuses only float32 and float64 steps (float16 takes its composite).
    if (this.simd && optimizerStepSimd(this.simd, request, (range) => this.store.get(range.id, 'optimizerStep'), this.bufferView(request.grad, 'optimizerStep'))) return;
    optimizerStepKernel(request, (range) => this.store.get(range.id, 'optimizerStep').data, this.view(request.grad, 'optimizerStep'));
  }

  // The cell kernels are scalar loops: they beat the composite only where the composite has no SIMD
  // kernels either (float64: ≈2–2.7× on LSTM/GRU 32×256 fwd+bwd). float32 declines, so core runs its
  // composite on the SIMD transcendental kernels (≈3× faster than the loop there).
  lstmCell(inputGates: StridedView, hiddenGates: StridedView, c: StridedView, state: OutputBuffer, gates: OutputBuffer): boolean {
    const op = 'lstmCell';
    if (c.dtype !== 'float64') return false;
    lstmCellKernel(this.view(inputGates, op), this.view(hiddenGates, op), this.view(c, op), this.output(state, op), this.output(gates, op));
    return true;
  }

  lstmCellBackward(gradState: StridedView, gates: StridedView, c: StridedView, state: StridedView, gradGates: OutputBuffer, gradC: OutputBuffer): boolean {
    const op = 'lstmCellBackward';
    if (c.dtype !== 'float64') return false;
    lstmCellBackwardKernel(this.view(gradState, op), this.view(gates, op), this.view(c, op), this.view(state, op), this.output(gradGates, op), this.output(gradC, op));
    return true;
  }

  gruCell(inputGates: StridedView, hiddenGates: StridedView, h: StridedView, out: OutputBuffer, gates: OutputBuffer): boolean {
    const op = 'gruCell';
    if (h.dtype !== 'float64') return false;
    gruCellKernel(this.view(inputGates, op), this.view(hiddenGates, op), this.view(h, op), this.output(out, op), this.output(gates, op));
    return true;
  }

  gruCellBackward(
    grad: StridedView, gates: StridedView, hiddenGates: StridedView, h: StridedView,
    gradInputGates: OutputBuffer, gradHiddenGates: OutputBuffer, gradH: OutputBuffer,
  ): boolean {
    const op = 'gruCellBackward';
    if (h.dtype !== 'float64') return false;
    gruCellBackwardKernel(
      this.view(grad, op), this.view(gates, op), this.view(hiddenGates, op), this.view(h, op),
      this.output(gradInputGates, op), this.output(gradHiddenGates, op), this.output(gradH, op),
    );
    return true;
  }

  // Fused attention: float32 in WebAssembly (flash-attention blocks on the pool). The JavaScript kernel
  // (float64, or float32 without SIMD) is 2–3× slower than the composite's packed matmuls, so it runs
  // only where the composite's [BH, L, S] score matrices would be large (memory), and declines otherwise.
  attention(q: StridedView, k: StridedView, v: StridedView, mask: StridedView | null, params: AttentionParams, out: OutputBuffer, logsumexp: OutputBuffer): boolean {
    const op = 'attention';
    if (q.dtype !== 'float32' && q.dtype !== 'float64') return false;
    const view = (x: StridedView) => this.bufferView(x, op);
    if (this.simd && attentionSimd(this.simd, view(q), view(k), view(v), mask && view(mask), params, this.outBuffer(out, op), this.outBuffer(logsumexp, op))) return true;
    if (q.shape[0] * q.shape[1] * k.shape[1] < JS_ATTENTION_MIN_SCORES) return false;
    attentionKernel(this.view(q, op), this.view(k, op), this.view(v, op), mask && this.view(mask, op), params, this.output(out, op), this.output(logsumexp, op));
    return true;
  }

  attentionBackward(
    grad: StridedView, q: StridedView, k: StridedView, v: StridedView, mask: StridedView | null, out: StridedView, logsumexp: StridedView,
    params: AttentionParams, gradQ: OutputBuffer, gradK: OutputBuffer, gradV: OutputBuffer,
  ): boolean {
    const op = 'attentionBackward';
    if (q.dtype !== 'float32' && q.dtype !== 'float64') return false;
    const view = (x: StridedView) => this.bufferView(x, op);
    const target = (x: OutputBuffer) => this.outBuffer(x, op);
    if (this.simd && attentionBackwardSimd(this.simd, view(grad), view(q), view(k), view(v), mask && view(mask), view(out), view(logsumexp), params, target(gradQ), target(gradK), target(gradV))) {
      return true;
    }
    if (q.shape[0] * q.shape[1] * k.shape[1] < JS_ATTENTION_MIN_SCORES) return false;
    const array = (x: StridedView) => this.view(x, op);
    attentionBackwardKernel(array(grad), array(q), array(k), array(v), mask && array(mask), array(out), array(logsumexp), params, this.output(gradQ, op), this.output(gradK, op), this.output(gradV, op));
    return true;
  }

  /** float32 in WebAssembly (blocks of examples on the pool when `threads` > 1, Hogwild); float64 and no-SIMD in JS, in order. */
  word2vecStep(request: Word2VecStepRequest): boolean {
    const op = 'word2vecStep';
    if (this.simd && word2vecStepSimd(this.simd, request, (id) => this.store.get(id, op))) return true;
    word2vecStepKernel(request, (id) => this.store.get(id, op).data);
    return true;
  }

  async sync(): Promise<void> {
    // Kernels run synchronously: nothing is ever queued.
  }

  dispose(): void {
    this.disposed = true;
    this.pool?.dispose();
  }

  // ---- helpers ----

  /** `cast` of every dtype pair but those with a float16 side that is not float16 → float16 (a 16-bit copy). */
  private castWithoutFloat16(x: StridedView, out: OutputBuffer): void {
    if (this.simd && castSimd(this.simd, this.bufferView(x, 'cast'), this.outBuffer(out, 'cast'))) return;
    castKernel(this.view(x, 'cast'), x.dtype, this.output(out, 'cast'), out.dtype);
  }

  private checkLive(op: string): void {
    if (this.disposed) throw new BackendError(`${this.name} backend: ${op} called after dispose()`);
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
