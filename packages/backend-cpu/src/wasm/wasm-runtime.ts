/**
 * Loading the embedded WebAssembly kernels: feature detection, synchronous compilation (cached per
 * variant) and instantiation against a backend's memory.
 *
 * Detection is `WebAssembly.validate` on the embedded modules themselves: the SIMD128 build is used
 * when it validates, the relaxed-SIMD build (fused multiply-add in the matmul micro-kernel) when that
 * validates too (Node 20 needs `--experimental-wasm-relaxed-simd`; Chrome ≥ 114 has it by default).
 * Shared-memory builds are used when a shared `WebAssembly.Memory` can be created (always in Node;
 * in browsers only when `crossOriginIsolated`).
 */
import { WASM_KERNELS } from './kernels.generated';

/** The exports of the kernel module (pointers are byte addresses, strides in elements). */
export interface WasmKernels {
  sgemm(m: number, n: number, k: number, a: number, rsa: number, csa: number, b: number, rsb: number, csb: number, c: number, ldc: number, scratch: number): void;
  sgemmBiasActivation(
    m: number, n: number, k: number, a: number, rsa: number, csa: number, b: number, rsb: number, csb: number, c: number, ldc: number,
    scratch: number, bias: number, activation: number,
  ): void;
  sgemmScratchBytes(): number;
  sumRows(x: number, rows: number, cols: number, out: number): void;
  sumCols(x: number, rows: number, cols: number, out: number, acc: number): void;
  extremeRows(x: number, rows: number, cols: number, out: number, isMax: number): void;
  layerNormRows(x: number, rows: number, cols: number, weight: number, bias: number, eps: number, out: number, mean: number, rstd: number): void;
  im2col(
    x: number, channels: number, height: number, width: number, kh: number, kw: number, sh: number, sw: number,
    ph: number, pw: number, dh: number, dw: number, outH: number, outW: number, dst: number,
  ): void;
  addRowBias(out: number, rows: number, cols: number, bias: number): void;
  gatherRow32(out: number, x: number, sx: number, index: number, si: number, axisStride: number, extent: number, n: number): number;
  scatterAddRowF32(target: number, st: number, index: number, si: number, src: number, ss: number, axisStride: number, extent: number, n: number): number;
  gatherRows32(
    out: number, oRow: number, x: number, xRow: number, sx: number, index: number, iRow: number, si: number, axisStride: number,
    extent: number, rows: number, n: number, status: number,
  ): void;
  scatterAddRowsF32(
    target: number, tRow: number, st: number, index: number, iRow: number, si: number, src: number, sRow: number, ss: number,
    axisStride: number, extent: number, rows: number, n: number, status: number,
  ): void;
  maxPool2dPlanes(
    x: number, planes: number, height: number, width: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number,
    dh: number, dw: number, outH: number, outW: number, out: number, indices: number,
  ): void;
  avgPool2dPlanes(
    x: number, planes: number, height: number, width: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number,
    dh: number, dw: number, outH: number, outW: number, countIncludePad: number, divisor: number, out: number,
  ): void;
  where32(
    out: number, cond: number, cRow: number, sc: number, x: number, xRow: number, sx: number, y: number, yRow: number, sy: number,
    rows: number, cols: number,
  ): void;
  cumsumRowsF32(out: number, x: number, rows: number, cols: number): void;
  cumsumRowsI32(out: number, x: number, rows: number, cols: number): void;
  cumsumColsF32(out: number, x: number, outer: number, extent: number, inner: number, c0: number, c1: number, acc: number): void;
  cumsumColsI32(out: number, x: number, outer: number, extent: number, inner: number, c0: number, c1: number): void;
  softmaxColumns(out: number, x: number, outer: number, extent: number, inner: number, c0: number, c1: number, log: number, scratch: number): void;
  widenF16(out: number, x: number, n: number): void;
  narrowF16(out: number, x: number, n: number): void;
  adamStepF32(
    param: number, grad: number, m: number, v: number, vmax: number, n: number, options: number, sign: number, decay: number, l2: number,
    beta1: number, keep1: number, beta2: number, keep2: number, stepSize: number, ic2: number, eps: number,
  ): void;
  sgdStepF32(param: number, grad: number, buffer: number, n: number, options: number, sign: number, decay: number, lr: number, momentum: number, keep: number): void;
  /** The steps over parameter rows r0 … r1 − 1 of a [rows, cols] parameter whose gradient is stored transposed ([cols, rows]). */
  sgdStepTransposedF32(
    param: number, grad: number, buffer: number, rows: number, cols: number, r0: number, r1: number, options: number,
    sign: number, decay: number, lr: number, momentum: number, keep: number, scratch: number,
  ): void;
  adamStepTransposedF32(
    param: number, grad: number, m: number, v: number, vmax: number, rows: number, cols: number, r0: number, r1: number, options: number,
    sign: number, decay: number, l2: number, beta1: number, keep1: number, beta2: number, keep2: number, stepSize: number, ic2: number, eps: number,
    scratch: number,
  ): void;
  /** Fused attention (assembly/attention.ts): `params` is the host-written parameter block; items are (bh, query block) pairs. */
  attentionForwardF32(params: number, item0: number, item1: number, scratch: number): void;
  /** Fused attention backward for problems bh0 … bh1 − 1. */
  attentionBackwardF32(params: number, bh0: number, bh1: number, scratch: number): void;
  attentionForwardScratchBytes(embed: number, valueSize: number): number;
  attentionBackwardScratchBytes(embed: number, valueSize: number): number;
  attentionQueryBlocks(queries: number): number;
  [name: `cast${string}To${string}`]: (out: number, x: number, xRow: number, rows: number, cols: number) => void;
  [name: `binaryF16_${string}`]: (out: number, x: number, y: number, n: number) => void;
  [name: `binary_${string}`]: (out: number, x: number, xRow: number, sx: number, y: number, yRow: number, sy: number, rows: number, cols: number) => void;
  [name: `compare_${string}`]: (out: number, x: number, xRow: number, sx: number, y: number, yRow: number, sy: number, rows: number, cols: number) => void;
  [name: `unary_${string}`]: (out: number, x: number, xRow: number, rows: number, cols: number) => void;
}

/** What this JavaScript engine supports. */
export interface WasmFeatures {
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
  readonly sharedMemory: boolean;
}

type Variant = keyof typeof WASM_KERNELS;

const bytesCache = new Map<Variant, Uint8Array<ArrayBuffer>>();
const moduleCache = new Map<Variant, WebAssembly.Module>();
let features: WasmFeatures | undefined;

function bytesOf(variant: Variant): Uint8Array<ArrayBuffer> {
  let bytes = bytesCache.get(variant);
  if (!bytes) {
    const text = atob(WASM_KERNELS[variant]);
    bytes = new Uint8Array(text.length);
    for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
    bytesCache.set(variant, bytes);
  }
  return bytes;
}

/**
 * Feature detection (cached).
 * @example detectWasmFeatures(); // { simd: true, relaxedSimd: false, sharedMemory: true } on Node 20
 */
export function detectWasmFeatures(): WasmFeatures {
  if (features) return features;
  const hasWasm = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
  let sharedMemory = false;
  if (hasWasm && typeof SharedArrayBuffer === 'function') {
    try {
      sharedMemory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor).buffer instanceof SharedArrayBuffer;
    } catch {
      sharedMemory = false;
    }
  }
  const simd = hasWasm && WebAssembly.validate(bytesOf('simd'));
  const relaxedSimd = simd && WebAssembly.validate(bytesOf('relaxed'));
  features = { simd, relaxedSimd, sharedMemory };
  return features;
}

let relaxedFaster: boolean | undefined;

/**
 * Whether the relaxed-SIMD build's matmul is actually faster here (cached). Engines may lower
 * `f32x4.relaxed_madd` to a slow sequence where the CPU has no FMA, so the first backend times a small
 * matmul with both builds (a few milliseconds, once per process) and keeps the faster one. (On the
 * development machine, Node 20 with `--experimental-wasm-relaxed-simd` emits `vfmadd231ps` and the
 * FMA build's matmul runs ~40 % faster.)
 */
export function relaxedSimdIsFaster(): boolean {
  if (relaxedFaster !== undefined) return relaxedFaster;
  const timeBuild = (variant: Variant): number => {
    const memory = new WebAssembly.Memory({ initial: 40, maximum: 40 });
    const kernels = instantiateKernels(compileKernels(variant), memory);
    const scratch = 65536;
    const a = scratch + kernels.sgemmScratchBytes();
    const [m, n, k] = [64, 64, 256];
    const b = a + m * k * 4;
    const c = b + k * n * 4;
    new Float32Array(memory.buffer, a, m * k + k * n).fill(0.5);
    let best = Infinity;
    for (let round = 0; round < 7; round++) {
      const start = performance.now();
      for (let repeat = 0; repeat < 8; repeat++) kernels.sgemm(m, n, k, a, k, 1, b, n, 1, c, n, scratch);
      best = Math.min(best, performance.now() - start);
    }
    return best;
  };
  try {
    timeBuild('simd'); // warm up the engine's optimising tier for both builds
    timeBuild('relaxed');
    relaxedFaster = timeBuild('relaxed') < timeBuild('simd');
  } catch {
    relaxedFaster = false;
  }
  return relaxedFaster;
}

/** Which embedded build fits these features and memory kind. */
export function pickVariant(relaxed: boolean, shared: boolean): Variant {
  return relaxed ? (shared ? 'relaxedShared' : 'relaxed') : shared ? 'simdShared' : 'simd';
}

/**
 * The compiled module of a variant, compiled synchronously on first use. Browsers refuse synchronous
 * compilation of large modules on the main thread; {@link compileKernelsAsync} covers that case.
 */
export function compileKernels(variant: Variant): WebAssembly.Module {
  let module = moduleCache.get(variant);
  if (!module) {
    module = new WebAssembly.Module(bytesOf(variant));
    moduleCache.set(variant, module);
  }
  return module;
}

/** Asynchronous compilation (for browsers' main thread), filling the same cache. */
export async function compileKernelsAsync(variant: Variant): Promise<WebAssembly.Module> {
  const cached = moduleCache.get(variant);
  if (cached) return cached;
  const module = await WebAssembly.compile(bytesOf(variant));
  moduleCache.set(variant, module);
  return module;
}

/** Instantiate the kernels against `memory` (synchronous: the module is already compiled). */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): WasmKernels {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as WasmKernels;
}
