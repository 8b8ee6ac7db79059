// Fused scaled dot-product attention on float32, flash-attention style: no call holds more than a
// block of the [L, S] score matrix.
//
// Forward, one work item = (problem bh, block of BR query rows): the block's queries are packed
// transposed and scaled (QT [E][w], w = rows rounded up to 8), then for each tile of BC keys
//   Sᵀ = K_tile · QT   (so per-query statistics run down columns, four queries per vector)
//   + mask, −∞ above the diagonal when causal (tiles wholly above it are skipped)
//   online softmax per query: m' = max(m, max_c s), α = e^{m − m'}, P = e^{s − m'}, l = α·l + Σ P, O = α·O + P·V
// and finally out = O / l, logsumexp = m + ln l (a query with every key masked: out 0, lse −∞).
//
// Backward, one work item = one problem (so dQ, dK, dV of a problem have a single writer): for each
// block of BC keys (Kᵀ and Vᵀ packed once per block), for each block of BR queries that can see it,
//   P = e^{scale·Q·Kᵀ + mask − lse},  δ = rowsum(dO ∘ O),  dV += Pᵀ·dO,  dS = scale·P ∘ (dO·Vᵀ − δ),
//   dK += dSᵀ·Q,  dQ += dS·K   (FlashAttention-2's backward; P and dS live in two BR × BC blocks).
//
// Every product is one generic register-tiled loop, C (+)= A·B with A read through two strides (so
// transposed operands cost nothing) and B by rows: a 4 × 8 tile of C in eight f32x4 accumulators,
// each step broadcasting four A values against two B vectors — the sgemm micro-kernel's shape
// (matmul.ts explains why 4 × 8), with fused multiply-adds in the relaxed-SIMD build.
// @ts-nocheck  (AssemblyScript)
import { expMinus4 } from './softmax-rows';

/** Query rows per block. */
const BR: i32 = 32;
/** Keys per tile. */
const BC: i32 = 64;

@inline function splat(value: f32): v128 { return f32x4.splat(value); }
@inline function at(base: usize, index: i32): usize { return base + <usize>(index << 2); }
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// ---- C (+)= A·B:  C[x·ldc + y] (+)= Σ_t A[x·asx + t·ast] · B[t·ldb + y] ----
// The 4-row kernels read the four A values of a step at one address (+0, +4, +8, +12 bytes), so a step
// costs no address arithmetic beyond two increments; A whose rows are not adjacent (asx ≠ 1) is first
// packed into 4-row panels [t][4] (4 × 4 blocks transposed in registers when ast = 1).

function tile4x8(k: i32, c: usize, ldc: i32, a: usize, aStep: usize, b: usize, ldb: i32, accumulate: bool): void {
  const c1 = at(c, ldc), c2 = at(c1, ldc), c3 = at(c2, ldc);
  let s00 = splat(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
  if (accumulate) {
    s00 = v128.load(c); s01 = v128.load(c, 16);
    s10 = v128.load(c1); s11 = v128.load(c1, 16);
    s20 = v128.load(c2); s21 = v128.load(c2, 16);
    s30 = v128.load(c3); s31 = v128.load(c3, 16);
  }
  const bStep = <usize>(ldb << 2);
  let ta = a, tb = b;
  for (let t = 0; t < k; t++) {
    const b0 = v128.load(tb), b1 = v128.load(tb, 16);
    let w = v128.load32_splat(ta);
    s00 = madd(w, b0, s00); s01 = madd(w, b1, s01);
    w = v128.load32_splat(ta, 4);
    s10 = madd(w, b0, s10); s11 = madd(w, b1, s11);
    w = v128.load32_splat(ta, 8);
    s20 = madd(w, b0, s20); s21 = madd(w, b1, s21);
    w = v128.load32_splat(ta, 12);
    s30 = madd(w, b0, s30); s31 = madd(w, b1, s31);
    ta += aStep;
    tb += bStep;
  }
  v128.store(c, s00); v128.store(c, s01, 16);
  v128.store(c1, s10); v128.store(c1, s11, 16);
  v128.store(c2, s20); v128.store(c2, s21, 16);
  v128.store(c3, s30); v128.store(c3, s31, 16);
}

function tile4x4(k: i32, c: usize, ldc: i32, a: usize, aStep: usize, b: usize, ldb: i32, accumulate: bool): void {
  const c1 = at(c, ldc), c2 = at(c1, ldc), c3 = at(c2, ldc);
  let s0 = splat(0), s1 = s0, s2 = s0, s3 = s0;
  if (accumulate) {
    s0 = v128.load(c); s1 = v128.load(c1); s2 = v128.load(c2); s3 = v128.load(c3);
  }
  const bStep = <usize>(ldb << 2);
  let ta = a, tb = b;
  for (let t = 0; t < k; t++) {
    const b0 = v128.load(tb);
    s0 = madd(v128.load32_splat(ta), b0, s0);
    s1 = madd(v128.load32_splat(ta, 4), b0, s1);
    s2 = madd(v128.load32_splat(ta, 8), b0, s2);
    s3 = madd(v128.load32_splat(ta, 12), b0, s3);
    ta += aStep;
    tb += bStep;
  }
  v128.store(c, s0); v128.store(c1, s1); v128.store(c2, s2); v128.store(c3, s3);
}

function tile1x8(k: i32, c: usize, a: usize, ast: i32, b: usize, ldb: i32, accumulate: bool): void {
  let s0 = splat(0), s1 = s0;
  if (accumulate) {
    s0 = v128.load(c); s1 = v128.load(c, 16);
  }
  const aStep = <usize>(ast << 2), bStep = <usize>(ldb << 2);
  let ta = a, tb = b;
  for (let t = 0; t < k; t++) {
    const w = v128.load32_splat(ta);
    s0 = madd(w, v128.load(tb), s0);
    s1 = madd(w, v128.load(tb, 16), s1);
    ta += aStep;
    tb += bStep;
  }
  v128.store(c, s0); v128.store(c, s1, 16);
}

function tile1x4(k: i32, c: usize, a: usize, ast: i32, b: usize, ldb: i32, accumulate: bool): void {
  let s0 = accumulate ? v128.load(c) : splat(0);
  const aStep = <usize>(ast << 2), bStep = <usize>(ldb << 2);
  let ta = a, tb = b;
  for (let t = 0; t < k; t++) {
    s0 = madd(v128.load32_splat(ta), v128.load(tb), s0);
    ta += aStep;
    tb += bStep;
  }
  v128.store(c, s0);
}

function dot1(k: i32, c: usize, a: usize, ast: i32, b: usize, ldb: i32, accumulate: bool): void {
  let sum: f32 = accumulate ? load<f32>(c) : 0;
  for (let t = 0; t < k; t++) sum += load<f32>(at(a, t * ast)) * load<f32>(at(b, t * ldb));
  store<f32>(c, sum);
}

/** Rows x … x + 3 of A (A[x, t] at a + (x·asx + t·ast)·4) as a panel [t][4] at `panel`. */
function packPanel(k: i32, a: usize, asx: i32, ast: i32, panel: usize): void {
  const a1 = at(a, asx), a2 = at(a1, asx), a3 = at(a2, asx);
  let t = 0;
  if (ast == 1) {
    for (; t + 4 <= k; t += 4) {
      const r0 = v128.load(at(a, t)), r1 = v128.load(at(a1, t)), r2 = v128.load(at(a2, t)), r3 = v128.load(at(a3, t));
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const p = at(panel, t * 4);
      v128.store(p, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(p, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
      v128.store(p, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
      v128.store(p, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
    }
  }
  for (; t < k; t++) {
    const p = at(panel, t * 4), offset = t * ast;
    store<f32>(p, load<f32>(at(a, offset)));
    store<f32>(p, load<f32>(at(a1, offset)), 4);
    store<f32>(p, load<f32>(at(a2, offset)), 8);
    store<f32>(p, load<f32>(at(a3, offset)), 12);
  }
}

/**
 * C (m × n, row stride ldc) (+)= A·B over k, A[x, t] at a + (x·asx + t·ast)·4, B[t, y] at b + (t·ldb + y)·4.
 * `pack` holds 4·k floats: the panel of A rows when they are not adjacent (asx ≠ 1).
 */
function product(m: i32, n: i32, k: i32, c: usize, ldc: i32, a: usize, asx: i32, ast: i32, b: usize, ldb: i32, accumulate: bool, pack: usize): void {
  let x = 0;
  for (; x + 4 <= m; x += 4) {
    const cx = at(c, x * ldc);
    let panel = at(a, x * asx), aStep = <usize>(ast << 2);
    if (asx != 1) {
      packPanel(k, panel, asx, ast, pack);
      panel = pack;
      aStep = 16;
    }
    let y = 0;
    for (; y + 8 <= n; y += 8) tile4x8(k, at(cx, y), ldc, panel, aStep, at(b, y), ldb, accumulate);
    for (; y + 4 <= n; y += 4) tile4x4(k, at(cx, y), ldc, panel, aStep, at(b, y), ldb, accumulate);
    for (; y < n; y++) {
      for (let r = 0; r < 4; r++) dot1(k, at(cx, r * ldc + y), panel + <usize>(r << 2), <i32>(aStep >> 2), at(b, y), ldb, accumulate);
    }
  }
  for (; x < m; x++) {
    const cx = at(c, x * ldc), ax = at(a, x * asx);
    let y = 0;
    for (; y + 8 <= n; y += 8) tile1x8(k, at(cx, y), ax, ast, at(b, y), ldb, accumulate);
    for (; y + 4 <= n; y += 4) tile1x4(k, at(cx, y), ax, ast, at(b, y), ldb, accumulate);
    for (; y < n; y++) dot1(k, at(cx, y), ax, ast, at(b, y), ldb, accumulate);
  }
}

// ---- the call's parameters, written by the host into one block (a worker chunk has few argument slots) ----

/** i32 slots of the parameter block (pointers are byte addresses, strides in elements). */
const P_Q = 0, P_K = 1, P_V = 2, P_MASK = 3, P_OUT = 4, P_LSE = 5, P_GRAD = 6, P_DQ = 7, P_DK = 8, P_DV = 9;
const P_L = 10, P_S = 11, P_E = 12, P_EV = 13, P_MASK_BH = 14, P_MASK_ROW = 15, P_MASK_COL = 16, P_CAUSAL = 17, P_SCALE = 18;

@inline function param(params: usize, slot: i32): i32 { return load<i32>(params + <usize>(slot << 2)); }
@inline function pointerParam(params: usize, slot: i32): usize { return <usize>load<u32>(params + <usize>(slot << 2)); }

/** Scratch bytes of one forward work item (also the host's check that a thread's scratch suffices). */
export function attentionForwardScratchBytes(embed: i32, valueSize: i32): i32 {
  return (embed * BR + BC * BR + BR * valueSize + 3 * BR + 4 * max(embed, BC)) * 4;
}

/** Scratch bytes of one backward work item. */
export function attentionBackwardScratchBytes(embed: i32, valueSize: i32): i32 {
  return ((embed + valueSize) * BC + 2 * BR * BC + BR + 4 * max(max(embed, valueSize), BC)) * 4;
}

/** Query blocks per problem (the forward's work items per problem). */
export function attentionQueryBlocks(queries: i32): i32 {
  return (queries + BR - 1) / BR;
}

/**
 * Forward work items [item0, item1) (item = bh · queryBlocks + block): writes out [BH, L, Ev] and
 * logsumexp [BH, L] for those query rows. `scratch` holds {@link attentionForwardScratchBytes}.
 */
export function attentionForwardF32(params: usize, item0: i32, item1: i32, scratch: usize): void {
  const queries = param(params, P_L), keys = param(params, P_S), embed = param(params, P_E), valueSize = param(params, P_EV);
  const mask = pointerParam(params, P_MASK);
  const maskBh = param(params, P_MASK_BH), maskRow = param(params, P_MASK_ROW), maskCol = param(params, P_MASK_COL);
  const causal = param(params, P_CAUSAL) != 0;
  const scale = load<f32>(params + <usize>(P_SCALE << 2));
  const blocks = attentionQueryBlocks(queries);
  const qt = scratch;
  const st = at(qt, embed * BR);
  const acc = at(st, BC * BR);
  const maxes = at(acc, BR * valueSize), sums = at(maxes, BR), alphas = at(sums, BR), pack = at(alphas, BR);
  for (let item = item0; item < item1; item++) {
    const bh = item / blocks, i0 = (item % blocks) * BR;
    const rows = min(BR, queries - i0), w = (rows + 7) & ~7;
    // QT[e][r] = scale · q[i0 + r][e], zero for the padding queries.
    const q = at(pointerParam(params, P_Q), (bh * queries + i0) * embed);
    for (let e = 0; e < embed; e++) {
      const row = at(qt, e * w);
      for (let r = 0; r < rows; r++) store<f32>(at(row, r), scale * load<f32>(at(q, r * embed + e)));
      for (let r = rows; r < w; r++) store<f32>(at(row, r), 0);
    }
    memory.fill(acc, 0, <usize>(w * valueSize * 4));
    for (let r = 0; r < w; r += 4) {
      v128.store(at(maxes, r), splat(-Infinity));
      v128.store(at(sums, r), splat(0));
    }
    const keyEnd = causal ? min(keys, i0 + rows) : keys;
    const maskRows = mask + <usize>((bh * maskBh + i0 * maskRow) << 2);
    for (let j0 = 0; j0 < keyEnd; j0 += BC) {
      const cols = min(BC, keyEnd - j0);
      const k = at(pointerParam(params, P_K), (bh * keys + j0) * embed);
      product(cols, w, embed, st, w, k, embed, 1, qt, w, false, pack);
      if (mask) {
        for (let c = 0; c < cols; c++) {
          const m = at(maskRows, (j0 + c) * maskCol), s = at(st, c * w);
          for (let r = 0; r < rows; r++) store<f32>(at(s, r), load<f32>(at(s, r)) + load<f32>(at(m, r * maskRow)));
        }
      }
      if (causal && j0 + cols - 1 > i0) {
        for (let c = 0; c < cols; c++) {
          const s = at(st, c * w);
          // Key j0 + c is hidden from the queries i0 + r < j0 + c.
          for (let r = 0; r < min(rows, j0 + c - i0); r++) store<f32>(at(s, r), -Infinity);
        }
      }
      // Online softmax, four queries per vector: new maxima, rescale factors, P = e^{s − m'} in place.
      // (pmax skips NaN; a NaN score still reaches the output through its exponential.)
      const rowBytes = <usize>(w << 2);
      for (let r = 0; r < w; r += 4) {
        const column = at(st, r), end = column + <usize>cols * rowBytes;
        let tileMax = splat(-Infinity);
        for (let s = column; s < end; s += rowBytes) tileMax = f32x4.pmax(tileMax, v128.load(s));
        const old = v128.load(at(maxes, r));
        const next = f32x4.pmax(old, tileMax);
        // A query that has seen only −∞ so far keeps m' = −∞; its exponentials use 0 (all give 0).
        const safe = v128.andnot(next, f32x4.eq(next, splat(-Infinity)));
        const alpha = expMinus4(old, safe);
        let total = splat(0);
        for (let s = column; s < end; s += rowBytes) {
          const p = expMinus4(v128.load(s), safe);
          v128.store(s, p);
          total = f32x4.add(total, p);
        }
        v128.store(at(sums, r), madd(v128.load(at(sums, r)), alpha, total));
        v128.store(at(maxes, r), next);
        v128.store(at(alphas, r), alpha);
      }
      for (let r = 0; r < w; r++) {
        const alpha = load<f32>(at(alphas, r));
        if (alpha == 1) continue;
        const o = at(acc, r * valueSize), va = splat(alpha);
        let e = 0;
        for (; e + 4 <= valueSize; e += 4) v128.store(at(o, e), f32x4.mul(v128.load(at(o, e)), va));
        for (; e < valueSize; e++) store<f32>(at(o, e), load<f32>(at(o, e)) * alpha);
      }
      // O[r] += Σ_c P[c][r] · v[j0 + c]
      const v = at(pointerParam(params, P_V), (bh * keys + j0) * valueSize);
      product(w, valueSize, cols, acc, valueSize, st, 1, w, v, valueSize, true, pack);
    }
    const out = at(pointerParam(params, P_OUT), (bh * queries + i0) * valueSize);
    const lse = at(pointerParam(params, P_LSE), bh * queries + i0);
    for (let r = 0; r < rows; r++) {
      const total = load<f32>(at(sums, r));
      const inverse: f32 = total > 0 ? <f32>1 / total : 0;
      store<f32>(at(lse, r), total > 0 ? load<f32>(at(maxes, r)) + <f32>Math.log(total) : -Infinity);
      const o = at(acc, r * valueSize), target = at(out, r * valueSize);
      for (let e = 0; e < valueSize; e++) store<f32>(at(target, e), load<f32>(at(o, e)) * inverse);
    }
  }
}

/**
 * Backward work items = problems [bh0, bh1): writes dq, dk, dv of those problems from grad (dO), q, k,
 * v, out and logsumexp. `scratch` holds {@link attentionBackwardScratchBytes}.
 */
export function attentionBackwardF32(params: usize, bh0: i32, bh1: i32, scratch: usize): void {
  const queries = param(params, P_L), keys = param(params, P_S), embed = param(params, P_E), valueSize = param(params, P_EV);
  const mask = pointerParam(params, P_MASK);
  const maskBh = param(params, P_MASK_BH), maskRow = param(params, P_MASK_ROW), maskCol = param(params, P_MASK_COL);
  const causal = param(params, P_CAUSAL) != 0;
  const scale = load<f32>(params + <usize>(P_SCALE << 2));
  const kt = scratch;
  const vt = at(kt, embed * BC);
  const pb = at(vt, valueSize * BC);
  const ds = at(pb, BR * BC);
  const deltas = at(ds, BR * BC), pack = at(deltas, BR);
  for (let bh = bh0; bh < bh1; bh++) {
    const q = at(pointerParam(params, P_Q), bh * queries * embed);
    const k = at(pointerParam(params, P_K), bh * keys * embed);
    const v = at(pointerParam(params, P_V), bh * keys * valueSize);
    const out = at(pointerParam(params, P_OUT), bh * queries * valueSize);
    const grad = at(pointerParam(params, P_GRAD), bh * queries * valueSize);
    const lse = at(pointerParam(params, P_LSE), bh * queries);
    const dq = at(pointerParam(params, P_DQ), bh * queries * embed);
    const dk = at(pointerParam(params, P_DK), bh * keys * embed);
    const dv = at(pointerParam(params, P_DV), bh * keys * valueSize);
    memory.fill(dq, 0, <usize>(queries * embed * 4));
    memory.fill(dk, 0, <usize>(keys * embed * 4));
    memory.fill(dv, 0, <usize>(keys * valueSize * 4));
    for (let j0 = 0; j0 < keys; j0 += BC) {
      const cols = min(BC, keys - j0);
      // Kᵀ and Vᵀ of the key block, row stride BC.
      for (let c = 0; c < cols; c++) {
        const kr = at(k, (j0 + c) * embed), vr = at(v, (j0 + c) * valueSize);
        for (let e = 0; e < embed; e++) store<f32>(at(kt, e * BC + c), load<f32>(at(kr, e)));
        for (let e = 0; e < valueSize; e++) store<f32>(at(vt, e * BC + c), load<f32>(at(vr, e)));
      }
      // Causal: queries before j0 see none of these keys.
      for (let i0 = causal ? j0 : 0; i0 < queries; i0 += BR) {
        const rows = min(BR, queries - i0);
        const qr = at(q, i0 * embed), gr = at(grad, i0 * valueSize);
        product(rows, cols, embed, pb, BC, qr, embed, 1, kt, BC, false, pack);
        // P = e^{scale·s + mask − lse} (0 for a query whose keys are all masked, and above the diagonal).
        for (let r = 0; r < rows; r++) {
          const p = at(pb, r * BC);
          const rowLse = load<f32>(at(lse, i0 + r));
          if (rowLse == -Infinity) {
            memory.fill(p, 0, <usize>(cols * 4));
            store<f32>(at(deltas, r), 0);
            continue;
          }
          const visible = causal ? min(cols, i0 + r - j0 + 1) : cols;
          const vl = splat(rowLse);
          let c = 0;
          if (mask) {
            const m = mask + <usize>((bh * maskBh + (i0 + r) * maskRow + j0 * maskCol) << 2);
            for (; c < visible; c++) store<f32>(at(p, c), scale * load<f32>(at(p, c)) + load<f32>(at(m, c * maskCol)));
            c = 0;
            for (; c + 4 <= visible; c += 4) v128.store(at(p, c), expMinus4(v128.load(at(p, c)), vl));
          } else {
            const vs = splat(scale);
            for (; c + 4 <= visible; c += 4) v128.store(at(p, c), expMinus4(f32x4.mul(v128.load(at(p, c)), vs), vl));
            for (let t = c; t < visible; t++) store<f32>(at(p, t), scale * load<f32>(at(p, t)));
          }
          for (; c < visible; c++) store<f32>(at(p, c), f32x4.extract_lane(expMinus4(splat(load<f32>(at(p, c))), vl), 0));
          for (; c < cols; c++) store<f32>(at(p, c), 0);
          // δ = dO·O of this query.
          const o = at(out, (i0 + r) * valueSize), g = at(gr, r * valueSize);
          let delta: f32 = 0;
          for (let e = 0; e < valueSize; e++) delta += load<f32>(at(g, e)) * load<f32>(at(o, e));
          store<f32>(at(deltas, r), delta);
        }
        // dV += Pᵀ·dO
        product(cols, valueSize, rows, at(dv, j0 * valueSize), valueSize, pb, 1, BC, gr, valueSize, true, pack);
        // dS = scale · P ∘ (dO·Vᵀ − δ)
        product(rows, cols, valueSize, ds, BC, gr, valueSize, 1, vt, BC, false, pack);
        for (let r = 0; r < rows; r++) {
          const p = at(pb, r * BC), d = at(ds, r * BC);
          const delta = splat(load<f32>(at(deltas, r))), vs = splat(scale);
          let c = 0;
          for (; c + 4 <= cols; c += 4) v128.store(at(d, c), f32x4.mul(f32x4.mul(v128.load(at(p, c)), f32x4.sub(v128.load(at(d, c)), delta)), vs));
          const dScalar = load<f32>(at(deltas, r));
          for (; c < cols; c++) store<f32>(at(d, c), load<f32>(at(p, c)) * (load<f32>(at(d, c)) - dScalar) * scale);
        }
        // dK += dSᵀ·Q;  dQ += dS·K
        product(cols, embed, rows, at(dk, j0 * embed), embed, ds, 1, BC, qr, embed, true, pack);
        product(rows, embed, cols, at(dq, i0 * embed), embed, ds, BC, 1, at(k, j0 * embed), embed, true, pack);
      }
    }
  }
}
