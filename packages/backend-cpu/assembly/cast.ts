// dtype conversions of contiguous rows, with exactly the JavaScript kernels' rules (core's
// scalar-math): float → int32 truncates toward zero, saturates at the int32 range and sends NaN and
// ±∞ to 0 (trunc_sat gives all of that except ±∞, which is masked to 0); anything → bool is
// `x ≠ 0` (NaN → true, −0 → false); int32 → float32 and float64 → float32 round to nearest even,
// as a Float32Array store does; widening conversions are exact.
// Every kernel: out[r, c] = convert(x[r·xRow + c]) over rows × cols, out contiguous, x rows `xRow`
// elements apart.
// @ts-nocheck  (AssemblyScript)

@inline function at4(base: usize, index: i32): usize { return base + <usize>(index << 2); }
@inline function at8(base: usize, index: i32): usize { return base + <usize>(index << 3); }

/** Four 32-bit masks (all ones / zero) → 16 bytes of 1 / 0. */
@inline function maskBytes(m0: v128, m1: v128, m2: v128, m3: v128): v128 {
  return v128.and(i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3)), i8x16.splat(1));
}

/** Lanes 0–1 of `a` then lanes 0–1 of `b` (joins two `…_zero` conversions of f64 pairs). */
@inline function joinLow(a: v128, b: v128): v128 { return v128.shuffle<i32>(a, b, 0, 1, 4, 5); }

/** float32 → int32. */
export function castF32ToI32(out: usize, x: usize, xRow: i32, rows: i32, cols: i32): void {
  const inf = f32x4.splat(Infinity);
  for (let r = 0; r < rows; r++) {
    const o = at4(out, r * cols), xr = at4(x, r * xRow);
    let c = 0;
    for (; c + 8 <= cols; c += 8) {
      const v = v128.load(at4(xr, c)), w = v128.load(at4(xr, c), 16);
      v128.store(at4(o, c), v128.andnot(i32x4.trunc_sat_f32x4_s(v), f32x4.eq(f32x4.abs(v), inf)));
      v128.store(at4(o, c), v128.andnot(i32x4.trunc_sat_f32x4_s(w), f32x4.eq(f32x4.abs(w), inf)), 16);
    }
    for (; c < cols; c++) {
      const v = load<f32>(at4(xr, c));
      store<i32>(at4(o, c), isFinite<f32>(v) ? i32x4.extract_lane(i32x4.trunc_sat_f32x4_s(f32x4.splat(v)), 0) : 0);
    }
  }
}

/** float64 → int32. */
export function castF64ToI32(out: usize, x: usize, xRow: i32, rows: i32, cols: i32): void {
  const inf = f64x2.splat(Infinity);
  for (let r = 0; r < rows; r++) {
    const o = at4(out, r * cols), xr = at8(x, r * xRow);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const v = v128.load(at8(xr, c)), w = v128.load(at8(xr, c), 16);
      const ints = joinLow(i32x4.trunc_sat_f64x2_s_zero(v), i32x4.trunc_sat_f64x2_s_zero(w));
      // 64-bit masks → their low 32-bit halves.
      const infinite = v128.shuffle<i32>(f64x2.eq(f64x2.abs(v), inf), f64x2.eq(f64x2.abs(w), inf), 0, 2, 4, 6);
      v128.store(at4(o, c), v128.andnot(ints, infinite));
    }
    for (; c < cols; c++) {
      const v = load<f64>(at8(xr, c));
      store<i32>(at4(o, c), isFinite<f64>(v) ? i32x4.extract_lane(i32x4.trunc_sat_f64x2_s_zero(f64x2.splat(v)), 0) : 0);
    }
  }
}

/** float32 → bool. */
export function castF32ToBool(out: usize, x: usize, xRow: i32, rows: i32, cols: i32): void {
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const o = out + <usize>(r * cols), xr = at4(x, r * xRow);
    let c = 0;
    for (; c + 16 <= cols; c += 16) {
      const p = at4(xr, c);
      const bytes = maskBytes(
        f32x4.ne(v128.load(p), zero), f32x4.ne(v128.load(p, 16), zero), f32x4.ne(v128.load(p, 32), zero), f32x4.ne(v128.load(p, 48), zero),
      );
      v128.store(o + <usize>c, bytes);
    }
    for (; c < cols; c++) store<u8>(o + <usize>c, load<f32>(at4(xr, c)) != 0 ? 1 : 0);
  }
}

/** int32 → bool. */
export function castI32ToBool(out: usize, x: usize, xRow: i32, rows: i32, cols: i32): void {
  const zero = i32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const o = out + <usize>(r * cols), xr = at4(x, r * xRow);
    let c = 0;
    for (; c + 16 <= cols; c += 16) {
      const p = at4(xr, c);
      const bytes = maskBytes(
        i32x4.ne(v128.load(p), zero), i32x4.ne(v128.load(p, 16), zero), i32x4.ne(v128.load(p, 32), zero), i32x4.ne(v128.load(p, 48), zero),
      );
      v128.store(o + <usize>c, bytes);
    }
    for (; c < cols; c++) store<u8>(o + <usize>c, load<i32>(at4(xr, c)) != 0 ? 1 : 0);
  }
}

/** float32 → float64 (exact). */
export function castF32ToF64(out: usize, x: usize, xRow: i32, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const o = at8(out, r * cols), xr = at4(x, r * xRow);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const v = v128.load(at4(xr, c));
      v128.store(at8(o, c), f64x2.promote_low_f32x4(v));
      v128.store(at8(o, c), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), 16);
    }
    for (; c < cols; c++) store<f64>(at8(o, c), <f64>load<f32>(at4(xr, c)));
  }
}

/** int32 → float64 (exact). */
export function castI32ToF64(out: usize, x: usize, xRow: i32, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const o = at8(out, r * cols), xr = at4(x, r * xRow);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const v = v128.load(at4(xr, c));
      v128.store(at8(o, c), f64x2.convert_low_i32x4_s(v));
      v128.store(at8(o, c), f64x2.convert_low_i32x4_s(v128.shuffle<i32>(v, v, 2, 3, 0, 1)), 16);
    }
    for (; c < cols; c++) store<f64>(at8(o, c), <f64>load<i32>(at4(xr, c)));
  }
}

/** int32 → float32 (round to nearest even). */
export function castI32ToF32(out: usize, x: usize, xRow: i32, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const o = at4(out, r * cols), xr = at4(x, r * xRow);
    let c = 0;
    for (; c + 8 <= cols; c += 8) {
      v128.store(at4(o, c), f32x4.convert_i32x4_s(v128.load(at4(xr, c))));
      v128.store(at4(o, c), f32x4.convert_i32x4_s(v128.load(at4(xr, c), 16)), 16);
    }
    for (; c < cols; c++) store<f32>(at4(o, c), <f32>load<i32>(at4(xr, c)));
  }
}

/** float64 → float32 (round to nearest even; NaN stays NaN, overflow → ±∞). */
export function castF64ToF32(out: usize, x: usize, xRow: i32, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const o = at4(out, r * cols), xr = at8(x, r * xRow);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const p = at8(xr, c);
      v128.store(at4(o, c), joinLow(f32x4.demote_f64x2_zero(v128.load(p)), f32x4.demote_f64x2_zero(v128.load(p, 16))));
    }
    for (; c < cols; c++) store<f32>(at4(o, c), <f32>load<f64>(at8(xr, c)));
  }
}

/** bool (bytes) → int32, or → float32 when `toFloat`. Bytes are zero-extended, as a Uint8Array reads them. */
@inline function widenBool(out: usize, x: usize, xRow: i32, rows: i32, cols: i32, toFloat: bool): void {
  for (let r = 0; r < rows; r++) {
    const o = at4(out, r * cols), xr = x + <usize>(r * xRow);
    let c = 0;
    for (; c + 8 <= cols; c += 8) {
      const halves = i16x8.extend_low_i8x16_u(v128.load64_zero(xr + <usize>c));
      const low = i32x4.extend_low_i16x8_u(halves), high = i32x4.extend_high_i16x8_u(halves);
      v128.store(at4(o, c), toFloat ? f32x4.convert_i32x4_s(low) : low);
      v128.store(at4(o, c), toFloat ? f32x4.convert_i32x4_s(high) : high, 16);
    }
    for (; c < cols; c++) {
      const v = <i32>load<u8>(xr + <usize>c);
      if (toFloat) store<f32>(at4(o, c), <f32>v);
      else store<i32>(at4(o, c), v);
    }
  }
}

/** bool → float32 (0 / 1). */
export function castBoolToF32(out: usize, x: usize, xRow: i32, rows: i32, cols: i32): void { widenBool(out, x, xRow, rows, cols, true); }

/** bool → int32 (0 / 1). */
export function castBoolToI32(out: usize, x: usize, xRow: i32, rows: i32, cols: i32): void { widenBool(out, x, xRow, rows, cols, false); }
