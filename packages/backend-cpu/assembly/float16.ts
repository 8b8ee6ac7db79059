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

/** Half bits (in the low 16 bits of each i32 lane) of four float32 lanes. */
@inline function narrow4(x: v128): v128 {
  const sign = v128.and(i32x4.shr_u(x, 16), i32x4.splat(0x8000));
  const mag = v128.and(x, i32x4.splat(0x7fffffff));
  // Normal: rebias (127 → 15), round the 13 dropped bits to nearest even.
  const odd = v128.and(i32x4.shr_u(mag, 13), i32x4.splat(1));
  let r = i32x4.shr_u(i32x4.add(i32x4.add(mag, i32x4.splat(0xfff - 0x38000000)), odd), 13);
  // Below 2⁻¹⁴: |x| + 0.5 rounds |x| to a multiple of 2⁻²⁴ (ties to even) — the count is the subnormal (1024 = 2⁻¹⁴).
  const sub = i32x4.sub(f32x4.add(mag, f32x4.splat(0.5)), i32x4.splat(0x3f000000));
  r = v128.bitselect(sub, r, i32x4.lt_s(mag, i32x4.splat(0x38800000)));
  // ≥ 65520 (65504 + half an ulp, a tie that goes to the even Infinity) and Infinity → Inf.
  r = v128.bitselect(i32x4.splat(0x7c00), r, i32x4.gt_s(mag, i32x4.splat(0x477fefff)));
  r = v128.or(r, sign);
  return v128.bitselect(i32x4.splat(0x7e00), r, i32x4.gt_s(mag, i32x4.splat(0x7f800000))); // NaN, unsigned
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
    const low = narrow4(v128.load(p)), high = narrow4(v128.load(p, 16));
    v128.store(out + (<usize>i << 1), i16x8.narrow_i32x4_u(low, high));
  }
  for (; i < n; i++) {
    const w = i32x4.splat(load<i32>(x + (<usize>i << 2)));
    store<u16>(out + (<usize>i << 1), <u16>i32x4.extract_lane(narrow4(w), 0));
  }
}
