/**
 * WGSL ports of core's scalar semantics (`backend/scalar-math.ts`) with explicit IEEE edge cases:
 * WGSL leaves overflow, NaN and ∞ results of built-ins implementation-defined, and some drivers'
 * sin/cos/tanh are too coarse for the conformance tolerances, so those are written out here
 * (Cephes-style range reduction and polynomials, Cody's erf).
 */
export const MATH_HELPERS = `
fn expF32(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  if (x > 88.72284) { return infF32(); }
  if (x < -103.97208) { return 0.0; }
  return exp(x);
}
fn logF32(x: f32) -> f32 {
  if (isNan(x) || x < 0.0) { return nanF32(); }
  if (x == 0.0) { return -infF32(); }
  if (isInf(x)) { return x; }
  return log(x);
}
fn sqrtF32(x: f32) -> f32 {
  if (isNan(x) || x < 0.0) { return nanF32(); }
  if (isInf(x) || x == 0.0) { return x; }
  return sqrt(x);
}
fn rsqrtF32(x: f32) -> f32 {
  if (isNan(x) || x < 0.0) { return nanF32(); }
  // IEEE: 1/√(±0) = ±∞ (a float16 input as small as -1e-30 is -0).
  if (x == 0.0) { return select(infF32(), -infF32(), (bitcast<u32>(x) & 0x80000000u) != 0u); }
  if (isInf(x)) { return 0.0; }
  return 1.0 / sqrt(x);
}
fn sinPoly(x: f32, z: f32) -> f32 { return ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * x + x; }
fn cosPoly(z: f32) -> f32 { return ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0; }
// Cephes sinf/cosf: reduce by multiples of pi/4 with a three-part constant, then a polynomial.
fn sinCosF32(value: f32, wantCos: bool) -> f32 {
  if (isNan(value) || isInf(value)) { return nanF32(); }
  var x = abs(value);
  var negate = !wantCos && value < 0.0;
  var j = u32(x * 1.27323954473516);
  var y = f32(j);
  if ((j & 1u) == 1u) { j = j + 1u; y = y + 1.0; }
  j = j & 7u;
  if (j > 3u) { j = j - 4u; negate = !negate; }
  if (wantCos && j > 1u) { negate = !negate; }
  x = ((x - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8;
  let z = x * x;
  let useCos = (j == 1u || j == 2u) != wantCos;
  var r = select(sinPoly(x, z), cosPoly(z), useCos);
  if (negate) { r = -r; }
  return r;
}
fn sinF32(x: f32) -> f32 { return sinCosF32(x, false); }
fn cosF32(x: f32) -> f32 { return sinCosF32(x, true); }
fn tanhF32(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  let a = abs(x);
  if (a < 0.625) {
    let z = x * x;
    return ((((-5.70498872745e-3 * z + 2.06390887954e-2) * z - 5.37397155531e-2) * z + 1.33314422036e-1) * z - 3.33332819422e-1) * z * x + x;
  }
  if (a > 44.0) { return sign(x); }
  let r = 1.0 - 2.0 / (exp(2.0 * a) + 1.0);
  return select(r, -r, x < 0.0);
}
fn sigmoidF32(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + expF32(-x)); }
  let e = expF32(x);
  return e / (1.0 + e);
}
fn expMinusSquare(y: f32) -> f32 {
  let approx = trunc(y * 16.0) / 16.0;
  let remainder = (y - approx) * (y + approx);
  return exp(-approx * approx) * exp(-remainder);
}
// W. J. Cody's rational approximations, as core's erf.
fn erfF32(x: f32) -> f32 {
  if (isNan(x)) { return x; }
  let y = abs(x);
  if (y <= 0.46875) {
    let s = select(0.0, y * y, y > 1.11e-16);
    var num = 0.18577770618460315 * s;
    var den = s;
    num = (num + 3.1611237438705655) * s; den = (den + 23.601290952344122) * s;
    num = (num + 113.86415415105016) * s; den = (den + 244.02463793444417) * s;
    num = (num + 377.485237685302) * s; den = (den + 1282.6165260773723) * s;
    return x * (num + 3209.3775891384694) / (den + 2844.236833439171);
  }
  var complement: f32;
  if (y <= 4.0) {
    var num = 2.1531153547440383e-8 * y;
    var den = y;
    num = (num + 0.5641884969886701) * y; den = (den + 15.744926110709835) * y;
    num = (num + 8.883149794388377) * y; den = (den + 117.6939508913125) * y;
    num = (num + 66.11919063714163) * y; den = (den + 537.1811018620099) * y;
    num = (num + 298.6351381974001) * y; den = (den + 1621.3895745666903) * y;
    num = (num + 881.952221241769) * y; den = (den + 3290.7992357334597) * y;
    num = (num + 1712.0476126340707) * y; den = (den + 4362.619090143247) * y;
    num = (num + 2051.0783778260716) * y; den = (den + 3439.3676741437216) * y;
    complement = (num + 1230.3393547979972) / (den + 1230.3393548037495) * expMinusSquare(y);
  } else if (y >= 10.0) {
    complement = 0.0;
  } else {
    let inv = 1.0 / (y * y);
    var num = 0.016315387137302097 * inv;
    var den = inv;
    num = (num + 0.30532663496123236) * inv; den = (den + 2.568520192289822) * inv;
    num = (num + 0.36034489994980445) * inv; den = (den + 1.8729528499234604) * inv;
    num = (num + 0.12578172611122926) * inv; den = (den + 0.5279051029514285) * inv;
    num = (num + 0.016083785148742275) * inv; den = (den + 0.06051834131244132) * inv;
    let tail = inv * (num + 0.0006587491615298378) / (den + 0.0023352049762686918);
    complement = (0.5641895835477563 - tail) / y * expMinusSquare(y);
  }
  let result = 0.5 - complement + 0.5;
  return select(result, -result, x < 0.0);
}
fn powF32(x: f32, y: f32) -> f32 {
  if (y == 0.0 || x == 1.0) { return 1.0; }
  if (isNan(x) || isNan(y)) { return nanF32(); }
  let ax = abs(x);
  let yInteger = floor(y) == y;
  let yOdd = yInteger && abs(y) < 16777216.0 && (abs(i32(y)) & 1) == 1;
  var r: f32;
  if (isInf(y)) {
    if (ax == 1.0) { return 1.0; }
    r = select(0.0, infF32(), (ax > 1.0) == (y > 0.0));
    return r;
  }
  if (ax == 0.0) {
    r = select(infF32(), 0.0, y > 0.0);
  } else if (isInf(ax)) {
    r = select(0.0, infF32(), y > 0.0);
  } else {
    let p = y * log2(ax);
    if (p > 128.0) { r = infF32(); } else if (p < -150.0) { r = 0.0; } else { r = exp2(p); }
  }
  if (x < 0.0) {
    if (!yInteger) { return nanF32(); }
    if (yOdd) { r = -r; }
  } else if (yOdd && (bitcast<u32>(x) & 0x80000000u) != 0u) {
    r = -r;
  }
  return r;
}
fn powI32(base: i32, exponent: i32) -> i32 {
  if (exponent < 0) {
    if (base == 1) { return 1; }
    if (base == -1) { return select(-1, 1, (exponent & 1) == 0); }
    return 0;
  }
  var result = 1;
  var factor = base;
  var remaining = u32(exponent);
  loop {
    if (remaining == 0u) { break; }
    if ((remaining & 1u) == 1u) { result = result * factor; }
    factor = factor * factor;
    remaining = remaining >> 1u;
  }
  return result;
}
fn floatToInt32(x: f32) -> i32 {
  if (isNan(x) || isInf(x)) { return 0; }
  if (x >= 2147483648.0) { return 2147483647; }
  if (x <= -2147483648.0) { return bitcast<i32>(0x80000000u); }
  return i32(x);
}
`;
