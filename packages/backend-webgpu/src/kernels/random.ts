/**
 * Core's Philox4x32-10 stream (`random/philox.ts`) in WGSL, bit for bit: one thread per 4-word
 * block, 32×32→64-bit products from 16-bit halves (WGSL has no 64-bit integers), the same
 * counter layout and conversions. Normals use an accurate log and an octant-reduced sin/cos so
 * float32 results stay within a few ulps of the float64 reference.
 */
import { DTypeError } from '@tessera/core';
import { flatEntry, storageBinding, wgslType } from '../codegen/wgsl';
import { UniformParams } from '../codegen/uniforms';
import { elementCount } from '../codegen/layout';
import type { GpuRuntime } from '../runtime/gpu-runtime';
import type { GpuStorage } from '../storage/gpu-storage';
import type { OutputBuffer, RandomRequest } from '@tessera/core/backend';

const PHILOX = `
fn mulHiLo(a: u32, b: u32) -> vec2<u32> {
  let aLo = a & 0xffffu; let aHi = a >> 16u; let bLo = b & 0xffffu; let bHi = b >> 16u;
  let loLo = aLo * bLo; let hiLo = aHi * bLo; let loHi = aLo * bHi; let hiHi = aHi * bHi;
  let cross = (loLo >> 16u) + (hiLo & 0xffffu) + loHi;
  return vec2<u32>(hiHi + (hiLo >> 16u) + (cross >> 16u), (cross << 16u) | (loLo & 0xffffu));
}
fn philox(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round = round + 1u) {
    let p0 = mulHiLo(0xd2511f53u, c.x);
    let p1 = mulHiLo(0xcd9e8d57u, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k = k + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return c;
}
// ln(x) for x in (0, 1] to about one ulp: x = 2^e · f, f in [√½, √2), ln f = 2·atanh((f−1)/(f+1)).
fn lnAccurate(x: f32) -> f32 {
  let bits = bitcast<u32>(x);
  var e = i32((bits >> 23u) & 0xffu) - 127;
  var f = bitcast<f32>((bits & 0x007fffffu) | 0x3f800000u);
  if (f > 1.41421356) { f = f * 0.5; e = e + 1; }
  let s = (f - 1.0) / (f + 1.0);
  let s2 = s * s;
  let series = s * (2.0 + s2 * (0.6666666666 + s2 * (0.4 + s2 * (0.2857142857 + s2 * 0.2222222222))));
  let fe = f32(e);
  return (series + fe * -2.12194440e-4) + fe * 0.693359375;
}
fn sinPolyR(x: f32, z: f32) -> f32 { return ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * x + x; }
fn cosPolyR(z: f32) -> f32 { return ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0; }
// (cos 2πu, sin 2πu) for u in [0, 1): exact octant split, then |y| ≤ π/4 polynomials.
fn cosSinTurns(u: f32) -> vec2<f32> {
  let octant = u32(floor(u * 8.0));
  var quadrant: u32;
  var y: f32;
  if ((octant & 1u) == 0u) {
    quadrant = octant / 2u;
    y = (u - f32(octant) * 0.125) * 6.28318530717958647;
  } else {
    quadrant = (octant + 1u) / 2u;
    y = -((f32(octant + 1u) * 0.125 - u) * 6.28318530717958647);
  }
  let z = y * y;
  let s = sinPolyR(y, z);
  let c = cosPolyR(z);
  switch (quadrant & 3u) {
    case 0u: { return vec2<f32>(c, s); }
    case 1u: { return vec2<f32>(-s, c); }
    case 2u: { return vec2<f32>(-c, -s); }
    default: { return vec2<f32>(s, -c); }
  }
}
`;

/**
 * Fill `out` with the Philox stream of `request`.
 * @example
 * randomKernel(runtime, out, storage, { distribution: 'uniform', key: [42, 0], counter: [0, 0] });
 */
export function randomKernel(runtime: GpuRuntime, out: OutputBuffer, outStorage: GpuStorage, request: RandomRequest): void {
  if (out.dtype !== 'float32' && out.dtype !== 'int32') throw new DTypeError(`webgpu random: output dtype ${out.dtype} is not supported (float32 or int32)`);
  const count = elementCount(out.shape);
  if (count === 0) return;
  const blocks = Math.ceil(count / 4);
  const low = request.low ?? 0;
  const range = (request.high ?? 0) - low;
  const params = new UniformParams().u32('count', count).u32('blocks', blocks).u32('key0', request.key[0]).u32('key1', request.key[1]);
  params.u32('counter0', request.counter[0]).u32('counter1', request.counter[1]).i32('low', low).u32('range', range);
  const type = wgslType(out.dtype);
  const convert = (word: string, j: number): string => {
    switch (request.distribution) {
      case 'bits': return `${type}(bitcast<i32>(${word}))`;
      case 'uniform': return `${type}(f32(${word} >> 8u) * 5.9604644775390625e-8)`;
      case 'randint': return `${type}(params.low + bitcast<i32>(mulHiLo(${word}, params.range).x))`;
      default: return `${type}(${j % 2 === 0 ? 'normal.x' : 'normal.y'})`;
    }
  };
  const source = (): string => {
    let code = params.declaration() + PHILOX + storageBinding(1, 'outBuf', type, 'read_write');
    code += flatEntry(64, 'params.blocks');
    code += `  let lo = params.counter0 + i;
  let hi = params.counter1 + select(0u, 1u, lo < params.counter0);
  let w = philox(vec4<u32>(lo, hi, 0u, 0u), vec2<u32>(params.key0, params.key1));
  let first = i * 4u;
  var normal = vec2<f32>(0.0);
`;
    for (let j = 0; j < 4; j++) {
      const word = `w[${j}]`;
      if (request.distribution === 'normal' && j % 2 === 0) {
        code += `  {
    let u1 = f32((w[${j}] >> 8u) + 1u) * 5.9604644775390625e-8;
    let u2 = f32(w[${j + 1}] >> 8u) * 5.9604644775390625e-8;
    let radius = sqrt(-2.0 * lnAccurate(u1));
    normal = radius * cosSinTurns(u2);
  }
`;
      }
      code += `  if (first + ${j}u < params.count) { outBuf[first + ${j}u] = ${convert(word, j)}; }\n`;
    }
    code += '}\n';
    return code;
  };
  runtime.launch({
    op: `random ${request.distribution}`,
    key: `random:${request.distribution}:${out.dtype}`,
    source,
    uniforms: params,
    inputs: [],
    outputs: [outStorage],
    groups: Math.ceil(blocks / 64),
  });
}
