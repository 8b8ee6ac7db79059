/**
 * A kernel's uniform parameters are described once by name; the WGSL struct and the uploaded bytes
 * both come from that description, following WGSL's uniform layout rules (scalars 4-byte aligned,
 * list fields as 16-byte-aligned arrays of vec4).
 */
import { describe, expect, it } from 'vitest';
import { UniformParams, uniformElement } from '../src/codegen/uniforms';
import { stridedOffsets } from '../src/codegen/wgsl';

describe('UniformParams', () => {
  it('declares named fields in order, lists as arrays of vec4', () => {
    const params = new UniformParams().u32('count', 6).u32s('shape', [2, 3, 1, 4, 5]).f32('alpha', 0.5);
    expect(params.declaration()).toBe(
      'struct Params {\n  count: u32,\n  shape: array<vec4<u32>, 2>,\n  alpha: f32,\n}\n@group(0) @binding(0) var<uniform> params: Params;\n',
    );
  });

  it('packs scalars 4-byte aligned and lists 16-byte aligned, padded to whole 16-byte rows', () => {
    const params = new UniformParams().u32('count', 7).i32('offset', -3).i32s('strides', [5, -1]).f32('eps', 0.25);
    const words = params.toWords();
    // count @0, offset @4, strides @16 (vec4 row 1), eps @32; size 36 → 48 bytes.
    expect(words.length).toBe(12);
    expect(words[0]).toBe(7);
    expect(new Int32Array(words.buffer)[1]).toBe(-3);
    expect(Array.from(new Int32Array(words.buffer).slice(4, 8))).toEqual([5, -1, 0, 0]);
    expect(new Float32Array(words.buffer)[8]).toBe(0.25);
  });

  it('declares nothing for an empty list (rank 0) and still binds a block without fields', () => {
    expect(new UniformParams().u32('count', 1).u32s('shape', []).signature).toBe('count:u32');
    const empty = new UniformParams();
    expect(empty.declaration()).toContain('unused: u32');
    expect(empty.toWords().length).toBe(4);
  });

  it('its signature changes with every field name, type and list length (it keys the pipeline cache)', () => {
    const a = new UniformParams().u32('count', 1).i32s('strides', [1, 2]).signature;
    expect(new UniformParams().u32('count', 9).i32s('strides', [3, 4]).signature).toBe(a);
    expect(new UniformParams().u32('count', 1).i32s('strides', [1, 2, 3]).signature).not.toBe(a);
    expect(new UniformParams().i32('count', 1).i32s('strides', [1, 2]).signature).not.toBe(a);
  });

  it('refuses a field declared twice', () => {
    expect(() => new UniformParams().u32('count', 1).f32('count', 2)).toThrow(/'count' is declared twice/);
  });
});

describe('named uniform reads in generated WGSL', () => {
  it('reads list element k as name[k / 4].xyzw[k % 4]', () => {
    expect(uniformElement('shape', 0)).toBe('params.shape[0].x');
    expect(uniformElement('shape', 5)).toBe('params.shape[1].y');
  });

  it('strided offsets read the operand fields by name', () => {
    const code = stridedOffsets(2, 'shape', [{ offset: 'outOffset', strides: 'outStrides' }, { offset: 'in0Offset', strides: 'in0Strides' }], [true, false], 'i');
    expect(code).toContain('let o0 = params.outOffset + i32(i);');
    expect(code).toContain('var o1 = params.in0Offset;');
    expect(code).toContain('let d1 = params.shape[0].y;');
    expect(code).toContain('o1 += c1 * params.in0Strides[0].y;');
    expect(code).not.toMatch(/\bPi?\(|\bPf\(/);
  });
});
