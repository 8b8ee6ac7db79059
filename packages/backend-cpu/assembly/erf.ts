// The error function on f32x4 lanes, within 2e-7 relative of the float64 erf over the whole float32
// range (checked densely against core's float64 `erf` in test/simd-rest.test.ts). Two polynomials,
// both fitted (weighted least squares on Chebyshev nodes, iterated towards minimax) in float64 and
// rounded to float32:
//   |x| < 1:      erf(x) = x · P(x²), P of degree 5 (erf(x)/x, max relative error 1.6e-8);
//   1 ≤ |x| < 4:  erf(x) = 1 − e^(−x²) · Q(|x|), Q of degree 7 approximating e^(x²)·erfc(x)
//                 (max absolute error 2.3e-8 of the result);
//   |x| ≥ 4:      ±1 (erf(3.92) already rounds to 1 in float32).
// Both branches run on every lane and one is selected, so there is no branch per element.
// NaN → NaN, ±0 → ±0, ±∞ → ±1, denormals → x · 2/√π (as the float64 result rounded).
// @ts-nocheck  (AssemblyScript)
import { exp4 } from './transcendental';

@inline function splat(value: f32): v128 { return f32x4.splat(value); }

/** erf per lane (see the file comment for the method and its accuracy). */
@inline export function erf4(x: v128): v128 {
  const a = f32x4.abs(x);
  // |x| < 1: x · P(x²).
  const s = f32x4.mul(x, x);
  let p = splat(-0.0005631420644931495);
  p = f32x4.add(f32x4.mul(p, s), splat(0.004917550832033157));
  p = f32x4.add(f32x4.mul(p, s), splat(-0.02671131119132042));
  p = f32x4.add(f32x4.mul(p, s), splat(0.11280179768800735));
  p = f32x4.add(f32x4.mul(p, s), splat(-0.37612324953079224));
  p = f32x4.add(f32x4.mul(p, s), splat(1.1283791065216064));
  const small = f32x4.mul(x, p);
  // 1 ≤ |x|: 1 − e^(−b²)·Q(b) with b = min(|x|, 4); NaN stays NaN through min, exp and the product.
  const b = f32x4.min(a, splat(4.0));
  let q = splat(-0.0003888416395056993);
  q = f32x4.add(f32x4.mul(q, b), splat(0.006004690658301115));
  q = f32x4.add(f32x4.mul(q, b), splat(-0.04099631682038307));
  q = f32x4.add(f32x4.mul(q, b), splat(0.16412940621376038));
  q = f32x4.add(f32x4.mul(q, b), splat(-0.43167397379875183));
  q = f32x4.add(f32x4.mul(q, b), splat(0.7925904393196106));
  q = f32x4.add(f32x4.mul(q, b), splat(-1.0482088327407837));
  q = f32x4.add(f32x4.mul(q, b), splat(0.9861269593238831));
  const e = exp4(f32x4.neg(f32x4.mul(b, b)));
  const magnitude = f32x4.sub(splat(1.0), f32x4.mul(e, q));
  const large = v128.or(magnitude, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, large, f32x4.lt(a, splat(1.0)));
}
