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
