import type { DType } from '@tessera/core/backend';
import { type UniformParams, uniformElement } from './uniforms';
/**
 * Shared pieces of generated WGSL: element types, storage bindings, the named uniform fields of
 * strided operands, NaN/∞ helpers and the flat-index → strided-offset code every kernel family uses.
 *
 * Shapes, strides and offsets are uniforms, never baked into source: one compiled pipeline serves
 * every tensor of the same op, dtype, rank and contiguity (the cache key).
 */

/** The WGSL scalar type holding each dtype in storage (bool is one u32 per element, 0 or 1; float16 is f16). */
export function wgslType(dtype: DType): 'f32' | 'f16' | 'i32' | 'u32' {
  if (dtype === 'float32') return 'f32';
  if (dtype === 'float16') return 'f16';
  if (dtype === 'int32') return 'i32';
  return 'u32';
}

/** IEEE helpers that do not rely on the compiler keeping `x != x` (fast-math may fold it). */
export const FLOAT_HELPERS = `
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isInf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
// Private variables, not constants: WGSL rejects NaN and ∞ produced during constant evaluation.
var<private> nanBits: u32 = 0x7fc00000u;
var<private> infBits: u32 = 0x7f800000u;
fn nanF32() -> f32 { return bitcast<f32>(nanBits); }
fn infF32() -> f32 { return bitcast<f32>(infBits); }
`;

/** A storage binding declaration. */
export function storageBinding(binding: number, name: string, type: string, access: 'read' | 'read_write'): string {
  return `@group(0) @binding(${binding}) var<storage, ${access}> ${name}: array<${type}>;\n`;
}

/** The uniform fields of one operand of a strided walk: its element offset (i32) and strides (i32 list). */
export interface StridedFields {
  readonly offset: string;
  readonly strides: string;
}

/**
 * Add an operand's offset and strides to `params` under `<name>Offset` and `<name>Strides`.
 * @example
 * stridedFields(params, 'in0', 4, [3, 1]); // { offset: 'in0Offset', strides: 'in0Strides' }
 */
export function stridedFields(params: UniformParams, name: string, offset: number, strides: readonly number[]): StridedFields {
  const fields = { offset: `${name}Offset`, strides: `${name}Strides` };
  params.i32(fields.offset, offset).i32s(fields.strides, strides);
  return fields;
}

/**
 * WGSL statements that turn a row-major flat index `flat` (u32) over an output of rank `rank`
 * into offsets `o0…` of each operand. The output's dims are the u32 list field `shape`; operand
 * `k` reads its offset and strides from the fields `operands[k]`. Contiguous operands skip the math.
 * @example
 * stridedOffsets(2, 'shape', [{ offset: 'xOffset', strides: 'xStrides' }], [false], 'i');
 * // 'var o0 = params.xOffset; var rest = i; let d1 = params.shape[0].y; …'
 */
export function stridedOffsets(rank: number, shape: string, operands: readonly StridedFields[], contiguous: readonly boolean[], flat: string): string {
  const lines: string[] = [];
  operands.forEach((fields, k) => {
    lines.push(contiguous[k] ? `let o${k} = params.${fields.offset} + i32(${flat});` : `var o${k} = params.${fields.offset};`);
  });
  const strided = operands.map((_, k) => k).filter((k) => !contiguous[k]);
  if (strided.length > 0 && rank > 0) {
    lines.push(`var rest = ${flat};`);
    for (let dim = rank - 1; dim >= 0; dim--) {
      const coordinate = `c${dim}`;
      if (dim > 0) {
        lines.push(`let d${dim} = ${uniformElement(shape, dim)}; let ${coordinate} = i32(rest % d${dim}); rest = rest / d${dim};`);
      } else {
        lines.push(`let ${coordinate} = i32(rest);`);
      }
      for (const k of strided) lines.push(`o${k} += ${coordinate} * ${uniformElement(operands[k].strides, dim)};`);
    }
  }
  return lines.join('\n  ');
}

/**
 * The entry-point header of a 1-D kernel over `count` items: a 2-D grid of workgroups flattened to
 * `i` (so more than 65535 × workgroupSize items fit), returning early past the end.
 */
export function flatEntry(workgroupSize: number, countExpr: string): string {
  return `@compute @workgroup_size(${workgroupSize})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${workgroupSize}u;
  if (i >= ${countExpr}) { return; }
`;
}
