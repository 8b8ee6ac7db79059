// word2vec's in-place update (core's `Word2VecStepRequest`): for each example, h = its input row (or
// the mean/sum of its rows), then per target a dot product, σ, and one fused pass that accumulates the
// input gradient and moves the target row; finally the input rows move by the accumulated gradient.
// float32 in f32x4 lanes (dot products in two accumulators); a block of examples per call, so the
// worker pool runs blocks side by side without locks (Hogwild, as word2vec.c's threads).
// @ts-nocheck  (AssemblyScript)
import { sigmoid4 } from './transcendental';

@inline function rowAt(base: usize, index: usize, rowBytes: usize): usize {
  return base + <usize>load<i32>(index) * rowBytes;
}

/** Σ a[d]·b[d] over `dim` floats. */
@inline function dot(a: usize, b: usize, dim: i32): f32 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let d = 0;
  for (; d + 8 <= dim; d += 8) {
    const at = <usize>d << 2;
    s0 = f32x4.add(s0, f32x4.mul(v128.load(a + at), v128.load(b + at)));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(a + at, 16), v128.load(b + at, 16)));
  }
  if (d + 4 <= dim) {
    const at = <usize>d << 2;
    s0 = f32x4.add(s0, f32x4.mul(v128.load(a + at), v128.load(b + at)));
    d += 4;
  }
  const s = f32x4.add(s0, s1);
  let total = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  for (; d < dim; d++) total += load<f32>(a + (<usize>d << 2)) * load<f32>(b + (<usize>d << 2));
  return total;
}

/** error += g·row, then row += g·h (row read once). */
@inline function updateTarget(row: usize, hidden: usize, error: usize, g: f32, dim: i32): void {
  const vg = f32x4.splat(g);
  let d = 0;
  for (; d + 4 <= dim; d += 4) {
    const at = <usize>d << 2;
    const r = v128.load(row + at);
    v128.store(error + at, f32x4.add(v128.load(error + at), f32x4.mul(vg, r)));
    v128.store(row + at, f32x4.add(r, f32x4.mul(vg, v128.load(hidden + at))));
  }
  for (; d < dim; d++) {
    const at = <usize>d << 2;
    const r = load<f32>(row + at);
    store<f32>(error + at, load<f32>(error + at) + g * r);
    store<f32>(row + at, r + g * load<f32>(hidden + at));
  }
}

/** target += source over `dim` floats. */
@inline function addInto(target: usize, source: usize, dim: i32): void {
  let d = 0;
  for (; d + 4 <= dim; d += 4) {
    const at = <usize>d << 2;
    v128.store(target + at, f32x4.add(v128.load(target + at), v128.load(source + at)));
  }
  for (; d < dim; d++) {
    const at = <usize>d << 2;
    store<f32>(target + at, load<f32>(target + at) + load<f32>(source + at));
  }
}

/** σ(x): the SIMD polynomial of transcendental.ts on one lane (within 1e-6 relative; cheaper than Mathf.exp). */
@inline function sigmoid(x: f32): f32 {
  return f32x4.extract_lane(sigmoid4(f32x4.splat(x)), 0);
}

/**
 * Examples [first, last) of a word2vec batch over float32 matrices (byte pointers to row 0 of `input`
 * and `output`; int32 offset/index arrays and float32 labels; `loss` 0 or a float32 [examples] array).
 * `scratch` holds 2·dim floats (CBOW's combined input, then the accumulated input gradient).
 */
export function word2vecStepF32(
  input: usize, output: usize, dim: i32, inputOffsets: usize, inputIndex: usize, targetOffsets: usize, targetIndex: usize,
  targetLabel: usize, first: i32, last: i32, meanInputs: i32, alpha: f32, loss: usize, scratch: usize,
): void {
  const rowBytes = <usize>dim << 2;
  const combined = scratch;
  const error = scratch + rowBytes;
  for (let e = first; e < last; e++) {
    const inputStart = load<i32>(inputOffsets + (<usize>e << 2));
    const inputEnd = load<i32>(inputOffsets + (<usize>(e + 1) << 2));
    const count = inputEnd - inputStart;
    let lossSum: f64 = 0;
    if (count > 0) {
      let hidden = rowAt(input, inputIndex + (<usize>inputStart << 2), rowBytes);
      if (count > 1) {
        memory.copy(combined, hidden, rowBytes);
        for (let k = inputStart + 1; k < inputEnd; k++) addInto(combined, rowAt(input, inputIndex + (<usize>k << 2), rowBytes), dim);
        if (meanInputs) {
          const scale = <f32>1 / <f32>count;
          const vs = f32x4.splat(scale);
          let d = 0;
          for (; d + 4 <= dim; d += 4) v128.store(combined + (<usize>d << 2), f32x4.mul(v128.load(combined + (<usize>d << 2)), vs));
          for (; d < dim; d++) store<f32>(combined + (<usize>d << 2), load<f32>(combined + (<usize>d << 2)) * scale);
        }
        hidden = combined;
      }
      memory.fill(error, 0, rowBytes);
      const targetEnd = load<i32>(targetOffsets + (<usize>(e + 1) << 2));
      for (let t = load<i32>(targetOffsets + (<usize>e << 2)); t < targetEnd; t++) {
        const row = rowAt(output, targetIndex + (<usize>t << 2), rowBytes);
        const label = load<f32>(targetLabel + (<usize>t << 2));
        const x = dot(hidden, row, dim);
        const g = alpha * (label - sigmoid(x));
        if (loss) {
          const ax = Mathf.abs(x);
          lossSum += <f64>(max<f32>(x, 0) + Mathf.log(<f32>1 + Mathf.exp(-ax)) - label * x);
        }
        updateTarget(row, hidden, error, g, dim);
      }
      for (let k = inputStart; k < inputEnd; k++) addInto(rowAt(input, inputIndex + (<usize>k << 2), rowBytes), error, dim);
    }
    if (loss) store<f32>(loss + (<usize>e << 2), <f32>lossSum);
  }
}
