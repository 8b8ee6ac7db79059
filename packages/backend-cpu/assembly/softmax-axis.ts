// Softmax / log-softmax along a dim that is not the last one: contiguous [outer, extent, inner]
// data, normalised along `extent`, so each line is a column of stride `inner`. Walking a column
// touches a new cache line per element (and with a power-of-two `inner`, the same few cache sets),
// so instead the three passes stream whole rows, keeping one running value per column in scratch:
// the max per column, then Σ e^{x−max} per column in float64, then the scale: a NaN-propagating max,
// e^{x−max} with x − max's rounding error fed into exp (assembly/transcendental.ts), float64 sums,
// one scale (or x − max − ln Σ).
// @ts-nocheck  (AssemblyScript)
import { expDiff4 } from './transcendental';

@inline function at(base: usize, index: i32): usize { return base + <usize>(index << 2); }

/**
 * Softmax (log = 0) or log-softmax (log = 1) along the middle dim of contiguous [outer, extent, inner]
 * float32 data, for the inner columns [c0, c1) of every outer index; out has x's layout. `scratch`
 * holds 16·(c1 − c0) + 16 bytes: per column a float32 max and factor, then (16-byte aligned) a float64 sum.
 */
export function softmaxColumns(out: usize, x: usize, outer: i32, extent: i32, inner: i32, c0: i32, c1: i32, log: i32, scratch: usize): void {
  const width = c1 - c0;
  const maxes = scratch;
  const factors = at(scratch, width);
  const sums = scratch + <usize>((width * 8 + 15) & ~15);
  for (let o = 0; o < outer; o++) {
    const base = o * extent * inner + c0;
    // Pass 1: column maxima (f32x4.max propagates NaN, as the JavaScript kernel's compare does).
    memory.copy(maxes, at(x, base), <usize>(width << 2));
    for (let k = 1; k < extent; k++) {
      const row = at(x, base + k * inner);
      let c = 0;
      for (; c + 4 <= width; c += 4) v128.store(at(maxes, c), f32x4.max(v128.load(at(maxes, c)), v128.load(at(row, c))));
      for (; c < width; c++) store<f32>(at(maxes, c), max<f32>(load<f32>(at(maxes, c)), load<f32>(at(row, c))));
    }
    // Pass 2: e^{x − max}, stored for softmax, summed per column in float64.
    memory.fill(sums, 0, <usize>(width << 3));
    for (let k = 0; k < extent; k++) {
      const row = at(x, base + k * inner), target = at(out, base + k * inner);
      let c = 0;
      for (; c + 4 <= width; c += 4) {
        const e = expDiff4(v128.load(at(row, c)), v128.load(at(maxes, c)));
        if (!log) v128.store(at(target, c), e);
        const p = sums + <usize>(c << 3);
        v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(e)));
        v128.store(p, f64x2.add(v128.load(p, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 0, 1))), 16);
      }
      for (; c < width; c++) {
        const e = f32x4.extract_lane(expDiff4(f32x4.splat(load<f32>(at(row, c))), f32x4.splat(load<f32>(at(maxes, c)))), 0);
        if (!log) store<f32>(at(target, c), e);
        const p = sums + <usize>(c << 3);
        store<f64>(p, load<f64>(p) + <f64>e);
      }
    }
    // Pass 3: one factor per column — ln Σ, or 1/Σ — applied to every row.
    for (let c = 0; c < width; c++) {
      const sum = load<f64>(sums + <usize>(c << 3));
      store<f32>(at(factors, c), log ? <f32>Math.log(sum) : <f32>(1.0 / sum));
    }
    for (let k = 0; k < extent; k++) {
      const row = at(x, base + k * inner), target = at(out, base + k * inner);
      let c = 0;
      if (log) {
        for (; c + 4 <= width; c += 4) {
          v128.store(at(target, c), f32x4.sub(f32x4.sub(v128.load(at(row, c)), v128.load(at(maxes, c))), v128.load(at(factors, c))));
        }
        for (; c < width; c++) store<f32>(at(target, c), (load<f32>(at(row, c)) - load<f32>(at(maxes, c))) - load<f32>(at(factors, c)));
      } else {
        for (; c + 4 <= width; c += 4) v128.store(at(target, c), f32x4.mul(v128.load(at(target, c)), v128.load(at(factors, c))));
        for (; c < width; c++) store<f32>(at(target, c), load<f32>(at(target, c)) * load<f32>(at(factors, c)));
      }
    }
  }
}
