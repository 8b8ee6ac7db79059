import type { DType } from '@tessera/core/backend';
/**
 * Shared pieces of generated WGSL: element types, the uniform block that carries shapes and
 * strides, NaN/∞ helpers and the flat-index → strided-offset code every kernel family uses.
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

/**
 * The uniform block of a kernel: `words` 32-bit values read with `P(i)` (u32), `Pi(i)` (i32), `Pf(i)` (f32).
 * @example
 * uniformBlock(7); // struct Params { v: array<vec4<u32>, 2> } … fn P(i: u32) -> u32 …
 */
export function uniformBlock(words: number): string {
  const vectors = Math.max(1, Math.ceil(words / 4));
  return `struct Params { v: array<vec4<u32>, ${vectors}> }
@group(0) @binding(0) var<uniform> params: Params;
fn P(i: u32) -> u32 { return params.v[i >> 2u][i & 3u]; }
fn Pi(i: u32) -> i32 { return bitcast<i32>(params.v[i >> 2u][i & 3u]); }
fn Pf(i: u32) -> f32 { return bitcast<f32>(params.v[i >> 2u][i & 3u]); }
`;
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

/**
 * Host-side uniform words builder: push u32, i32 and f32 values in order.
 * @example
 * const words = new UniformWords(); words.u32(3); words.i32(-1); words.f32(0.5);
 */
export class UniformWords {
  private readonly values: number[] = [];
  private readonly floats: boolean[] = [];

  get length(): number {
    return this.values.length;
  }

  u32(value: number): this {
    this.values.push(value >>> 0);
    this.floats.push(false);
    return this;
  }

  i32(value: number): this {
    this.values.push(value | 0);
    this.floats.push(false);
    return this;
  }

  f32(value: number): this {
    this.values.push(value);
    this.floats.push(true);
    return this;
  }

  /** Index the next pushed word will get. */
  get next(): number {
    return this.values.length;
  }

  /** The words as raw 32-bit data. */
  toArray(): Uint32Array {
    const out = new Uint32Array(Math.max(4, Math.ceil(this.values.length / 4) * 4));
    const asFloat = new Float32Array(out.buffer);
    const asInt = new Int32Array(out.buffer);
    this.values.forEach((value, i) => {
      if (this.floats[i]) asFloat[i] = value;
      else if (value < 0) asInt[i] = value;
      else out[i] = value;
    });
    return out;
  }
}

/**
 * WGSL statements that turn a row-major flat index `flat` (u32) over an output of rank `rank`
 * into offsets `o0…` of each operand. Uniform layout: shape at `shapeBase`; operand `k`'s offset at
 * `operandBases[k]` followed by its `rank` strides. Operands marked contiguous skip the math.
 * @example
 * stridedOffsets(2, 1, [4], [false], 'i'); // 'var rest = i; var o0 = Pi(4u); …'
 */
export function stridedOffsets(rank: number, shapeBase: number, operandBases: readonly number[], contiguous: readonly boolean[], flat: string): string {
  const lines: string[] = [];
  operandBases.forEach((base, k) => {
    lines.push(contiguous[k] ? `let o${k} = Pi(${base}u) + i32(${flat});` : `var o${k} = Pi(${base}u);`);
  });
  const strided = operandBases.map((_, k) => k).filter((k) => !contiguous[k]);
  if (strided.length > 0 && rank > 0) {
    lines.push(`var rest = ${flat};`);
    for (let dim = rank - 1; dim >= 0; dim--) {
      const coordinate = `c${dim}`;
      if (dim > 0) {
        lines.push(`let d${dim} = P(${shapeBase + dim}u); let ${coordinate} = i32(rest % d${dim}); rest = rest / d${dim};`);
      } else {
        lines.push(`let ${coordinate} = i32(rest);`);
      }
      for (const k of strided) lines.push(`o${k} += ${coordinate} * Pi(${operandBases[k] + 1 + dim}u);`);
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
