// Inclusive cumulative sums of contiguous float32 and int32 data, in the JavaScript kernel's order:
// each line is summed strictly front to back, float32 in a float64 running sum rounded on every store
// (so results are bit-identical to the JS kernel), int32 with wrapping adds.
// Lines along the last axis are sequential by nature; four are interleaved so the four add chains
// overlap. Lines along another axis run across the contiguous inner dim in vectors.
// @ts-nocheck  (AssemblyScript)

@inline function at(base: usize, index: i32): usize { return base + <usize>(index << 2); }

/** out[r, c] = Σ_{k ≤ c} x[r, k] for `rows` contiguous rows of `cols` float32 (float64 running sums). */
export function cumsumRowsF32(out: usize, x: usize, rows: i32, cols: i32): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = at(x, r * cols), x1 = at(x0, cols), x2 = at(x1, cols), x3 = at(x2, cols);
    const o0 = at(out, r * cols), o1 = at(o0, cols), o2 = at(o1, cols), o3 = at(o2, cols);
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (let c = 0; c < cols; c++) {
      s0 += <f64>load<f32>(at(x0, c));
      s1 += <f64>load<f32>(at(x1, c));
      s2 += <f64>load<f32>(at(x2, c));
      s3 += <f64>load<f32>(at(x3, c));
      store<f32>(at(o0, c), <f32>s0);
      store<f32>(at(o1, c), <f32>s1);
      store<f32>(at(o2, c), <f32>s2);
      store<f32>(at(o3, c), <f32>s3);
    }
  }
  for (; r < rows; r++) {
    const xr = at(x, r * cols), o = at(out, r * cols);
    let s: f64 = 0;
    for (let c = 0; c < cols; c++) {
      s += <f64>load<f32>(at(xr, c));
      store<f32>(at(o, c), <f32>s);
    }
  }
}

/** int32 version of {@link cumsumRowsF32} (wrapping). */
export function cumsumRowsI32(out: usize, x: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), o = at(out, r * cols);
    let s: i32 = 0;
    for (let c = 0; c < cols; c++) {
      s += load<i32>(at(xr, c));
      store<i32>(at(o, c), s);
    }
  }
}

/**
 * Cumulative sums along the middle dim of contiguous [outer, extent, inner] float32 data, for the
 * inner columns [c0, c1): out[o, k, c] = Σ_{j ≤ k} x[o, j, c]. The float64 running sums of the
 * columns live in `acc` (c1 − c0 doubles), so each step streams one row.
 */
export function cumsumColsF32(out: usize, x: usize, outer: i32, extent: i32, inner: i32, c0: i32, c1: i32, acc: usize): void {
  const width = c1 - c0;
  for (let o = 0; o < outer; o++) {
    memory.fill(acc, 0, <usize>(width << 3));
    for (let k = 0; k < extent; k++) {
      const row = (o * extent + k) * inner + c0;
      const xr = at(x, row), orow = at(out, row);
      let c = 0;
      for (; c + 4 <= width; c += 4) {
        const v = v128.load(at(xr, c));
        const p = acc + <usize>(c << 3);
        const low = f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v));
        const high = f64x2.add(v128.load(p, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
        v128.store(p, low);
        v128.store(p, high, 16);
        v128.store(at(orow, c), v128.shuffle<f32>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5));
      }
      for (; c < width; c++) {
        const p = acc + <usize>(c << 3);
        const s = load<f64>(p) + <f64>load<f32>(at(xr, c));
        store<f64>(p, s);
        store<f32>(at(orow, c), <f32>s);
      }
    }
  }
}

/** int32 version of {@link cumsumColsF32}: the running sums are the previous output row, so no scratch. */
export function cumsumColsI32(out: usize, x: usize, outer: i32, extent: i32, inner: i32, c0: i32, c1: i32): void {
  const width = c1 - c0;
  for (let o = 0; o < outer; o++) {
    const first = o * extent * inner + c0;
    memory.copy(at(out, first), at(x, first), <usize>(width << 2));
    for (let k = 1; k < extent; k++) {
      const row = (o * extent + k) * inner + c0;
      const xr = at(x, row), orow = at(out, row), prev = at(out, row - inner);
      let c = 0;
      for (; c + 4 <= width; c += 4) v128.store(at(orow, c), i32x4.add(v128.load(at(prev, c)), v128.load(at(xr, c))));
      for (; c < width; c++) store<i32>(at(orow, c), load<i32>(at(prev, c)) + load<i32>(at(xr, c)));
    }
  }
}
