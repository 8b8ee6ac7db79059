// Softmax / log-softmax over the last axis: `rows` contiguous rows of `cols` float32 values.
// Three streaming passes over a row (which stays in L1): the max; e^{x−max} stored in the output
// while it is summed; the scale (or x − max − ln Σ). The exponential is specialised for x − max ≤ 0:
// a magic-number rounding (n and 2^n come out of one add, no nearest/trunc/clamp), a degree-5
// polynomial (relative error < 2⁻²² ≈ 2.4e-7 on [−ln2/2, ln2/2]), and results below 2⁻¹²⁶ flushed to 0.
// The relaxed-SIMD build fuses the multiply-adds. The max uses pmax (one instruction; it skips NaN),
// and a NaN in the row reaches every output through the sum instead — as the JavaScript kernel, a row
// with NaN or +∞ or only −∞ gives NaN.
// @ts-nocheck  (AssemblyScript)

@inline function splat(value: f32): v128 { return f32x4.splat(value); }
/** a·b + c: one relaxed (fused where the CPU has FMA) multiply-add in the relaxed-SIMD build. */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
@inline function at(base: usize, index: i32): usize { return base + <usize>(index << 2); }

/** 1.5·2²³ + 127: x + MAGIC rounds x to an integer n held in the low mantissa bits, biased so that
 * the bits shifted left by 23 are the float 2^n. */
const MAGIC: f32 = 12583039.0;
/** Below this e^d is subnormal: flushed to 0 (it is < 1.2e-38 of a sum that is ≥ 1). */
const CUTOFF: f32 = -87.3365402;

/**
 * e^(d + low) per lane for d = x − max ≤ 0 (or NaN) and `low`, the rounding error of d. n = round(d·log2 e),
 * t = d − n·ln2 (two-constant Cody–Waite) + low, e^t ≈ 1 + t + t²·p(t), times 2^n.
 */
@inline function expNonPositive4(d: v128, low: v128): v128 {
  let n = madd(d, splat(1.44269502), splat(MAGIC));
  const scale = i32x4.shl(n, 23);
  n = f32x4.sub(n, splat(MAGIC));
  let t = madd(n, splat(-0.693145752), d);
  t = madd(n, splat(-1.42860677e-6), t);
  t = f32x4.add(t, low);
  let p = madd(splat(8.28929059e-3), t, splat(4.18978222e-2));
  p = madd(p, t, splat(1.66676521e-1));
  p = madd(p, t, splat(4.99991506e-1));
  p = madd(p, t, splat(9.99999702e-1));
  // e^d = s·(1 + t·p) = s + (t·s)·p
  const ts = f32x4.mul(t, scale);
  const e = madd(ts, p, scale);
  return v128.andnot(e, f32x4.lt(d, splat(CUTOFF))); // −∞ and subnormal results → +0; NaN stays
}

/** e^(x − m) per lane with the float32 rounding error of x − m (TwoSum) fed into the reduction (attention.ts uses it too). */
@inline export function expMinus4(x: v128, m: v128): v128 {
  const d = f32x4.sub(x, m);
  const b = f32x4.sub(d, x);
  // With an infinite x or m, low is NaN; then d is −∞ (flushed to 0 below the cutoff) or NaN anyway.
  const low = f32x4.sub(f32x4.sub(x, f32x4.sub(d, b)), f32x4.add(m, b));
  return expNonPositive4(d, low);
}

/** Lanes summed per float32 block before the block joins the float64 total (bounds the float32 error). */
const BLOCK = 256;

/**
 * Softmax (log = 0) or log-softmax (log = 1) of `rows` contiguous rows of `cols` floats, out contiguous.
 * Σ e^{x−max} is summed in float32 by four vector accumulators within blocks of 256 columns and in
 * float64 across blocks; probabilities are within ~1e-6 relative of the float64 softmax.
 */
export function softmaxRows(out: usize, x: usize, rows: i32, cols: i32, log: i32): void {
  for (let row = 0; row < rows; row++) {
    const xr = at(x, row * cols), o = at(out, row * cols);
    // Pass 1: max (pmax skips NaN; the sum brings NaN back).
    let c = 0;
    let m0 = splat(-Infinity), m1 = m0, m2 = m0, m3 = m0;
    for (; c + 16 <= cols; c += 16) {
      const p = at(xr, c);
      m0 = f32x4.pmax(m0, v128.load(p));
      m1 = f32x4.pmax(m1, v128.load(p, 16));
      m2 = f32x4.pmax(m2, v128.load(p, 32));
      m3 = f32x4.pmax(m3, v128.load(p, 48));
    }
    for (; c + 4 <= cols; c += 4) m0 = f32x4.pmax(m0, v128.load(at(xr, c)));
    m0 = f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3));
    m0 = f32x4.pmax(m0, v128.shuffle<f32>(m0, m0, 2, 3, 0, 1));
    m0 = f32x4.pmax(m0, v128.shuffle<f32>(m0, m0, 1, 0, 3, 2));
    let m = f32x4.extract_lane(m0, 0);
    for (; c < cols; c++) {
      const v = load<f32>(at(xr, c));
      if (v > m) m = v;
    }
    const vm = splat(m);
    // Pass 2: e^{x−max} (stored for softmax) and its sum.
    let sum: f64 = 0;
    c = 0;
    while (c + 16 <= cols) {
      const end = min(cols, c + BLOCK) - 16;
      let s0 = splat(0), s1 = s0, s2 = s0, s3 = s0;
      for (; c <= end; c += 16) {
        const p = at(xr, c), q = at(o, c);
        const e0 = expMinus4(v128.load(p), vm);
        const e1 = expMinus4(v128.load(p, 16), vm);
        const e2 = expMinus4(v128.load(p, 32), vm);
        const e3 = expMinus4(v128.load(p, 48), vm);
        if (!log) {
          v128.store(q, e0);
          v128.store(q, e1, 16);
          v128.store(q, e2, 32);
          v128.store(q, e3, 48);
        }
        s0 = f32x4.add(s0, e0);
        s1 = f32x4.add(s1, e1);
        s2 = f32x4.add(s2, e2);
        s3 = f32x4.add(s3, e3);
      }
      const s = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
      const d = f64x2.add(f64x2.promote_low_f32x4(s), f64x2.promote_low_f32x4(v128.shuffle<f32>(s, s, 2, 3, 0, 1)));
      sum += f64x2.extract_lane(d, 0) + f64x2.extract_lane(d, 1);
    }
    for (; c < cols; c++) {
      const e = f32x4.extract_lane(expMinus4(splat(load<f32>(at(xr, c))), vm), 0);
      if (!log) store<f32>(at(o, c), e);
      sum += <f64>e;
    }
    // Pass 3: scale by 1/Σ, or x − max − ln Σ.
    c = 0;
    if (log) {
      const shift = <f32>Math.log(sum);
      const vs = splat(shift);
      for (; c + 8 <= cols; c += 8) {
        const p = at(xr, c), q = at(o, c);
        v128.store(q, f32x4.sub(f32x4.sub(v128.load(p), vm), vs));
        v128.store(q, f32x4.sub(f32x4.sub(v128.load(p, 16), vm), vs), 16);
      }
      for (; c < cols; c++) store<f32>(at(o, c), (load<f32>(at(xr, c)) - m) - shift);
    } else {
      const scale = <f32>(1.0 / sum);
      const vs = splat(scale);
      for (; c + 8 <= cols; c += 8) {
        const q = at(o, c);
        v128.store(q, f32x4.mul(v128.load(q), vs));
        v128.store(q, f32x4.mul(v128.load(q, 16), vs), 16);
      }
      for (; c < cols; c++) store<f32>(at(o, c), load<f32>(at(o, c)) * scale);
    }
  }
}
