// Fused float32 SGD and Adam/AdamW steps, two elements per step in f64x2 lanes: the same float64
// arithmetic, in the same order, as the JavaScript kernel (src/kernels/optimizer-step.ts), with each
// stored state value rounded to float32 before it is used — so the results are bit-identical to it.
// One pass reads the gradient and updates the parameter and its state buffers in place.
// @ts-nocheck  (AssemblyScript)

/** `options` bits of adamStepF32. */
const ADAM_DECAY = 1; // decoupled weight decay: θ ← round(θ·decay)
const ADAM_L2 = 2; // L2 weight decay: g ← g + l2·θ
const ADAM_AMSGRAD = 4; // v̂ ← max(v̂, v) is the denominator's second moment

/** `options` bits of sgdStepF32. */
const SGD_DECAY = 1;
const SGD_MOMENTUM = 2;
const SGD_FIRST = 4; // the momentum buffer's first step: b ← g
const SGD_NESTEROV = 8;

/** Two (wide) or one float32 at p, widened to float64 lanes. */
@inline function load2(p: usize, wide: bool): v128 {
  return f64x2.promote_low_f32x4(wide ? v128.load64_zero(p) : v128.load32_zero(p));
}

/** Round two float64 lanes to float32 and store two (wide) or one of them at p. */
@inline function store2(p: usize, x: v128, wide: bool): void {
  const f = f32x4.demote_f64x2_zero(x);
  if (wide) v128.store64_lane(p, f, 0);
  else v128.store32_lane(p, f, 0);
}

/** float64 lanes rounded to float32 and back: the value a Float32Array store keeps (Math.fround). */
@inline function round2(x: v128): v128 { return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(x)); }

@inline function adam2(
  at: usize, param: usize, grad: usize, m: usize, v: usize, vmax: usize, options: i32, wide: bool,
  sign: v128, decay: v128, l2: v128, beta1: v128, keep1: v128, beta2: v128, keep2: v128, stepSize: v128, ic2: v128, eps: v128,
): void {
  let g = f64x2.mul(sign, load2(grad + at, wide));
  let theta = load2(param + at, wide);
  if (options & ADAM_DECAY) theta = round2(f64x2.mul(theta, decay));
  if (options & ADAM_L2) g = f64x2.add(g, f64x2.mul(l2, theta));
  const mNew = round2(f64x2.add(f64x2.mul(beta1, load2(m + at, wide)), f64x2.mul(keep1, g)));
  store2(m + at, mNew, wide);
  const vNew = round2(f64x2.add(f64x2.mul(beta2, load2(v + at, wide)), f64x2.mul(f64x2.mul(keep2, g), g)));
  store2(v + at, vNew, wide);
  let second = vNew;
  if (options & ADAM_AMSGRAD) {
    const previous = load2(vmax + at, wide);
    // The old maximum when ≥ v or NaN (NaN propagates, as torch.maximum).
    second = v128.bitselect(previous, vNew, v128.or(f64x2.ge(previous, vNew), f64x2.ne(previous, previous)));
    store2(vmax + at, second, wide);
  }
  const denominator = f64x2.add(f64x2.mul(f64x2.sqrt(second), ic2), eps);
  store2(param + at, f64x2.sub(theta, f64x2.div(f64x2.mul(stepSize, mNew), denominator)), wide);
}

/**
 * One Adam/AdamW step over `n` float32 elements (byte pointers; `vmax` only with AMSGrad). The scalars
 * are the JavaScript kernel's AdamConstants: sign ±1, decay 1 − lr·λ, l2 λ, β₁, 1 − β₁, β₂, 1 − β₂,
 * lr / (1 − β₁ᵗ), 1 / √(1 − β₂ᵗ) and ε; `options` holds the ADAM_* bits.
 */
export function adamStepF32(
  param: usize, grad: usize, m: usize, v: usize, vmax: usize, n: i32, options: i32,
  sign: f64, decay: f64, l2: f64, beta1: f64, keep1: f64, beta2: f64, keep2: f64, stepSize: f64, ic2: f64, eps: f64,
): void {
  const vSign = f64x2.splat(sign), vDecay = f64x2.splat(decay), vL2 = f64x2.splat(l2);
  const vBeta1 = f64x2.splat(beta1), vKeep1 = f64x2.splat(keep1), vBeta2 = f64x2.splat(beta2), vKeep2 = f64x2.splat(keep2);
  const vStep = f64x2.splat(stepSize), vIc2 = f64x2.splat(ic2), vEps = f64x2.splat(eps);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    adam2(<usize>i << 2, param, grad, m, v, vmax, options, true, vSign, vDecay, vL2, vBeta1, vKeep1, vBeta2, vKeep2, vStep, vIc2, vEps);
  }
  if (i < n) adam2(<usize>i << 2, param, grad, m, v, vmax, options, false, vSign, vDecay, vL2, vBeta1, vKeep1, vBeta2, vKeep2, vStep, vIc2, vEps);
}

@inline function sgd2(
  at: usize, param: usize, grad: usize, buffer: usize, options: i32, wide: bool,
  sign: v128, decay: v128, lr: v128, momentum: v128, keep: v128,
): void {
  let g = f64x2.mul(sign, load2(grad + at, wide));
  const theta = load2(param + at, wide);
  if (options & SGD_DECAY) g = f64x2.add(g, f64x2.mul(decay, theta));
  if (options & SGD_MOMENTUM) {
    const velocity = options & SGD_FIRST ? round2(g) : round2(f64x2.add(f64x2.mul(momentum, load2(buffer + at, wide)), f64x2.mul(keep, g)));
    store2(buffer + at, velocity, wide);
    g = options & SGD_NESTEROV ? f64x2.add(g, f64x2.mul(momentum, velocity)) : velocity;
  }
  store2(param + at, f64x2.sub(theta, f64x2.mul(lr, g)), wide);
}

/**
 * One SGD step over `n` float32 elements (byte pointers; `buffer` only with momentum): sign ±1, weight
 * decay λ, lr, momentum μ and 1 − dampening; `options` holds the SGD_* bits.
 */
export function sgdStepF32(
  param: usize, grad: usize, buffer: usize, n: i32, options: i32, sign: f64, decay: f64, lr: f64, momentum: f64, keep: f64,
): void {
  const vSign = f64x2.splat(sign), vDecay = f64x2.splat(decay), vLr = f64x2.splat(lr), vMomentum = f64x2.splat(momentum), vKeep = f64x2.splat(keep);
  let i = 0;
  for (; i + 2 <= n; i += 2) sgd2(<usize>i << 2, param, grad, buffer, options, true, vSign, vDecay, vLr, vMomentum, vKeep);
  if (i < n) sgd2(<usize>i << 2, param, grad, buffer, options, false, vSign, vDecay, vLr, vMomentum, vKeep);
}

/*
 * Transposed gradients. A layer that stores its weight as [out, in] and multiplies by its transpose
 * (nn's Linear, as PyTorch's) receives the weight's gradient as a transposed view: element (r, c) of the
 * parameter [rows, cols] sits at grad[c·rows + r]. Read element by element in the parameter's order
 * that is one cache miss per element (a 784×256 step took 3.7 ms against 0.12 ms contiguous). These
 * kernels read the gradient in 4×4 blocks with in-register transposes instead (every gradient load is
 * a full vector), STRIP parameter rows at a time so each 64-byte line of the gradient is used whole:
 * SGD updates each block straight from a 64-byte tile; Adam, which streams three or four state rows
 * per parameter row, transposes the strip into scratch and runs the contiguous loop row by row. Both
 * run the contiguous kernels' per-element math, so every bit of the result is theirs.
 */

/** Parameter rows per strip: sixteen float32 of one gradient row are one cache line. */
const STRIP: i32 = 16;

/** scratch[k·cols + c] = grad[c·rows + r0 + k] for k < nr ≤ STRIP: rows r0 … r0 + nr − 1 of the gradient's transpose. */
function transposeStrip(scratch: usize, grad: usize, rows: i32, cols: i32, r0: i32, nr: i32): void {
  const row = <usize>cols << 2, step = <usize>rows << 2;
  const blocks = nr & ~3; // rows done four at a time
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const g = grad + (<usize>(c * rows + r0) << 2);
    for (let k = 0; k < blocks; k += 4) {
      const at = g + (<usize>k << 2);
      const a = v128.load(at), b = v128.load(at + step), d = v128.load(at + 2 * step), e = v128.load(at + 3 * step);
      const abLow = v128.shuffle<i32>(a, b, 0, 4, 1, 5), abHigh = v128.shuffle<i32>(a, b, 2, 6, 3, 7);
      const deLow = v128.shuffle<i32>(d, e, 0, 4, 1, 5), deHigh = v128.shuffle<i32>(d, e, 2, 6, 3, 7);
      const out = scratch + <usize>k * row + (<usize>c << 2);
      v128.store(out, v128.shuffle<i32>(abLow, deLow, 0, 1, 4, 5));
      v128.store(out + row, v128.shuffle<i32>(abLow, deLow, 2, 3, 6, 7));
      v128.store(out + 2 * row, v128.shuffle<i32>(abHigh, deHigh, 0, 1, 4, 5));
      v128.store(out + 3 * row, v128.shuffle<i32>(abHigh, deHigh, 2, 3, 6, 7));
    }
    for (let k = blocks; k < nr; k++) {
      for (let j = 0; j < 4; j++) store<f32>(scratch + <usize>k * row + (<usize>(c + j) << 2), load<f32>(g + <usize>j * step + (<usize>k << 2)));
    }
  }
  for (; c < cols; c++) {
    for (let k = 0; k < nr; k++) store<f32>(scratch + <usize>k * row + (<usize>c << 2), load<f32>(grad + (<usize>(c * rows + r0 + k) << 2)));
  }
}

/** Transpose the 4×4 block of the gradient at (parameter row r, column c) into `tile`: tile row k = parameter row r + k, columns c … c + 3. */
@inline function transposeBlock(tile: usize, grad: usize, rows: i32, r: i32, c: i32): void {
  const g = grad + (<usize>(c * rows + r) << 2), step = <usize>rows << 2;
  const a = v128.load(g), b = v128.load(g + step), d = v128.load(g + 2 * step), e = v128.load(g + 3 * step);
  const abLow = v128.shuffle<i32>(a, b, 0, 4, 1, 5), abHigh = v128.shuffle<i32>(a, b, 2, 6, 3, 7);
  const deLow = v128.shuffle<i32>(d, e, 0, 4, 1, 5), deHigh = v128.shuffle<i32>(d, e, 2, 6, 3, 7);
  v128.store(tile, v128.shuffle<i32>(abLow, deLow, 0, 1, 4, 5));
  v128.store(tile, v128.shuffle<i32>(abLow, deLow, 2, 3, 6, 7), 16);
  v128.store(tile, v128.shuffle<i32>(abHigh, deHigh, 0, 1, 4, 5), 32);
  v128.store(tile, v128.shuffle<i32>(abHigh, deHigh, 2, 3, 6, 7), 48);
}

/**
 * {@link sgdStepF32} over parameter rows r0 … r1 − 1 of a [rows, cols] parameter (and momentum buffer)
 * whose gradient is stored transposed, as [cols, rows]. SGD touches only the parameter and its buffer,
 * so each 4×4 block is updated straight from a 64-byte tile (no strip in scratch); `scratch` holds the tile.
 */
export function sgdStepTransposedF32(
  param: usize, grad: usize, buffer: usize, rows: i32, cols: i32, r0: i32, r1: i32, options: i32,
  sign: f64, decay: f64, lr: f64, momentum: f64, keep: f64, scratch: usize,
): void {
  const vSign = f64x2.splat(sign), vDecay = f64x2.splat(decay), vLr = f64x2.splat(lr), vMomentum = f64x2.splat(momentum), vKeep = f64x2.splat(keep);
  const blocks = r0 + ((r1 - r0) & ~3);
  for (let r = r0; r < blocks; r += STRIP) {
    const r2 = min(r + STRIP, blocks);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      for (let k0 = r; k0 < r2; k0 += 4) {
        transposeBlock(scratch, grad, rows, k0, c);
        for (let k = 0; k < 4; k++) {
          // sgd2 reads the gradient at grad + at: point it at tile row k.
          const at = <usize>((k0 + k) * cols + c) << 2, g = scratch + (<usize>k << 4) - at;
          sgd2(at, param, g, buffer, options, true, vSign, vDecay, vLr, vMomentum, vKeep);
          sgd2(at + 8, param, g, buffer, options, true, vSign, vDecay, vLr, vMomentum, vKeep);
        }
      }
    }
    for (; c < cols; c++) sgdTransposedColumn(param, grad, buffer, rows, cols, r, r2, c, options, vSign, vDecay, vLr, vMomentum, vKeep);
  }
  // The last rows (fewer than four), one element at a time.
  for (let c = 0; c < cols; c++) sgdTransposedColumn(param, grad, buffer, rows, cols, blocks, r1, c, options, vSign, vDecay, vLr, vMomentum, vKeep);
}

/** Column c of parameter rows r … r2 − 1, element by element (edges of {@link sgdStepTransposedF32}). */
@inline function sgdTransposedColumn(
  param: usize, grad: usize, buffer: usize, rows: i32, cols: i32, r: i32, r2: i32, c: i32, options: i32,
  sign: v128, decay: v128, lr: v128, momentum: v128, keep: v128,
): void {
  for (let k = r; k < r2; k++) {
    const at = <usize>(k * cols + c) << 2;
    sgd2(at, param, grad + (<usize>(c * rows + k) << 2) - at, buffer, options, false, sign, decay, lr, momentum, keep);
  }
}

/** {@link adamStepF32} over parameter rows r0 … r1 − 1 whose gradient is stored transposed ({@link sgdStepTransposedF32}). */
export function adamStepTransposedF32(
  param: usize, grad: usize, m: usize, v: usize, vmax: usize, rows: i32, cols: i32, r0: i32, r1: i32, options: i32,
  sign: f64, decay: f64, l2: f64, beta1: f64, keep1: f64, beta2: f64, keep2: f64, stepSize: f64, ic2: f64, eps: f64, scratch: usize,
): void {
  for (let r = r0; r < r1; r += STRIP) {
    const nr = min(STRIP, r1 - r);
    transposeStrip(scratch, grad, rows, cols, r, nr);
    for (let k = 0; k < nr; k++) {
      const at = <usize>((r + k) * cols) << 2;
      adamStepF32(
        param + at, scratch + (<usize>(k * cols) << 2), m + at, v + at, vmax ? vmax + at : 0, cols, options,
        sign, decay, l2, beta1, keep1, beta2, keep2, stepSize, ic2, eps,
      );
    }
  }
}
