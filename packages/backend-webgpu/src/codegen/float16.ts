import type { DType } from '@tessera/core/backend';
/**
 * float16 in generated WGSL. Tensors live in `array<f16>` storage (2 bytes per element, needs the
 * device's `shader-f16` feature); arithmetic happens in f32 and each result is rounded once to f16
 * when it is stored, as PyTorch does for half tensors on CUDA (its "opmath" type is float). Sums,
 * matmul, softmax and layerNorm statistics therefore accumulate in f32.
 *
 * The narrowing is written out in integer arithmetic instead of WGSL's `f16(x)`: WGSL lets a runtime
 * f32 → f16 conversion round either way and leaves overflow and NaN implementation-defined, while
 * this rounds to nearest-even, gives ±∞ from 65520 up and a quiet NaN, identically on every device.
 */

/**
 * WGSL helpers every float16 kernel includes: `toF16(x: f32) -> f16` and the vec4 form `toF16x4`.
 * Subnormal results (|x| < 2⁻¹⁴) are rounded exactly too; ∞ is built from bits at run time because
 * WGSL rejects ∞ produced during constant evaluation.
 */
const FLOAT16_HELPERS = `
fn f32ToF16Bits(x: f32) -> u32 {
  let bits = bitcast<u32>(x);
  let sign = (bits >> 16u) & 0x8000u;
  let magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) { return sign | 0x7e00u; }
  // 65520 = 0x477ff000 is halfway between 65504 (the largest half) and 2^16: ties to even give ∞.
  if (magnitude >= 0x477ff000u) { return sign | 0x7c00u; }
  if (magnitude >= 0x38800000u) {
    // Normal half: rebias the exponent (127 → 15) and round the 13 dropped bits to nearest-even.
    let rounded = magnitude + 0xfffu + ((magnitude >> 13u) & 1u);
    return sign | ((rounded - 0x38000000u) >> 13u);
  }
  // Below 2^-25 (including exactly 2^-25, a tie that rounds to the even 0) the result is ±0.
  if (magnitude <= 0x33000000u) { return sign; }
  // Subnormal half: units of 2^-24; the 24-bit significand shifts right by 126 - exponent (14…24).
  let shift = 126u - (magnitude >> 23u);
  let significand = (magnitude & 0x7fffffu) | 0x800000u;
  var half = significand >> shift;
  let rest = significand & ((1u << shift) - 1u);
  let midpoint = 1u << (shift - 1u);
  if (rest > midpoint || (rest == midpoint && (half & 1u) == 1u)) { half = half + 1u; }
  return sign | half;
}
fn toF16(x: f32) -> f16 { return bitcast<vec2<f16>>(f32ToF16Bits(x)).x; }
fn toF16x4(v: vec4<f32>) -> vec4<f16> { return vec4<f16>(toF16(v.x), toF16(v.y), toF16(v.z), toF16(v.w)); }
`;

/**
 * What a kernel's WGSL must start with when any of `dtypes` is float16: `enable f16;` and the
 * rounding helpers; the empty string otherwise (float32 kernels stay valid on devices without f16).
 * @example
 * shaderPrelude(['float16', 'int32']); // 'enable f16;\n…fn toF16(x: f32) -> f16 …'
 * shaderPrelude(['float32']); // ''
 */
export function shaderPrelude(dtypes: readonly DType[]): string {
  return dtypes.includes('float16') ? `enable f16;\n${FLOAT16_HELPERS}` : '';
}

/**
 * The dtype whose WGSL arithmetic a kernel uses for `dtype`: float16 computes in float32.
 * @example
 * computeDType('float16'); // 'float32'
 * computeDType('int32'); // 'int32'
 */
export function computeDType(dtype: DType): DType {
  return dtype === 'float16' ? 'float32' : dtype;
}

/**
 * A loaded storage value (a scalar, or a vec4 with `lanes` 4) as its compute type: f16 → f32
 * (exact), anything else unchanged.
 * @example
 * widen('xs[i]', 'float16'); // 'f32(xs[i])'
 * widen('xs[i]', 'float16', 4); // 'vec4<f32>(xs[i])'
 */
export function widen(expression: string, dtype: DType, lanes: 1 | 4 = 1): string {
  if (dtype !== 'float16') return expression;
  return lanes === 4 ? `vec4<f32>(${expression})` : `f32(${expression})`;
}

/**
 * A computed value (f32, or vec4<f32> with `lanes` 4, for float16) as the storage type of `dtype`:
 * f32 → f16 rounds to nearest-even; other dtypes are unchanged.
 * @example
 * narrow('acc', 'float16'); // 'toF16(acc)'
 * narrow('value', 'float16', 4); // 'toF16x4(value)'
 */
export function narrow(expression: string, dtype: DType, lanes: 1 | 4 = 1): string {
  if (dtype !== 'float16') return expression;
  return lanes === 4 ? `toF16x4(${expression})` : `toF16(${expression})`;
}
