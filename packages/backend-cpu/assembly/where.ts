// where(cond, x, y) for 32-bit elements (float32 or int32: the select moves bits, so one kernel
// serves both) under a bool mask. The mask bytes are widened to 32-bit lanes and compared with 0,
// then v128.bitselect picks x or y — no branch per element, so random masks cost nothing extra.
// @ts-nocheck  (AssemblyScript)

@inline function at(base: usize, index: i32): usize { return base + <usize>(index << 2); }

/** Mask lanes 0–3 (high = false) or 4–7 (high = true) of 8 mask bytes widened to 16 bits, as all-ones / zero 32-bit lanes. */
@inline function maskLanes(bytes: v128, high: bool): v128 {
  const words = high ? i32x4.extend_high_i16x8_u(bytes) : i32x4.extend_low_i16x8_u(bytes);
  return v128.not(i32x4.eq(words, i32x4.splat(0)));
}

/**
 * out[r, c] = cond[r, c] ≠ 0 ? x[r, c] : y[r, c] over rows × cols (out contiguous). The inner strides
 * sc, sx, sy are 0 (broadcast) or 1; the row strides (elements, bytes for cond) are arbitrary.
 */
export function where32(
  out: usize, cond: usize, cRow: i32, sc: i32, x: usize, xRow: i32, sx: i32, y: usize, yRow: i32, sy: i32, rows: i32, cols: i32,
): void {
  for (let r = 0; r < rows; r++) {
    const o = at(out, r * cols), cr = cond + <usize>(r * cRow), xr = at(x, r * xRow), yr = at(y, r * yRow);
    let c = 0;
    if (sc == 0) {
      // One mask value for the whole row: copy or fill the chosen operand.
      const pick = load<u8>(cr) != 0;
      const src = pick ? xr : yr;
      const step = pick ? sx : sy;
      if (step == 1) memory.copy(o, src, <usize>(cols << 2));
      else {
        const v = v128.load32_splat(src);
        for (; c + 4 <= cols; c += 4) v128.store(at(o, c), v);
        for (; c < cols; c++) store<u32>(at(o, c), load<u32>(src));
      }
      continue;
    }
    if (sx == 1 && sy == 1) {
      for (; c + 8 <= cols; c += 8) {
        const bytes = i16x8.extend_low_i8x16_u(v128.load64_zero(cr + <usize>c));
        v128.store(at(o, c), v128.bitselect(v128.load(at(xr, c)), v128.load(at(yr, c)), maskLanes(bytes, false)));
        v128.store(at(o, c), v128.bitselect(v128.load(at(xr, c), 16), v128.load(at(yr, c), 16), maskLanes(bytes, true)), 16);
      }
    } else if (sx == 1) {
      const w = v128.load32_splat(yr);
      for (; c + 8 <= cols; c += 8) {
        const bytes = i16x8.extend_low_i8x16_u(v128.load64_zero(cr + <usize>c));
        v128.store(at(o, c), v128.bitselect(v128.load(at(xr, c)), w, maskLanes(bytes, false)));
        v128.store(at(o, c), v128.bitselect(v128.load(at(xr, c), 16), w, maskLanes(bytes, true)), 16);
      }
    } else if (sy == 1) {
      const v = v128.load32_splat(xr);
      for (; c + 8 <= cols; c += 8) {
        const bytes = i16x8.extend_low_i8x16_u(v128.load64_zero(cr + <usize>c));
        v128.store(at(o, c), v128.bitselect(v, v128.load(at(yr, c)), maskLanes(bytes, false)));
        v128.store(at(o, c), v128.bitselect(v, v128.load(at(yr, c), 16), maskLanes(bytes, true)), 16);
      }
    } else {
      const v = v128.load32_splat(xr), w = v128.load32_splat(yr);
      for (; c + 8 <= cols; c += 8) {
        const bytes = i16x8.extend_low_i8x16_u(v128.load64_zero(cr + <usize>c));
        v128.store(at(o, c), v128.bitselect(v, w, maskLanes(bytes, false)));
        v128.store(at(o, c), v128.bitselect(v, w, maskLanes(bytes, true)), 16);
      }
    }
    for (; c < cols; c++) {
      store<u32>(at(o, c), load<u8>(cr + <usize>c) != 0 ? load<u32>(at(xr, c * sx)) : load<u32>(at(yr, c * sy)));
    }
  }
}
