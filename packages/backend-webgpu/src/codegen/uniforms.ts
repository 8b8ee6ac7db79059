/**
 * A kernel's uniform parameters, described once by name: the same description yields the WGSL
 * `struct Params { … }` the shader reads (`params.count`, `params.shape[0].y`) and the bytes the host
 * uploads, so the shader's view and the host's packing cannot drift apart.
 *
 * Layout follows WGSL's uniform address space rules: a scalar field takes 4 bytes at 4-byte
 * alignment; a list field (shape, strides) is `array<vec4<T>, ⌈n/4⌉>` at 16-byte alignment with a
 * 16-byte stride (uniform arrays need it), element `k` read as `name[k / 4].xyzw[k % 4]`.
 */

/** The 32-bit types a uniform field can have. */
export type UniformType = 'u32' | 'i32' | 'f32';

interface UniformField {
  readonly name: string;
  readonly type: UniformType;
  /** Scalar fields hold one value; list fields any number (packed four to a vec4). */
  readonly list: boolean;
  readonly values: readonly number[];
  /** Byte offset in the struct (WGSL's layout rules). */
  readonly offset: number;
}

import { BackendError } from '@tessera/core';

const COMPONENTS = ['x', 'y', 'z', 'w'] as const;

/**
 * WGSL that reads element `index` (a compile-time constant) of the list field `name`.
 * @example
 * uniformElement('shape', 5); // 'params.shape[1].y'
 */
export function uniformElement(name: string, index: number): string {
  return `params.${name}[${index >> 2}].${COMPONENTS[index & 3]}`;
}

/**
 * Builder of a kernel's named uniform block: add fields with their values, then `declaration()`
 * gives the WGSL and `toWords()` the matching bytes.
 * @example
 * const params = new UniformParams().u32('count', 6).u32s('shape', [2, 3]).f32('alpha', 0.5);
 * params.declaration(); // 'struct Params { count: u32, shape: array<vec4<u32>, 1>, alpha: f32, }' + binding
 * // WGSL reads params.count, params.alpha, params.shape[0].y
 */
export class UniformParams {
  private readonly fields: UniformField[] = [];
  private bytes = 0;

  /** A u32 scalar field. */
  u32(name: string, value: number): this {
    return this.add(name, 'u32', false, [value]);
  }

  /** An i32 scalar field. */
  i32(name: string, value: number): this {
    return this.add(name, 'i32', false, [value]);
  }

  /** An f32 scalar field. */
  f32(name: string, value: number): this {
    return this.add(name, 'f32', false, [value]);
  }

  /** A u32 list field (read with {@link uniformElement}); an empty list declares nothing. */
  u32s(name: string, values: readonly number[]): this {
    return this.add(name, 'u32', true, values);
  }

  /** An i32 list field (read with {@link uniformElement}); an empty list declares nothing. */
  i32s(name: string, values: readonly number[]): this {
    return this.add(name, 'i32', true, values);
  }

  /** The struct's layout, for the pipeline cache key (the WGSL depends on it). */
  get signature(): string {
    return this.fields.map((field) => `${field.name}:${field.type}${field.list ? `x${field.values.length}` : ''}`).join(',');
  }

  /** The WGSL struct and its binding (group 0, binding 0, named `params`). */
  declaration(): string {
    const members = this.fields.map((field) => `  ${field.name}: ${field.list ? `array<vec4<${field.type}>, ${Math.ceil(field.values.length / 4)}>` : field.type},\n`);
    // WGSL has no empty structs; a kernel without parameters still binds a (padding) block.
    if (members.length === 0) members.push('  unused: u32,\n');
    return `struct Params {\n${members.join('')}}\n@group(0) @binding(0) var<uniform> params: Params;\n`;
  }

  /** The fields' values laid out as the struct, as 32-bit words (a whole number of 16-byte rows). */
  toWords(): Uint32Array {
    const out = new Uint32Array(Math.max(4, Math.ceil(this.bytes / 16) * 4));
    const asInt = new Int32Array(out.buffer);
    const asFloat = new Float32Array(out.buffer);
    for (const field of this.fields) {
      field.values.forEach((value, k) => {
        const word = field.offset / 4 + (field.list ? (k >> 2) * 4 + (k & 3) : 0);
        if (field.type === 'f32') asFloat[word] = value;
        else if (field.type === 'i32') asInt[word] = value | 0;
        else out[word] = value >>> 0;
      });
    }
    return out;
  }

  private add(name: string, type: UniformType, list: boolean, values: readonly number[]): this {
    if (this.fields.some((field) => field.name === name)) throw new BackendError(`webgpu uniforms: field '${name}' is declared twice`);
    if (list && values.length === 0) return this;
    const align = list ? 16 : 4;
    const offset = Math.ceil(this.bytes / align) * align;
    const size = list ? Math.ceil(values.length / 4) * 16 : 4;
    this.fields.push({ name, type, list, values: [...values], offset });
    this.bytes = offset + size;
    return this;
  }
}
