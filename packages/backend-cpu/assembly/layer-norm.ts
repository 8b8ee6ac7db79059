// Layer normalisation of contiguous float32 rows in float64, bit-identical to the JavaScript kernel:
// every row's sum and sum of squared deviations are accumulated strictly left to right, as there.
// A sequential float64 sum is one add per 4 cycles (the add latency), so four rows run together:
// a 4 × 4 block (4 columns of 4 rows) is transposed in registers so that one f64x2 holds the same
// column of rows 0 and 1, another of rows 2 and 3, and each row's chain still sees its elements in
// order — two f64x2 chains instead of four scalar ones, overlapping. The output pass is element-wise,
// so it simply runs on f64x2 pairs along the row.
// @ts-nocheck  (AssemblyScript)

@inline function at(base: usize, index: i32): usize { return base + <usize>(index << 2); }

/** Upper two f32 lanes moved down (so promote_low reads them). */
@inline function high(v: v128): v128 { return v128.shuffle<f32>(v, v, 2, 3, 0, 1); }

@inline function term(v: v128, mean: v128, centered: bool): v128 {
  if (!centered) return v;
  const d = f64x2.sub(v, mean);
  return f64x2.mul(d, d);
}

// The results of sums4. Globals, not memory: every thread has its own instance, so its own globals.
let sums01: v128 = f64x2.splat(0);
let sums23: v128 = f64x2.splat(0);

/**
 * Σ x (centered = false) or Σ (x − mean)² of the 4 rows starting at x0, x0 + cols, … into sums01
 * (rows 0, 1) and sums23 (rows 2, 3), each row's terms added in column order.
 */
@inline function sums4(x0: usize, cols: i32, mean01: v128, mean23: v128, centered: bool): void {
  const x1 = at(x0, cols), x2 = at(x1, cols), x3 = at(x2, cols);
  let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const v0 = v128.load(at(x0, c)), v1 = v128.load(at(x1, c)), v2 = v128.load(at(x2, c)), v3 = v128.load(at(x3, c));
    // a01 = [r0c0, r1c0, r0c1, r1c1], b01 = [r0c2, r1c2, r0c3, r1c3]; likewise for rows 2, 3.
    const a01 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), b01 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
    const a23 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), b23 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
    s01 = f64x2.add(s01, term(f64x2.promote_low_f32x4(a01), mean01, centered));
    s23 = f64x2.add(s23, term(f64x2.promote_low_f32x4(a23), mean23, centered));
    s01 = f64x2.add(s01, term(f64x2.promote_low_f32x4(high(a01)), mean01, centered));
    s23 = f64x2.add(s23, term(f64x2.promote_low_f32x4(high(a23)), mean23, centered));
    s01 = f64x2.add(s01, term(f64x2.promote_low_f32x4(b01), mean01, centered));
    s23 = f64x2.add(s23, term(f64x2.promote_low_f32x4(b23), mean23, centered));
    s01 = f64x2.add(s01, term(f64x2.promote_low_f32x4(high(b01)), mean01, centered));
    s23 = f64x2.add(s23, term(f64x2.promote_low_f32x4(high(b23)), mean23, centered));
  }
  for (; c < cols; c++) {
    const v01 = f64x2.replace_lane(f64x2.splat(<f64>load<f32>(at(x0, c))), 1, <f64>load<f32>(at(x1, c)));
    const v23 = f64x2.replace_lane(f64x2.splat(<f64>load<f32>(at(x2, c))), 1, <f64>load<f32>(at(x3, c)));
    s01 = f64x2.add(s01, term(v01, mean01, centered));
    s23 = f64x2.add(s23, term(v23, mean23, centered));
  }
  sums01 = s01;
  sums23 = s23;
}

/** Row k's statistics: rstd from its sum of squares, both stored, then the row normalised. */
@inline function finishRow(
  row: usize, cols: i32, mean: f64, squares: f64, eps: f64, weight: usize, bias: usize, target: usize, meanAt: usize, rstdAt: usize,
): void {
  const rstd = 1 / Math.sqrt(squares / <f64>cols + eps);
  store<f32>(meanAt, <f32>mean);
  store<f32>(rstdAt, <f32>rstd);
  normalizeRow(row, cols, mean, rstd, weight, bias, target);
}

/** out = ((x − mean)·rstd)·w + b for one row in float64 (w, b may be 0 = absent), as the JS kernel. */
@inline function normalizeRow(row: usize, cols: i32, mean: f64, rstd: f64, weight: usize, bias: usize, target: usize): void {
  const m = f64x2.splat(mean), s = f64x2.splat(rstd);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const v = v128.load(at(row, c));
    let lo = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), m), s);
    let hi = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(high(v)), m), s);
    if (weight != 0) {
      const w = v128.load(at(weight, c));
      lo = f64x2.mul(lo, f64x2.promote_low_f32x4(w));
      hi = f64x2.mul(hi, f64x2.promote_low_f32x4(high(w)));
    }
    if (bias != 0) {
      const b = v128.load(at(bias, c));
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(b));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(high(b)));
    }
    v128.store(at(target, c), v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
  }
  for (; c < cols; c++) {
    let v = (<f64>load<f32>(at(row, c)) - mean) * rstd;
    if (weight != 0) v *= <f64>load<f32>(at(weight, c));
    if (bias != 0) v += <f64>load<f32>(at(bias, c));
    store<f32>(at(target, c), <f32>v);
  }
}

/**
 * Layer normalisation of `rows` contiguous rows of `cols`: out = (x − mean)·rstd·w + b (w, b may be
 * 0 = absent), with mean and rstd = 1/√(var + eps) (biased variance, two passes) written per row.
 */
export function layerNormRows(
  x: usize, rows: i32, cols: i32, weight: usize, bias: usize, eps: f64, out: usize, meanOut: usize, rstdOut: usize,
): void {
  const n = <f64>cols;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const row = at(x, r * cols), target = at(out, r * cols);
    sums4(row, cols, f64x2.splat(0), f64x2.splat(0), false);
    const mean01 = f64x2.div(sums01, f64x2.splat(n)), mean23 = f64x2.div(sums23, f64x2.splat(n));
    sums4(row, cols, mean01, mean23, true);
    const sq01 = sums01, sq23 = sums23;
    finishRow(row, cols, f64x2.extract_lane(mean01, 0), f64x2.extract_lane(sq01, 0), eps, weight, bias, target, at(meanOut, r), at(rstdOut, r));
    finishRow(at(row, cols), cols, f64x2.extract_lane(mean01, 1), f64x2.extract_lane(sq01, 1), eps, weight, bias, at(target, cols), at(meanOut, r + 1), at(rstdOut, r + 1));
    finishRow(at(row, 2 * cols), cols, f64x2.extract_lane(mean23, 0), f64x2.extract_lane(sq23, 0), eps, weight, bias, at(target, 2 * cols), at(meanOut, r + 2), at(rstdOut, r + 2));
    finishRow(at(row, 3 * cols), cols, f64x2.extract_lane(mean23, 1), f64x2.extract_lane(sq23, 1), eps, weight, bias, at(target, 3 * cols), at(meanOut, r + 3), at(rstdOut, r + 3));
  }
  for (; r < rows; r++) {
    const row = at(x, r * cols);
    let sum: f64 = 0;
    for (let c = 0; c < cols; c++) sum += <f64>load<f32>(at(row, c));
    const mean = sum / n;
    let squares: f64 = 0;
    for (let c = 0; c < cols; c++) {
      const d = <f64>load<f32>(at(row, c)) - mean;
      squares += d * d;
    }
    const rstd = 1 / Math.sqrt(squares / n + eps);
    store<f32>(at(meanOut, r), <f32>mean);
    store<f32>(at(rstdOut, r), <f32>rstd);
    normalizeRow(row, cols, mean, rstd, weight, bias, at(out, r * cols));
  }
}
