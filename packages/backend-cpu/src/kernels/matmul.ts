/**
 * Batched matrix multiplication: packed panels + a register-tiled micro-kernel (GotoBLAS layout).
 *
 * Why this shape: plain JS has no SIMD, so speed comes from (1) keeping a 4×4 tile of C in local
 * variables (V8 keeps them in registers), (2) reading A and B from contiguous packed panels so the
 * inner loop is two sequential streams whatever the operands' strides (all four transpose
 * combinations cost the same), and (3) blocking K so a packed A block stays in L2 and one B
 * micro-panel stays in L1 while it is reused.
 */
import type { ArrayView } from './strided';
import { applyFusedActivation, type FusedActivation } from '@tessera/core/backend';

/** What `matmulKernel` applies to each result as it is stored: `activation(value + bias[column])`. */
export interface MatmulEpilogue {
  /** A `[N]` view, or null for no bias. */
  readonly bias: ArrayView | null;
  readonly activation: FusedActivation;
}

/** Rows of A per micro-panel (register tile height). */
const MR = 4;
/** Columns of B per micro-panel (register tile width). */
const NR = 4;
/** K block: an A micro-panel slice (KC·MR doubles) and a B micro-panel slice fit in L1 together. */
const KC = 256;
/** M block: KC·MC doubles of packed A stay in L2. */
const MC = 128;

/**
 * Scratch reused across calls so a training loop does not allocate per matmul. Packed A and packed
 * B share ONE Float64Array (A first, B after it): V8 then checks and loads a single array's
 * base pointer and length per micro-kernel step instead of two, which is measurably faster.
 */
let packed: Float64Array = new Float64Array(0);
let accumulator: Float64Array = new Float64Array(0);

function ensure(buffer: Float64Array, size: number): Float64Array {
  return buffer.length >= size ? buffer : new Float64Array(Math.max(size, buffer.length * 2));
}

/**
 * Pack A (rows `M`, depth `K`) into MR-row panels: panel `p` holds `K` groups of MR values
 * (rows `p·MR … p·MR+MR−1` at depth `k`), zero-padded past `M`.
 */
function packA(
  src: ArrayLike<number>, offset: number, rowStride: number, depthStride: number,
  rows: number, depth: number, dst: Float64Array, dstStart: number,
): void {
  let write = dstStart;
  for (let row0 = 0; row0 < rows; row0 += MR) {
    const full = row0 + MR <= rows;
    const base = offset + row0 * rowStride;
    if (full) {
      for (let k = 0; k < depth; k++) {
        const at = base + k * depthStride;
        dst[write] = src[at];
        dst[write + 1] = src[at + rowStride];
        dst[write + 2] = src[at + 2 * rowStride];
        dst[write + 3] = src[at + 3 * rowStride];
        write += MR;
      }
    } else {
      const valid = rows - row0;
      for (let k = 0; k < depth; k++) {
        const at = base + k * depthStride;
        for (let r = 0; r < MR; r++) dst[write + r] = r < valid ? src[at + r * rowStride] : 0;
        write += MR;
      }
    }
  }
}

/** Pack B (depth `K`, columns `N`) into NR-column panels: panel `q` holds `K` groups of NR values. */
function packB(
  src: ArrayLike<number>, offset: number, depthStride: number, colStride: number,
  depth: number, cols: number, dst: Float64Array, dstStart: number,
): void {
  let write = dstStart;
  for (let col0 = 0; col0 < cols; col0 += NR) {
    const full = col0 + NR <= cols;
    const base = offset + col0 * colStride;
    if (full) {
      for (let k = 0; k < depth; k++) {
        const at = base + k * depthStride;
        dst[write] = src[at];
        dst[write + 1] = src[at + colStride];
        dst[write + 2] = src[at + 2 * colStride];
        dst[write + 3] = src[at + 3 * colStride];
        write += NR;
      }
    } else {
      const valid = cols - col0;
      for (let k = 0; k < depth; k++) {
        const at = base + k * depthStride;
        for (let c = 0; c < NR; c++) dst[write + c] = c < valid ? src[at + c * colStride] : 0;
        write += NR;
      }
    }
  }
}

/**
 * The 4×4 micro-kernel: C[tile] (+)= Apanel[k0:k0+kc] · Bpanel[k0:k0+kc], both panels in `p`.
 * `accumulate` is false for the first K block (overwrite) and true afterwards.
 * Indices are written `(i + n) | 0` so V8 types them as int32 and drops the overflow checks.
 */
function microKernel(
  p: Float64Array, aStart: number, bStart: number, kc: number,
  c: Float64Array | Float32Array, cStart: number, ldc: number, rows: number, cols: number, accumulate: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ai = aStart | 0;
  let bi = bStart | 0;
  const end = (aStart + kc * MR) | 0;
  while (ai < end) {
    const b0 = p[bi], b1 = p[(bi + 1) | 0], b2 = p[(bi + 2) | 0], b3 = p[(bi + 3) | 0];
    let a = p[ai];
    c00 += a * b0; c01 += a * b1; c02 += a * b2; c03 += a * b3;
    a = p[(ai + 1) | 0];
    c10 += a * b0; c11 += a * b1; c12 += a * b2; c13 += a * b3;
    a = p[(ai + 2) | 0];
    c20 += a * b0; c21 += a * b1; c22 += a * b2; c23 += a * b3;
    a = p[(ai + 3) | 0];
    c30 += a * b0; c31 += a * b1; c32 += a * b2; c33 += a * b3;
    ai = (ai + MR) | 0;
    bi = (bi + NR) | 0;
  }
  if (rows === MR && cols === NR) {
    let at = cStart;
    if (accumulate) {
      c[at] += c00; c[at + 1] += c01; c[at + 2] += c02; c[at + 3] += c03; at += ldc;
      c[at] += c10; c[at + 1] += c11; c[at + 2] += c12; c[at + 3] += c13; at += ldc;
      c[at] += c20; c[at + 1] += c21; c[at + 2] += c22; c[at + 3] += c23; at += ldc;
      c[at] += c30; c[at + 1] += c31; c[at + 2] += c32; c[at + 3] += c33;
    } else {
      c[at] = c00; c[at + 1] = c01; c[at + 2] = c02; c[at + 3] = c03; at += ldc;
      c[at] = c10; c[at + 1] = c11; c[at + 2] = c12; c[at + 3] = c13; at += ldc;
      c[at] = c20; c[at + 1] = c21; c[at + 2] = c22; c[at + 3] = c23; at += ldc;
      c[at] = c30; c[at + 1] = c31; c[at + 2] = c32; c[at + 3] = c33;
    }
    return;
  }
  // Edge tile: spill to a small array and store only the valid part.
  const tile = edgeTile;
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
  for (let r = 0; r < rows; r++) {
    const at = cStart + r * ldc;
    for (let col = 0; col < cols; col++) {
      if (accumulate) c[at + col] += tile[r * NR + col];
      else c[at + col] = tile[r * NR + col];
    }
  }
}
const edgeTile = new Float64Array(MR * NR);

/**
 * One [M, K] × [K, N] product from packed panels into `c` (row-major, leading dimension `N`).
 * Loop order (outer → inner): K block, M block, B micro-panel, A micro-panel — the B micro-panel
 * slice is reused from L1 across the A panels of the block, the A block from L2 across all of N.
 */
function multiplyPacked(
  p: Float64Array, bOffset: number, rows: number, depth: number, cols: number,
  c: Float64Array | Float32Array, cStart: number,
): void {
  for (let k0 = 0; k0 < depth; k0 += KC) {
    const kc = Math.min(KC, depth - k0);
    const accumulate = k0 > 0;
    for (let m0 = 0; m0 < rows; m0 += MC) {
      const mEnd = Math.min(rows, m0 + MC);
      for (let n0 = 0; n0 < cols; n0 += NR) {
        const bStart = bOffset + n0 * depth + k0 * NR;
        const colCount = Math.min(NR, cols - n0);
        for (let i0 = m0; i0 < mEnd; i0 += MR) {
          const aStart = i0 * depth + k0 * MR;
          microKernel(p, aStart, bStart, kc, c, cStart + i0 * cols + n0, cols, Math.min(MR, rows - i0), colCount, accumulate);
        }
      }
    }
  }
}

/**
 * Store one product's float64 sums `source[sourceStart …]` (`rows × cols`, row-major) into `out` as
 * `activation(sum + bias[column])`, rounded once when `out` is float32. `source` may be `out` itself.
 */
function storeWithEpilogue(
  source: Float64Array | Float32Array, sourceStart: number, out: Float32Array | Float64Array, outStart: number,
  rows: number, cols: number, { bias, activation }: MatmulEpilogue,
): void {
  const biasData = bias?.data;
  const biasOffset = bias?.offset ?? 0;
  const biasStride = bias?.strides[0] ?? 0;
  for (let i = 0; i < rows; i++) {
    const from = sourceStart + i * cols, to = outStart + i * cols;
    for (let j = 0; j < cols; j++) {
      const value = biasData ? source[from + j] + biasData[biasOffset + j * biasStride] : source[from + j];
      out[to + j] = activation === 'none' ? value : applyFusedActivation(activation, value);
    }
  }
}

/**
 * `out[b] = a[b] · b[b]` for every batch: a `[B, M, K]`, b `[B, K, N]` (any strides; batch stride 0
 * broadcasts), out a contiguous `[B, M, N]` Float32Array or Float64Array written from `outOffset`.
 * Accumulates in float64 and rounds once when storing float32. With an `epilogue`, each result is
 * stored as `activation(sum + bias[column])` (still rounded once: float32 outputs then go through
 * the float64 accumulator); without one the loops are exactly those of plain matmul.
 * @example
 * const a = { data: new Float32Array([1, 2, 3, 4]), shape: [1, 2, 2], strides: [4, 2, 1], offset: 0 };
 * const out = new Float32Array(4);
 * matmulKernel(a, a, out); // [7, 10, 15, 22]
 * matmulKernel(a, a, out, 0, { bias: null, activation: 'sigmoid' }); // sigmoid of [7, 10, 15, 22]
 */
export function matmulKernel(
  a: ArrayView, b: ArrayView, out: Float32Array | Float64Array, outOffset = 0, epilogue: MatmulEpilogue | null = null,
): void {
  const [batch, rows, depth] = a.shape;
  const cols = b.shape[2];
  const size = rows * cols;
  if (size === 0 || batch === 0) return;
  if (depth === 0) {
    out.fill(0, outOffset, outOffset + batch * size);
    if (epilogue) {
      for (let index = 0; index < batch; index++) {
        const start = outOffset + index * size;
        storeWithEpilogue(out, start, out, start, rows, cols, epilogue);
      }
    }
    return;
  }
  const packedASize = Math.ceil(rows / MR) * MR * depth;
  const packedBSize = Math.ceil(cols / NR) * NR * depth;
  packed = ensure(packed, packedASize + packedBSize);
  // float32 output with several K blocks, or with an epilogue: accumulate in float64, round once at the end.
  const needsWideAccumulator = out instanceof Float32Array && (depth > KC || epilogue !== null);
  if (needsWideAccumulator) accumulator = ensure(accumulator, size);
  const [aBatchStride, aRowStride, aDepthStride] = a.strides;
  const [bBatchStride, bDepthStride, bColStride] = b.strides;
  for (let index = 0; index < batch; index++) {
    // A broadcast batch (stride 0) is packed once and reused.
    if (index === 0 || aBatchStride !== 0) {
      packA(a.data, a.offset + index * aBatchStride, aRowStride, aDepthStride, rows, depth, packed, 0);
    }
    if (index === 0 || bBatchStride !== 0) {
      packB(b.data, b.offset + index * bBatchStride, bDepthStride, bColStride, depth, cols, packed, packedASize);
    }
    const outStart = outOffset + index * size;
    if (needsWideAccumulator) {
      multiplyPacked(packed, packedASize, rows, depth, cols, accumulator, 0);
      if (epilogue) storeWithEpilogue(accumulator, 0, out, outStart, rows, cols, epilogue);
      else out.set(accumulator.subarray(0, size), outStart);
    } else {
      multiplyPacked(packed, packedASize, rows, depth, cols, out, outStart);
      // float64 output: the sums are already exact float64 values, the epilogue runs in place.
      if (epilogue) storeWithEpilogue(out, outStart, out, outStart, rows, cols, epilogue);
    }
  }
}
