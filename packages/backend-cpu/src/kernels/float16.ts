/**
 * float16 on the CPU: storage is 2-byte binary16 bit patterns in the WebAssembly heap (`Uint16Array`
 * views), and every arithmetic kernel runs as its float32 version:
 *
 * 1. each float16 input is widened (exactly) into a float32 temporary in the same heap — only the
 *    span of elements its view reaches, with the view's strides kept, so broadcast, transposed and
 *    flipped views need no copy first;
 * 2. float16 outputs get float32 temporaries and the float32 kernel runs — SIMD, threads and the JS
 *    fallback alike, since the temporaries are ordinary heap buffers;
 * 3. outputs are rounded to nearest even back into the float16 buffers.
 *
 * With the WebAssembly kernels, steps 1 and 3 run as SIMD conversions (simd-float16.ts, split across
 * the worker pool for large arrays); without them, as core's table lookup and integer rounding. And
 * add/sub/mul/div/maximum/minimum of contiguous same-shape float16 operands skip the temporaries:
 * one fused SIMD pass widens, applies the float32 op and rounds (the same bits).
 *
 * So a float16 result is the float32 result rounded once more (reductions and matmul accumulate in
 * float32, as PyTorch's CUDA half kernels do). Kernels that only move elements (assign, gather, where,
 * float16→float16 cast) need no adapter: they copy the 16-bit patterns as they are, bit-exactly.
 * `fill`, `arange` and casts from float64/int32 round each value once, straight from the JS number.
 * `optimizerStep` is not adapted: core fuses only float32 and float64 steps (float16 takes its composite).
 */
import { float32ToFloat16Bits, fromFloat16Bits, toFloat16Bits } from '@tessera/core';
import type { BufferStore } from '../storage/buffer-store';
import type { CpuBuffer } from '../storage/cpu-buffer';
import type { SimdKernels } from './simd';
import { binaryFloat16Simd, narrowFloat16Simd, widenFloat16Simd } from './simd-float16';
import { elementSpan, type Backend, type BinaryOp, type DType, type OutputBuffer, type StridedView } from '@tessera/core/backend';

/** How a kernel argument is treated: read (`in`), written (`out`), both (`inout`), or not a tensor (null). */
type Role = 'in' | 'out' | 'inout' | null;

/** The arithmetic kernels and the role of each of their arguments, in order. */
const KERNEL_ROLES = {
  unary: [null, 'in', 'out'],
  binary: [null, 'in', 'in', 'out'],
  reduce: [null, 'in', null, 'out'],
  matmul: ['in', 'in', 'out'],
  matmulBiasActivation: ['in', 'in', 'in', null, 'out'],
  cumsum: ['in', null, 'out'],
  scatterAdd: ['inout', null, 'in', 'in'],
  random: ['out', null],
  softmax: ['in', null, 'out'],
  logSoftmax: ['in', null, 'out'],
  layerNorm: ['in', 'in', 'in', null, null, 'out', 'out', 'out'],
  conv2d: ['in', 'in', 'in', null, 'out'],
  maxPool2d: ['in', null, 'out', 'out'],
  avgPool2d: ['in', null, 'out'],
} as const satisfies Partial<Record<keyof Backend, readonly Role[]>>;

/** The kernels whose float16 calls run through float32 temporaries. */
export type Float16Kernel = keyof typeof KERNEL_ROLES;
/** A backend's float32 implementations of those kernels (the CPU backend itself). */
export type Float16Kernels = Required<Pick<Backend, Float16Kernel>>;
type KernelFunction = (...args: unknown[]) => void;

/**
 * Whether a tensor argument is float16 (null: an absent optional operand). The backend's methods test
 * their tensors with it before taking the float16 path.
 * @example
 * isFloat16(x) || isFloat16(out); // then backend.float16.run(backend, 'unary', [op, x, out])
 */
export function isFloat16(view: { readonly dtype: DType } | null): boolean {
  return view !== null && view.dtype === 'float16';
}

/** A tensor argument: a strided input view or an output buffer (both carry `id` and `dtype`). */
type TensorArgument = (StridedView | OutputBuffer) & { readonly strides?: readonly number[]; readonly offset?: number };

function isFloat16Argument(argument: unknown): argument is TensorArgument {
  return argument !== null && typeof argument === 'object' && (argument as TensorArgument).dtype === 'float16';
}

/** One float32 temporary standing in for (part of) a float16 buffer during a kernel. */
interface Widened {
  readonly source: CpuBuffer;
  readonly temp: CpuBuffer;
  /** First element of `source` that `temp[0]` holds. */
  readonly start: number;
  /** Whether the kernel reads the old values (inputs and in-place targets). */
  readonly copyIn: boolean;
  /** Whether the kernel writes it, so the result is rounded back into `source` (outputs and in-place targets). */
  readonly writeBack: boolean;
}

/**
 * Runs float16 calls of the arithmetic kernels through float32 temporaries (see the file comment).
 * The backend calls it explicitly from each kernel method that got a float16 tensor.
 * @example
 * const float16 = new Float16Adapter(store);
 * float16.run(backend, 'unary', ['exp', x, out]); // backend.unary sees float32 views; the float16 output is rounded
 */
export class Float16Adapter {
  constructor(
    private readonly store: BufferStore,
    /** The SIMD conversion kernels, or null for the JavaScript conversions. */
    private readonly simd: SimdKernels | null = null,
  ) {}

  /**
   * Call `backend[name]` with every float16 tensor argument replaced by a float32 temporary, then round
   * the outputs back. The call sees no float16 tensor, so it takes the backend's float32 path.
   */
  run<K extends Float16Kernel>(backend: Float16Kernels, name: K, args: Parameters<Float16Kernels[K]>): void {
    const kernel = backend[name] as KernelFunction;
    this.runWidened((...adapted) => kernel.apply(backend, adapted), args, KERNEL_ROLES[name]);
  }

  /** Call `kernel` with every float16 tensor argument of a non-null role replaced by a float32 temporary, then round the outputs. */
  private runWidened(kernel: KernelFunction, args: readonly unknown[], roles: readonly Role[]): void {
    const widened: Widened[] = [];
    try {
      const adapted = args.map((argument, i) => {
        const role = roles[i];
        if (role === null || !isFloat16Argument(argument)) return argument;
        return role === 'in' ? this.widenView(argument as StridedView, widened) : this.widenBuffer(argument, role === 'inout', widened);
      });
      // Touch typed arrays only after every allocation: growing the heap re-creates the views.
      for (const entry of widened) {
        if (!entry.copyIn) continue;
        this.widen(entry.source, entry.start, entry.temp);
      }
      kernel(...adapted);
      for (const entry of widened) {
        if (entry.writeBack) this.narrow(entry.temp, entry.source);
      }
    } finally {
      for (const entry of widened) this.store.free(entry.temp);
    }
  }

  /**
   * `cast` with a float16 side, given the backend's cast of the other dtypes (which copies float16 →
   * float16 as 16-bit patterns): widen a float16 source; round into a float16 destination from float32 or float64.
   */
  cast(cast: (x: StridedView, out: OutputBuffer) => void, x: StridedView, out: OutputBuffer): void {
    if (x.dtype === 'float16' && out.dtype === 'float16') {
      cast(x, out); // a plain 16-bit copy
    } else if (x.dtype === 'float16') {
      this.runWidened(cast as KernelFunction, [x, out], ['in', null]);
    } else {
      // float32 rounds on the integer fast path; float64, int32 and bool values round once, exactly, as numbers.
      const via = x.dtype === 'float32' ? 'float32' : 'float64';
      const temp = this.store.alloc(this.store.get(out.id, 'cast').length, via);
      try {
        cast(x, { id: temp, dtype: via, shape: out.shape });
        const target = this.store.get(out.id, 'cast');
        if (via === 'float32') this.narrow(temp, target);
        else toFloat16Bits(temp.data as Float64Array, target.data as Uint16Array);
      } finally {
        this.store.free(temp);
      }
    }
  }

  /** float16 `binary(op, a, b, out)` of contiguous same-shape operands in one fused SIMD pass; false when it does not apply. */
  fusedBinary(op: BinaryOp, a: StridedView, b: StridedView, out: OutputBuffer): boolean {
    const simd = this.simd;
    if (simd === null || a.dtype !== 'float16' || b.dtype !== 'float16' || out.dtype !== 'float16') return false;
    const view = (v: StridedView) => ({ buffer: this.store.get(v.id, 'binary'), shape: v.shape, strides: v.strides, offset: v.offset });
    return binaryFloat16Simd(simd, op, view(a), view(b), this.store.get(out.id, 'binary'), out.shape);
  }

  /** `fill` of a float16 buffer: the value rounded once. */
  fill(out: OutputBuffer, value: number): void {
    (this.store.get(out.id, 'fill').data as Uint16Array).fill(float32ToFloat16Bits(value));
  }

  /** `arange` into a float16 buffer: each `start + i · step` rounded once. */
  arange(out: OutputBuffer, start: number, step: number): void {
    const target = this.store.get(out.id, 'arange').data as Uint16Array;
    for (let i = 0; i < target.length; i++) target[i] = float32ToFloat16Bits(start + i * step);
  }

  /** float32 `temp` ← the float16 `source` from element `start` (exact). */
  private widen(source: CpuBuffer, start: number, temp: CpuBuffer): void {
    if (this.simd) widenFloat16Simd(this.simd, source, start, temp, temp.length);
    else fromFloat16Bits((source.data as Uint16Array).subarray(start, start + temp.length), temp.data as Float32Array);
  }

  /** float16 `target` ← the float32 `temp` rounded to nearest even (both the same length). */
  private narrow(temp: CpuBuffer, target: CpuBuffer): void {
    if (this.simd) narrowFloat16Simd(this.simd, temp, target, 0, temp.length);
    else toFloat16Bits(temp.data as Float32Array, target.data as Uint16Array);
  }

  private widenView(view: StridedView, widened: Widened[]): StridedView {
    const source = this.store.get(view.id, 'float16 input');
    const [low, high] = elementSpan(view);
    // Operands that read the same span (x · x, x + x.flip(0)) share one temporary.
    const shared = widened.find((entry) => entry.source === source && entry.start === low && entry.temp.length === high - low + 1 && !entry.writeBack);
    const temp = shared?.temp ?? this.store.alloc(high - low + 1, 'float32');
    if (!shared) widened.push({ source, temp, start: low, copyIn: true, writeBack: false });
    return { id: temp, dtype: 'float32', shape: view.shape, strides: view.strides, offset: high < low ? 0 : view.offset - low };
  }

  private widenBuffer(buffer: TensorArgument, inPlace: boolean, widened: Widened[]): TensorArgument {
    const source = this.store.get(buffer.id, 'float16 output');
    const temp = this.store.alloc(source.length, 'float32');
    widened.push({ source, temp, start: 0, copyIn: inPlace, writeBack: true });
    return { ...buffer, id: temp, dtype: 'float32' };
  }
}
