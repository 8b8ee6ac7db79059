// Packed-panel, register-tiled float32 matrix multiplication (GotoBLAS/BLIS loop order) in
// WebAssembly SIMD. Pointers are byte addresses into the backend's memory, strides are in elements
// and may be 0 or negative (wasm32 address arithmetic wraps, so `base + negative offset` is exact).
//
// Loops: jc (NC columns of B) → pc (KC of depth: pack B block) → ic (MC rows: pack A block)
//        → jr (NR-column micro-panel of B, kept in L1) → ir (MR-row micro-panel of A) → 4×8 tile.
// A 4×8 tile of C lives in eight f32x4 registers; each depth step loads two B vectors and
// broadcasts four A values, so the packed panels are read as two sequential streams whatever the
// operands' strides — the four transpose combinations differ only in the (cheap) packing.
//
// Why 4×8 (measured in V8 on x64, see README "Kernels"): V8 keeps 15 xmm registers for wasm and
// schedules all of a step's loads before its arithmetic, so a tile fits only when
// accumulators + loads + 1 temporary ≤ 15 — 4×8 needs 8 + 6 + 1. 6×8, 5×8 and 3×12, and unrolling
// the depth loop by two, all spill and run slower. What does help is fewer instructions per step
// (the loop is front-end bound): one induction variable for both panels. KC = 384 keeps an A
// micro-panel (6 KB) and a B micro-panel (12 KB) in L1 and the packed A block (192 KB) in L2.

//
// The fused variant (sgemmBiasActivation) adds an epilogue: after the LAST depth block of a tile —
// earlier blocks store partial sums — the tile is re-read from L1, the bias of its 8 columns added
// and the activation applied before it is stored again. It runs once per tile, outside the depth
// loop, and plain sgemm is the same body with the epilogue switched off at compile time.

// @ts-nocheck  (AssemblyScript)
import { sigmoid4, tanh4 } from './transcendental';

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 384;
const MC: i32 = 128;
const NC: i32 = 1024;

/** Activation codes of {@link sgemmBiasActivation} (the order of core's FUSED_ACTIVATIONS). */
const ACTIVATION_NONE: i32 = 0;
const ACTIVATION_RELU: i32 = 1;
const ACTIVATION_SIGMOID: i32 = 2;
const ACTIVATION_TANH: i32 = 3;

/** Bytes of scratch one `sgemm` call needs (packed A block, packed B block, one edge tile, its bias). */
export function sgemmScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR + NR) * 4;
}

@inline function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function at(base: usize, index: i32): usize {
  return base + <usize>(index << 2);
}

/** Pack `mc × kc` of A (row stride `rsa`, depth stride `csa`) into MR-row panels, zero-padded. */
function packA(a: usize, rsa: i32, csa: i32, mc: i32, kc: i32, dst: usize): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    const base = at(a, i0 * rsa);
    let k = 0;
    if (rows == MR && csa == 1) {
      const r1 = rsa, r2 = 2 * rsa, r3 = 3 * rsa;
      for (; k + 4 <= kc; k += 4) {
        const p = at(base, k);
        const x0 = v128.load(p);
        const x1 = v128.load(at(p, r1));
        const x2 = v128.load(at(p, r2));
        const x3 = v128.load(at(p, r3));
        const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
        v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
        v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
        v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
        dst += 64;
      }
    } else if (rows == MR && rsa == 1) {
      for (; k < kc; k++) {
        v128.store(dst, v128.load(at(base, k * csa)));
        dst += 16;
      }
    }
    for (; k < kc; k++) {
      for (let i = 0; i < MR; i++) {
        store<f32>(dst + <usize>(i << 2), i < rows ? load<f32>(at(base, i * rsa + k * csa)) : <f32>0);
      }
      dst += 16;
    }
  }
}

/** Pack `kc × nc` of B (depth stride `rsb`, column stride `csb`) into NR-column panels, zero-padded. */
function packB(b: usize, rsb: i32, csb: i32, kc: i32, nc: i32, dst: usize): void {
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(NR, nc - j0);
    const base = at(b, j0 * csb);
    let k = 0;
    if (cols == NR && csb == 1) {
      for (; k < kc; k++) {
        const p = at(base, k * rsb);
        v128.store(dst, v128.load(p));
        v128.store(dst, v128.load(p, 16), 16);
        dst += 32;
      }
    } else if (cols == NR && rsb == 1) {
      for (; k + 4 <= kc; k += 4) {
        for (let half = 0; half < 2; half++) {
          const p = at(base, k + half * 4 * csb);
          const x0 = v128.load(p);
          const x1 = v128.load(at(p, csb));
          const x2 = v128.load(at(p, 2 * csb));
          const x3 = v128.load(at(p, 3 * csb));
          const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
          const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          const d = dst + <usize>(half << 4);
          v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
          v128.store(d, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 32);
          v128.store(d, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 64);
          v128.store(d, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 96);
        }
        dst += 128;
      }
    }
    for (; k < kc; k++) {
      for (let j = 0; j < NR; j++) {
        store<f32>(dst + <usize>(j << 2), j < cols ? load<f32>(at(base, k * rsb + j * csb)) : <f32>0);
      }
      dst += 32;
    }
  }
}

/** C[4×8] (row stride `ldc` bytes) = (accumulate ? C : 0) + Apanel · Bpanel over `kc` ≥ 1. */
@inline function micro(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // One induction variable, the A pointer itself: A loads address it directly and B (which
  // advances 32 bytes per 16 of A) is 2·a + delta — one lea per step. wasm32 arithmetic wraps, so
  // delta = pb − 2·pa is exact even when it is "negative".
  const end = pa + <usize>(kc << 4);
  const delta = pb - (pa << 1);
  let a = pa;
  do {
    const b = (a << 1) + delta;
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = fma(s, b0, c00); c01 = fma(s, b1, c01);
    s = v128.load32_splat(a, 4);
    c10 = fma(s, b0, c10); c11 = fma(s, b1, c11);
    s = v128.load32_splat(a, 8);
    c20 = fma(s, b0, c20); c21 = fma(s, b1, c21);
    s = v128.load32_splat(a, 12);
    c30 = fma(s, b0, c30); c31 = fma(s, b1, c31);
    a += 16;
  } while (a < end);
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc)); c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc)); c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc)); c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

/** The activation per lane; relu is `pmax(v, 0)` = `v < 0 ? 0 : v` (NaN and −0 pass), as unary_relu. */
@inline function activate4(v: v128, activation: i32): v128 {
  if (activation == ACTIVATION_RELU) return f32x4.pmax(v, f32x4.splat(0));
  if (activation == ACTIVATION_SIGMOID) return sigmoid4(v);
  if (activation == ACTIVATION_TANH) return tanh4(v);
  return v;
}

/** In place on a stored 4×8 tile (row stride `ldc` bytes): + bias[0..8) (0: none), then the activation. */
function epilogue(c: usize, ldc: usize, bias: usize, activation: i32): void {
  const b0 = bias ? v128.load(bias) : f32x4.splat(0);
  const b1 = bias ? v128.load(bias, 16) : f32x4.splat(0);
  for (let i = 0; i < MR; i++) {
    const row = c + <usize>i * ldc;
    v128.store(row, activate4(f32x4.add(v128.load(row), b0), activation));
    v128.store(row, activate4(f32x4.add(v128.load(row, 16), b1), activation), 16);
  }
}

/** The block size ≤ `limit` (a multiple of `unit`) that splits `extent` into equal blocks. */
@inline function balancedBlock(extent: i32, limit: i32, unit: i32): i32 {
  const blocks = (extent + limit - 1) / limit;
  const size = (extent + blocks - 1) / blocks;
  return (size + unit - 1) / unit * unit;
}

/**
 * C[m×n] (contiguous rows of `ldc` elements) = A[m×k] · B[k×n]; A element (i, p) at
 * `a + 4·(i·rsa + p·csa)`, B element (p, j) at `b + 4·(p·rsb + j·csb)`.
 * `scratch` must hold {@link sgemmScratchBytes} bytes and belong to this caller alone.
 */
export function sgemm(
  m: i32, n: i32, k: i32, a: usize, rsa: i32, csa: i32, b: usize, rsb: i32, csb: i32, c: usize, ldc: i32, scratch: usize,
): void {
  gemm(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, scratch, 0, ACTIVATION_NONE, false);
}

/**
 * {@link sgemm} with an epilogue: C = activation(A · B + bias), `bias` the byte address of n
 * contiguous floats (0: none) and `activation` 0 none, 1 relu, 2 sigmoid, 3 tanh. k = 0 gives
 * activation(bias or 0).
 */
export function sgemmBiasActivation(
  m: i32, n: i32, k: i32, a: usize, rsa: i32, csa: i32, b: usize, rsb: i32, csb: i32, c: usize, ldc: i32, scratch: usize,
  bias: usize, activation: i32,
): void {
  gemm(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, scratch, bias, activation, true);
}

/** The loop nest of both exports; `fused` is a constant at each call site, so plain sgemm carries no epilogue code. */
@inline function gemm(
  m: i32, n: i32, k: i32, a: usize, rsa: i32, csa: i32, b: usize, rsb: i32, csb: i32, c: usize, ldc: i32, scratch: usize,
  bias: usize, activation: i32, fused: bool,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (fused) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          // 0 + bias, as the k > 0 sums start from +0 (so a −0 bias gives +0, like the reference).
          const value = bias ? <f32>0 + load<f32>(at(bias, j)) : <f32>0;
          store<f32>(at(c, i * ldc + j), f32x4.extract_lane(activate4(f32x4.splat(value), activation), 0));
        }
      }
    } else {
      for (let i = 0; i < m; i++) memory.fill(at(c, i * ldc), 0, <usize>(n << 2));
    }
    return;
  }
  const packedA = scratch;
  const packedB = scratch + <usize>(MC * KC * 4);
  const tile = packedB + <usize>(KC * NC * 4);
  const tileBias = tile + <usize>(MR * NR * 4);
  const ldcBytes = <usize>(ldc << 2);
  // Equal blocks instead of full ones plus a remainder: k = 784 runs as 262 + 262 + 260, not
  // 384 + 384 + 16 (a thin last block pays a full C read-modify-write for little work).
  const kStep = balancedBlock(k, KC, 1);
  const mStep = balancedBlock(m, MC, MR);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kStep) {
      const kc = min(kStep, k - pc);
      const accumulate = pc > 0;
      // The epilogue runs on the last depth block only: earlier blocks store partial sums.
      const finish = fused && pc + kc >= k;
      packB(at(b, pc * rsb + jc * csb), rsb, csb, kc, nc, packedB);
      for (let ic = 0; ic < m; ic += mStep) {
        const mc = min(mStep, m - ic);
        packA(at(a, ic * rsa + pc * csa), rsa, csa, mc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = packedB + <usize>(jr * kc * 4);
          // An edge tile's bias is copied, zero-padded, so the epilogue never reads past the vector.
          if (finish && bias && nr < NR) {
            for (let j = 0; j < NR; j++) store<f32>(at(tileBias, j), j < nr ? load<f32>(at(bias, jc + jr + j)) : <f32>0);
          }
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pa = packedA + <usize>(ir * kc * 4);
            const cp = at(c, (ic + ir) * ldc + jc + jr);
            if (mr == MR && nr == NR) {
              micro(kc, pa, pb, cp, ldcBytes, accumulate);
              if (finish) epilogue(cp, ldcBytes, bias ? at(bias, jc + jr) : 0, activation);
            } else if (finish) {
              micro(kc, pa, pb, tile, <usize>(NR * 4), false);
              for (let i = 0; i < mr; i++) {
                for (let j = 0; j < nr; j++) {
                  const source = tile + <usize>((i * NR + j) << 2);
                  if (accumulate) store<f32>(source, load<f32>(source) + load<f32>(cp + <usize>(i * ldc * 4 + j * 4)));
                }
              }
              epilogue(tile, <usize>(NR * 4), bias ? (nr < NR ? tileBias : at(bias, jc + jr)) : 0, activation);
              for (let i = 0; i < mr; i++) {
                for (let j = 0; j < nr; j++) {
                  store<f32>(cp + <usize>(i * ldc * 4 + j * 4), load<f32>(tile + <usize>((i * NR + j) << 2)));
                }
              }
            } else {
              micro(kc, pa, pb, tile, <usize>(NR * 4), false);
              for (let i = 0; i < mr; i++) {
                for (let j = 0; j < nr; j++) {
                  const target = cp + <usize>(i * ldc * 4 + j * 4);
                  const value = load<f32>(tile + <usize>((i * NR + j) << 2));
                  store<f32>(target, accumulate ? load<f32>(target) + value : value);
                }
              }
            }
          }
        }
      }
    }
  }
}
