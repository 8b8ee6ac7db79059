// Float32 reductions and im2col in WebAssembly SIMD (layer normalisation: assembly/layer-norm.ts).
// Sums accumulate in float64 (f64x2 lanes), like the plain JS kernels, so long reductions keep
// float64 accuracy; max/min use f32x4.max/min, which propagate NaN as the contract requires.

// @ts-nocheck  (AssemblyScript)

@inline function at(base: usize, index: i32): usize {
  return base + <usize>(index << 2);
}

@inline function sumRow(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const v = v128.load(at(x, i));
    const w = v128.load(at(x, i), 16);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
    s2 = f64x2.add(s2, f64x2.promote_low_f32x4(w));
    s3 = f64x2.add(s3, f64x2.promote_low_f32x4(v128.shuffle<f32>(w, w, 2, 3, 0, 1)));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) total += <f64>load<f32>(at(x, i));
  return total;
}

/** out[r] = Σ_c x[r·cols + c] (float64 accumulation, rounded once). */
export function sumRows(x: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) store<f32>(at(out, r), <f32>sumRow(at(x, r * cols), cols));
}

/** out[c] = Σ_r x[r·cols + c], accumulated in the float64 scratch `acc` (cols doubles). */
export function sumCols(x: usize, rows: i32, cols: i32, out: usize, acc: usize): void {
  memory.fill(acc, 0, <usize>(cols << 3));
  for (let r = 0; r < rows; r++) {
    const row = at(x, r * cols);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const v = v128.load(at(row, c));
      const p = acc + <usize>(c << 3);
      v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v)));
      v128.store(p, f64x2.add(v128.load(p, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1))), 16);
    }
    for (; c < cols; c++) {
      const p = acc + <usize>(c << 3);
      store<f64>(p, load<f64>(p) + <f64>load<f32>(at(row, c)));
    }
  }
  for (let c = 0; c < cols; c++) store<f32>(at(out, c), <f32>load<f64>(acc + <usize>(c << 3)));
}

/** out[r] = max (isMax) or min over each row; NaN propagates. Rows must be non-empty. */
export function extremeRows(x: usize, rows: i32, cols: i32, out: usize, isMax: bool): void {
  for (let r = 0; r < rows; r++) {
    const row = at(x, r * cols);
    let best = f32x4.splat(load<f32>(row));
    let best2 = best;
    let c = 0;
    if (isMax) {
      for (; c + 8 <= cols; c += 8) {
        best = f32x4.max(best, v128.load(at(row, c)));
        best2 = f32x4.max(best2, v128.load(at(row, c), 16));
      }
      best = f32x4.max(best, best2);
      let m = max(max(f32x4.extract_lane(best, 0), f32x4.extract_lane(best, 1)), max(f32x4.extract_lane(best, 2), f32x4.extract_lane(best, 3)));
      for (; c < cols; c++) m = max(m, load<f32>(at(row, c)));
      store<f32>(at(out, r), m);
    } else {
      for (; c + 8 <= cols; c += 8) {
        best = f32x4.min(best, v128.load(at(row, c)));
        best2 = f32x4.min(best2, v128.load(at(row, c), 16));
      }
      best = f32x4.min(best, best2);
      let m = min(min(f32x4.extract_lane(best, 0), f32x4.extract_lane(best, 1)), min(f32x4.extract_lane(best, 2), f32x4.extract_lane(best, 3)));
      for (; c < cols; c++) m = min(m, load<f32>(at(row, c)));
      store<f32>(at(out, r), m);
    }
  }
}

/**
 * im2col of one contiguous [C, H, W] image into columns [C·KH·KW, OH·OW] (zero padding).
 */
export function im2col(
  x: usize, channels: i32, height: i32, width: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  ph: i32, pw: i32, dh: i32, dw: i32, outH: i32, outW: i32, dst: usize,
): void {
  for (let c = 0; c < channels; c++) {
    const plane = at(x, c * height * width);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let oh = 0; oh < outH; oh++) {
          const h = oh * sh - ph + i * dh;
          const row = dst;
          dst += <usize>(outW << 2);
          if (h < 0 || h >= height) {
            memory.fill(row, 0, <usize>(outW << 2));
            continue;
          }
          const src = at(plane, h * width);
          const w0 = j * dw - pw;
          if (sw == 1) {
            // Valid ow: 0 ≤ ow + w0 < width.
            const lo = min(outW, max(0, -w0));
            const hi = max(lo, min(outW, width - w0));
            if (lo > 0) memory.fill(row, 0, <usize>(lo << 2));
            memory.copy(at(row, lo), at(src, lo + w0), <usize>((hi - lo) << 2));
            if (hi < outW) memory.fill(at(row, hi), 0, <usize>((outW - hi) << 2));
          } else {
            for (let ow = 0; ow < outW; ow++) {
              const w = ow * sw + w0;
              store<f32>(at(row, ow), w >= 0 && w < width ? load<f32>(at(src, w)) : <f32>0);
            }
          }
        }
      }
    }
  }
}

/** In place: out[r·cols + c] += bias[r] (conv2d bias over each output plane). */
export function addRowBias(out: usize, rows: i32, cols: i32, bias: usize): void {
  for (let r = 0; r < rows; r++) {
    const b = f32x4.splat(load<f32>(at(bias, r)));
    const row = at(out, r * cols);
    let c = 0;
    for (; c + 4 <= cols; c += 4) v128.store(at(row, c), f32x4.add(v128.load(at(row, c)), b));
    for (; c < cols; c++) store<f32>(at(row, c), load<f32>(at(row, c)) + f32x4.extract_lane(b, 0));
  }
}
