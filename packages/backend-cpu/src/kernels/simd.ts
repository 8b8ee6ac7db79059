/**
 * Dispatch to the WebAssembly SIMD kernels (assembly/*.ts), splitting large calls across the
 * worker pool. Every method returns `false` when its fast path does not apply (dtype, layout, op),
 * and the caller then runs the plain JavaScript kernel — which stays the reference behaviour.
 *
 * Operands are described by byte pointers into the backend's WebAssembly memory (buffer address +
 * offset · 4), so nothing is copied per op.
 */
import type { CpuBuffer } from '../storage/cpu-buffer';
import type { WasmHeap } from '../storage/wasm-heap';
import type { WorkerPool } from '../threads/worker-pool';
import { MAX_CHUNKS } from '../threads/protocol';
import type { WasmKernels } from '../wasm/wasm-runtime';
import { contiguousStrides, isContiguous, RowCursor, sizeOf } from './strided';
import type { BinaryOp, Conv2dParams, ReduceOp, UnaryOp } from '@tessera/core/backend';

/** A strided view whose data is a {@link CpuBuffer}. */
export interface BufferView {
  readonly buffer: CpuBuffer;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

const SIMD_BINARY = new Set<BinaryOp>(['add', 'sub', 'mul', 'div', 'maximum', 'minimum']);
const SIMD_COMPARE = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const SIMD_UNARY = new Set<UnaryOp>(['neg', 'abs', 'sqrt', 'relu', 'floor', 'ceil', 'round', 'reciprocal', 'exp', 'log', 'tanh', 'sigmoid', 'erf']);

/** Kernel exports a worker chunk may call. */
export const CHUNK_FUNCTIONS: readonly string[] = [
  'sgemm', 'sgemmBiasActivation', 'sumRows', 'extremeRows', 'im2col', 'softmaxRows',
  // simd-*.ts: pooling, where, cast, cumsum, softmax over other axes, gather/scatterAdd, layerNorm.
  'maxPool2dPlanes', 'avgPool2dPlanes', 'where32', 'cumsumRowsF32', 'cumsumRowsI32', 'cumsumColsF32', 'cumsumColsI32',
  'softmaxColumns', 'gatherRows32', 'scatterAddRowsF32', 'layerNormRows', 'castF32ToI32', 'castF64ToI32', 'castF32ToBool',
  'castI32ToBool', 'castF32ToF64', 'castI32ToF64', 'castI32ToF32', 'castF64ToF32', 'castBoolToF32', 'castBoolToI32',
  'widenF16', 'narrowF16', 'adamStepF32', 'sgdStepF32', 'adamStepTransposedF32', 'sgdStepTransposedF32', // simd-float16.ts, simd-optimizer-step.ts
  'word2vecStepF32', // simd-word2vec-step.ts
  'attentionForwardF32', 'attentionBackwardF32', // simd-attention.ts
  ...['add', 'sub', 'mul', 'div', 'maximum', 'minimum'].map((op) => `binaryF16_${op}`),
  ...[...SIMD_BINARY].map((op) => `binary_${op}`),
  ...[...SIMD_COMPARE].map((op) => `compare_${op}`),
  ...[...SIMD_UNARY].map((op) => `unary_${op}`),
];

/** Below this many elements an element-wise kernel or reduction runs on one thread. */
export const PARALLEL_ELEMENTS = 1 << 18;
/** Rows shorter than this run in JavaScript (a WebAssembly call per short row costs more). */
export const MIN_ROW = 16;

/** Byte address of a 32-bit view's first element. */
export const pointer = (view: BufferView): number => view.buffer.ptr + view.offset * 4;

/** One worker chunk: a kernel export, its arguments, and the argument slot that receives the thread's scratch (−1: none). */
export type ChunkCall = [name: string, args: number[], scratchSlot: number];

/**
 * The SIMD kernel set of one backend.
 * @example
 * const simd = new SimdKernels(kernels, heap, null);
 * simd.unary('exp', x, out); // true when handled
 */
export class SimdKernels {
  /** Per-thread scratch (thread t at `scratchBase + t · scratchStride`). */
  readonly scratchBase: number;
  readonly scratchStride: number;
  private pool: WorkerPool | null = null;

  constructor(
    readonly kernels: WasmKernels,
    /** The backend's heap (kernels allocate scratch from it). */
    readonly heap: WasmHeap,
    threads: number,
  ) {
    this.scratchStride = kernels.sgemmScratchBytes();
    this.scratchBase = heap.alloc(this.scratchStride * threads, 'matmul scratch');
  }

  /** Attach the worker pool that runs chunks of large kernels. */
  attachPool(pool: WorkerPool | null): void {
    this.pool = pool;
  }

  /** Threads that run chunks (the calling thread plus the pool's workers). */
  get threads(): number {
    return this.pool ? this.pool.size + 1 : 1;
  }

  /**
   * Units per chunk when `count` units (`size` elements in all) split across the pool: a multiple of
   * `align` (at least `align`), and every unit in one chunk when the problem is small or there is no pool.
   */
  chunkStep(size: number, count: number, align: number): number {
    const parts = this.threads > 1 && size >= PARALLEL_ELEMENTS ? 2 * this.threads : 1;
    return Math.max(align, Math.ceil(count / parts / align) * align);
  }

  /** Run the chunks on the pool (or, without one or for a single chunk, here); `kernel` names the op in errors. */
  runChunks(calls: ChunkCall[], kernel: string): void {
    const pool = this.pool;
    const kernels = this.kernels as unknown as Record<string, (...args: number[]) => void>;
    if (!pool || calls.length <= 1) {
      for (const [name, args, scratchSlot] of calls) {
        if (scratchSlot >= 0) args[scratchSlot] = this.scratchBase;
        kernels[name](...args);
      }
      return;
    }
    for (let index = 0; index < calls.length; index += MAX_CHUNKS) {
      const batch = calls.slice(index, index + MAX_CHUNKS);
      batch.forEach(([name, args, scratchSlot], chunk) => pool.setChunk(chunk, name, args, scratchSlot));
      pool.run(batch.length, kernel, (name, args) => kernels[name](...args));
    }
  }

  // ---- element-wise ----

  /** float32 add/sub/mul/div/maximum/minimum (and comparisons → bool) with inner strides 0 or 1. */
  binary(op: BinaryOp, a: BufferView, b: BufferView, out: CpuBuffer): boolean {
    if (a.buffer.dtype !== 'float32') return false;
    const compare = SIMD_COMPARE.has(op);
    if (compare ? out.dtype !== 'bool' : out.dtype !== 'float32' || !SIMD_BINARY.has(op)) return false;
    const outBytes = compare ? 1 : 4;
    const rows = new RowCursor(a.shape, [contiguousStrides(a.shape), a.strides, b.strides], [0, a.offset, b.offset]);
    const { steps, count } = rows;
    if (rows.rows === 0) return true;
    if (count < MIN_ROW || (steps[1] !== 0 && steps[1] !== 1) || (steps[2] !== 0 && steps[2] !== 1) || (steps[1] === 0 && steps[2] === 0)) return false;
    const name = compare ? `compare_${op}` : `binary_${op}`;
    const xBase = a.buffer.ptr, yBase = b.buffer.ptr, oBase = out.ptr;
    if (rows.outerShape.length <= 1) {
      const outerRows = rows.rows;
      const xRow = rows.outerStrides[1][0] ?? 0, yRow = rows.outerStrides[2][0] ?? 0;
      const calls = this.splitRows(outerRows, count, (r0, r1, c0, c1) => [
        name,
        [oBase + (r0 * count + c0) * outBytes, xBase + (rows.starts[1] + r0 * xRow + c0 * steps[1]) * 4, xRow, steps[1],
          yBase + (rows.starts[2] + r0 * yRow + c0 * steps[2]) * 4, yRow, steps[2], r1 - r0, c1 - c0],
        -1,
      ]);
      this.runChunks(calls, op);
      return true;
    }
    const fn = (this.kernels as unknown as Record<string, (...args: number[]) => void>)[name];
    const { starts } = rows;
    for (let row = 0; row < rows.rows; row++, rows.next()) {
      fn(oBase + starts[0] * outBytes, xBase + starts[1] * 4, 0, steps[1], yBase + starts[2] * 4, 0, steps[2], 1, count);
    }
    return true;
  }

  /**
   * float32 neg/abs/sqrt/relu/floor/ceil/round/reciprocal with inner stride 1, and exp/log/tanh/sigmoid/erf
   * (vectorised polynomials of assembly/transcendental.ts and assembly/erf.ts: within a few ulps of the
   * float64 result rounded to float32, where the JavaScript kernel is exact; NaN, ±∞ and ±0 as Math.*).
   */
  unary(op: UnaryOp, x: BufferView, out: CpuBuffer): boolean {
    if (x.buffer.dtype !== 'float32' || out.dtype !== 'float32' || !SIMD_UNARY.has(op)) return false;
    const rows = new RowCursor(x.shape, [contiguousStrides(x.shape), x.strides], [0, x.offset]);
    const { steps, count } = rows;
    if (rows.rows === 0) return true;
    if (count < MIN_ROW || steps[1] !== 1) return false;
    const name = `unary_${op}`;
    const xBase = x.buffer.ptr, oBase = out.ptr;
    if (rows.outerShape.length <= 1) {
      const xRow = rows.outerStrides[1][0] ?? 0;
      const calls = this.splitRows(rows.rows, count, (r0, r1, c0, c1) => [
        name, [oBase + (r0 * count + c0) * 4, xBase + (rows.starts[1] + r0 * xRow + c0) * 4, xRow, r1 - r0, c1 - c0], -1,
      ]);
      this.runChunks(calls, op);
      return true;
    }
    const fn = (this.kernels as unknown as Record<string, (...args: number[]) => void>)[name];
    const { starts } = rows;
    for (let row = 0; row < rows.rows; row++, rows.next()) fn(oBase + starts[0] * 4, xBase + starts[1] * 4, 0, 1, count);
    return true;
  }

  /**
   * Chunk a rows × cols problem for the pool: by rows when there are several, else by columns
   * (multiples of 8). One chunk when the problem is small or there is no pool.
   */
  splitRows(
    rows: number, cols: number, make: (r0: number, r1: number, c0: number, c1: number) => [string, number[], number],
  ): [string, number[], number][] {
    const threads = this.threads;
    if (threads === 1 || rows * cols < PARALLEL_ELEMENTS) return [make(0, rows, 0, cols)];
    const parts = 2 * threads;
    const calls: [string, number[], number][] = [];
    if (rows >= parts) {
      const step = Math.ceil(rows / parts);
      for (let r = 0; r < rows; r += step) calls.push(make(r, Math.min(rows, r + step), 0, cols));
    } else {
      const step = Math.ceil(cols / parts / 8) * 8;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c += step) calls.push(make(r, r + 1, c, Math.min(cols, c + step)));
    }
    return calls;
  }

  /**
   * Chunk an [outer, extent, inner] problem whose lines run along `extent` (cumsum, softmax over a
   * non-last axis): blocks [o0, o1) of outer indices when there are enough for the pool, else blocks
   * [c0, c1) of inner columns (multiples of 4). One block when small or without a pool.
   */
  splitOuterInner(outer: number, inner: number, size: number): [o0: number, o1: number, c0: number, c1: number][] {
    const parts = this.threads > 1 && size >= PARALLEL_ELEMENTS ? 2 * this.threads : 1;
    const blocks: [number, number, number, number][] = [];
    if (outer >= parts) {
      const step = Math.ceil(outer / parts);
      for (let o = 0; o < outer; o += step) blocks.push([o, Math.min(outer, o + step), 0, inner]);
    } else {
      const step = Math.max(4, Math.ceil(inner / Math.ceil(parts / outer) / 4) * 4);
      for (let o = 0; o < outer; o++) for (let c = 0; c < inner; c += step) blocks.push([o, o + 1, c, Math.min(inner, c + step)]);
    }
    return blocks;
  }

  /**
   * float32 softmax / logSoftmax over the last axis of a contiguous input (assembly/softmax-rows.ts:
   * max, e^{x−max} stored while summed, scale), rows split across the pool when large.
   */
  softmax(x: BufferView, axis: number, out: CpuBuffer, log: boolean): boolean {
    const rank = x.shape.length;
    if (x.buffer.dtype !== 'float32' || out.dtype !== 'float32' || rank === 0 || axis !== rank - 1) return false;
    if (!isContiguous(x.shape, x.strides)) return false;
    const cols = x.shape[rank - 1];
    const rows = sizeOf(x.shape) / Math.max(cols, 1);
    if (cols === 0 || rows === 0) return true;
    const xPtr = pointer(x);
    const step = this.chunkStep(rows * cols, rows, 1);
    const calls: [string, number[], number][] = [];
    for (let r = 0; r < rows; r += step) {
      calls.push(['softmaxRows', [out.ptr + r * cols * 4, xPtr + r * cols * 4, Math.min(step, rows - r), cols, log ? 1 : 0], -1]);
    }
    this.runChunks(calls, log ? 'logSoftmax' : 'softmax');
    return true;
  }

  // ---- reductions ----

  /** float32 sum/max/min over trailing axes (or leading axes for sum) of a contiguous input. */
  reduce(op: ReduceOp, x: BufferView, axes: readonly number[], out: CpuBuffer): boolean {
    if (x.buffer.dtype !== 'float32' || out.dtype !== 'float32' || (op !== 'sum' && op !== 'max' && op !== 'min')) return false;
    if (!isContiguous(x.shape, x.strides)) return false;
    const rank = x.shape.length;
    const trailing = axes.every((axis, index) => axis === rank - axes.length + index);
    const leading = axes.every((axis, index) => axis === index);
    const reducedSize = sizeOf(axes.map((axis) => x.shape[axis]));
    const keptSize = sizeOf(x.shape.filter((_, dim) => !axes.includes(dim)));
    const xPtr = pointer(x);
    if (keptSize === 0) return true;
    if (reducedSize === 0) {
      if (op !== 'sum') return false;
      out.data.fill(0);
      return true;
    }
    if (trailing) {
      if (keptSize === 1 && this.threads > 1 && reducedSize >= PARALLEL_ELEMENTS) {
        this.reduceAllParallel(op, xPtr, reducedSize, out);
        return true;
      }
      const name = op === 'sum' ? 'sumRows' : 'extremeRows';
      const extra = op === 'sum' ? [] : [op === 'max' ? 1 : 0];
      const calls: [string, number[], number][] = [];
      const step = this.chunkStep(keptSize * reducedSize, keptSize, 1);
      for (let r = 0; r < keptSize; r += step) {
        const rows = Math.min(step, keptSize - r);
        calls.push([name, [xPtr + r * reducedSize * 4, rows, reducedSize, out.ptr + r * 4, ...extra], -1]);
      }
      this.runChunks(calls, `reduce ${op}`);
      return true;
    }
    if (leading && op === 'sum') {
      const accBytes = keptSize * 8;
      const acc = this.heap.alloc(accBytes, 'reduction scratch');
      try {
        this.kernels.sumCols(xPtr, reducedSize, keptSize, out.ptr, acc);
      } finally {
        this.heap.release(acc, accBytes);
      }
      return true;
    }
    return false;
  }

  private reduceAllParallel(op: 'sum' | 'max' | 'min', xPtr: number, size: number, out: CpuBuffer): void {
    const parts = 2 * this.threads;
    const step = Math.ceil(size / parts / 8) * 8;
    const chunks = Math.ceil(size / step);
    const partials = this.heap.alloc(chunks * 4, 'reduction scratch');
    try {
      const calls: [string, number[], number][] = [];
      for (let chunk = 0; chunk < chunks; chunk++) {
        const cols = Math.min(step, size - chunk * step);
        const args = [xPtr + chunk * step * 4, 1, cols, partials + chunk * 4];
        calls.push(op === 'sum' ? ['sumRows', args, -1] : ['extremeRows', [...args, op === 'max' ? 1 : 0], -1]);
      }
      this.runChunks(calls, `reduce ${op}`);
      const values = new Float32Array(this.heap.memory.buffer, partials, chunks);
      let result = op === 'sum' ? 0 : values[0];
      for (let chunk = 0; chunk < chunks; chunk++) {
        const value = values[chunk];
        if (op === 'sum') result += value;
        else if (value !== value || result !== result) result = NaN;
        else result = op === 'max' ? Math.max(result, value) : Math.min(result, value);
      }
      new Float32Array(this.heap.memory.buffer, out.ptr, 1)[0] = result;
    } finally {
      this.heap.release(partials, chunks * 4);
    }
  }

  // ---- convolution (pooling, indexing, layerNorm, where, cast, cumsum: simd-*.ts) ----

  /** float32 conv2d of a contiguous input: im2col per image and group, then the SIMD matmul. */
  conv2d(x: BufferView, weight: BufferView, bias: BufferView | null, params: Conv2dParams, out: CpuBuffer, outShape: readonly number[]): boolean {
    if (x.buffer.dtype !== 'float32' || !isContiguous(x.shape, x.strides) || !isContiguous(weight.shape, weight.strides)) return false;
    if (bias && !isContiguous(bias.shape, bias.strides)) return false;
    const [batch, channels, height, width] = x.shape;
    const [outChannels, groupChannels, kernelH, kernelW] = weight.shape;
    const [, , outH, outW] = outShape;
    const { stride, padding, dilation, groups } = params;
    const plane = outH * outW;
    const groupOut = outChannels / groups;
    const patch = groupChannels * kernelH * kernelW;
    if (batch === 0 || outChannels === 0 || plane === 0) return true;
    const columnBytes = Math.max(4, patch * plane * 4);
    // Images per pass: keep the column buffers under 64 MiB.
    const perPass = Math.max(1, Math.min(batch * groups, Math.floor((64 << 20) / columnBytes)));
    const columns = this.heap.alloc(perPass * columnBytes, 'conv2d columns');
    try {
      const xPtr = pointer(x), wPtr = pointer(weight);
      for (let first = 0; first < batch * groups; first += perPass) {
        const count = Math.min(perPass, batch * groups - first);
        const im2colCalls: [string, number[], number][] = [];
        const gemmCalls: [string, number[], number][] = [];
        for (let item = 0; item < count; item++) {
          const n = Math.floor((first + item) / groups), group = (first + item) % groups;
          const dst = columns + item * columnBytes;
          im2colCalls.push(['im2col', [
            xPtr + (n * channels + group * groupChannels) * height * width * 4, groupChannels, height, width, kernelH, kernelW,
            stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], outH, outW, dst,
          ], -1]);
          gemmCalls.push(['sgemm', [
            groupOut, plane, patch, wPtr + group * groupOut * patch * 4, patch, 1, dst, plane, 1,
            out.ptr + (n * outChannels + group * groupOut) * plane * 4, plane, 0,
          ], 11]);
        }
        this.runChunks(im2colCalls, 'conv2d');
        this.runChunks(gemmCalls, 'conv2d');
      }
    } finally {
      this.heap.release(columns, perPass * columnBytes);
    }
    if (bias) {
      const biasPtr = pointer(bias);
      for (let n = 0; n < batch; n++) this.kernels.addRowBias(out.ptr + n * outChannels * plane * 4, outChannels, plane, biasPtr);
    }
    return true;
  }
}
