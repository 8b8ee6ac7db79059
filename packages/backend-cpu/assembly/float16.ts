// float16 (IEEE binary16 bit patterns) ↔ float32 conversion, eight lanes at a time with integer
// SIMD — WebAssembly has no half-precision instructions. Bit-identical to core's
// float16BitsToFloat32 (exact; NaN payloads kept) and float32ToFloat16Bits (round to nearest even,
// subnormals, overflow → ±Inf, every NaN → the quiet NaN 0x7e00).
// @ts-nocheck  (AssemblyScript)

/** float32 bits of four halves (in the low 16 bits of each i32 lane). */
@inline function widen4(h: v128): v128 {
  const sign = i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16);
  const em = v128.and(h, i32x4.splat(0x7fff));
  // Normal: rebias the exponent (15 → 127); Inf/NaN (exponent 31) rebias to 255 instead.
  let r = i32x4.add(i32x4.shl(em, 13), i32x4.splat(0x38000000));
  r = i32x4.add(r, v128.and(i32x4.gt_s(em, i32x4.splat(0x7bff)), i32x4.splat(0x38000000)));
  // Zero and subnormal: em · 2⁻²⁴, exact in float32.
  const tiny = f32x4.mul(f32x4.convert_i32x4_s(em), f32x4.splat(5.9604644775390625e-8));
  r = v128.bitselect(tiny, r, i32x4.lt_s(em, i32x4.splat(0x400)));
  return v128.or(r, sign);
}

/** Half magnitudes (low 16 bits of each i32 lane) of four float32 lanes, and the NaN mask (XNNPACK's trick).
 * Adding 2^(e+15) (at least 2) to 4·|x| makes the float adder round |x| to half precision, ties to even,
 * normal and subnormal alike; the sum's exponent (mod 32) and low 12 bits then add up to the half's bits,
 * a carry included (65520 and up round to Inf; |x| ≥ 2¹⁶ overflows to Inf in the ·2¹¹² scaling). */
@inline function narrowMagnitude4(x: v128): v128 {
  const a = v128.and(x, i32x4.splat(0x7fffffff));
  let bias = v128.and(i32x4.add(a, i32x4.splat(0x07800000)), i32x4.splat(0x7f800000));
  bias = i32x4.max_s(bias, i32x4.splat(0x40000000));
  const f = f32x4.add(f32x4.mul(f32x4.mul(a, f32x4.splat(5.192296858534828e33)), f32x4.splat(7.703719777548943e-34)), bias);
  return i32x4.add(v128.and(i32x4.shr_u(f, 13), i32x4.splat(0x7c00)), v128.and(f, i32x4.splat(0x0fff)));
}

/** Half bits of eight float32 lanes (two vectors): sign | magnitude, and every NaN → 0x7e00. */
@inline function narrow8(low: v128, high: v128): v128 {
  const magnitude = i16x8.narrow_i32x4_u(narrowMagnitude4(low), narrowMagnitude4(high));
  const nan = i16x8.narrow_i32x4_s(
    i32x4.gt_s(v128.and(low, i32x4.splat(0x7fffffff)), i32x4.splat(0x7f800000)),
    i32x4.gt_s(v128.and(high, i32x4.splat(0x7fffffff)), i32x4.splat(0x7f800000)),
  );
  const sign = i16x8.narrow_i32x4_s(i32x4.shr_s(low, 16), i32x4.shr_s(high, 16)); // 0x8000 or ≥ 0
  const signed = v128.or(magnitude, v128.and(sign, i16x8.splat(<i16>0x8000)));
  return v128.bitselect(i16x8.splat(0x7e00), signed, nan);
}

/** Half bits (in the low 16 bits of each i32 lane) of four float32 lanes. */
@inline function narrow4(x: v128): v128 {
  return i32x4.extend_low_i16x8_u(narrow8(x, x));
}

/** out[i] (float32) = the value of the binary16 bits x[i] (uint16), for i < n. */
export function widenF16(out: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const h = v128.load(x + (<usize>i << 1));
    const o = out + (<usize>i << 2);
    v128.store(o, widen4(i32x4.extend_low_i16x8_u(h)));
    v128.store(o, widen4(i32x4.extend_high_i16x8_u(h)), 16);
  }
  for (; i < n; i++) {
    const h = i32x4.splat(<i32>load<u16>(x + (<usize>i << 1)));
    store<i32>(out + (<usize>i << 2), i32x4.extract_lane(widen4(h), 0));
  }
}

/** out[i] (uint16) = float32 x[i] rounded to binary16 bits, for i < n. */
export function narrowF16(out: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = x + (<usize>i << 2);
    v128.store(out + (<usize>i << 1), narrow8(v128.load(p), v128.load(p, 16)));
  }
  for (; i < n; i++) {
    const w = i32x4.splat(load<i32>(x + (<usize>i << 2)));
    store<u16>(out + (<usize>i << 1), <u16>i32x4.extract_lane(narrow4(w), 0));
  }
}

// ---- fused float16 element-wise ops: widen, the float32 op, round — no float32 temporaries ----

@inline function apply(op: i32, a: v128, b: v128): v128 {
  if (op == 0) return f32x4.add(a, b);
  if (op == 1) return f32x4.sub(a, b);
  if (op == 2) return f32x4.mul(a, b);
  if (op == 3) return f32x4.div(a, b);
  if (op == 4) return f32x4.max(a, b); // as binary_maximum: NaN propagates
  return f32x4.min(a, b);
}

/** out[i] = round(widen(x[i]) op widen(y[i])) for i < n: the float32 SIMD op's result rounded once. */
@inline function binaryF16(op: i32, out: usize, x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const at = <usize>i << 1;
    const hx = v128.load(x + at), hy = v128.load(y + at);
    const low = apply(op, widen4(i32x4.extend_low_i16x8_u(hx)), widen4(i32x4.extend_low_i16x8_u(hy)));
    const high = apply(op, widen4(i32x4.extend_high_i16x8_u(hx)), widen4(i32x4.extend_high_i16x8_u(hy)));
    v128.store(out + at, narrow8(low, high));
  }
  for (; i < n; i++) {
    const at = <usize>i << 1;
    const a = widen4(i32x4.splat(<i32>load<u16>(x + at))), b = widen4(i32x4.splat(<i32>load<u16>(y + at)));
    store<u16>(out + at, <u16>i32x4.extract_lane(narrow4(apply(op, a, b)), 0));
  }
}

/** float16 x + y over n contiguous elements (see binaryF16). */
export function binaryF16_add(out: usize, x: usize, y: usize, n: i32): void { binaryF16(0, out, x, y, n); }
/** float16 x − y. */
export function binaryF16_sub(out: usize, x: usize, y: usize, n: i32): void { binaryF16(1, out, x, y, n); }
/** float16 x · y. */
export function binaryF16_mul(out: usize, x: usize, y: usize, n: i32): void { binaryF16(2, out, x, y, n); }
/** float16 x / y. */
export function binaryF16_div(out: usize, x: usize, y: usize, n: i32): void { binaryF16(3, out, x, y, n); }
/** float16 maximum(x, y). */
export function binaryF16_maximum(out: usize, x: usize, y: usize, n: i32): void { binaryF16(4, out, x, y, n); }
/** float16 minimum(x, y). */
export function binaryF16_minimum(out: usize, x: usize, y: usize, n: i32): void { binaryF16(5, out, x, y, n); }
