// gather / scatterAdd rows for 32-bit elements (the im2col / col2im steps of core's conv2d gradient).
// One call handles one row: `n` positions with a step per operand (elements, may be 0 or negative).
// Returns -1 on success, else the row position whose index is out of [0, extent) (nothing after it is written).

// @ts-nocheck  (AssemblyScript)

/** out[k] = x[k·sx + index[k·si]·axisStride] for k < n (32-bit copy: float32 or int32). */
export function gatherRow32(out: usize, x: usize, sx: i32, index: usize, si: i32, axisStride: i32, extent: i32, n: i32): i32 {
  for (let k = 0; k < n; k++) {
    const at = load<i32>(index + <usize>((k * si) << 2));
    if (<u32>at >= <u32>extent) return k;
    store<u32>(out + <usize>(k << 2), load<u32>(x + <usize>((k * sx + at * axisStride) << 2)));
  }
  return -1;
}

/** target[k·st + index[k·si]·axisStride] += src[k·ss] for k < n (float32). */
export function scatterAddRowF32(target: usize, st: i32, index: usize, si: i32, src: usize, ss: i32, axisStride: i32, extent: i32, n: i32): i32 {
  for (let k = 0; k < n; k++) {
    const at = load<i32>(index + <usize>((k * si) << 2));
    if (<u32>at >= <u32>extent) return k;
    const p = target + <usize>((k * st + at * axisStride) << 2);
    store<f32>(p, load<f32>(p) + load<f32>(src + <usize>((k * ss) << 2)));
  }
  return -1;
}

/**
 * gatherRow32 over `rows` rows (row r: out + r·oRow, x + r·xRow, index + r·iRow elements), so a block of
 * rows is one call (one worker chunk). An index that does not change along the row (si = 0, e.g. an
 * embedding lookup) is checked once and, over a contiguous row of x, copied with memory.copy.
 * On an out-of-range index stores its flat position r·n + k at `status` and stops.
 */
export function gatherRows32(
  out: usize, oRow: i32, x: usize, xRow: i32, sx: i32, index: usize, iRow: i32, si: i32, axisStride: i32, extent: i32, rows: i32, n: i32,
  status: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const o = out + <usize>((r * oRow) << 2), xr = x + <usize>((r * xRow) << 2), ir = index + <usize>((r * iRow) << 2);
    if (si == 0 && n > 0) {
      const at = load<i32>(ir);
      if (<u32>at >= <u32>extent) {
        store<i32>(status, r * n);
        return;
      }
      const src = xr + <usize>((at * axisStride) << 2);
      if (sx == 1) memory.copy(o, src, <usize>(n << 2));
      else for (let k = 0; k < n; k++) store<u32>(o + <usize>(k << 2), load<u32>(src + <usize>((k * sx) << 2)));
      continue;
    }
    let bad = -1;
    if (si == 1 && sx == 0) {
      // The row runs along the axis (im2col: indexSelect over a plane): a plain table lookup.
      for (let k = 0; k < n; k++) {
        const at = load<i32>(ir + <usize>(k << 2));
        if (<u32>at >= <u32>extent) {
          bad = k;
          break;
        }
        store<u32>(o + <usize>(k << 2), load<u32>(xr + <usize>((at * axisStride) << 2)));
      }
    } else {
      bad = gatherRow32(o, xr, sx, ir, si, axisStride, extent, n);
    }
    if (bad >= 0) {
      store<i32>(status, r * n + bad);
      return;
    }
  }
}

/**
 * scatterAddRowF32 over `rows` rows (row r: target + r·tRow, index + r·iRow, src + r·sRow elements).
 * Rows must not share target elements when chunks run in parallel (the caller splits accordingly).
 * On an out-of-range index stores its flat position r·n + k at `status` and stops.
 */
export function scatterAddRowsF32(
  target: usize, tRow: i32, st: i32, index: usize, iRow: i32, si: i32, src: usize, sRow: i32, ss: i32,
  axisStride: i32, extent: i32, rows: i32, n: i32, status: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const t = target + <usize>((r * tRow) << 2), ir = index + <usize>((r * iRow) << 2), sr = src + <usize>((r * sRow) << 2);
    let bad = -1;
    if (st == 0 && si == 1 && ss == 1) {
      // The row runs along the axis (maxPool2d's backward, col2im): one target row, contiguous index and src.
      for (let k = 0; k < n; k++) {
        const at = load<i32>(ir + <usize>(k << 2));
        if (<u32>at >= <u32>extent) {
          bad = k;
          break;
        }
        const p = t + <usize>((at * axisStride) << 2);
        store<f32>(p, load<f32>(p) + load<f32>(sr + <usize>(k << 2)));
      }
    } else {
      bad = scatterAddRowF32(t, st, ir, si, sr, ss, axisStride, extent, n);
    }
    if (bad >= 0) {
      store<i32>(status, r * n + bad);
      return;
    }
  }
}
