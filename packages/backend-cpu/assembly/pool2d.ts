// Max and average pooling of contiguous float32 [planes, H, W] data (planes = N·C), with the
// JavaScript kernels' exact semantics (src/kernels/pool2d.ts), so results are bit-identical:
//  - max: taps in (kh, kw) order, the first valid tap is taken, later ones win when larger, or when
//    NaN while the best is not (so NaN wins and ties keep the first); padding is never selected;
//    a window entirely in the padding gives −∞ and index 0. indices are flat h·W + w in the plane.
//  - avg: a float64 sum of the valid taps in (kh, kw) order divided (in float64) by the override,
//    or the window clipped to the padded input (countIncludePad) or to the input, then rounded.
// Four neighbouring outputs of a row are one vector where every tap of their windows lies inside the
// row (stride 1: one load per tap; stride 2: two loads and an even-lane shuffle); the rest of the row
// runs the scalar loop with bounds checks.
// @ts-nocheck  (AssemblyScript)

@inline function at(base: usize, index: i32): usize { return base + <usize>(index << 2); }

/** Four outputs' values of one tap: 4 floats from `p` with output stride 1 or 2 (in elements). */
@inline function tap4(p: usize, stride2: bool): v128 {
  if (!stride2) return v128.load(p);
  return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
}

/** Output columns [lo, hi) whose windows lie fully inside the row: ow·sw − pw ≥ 0 and ow·sw − pw + (kw − 1)·dw < width. */
@inline function interiorLo(sw: i32, pw: i32): i32 { return (pw + sw - 1) / sw; }
@inline function interiorHi(width: i32, kw: i32, sw: i32, pw: i32, dw: i32, outW: i32): i32 {
  const last = width - 1 + pw - (kw - 1) * dw;
  return last < 0 ? 0 : min(outW, last / sw + 1);
}

/**
 * maxPool2d over `planes` contiguous planes of height × width into out / indices [planes, outH, outW]
 * (indices int32). Kernel kh × kw, stride sh × sw, padding ph × pw, dilation dh × dw.
 */
export function maxPool2dPlanes(
  x: usize, planes: i32, height: i32, width: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  outH: i32, outW: i32, out: usize, indices: usize,
): void {
  const lo = min(outW, interiorLo(sw, pw));
  const hi = max(lo, interiorHi(width, kw, sw, pw, dw, outW));
  for (let plane = 0; plane < planes; plane++) {
    const src = at(x, plane * height * width);
    for (let oh = 0; oh < outH; oh++) {
      const o = at(out, (plane * outH + oh) * outW), ix = at(indices, (plane * outH + oh) * outW);
      const h0 = oh * sh - ph;
      // Valid kernel rows [i0, i1).
      let i0 = 0;
      while (i0 < kh && h0 + i0 * dh < 0) i0++;
      let i1 = i0;
      while (i1 < kh && h0 + i1 * dh < height) i1++;
      if (i0 == i1) {
        for (let ow = 0; ow < outW; ow++) {
          store<f32>(at(o, ow), -Infinity);
          store<i32>(at(ix, ow), 0);
        }
        continue;
      }
      let ow = 0;
      // Vector part: 4 interior outputs at a time, when their loads stay inside the row.
      if (sw <= 2) {
        const stride2 = sw == 2;
        const lanes = stride2 ? i32x4(0, 2, 4, 6) : i32x4(0, 1, 2, 3);
        const span = stride2 ? 8 : 4; // elements each tap load reads
        ow = lo;
        for (; ow + 4 <= hi && ow * sw - pw + (kw - 1) * dw + span <= width; ow += 4) {
          const w0 = ow * sw - pw;
          let h = h0 + i0 * dh;
          let best = tap4(at(src, h * width + w0), stride2);
          let bestIndex = i32x4.add(i32x4.splat(h * width + w0), lanes);
          for (let i = i0; i < i1; i++, h += dh) {
            for (let j = i == i0 ? 1 : 0; j < kw; j++) {
              const flat = h * width + w0 + j * dw;
              const v = tap4(at(src, flat), stride2);
              const take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
              best = v128.bitselect(v, best, take);
              bestIndex = v128.bitselect(i32x4.add(i32x4.splat(flat), lanes), bestIndex, take);
            }
          }
          v128.store(at(o, ow), best);
          v128.store(at(ix, ow), bestIndex);
        }
        // Scalar for the columns before the vector part.
        for (let c = 0; c < lo; c++) maxOne(src, height, width, kw, sw, pw, dh, dw, h0, i0, i1, c, o, ix);
      }
      for (; ow < outW; ow++) maxOne(src, height, width, kw, sw, pw, dh, dw, h0, i0, i1, ow, o, ix);
    }
  }
}

/** One max-pool output with bounds checks (the JavaScript kernel's loop). */
@inline function maxOne(
  src: usize, height: i32, width: i32, kw: i32, sw: i32, pw: i32, dh: i32, dw: i32, h0: i32, i0: i32, i1: i32, ow: i32, o: usize, ix: usize,
): void {
  let best: f32 = -Infinity;
  let bestIndex = -1;
  const w0 = ow * sw - pw;
  for (let i = i0; i < i1; i++) {
    const h = h0 + i * dh;
    for (let j = 0; j < kw; j++) {
      const w = w0 + j * dw;
      if (w < 0 || w >= width) continue;
      const v = load<f32>(at(src, h * width + w));
      if (v > best || bestIndex < 0 || (v != v && best == best)) {
        best = v;
        bestIndex = h * width + w;
      }
    }
  }
  store<f32>(at(o, ow), best);
  store<i32>(at(ix, ow), bestIndex < 0 ? 0 : bestIndex);
}

/**
 * avgPool2d over `planes` contiguous planes into out [planes, outH, outW]. `divisor` > 0 overrides the
 * divisor; else countIncludePad ≠ 0 divides by the window clipped to the padded input, 0 by the
 * number of input elements in the window.
 */
export function avgPool2dPlanes(
  x: usize, planes: i32, height: i32, width: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  outH: i32, outW: i32, countIncludePad: i32, divisor: f64, out: usize,
): void {
  const lo = min(outW, interiorLo(sw, pw));
  const hi = max(lo, interiorHi(width, kw, sw, pw, dw, outW));
  for (let plane = 0; plane < planes; plane++) {
    const src = at(x, plane * height * width);
    for (let oh = 0; oh < outH; oh++) {
      const o = at(out, (plane * outH + oh) * outW);
      const h0 = oh * sh - ph;
      let i0 = 0;
      while (i0 < kh && h0 + i0 * dh < 0) i0++;
      let i1 = i0;
      while (i1 < kh && h0 + i1 * dh < height) i1++;
      // Kernel rows inside the padded input (PyTorch counts those): h < height + ph (h ≥ −ph always).
      let paddedRows = 0;
      for (let i = 0; i < kh; i++) if (h0 + i * dh < height + ph) paddedRows++;
      let ow = 0;
      if (sw <= 2) {
        const stride2 = sw == 2;
        const span = stride2 ? 8 : 4;
        // Interior windows: every column tap is inside the input (and the padded input).
        const rowDivisor: f64 = divisor > 0 ? divisor : <f64>((countIncludePad != 0 ? paddedRows : i1 - i0) * kw);
        const d = f64x2.splat(rowDivisor);
        ow = lo;
        for (; ow + 4 <= hi && ow * sw - pw + (kw - 1) * dw + span <= width; ow += 4) {
          const w0 = ow * sw - pw;
          let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
          for (let i = i0; i < i1; i++) {
            const row = at(src, (h0 + i * dh) * width + w0);
            for (let j = 0; j < kw; j++) {
              const v = tap4(at(row, j * dw), stride2);
              s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
              s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
            }
          }
          const low = f32x4.demote_f64x2_zero(f64x2.div(s0, d)), high = f32x4.demote_f64x2_zero(f64x2.div(s1, d));
          v128.store(at(o, ow), v128.shuffle<f32>(low, high, 0, 1, 4, 5));
        }
        for (let c = 0; c < lo; c++) avgOne(src, height, width, kh, kw, sw, ph, pw, dh, dw, h0, c, countIncludePad, divisor, o);
      }
      for (; ow < outW; ow++) avgOne(src, height, width, kh, kw, sw, ph, pw, dh, dw, h0, ow, countIncludePad, divisor, o);
    }
  }
}

/** One average-pool output with bounds checks (the JavaScript kernel's loop). */
@inline function avgOne(
  src: usize, height: i32, width: i32, kh: i32, kw: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, h0: i32, ow: i32,
  countIncludePad: i32, divisor: f64, o: usize,
): void {
  let sum: f64 = 0;
  let inside = 0;
  let padded = 0;
  const w0 = ow * sw - pw;
  for (let i = 0; i < kh; i++) {
    const h = h0 + i * dh;
    const rowInPadded = h < height + ph;
    for (let j = 0; j < kw; j++) {
      const w = w0 + j * dw;
      if (rowInPadded && w < width + pw) padded++;
      if (h < 0 || h >= height || w < 0 || w >= width) continue;
      sum += <f64>load<f32>(at(src, h * width + w));
      inside++;
    }
  }
  const d: f64 = divisor > 0 ? divisor : <f64>(countIncludePad != 0 ? padded : inside);
  store<f32>(at(o, ow), <f32>(sum / d));
}
