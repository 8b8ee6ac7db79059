// Vectorised float32 transcendental functions (exp, log, tanh, sigmoid); row softmax is softmax-rows.ts.
// Cephes-style: range reduction + minimax polynomial, ~1–2 ulp over the float32 range; NaN, ±∞,
// ±0, denormals and overflow behave as Math.exp/log/tanh rounded to float32 (denormal results may
// differ by an ulp of the smallest denormal).
// @ts-nocheck  (AssemblyScript)

@inline function splat(value: f32): v128 { return f32x4.splat(value); }

/** e^x per lane. x is clamped to [-110, 89] (results there are 0 and +∞ anyway), n = round(x·log2 e),
 * r = x − n·ln2 (two-constant Cody–Waite), e^r by a degree-7 polynomial, times 2^n applied as two
 * exact power-of-two factors so that denormal and infinite results come out right. NaN propagates. */
@inline export function exp4(x: v128): v128 { return expLow4(x, f32x4.splat(0)); }

/** e^(x + low) per lane for a small correction `low` (the rounding error of x, see expDiff4). */
@inline function expLow4(x: v128, low: v128): v128 {
  x = f32x4.max(f32x4.min(x, splat(89.0)), splat(-110.0));
  const fn = f32x4.nearest(f32x4.mul(x, splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(fn, splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fn, splat(-2.12194440e-4)));
  r = f32x4.add(r, low);
  const z = f32x4.mul(r, r);
  let p = splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, z), r), splat(1.0));
  const n = i32x4.trunc_sat_f32x4_s(fn); // NaN → 0; p is NaN already
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** ln x per lane: x = 2^e · m with m in [√½, √2), ln x = e·ln2 + ln(1 + (m − 1)) by a polynomial.
 * Denormals are scaled by 2^23 first. x < 0 or NaN → NaN, ±0 → −∞, +∞ → +∞. */
@inline export function log4(x: v128): v128 {
  const denormal = f32x4.lt(x, splat(1.17549435e-38));
  const scaled = v128.bitselect(f32x4.mul(x, splat(8388608.0)), x, denormal);
  let e = i32x4.sub(i32x4.shr_u(scaled, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(denormal, i32x4.splat(23)));
  let m = v128.or(v128.and(scaled, i32x4.splat(0x7fffff)), i32x4.splat(0x3f000000)); // [0.5, 1)
  const small = f32x4.lt(m, splat(0.707106781186547524));
  e = i32x4.add(e, small); // small lanes are −1
  m = f32x4.sub(f32x4.add(m, v128.and(m, small)), splat(1.0));
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let p = splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, m), splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, m), splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, m), splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, m), splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, m), splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, m), splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, m), splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, m), splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = f32x4.add(y, f32x4.mul(fe, splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, splat(0.5)));
  let result = f32x4.add(f32x4.add(m, y), f32x4.mul(fe, splat(0.693359375)));
  // Specials: +∞ → +∞, ±0 → −∞, x < 0 or NaN → NaN.
  result = v128.bitselect(x, result, f32x4.eq(x, splat(Infinity)));
  result = v128.bitselect(splat(-Infinity), result, f32x4.eq(x, splat(0)));
  const bad = v128.not(f32x4.ge(x, splat(0))); // negative or NaN
  return v128.bitselect(splat(NaN), result, bad);
}

/** tanh per lane: |x| < 0.625 by Cephes' odd polynomial, else sign(x)·(1 − 2/(e^{2|x|} + 1)). */
@inline export function tanh4(x: v128): v128 {
  const a = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), a), a);
  const e = exp4(f32x4.add(a, a));
  const large = f32x4.sub(splat(1.0), f32x4.div(splat(2.0), f32x4.add(e, splat(1.0))));
  // tanh(|x|) ≥ 0 (NaN: a < 0.625 is false and large is NaN), then x's sign (so −0 → −0).
  const magnitude = v128.bitselect(small, large, f32x4.lt(a, splat(0.625)));
  return v128.or(magnitude, v128.and(x, i32x4.splat(0x80000000)));
}

/** With e = e^{−|x|}: 1/(1 + e) for x ≥ 0, e/(1 + e) for x < 0 — never overflows, keeps tiny results;
 * −∞ → 0, +∞ → 1, NaN → NaN. */
@inline export function sigmoid4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const numerator = v128.bitselect(e, splat(1.0), f32x4.lt(x, splat(0)));
  return f32x4.div(numerator, f32x4.add(splat(1.0), e));
}

/** e^(x − m) per lane, with x − m's float32 rounding error (TwoSum) fed into the reduction. */
@inline export function expDiff4(x: v128, m: v128): v128 {
  const d = f32x4.sub(x, m);
  const b = f32x4.sub(d, x);
  let low = f32x4.add(f32x4.sub(x, f32x4.sub(d, b)), f32x4.neg(f32x4.add(m, b)));
  low = v128.and(low, f32x4.eq(low, low)); // ±∞ operands: no correction
  return expLow4(d, low);
}
