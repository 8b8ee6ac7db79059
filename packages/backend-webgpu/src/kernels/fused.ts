/**
 * Fused row kernels: softmax / logSoftmax along any axis and layerNorm over trailing elements.
 * One dispatch each: contiguous rows of up to 64 × 16 vec4 (or f32) elements take the register
 * row kernel (one load per element, one (max, sum) reduction); other long lines a workgroup with
 * shared-memory tree reductions (max, then sum); short lines one thread each. float16 rows load
 * widened to f32, keep the max, the sum and the layerNorm statistics in f32 and round each output
 * once (the buffers' dtypes decide: `GpuStorage.dtype`).
 */
import { narrow, shaderPrelude, widen } from '../codegen/float16';
import { FLOAT_HELPERS, storageBinding, wgslType } from '../codegen/wgsl';
import { UniformParams } from '../codegen/uniforms';
import type { GpuRuntime } from '../runtime/gpu-runtime';
import type { GpuStorage } from '../storage/gpu-storage';
import type { OutputBuffer } from '@tessera/core/backend';

const WORKGROUP = 256;
const TREE_THRESHOLD = 128;
/** Row softmax: 32 threads per row (64 for the longest rows), each holding up to 16 vec4 or f32. */
const MAX_ROW_WORKGROUP = 64;
const MAX_ROW_REGISTERS = 16;

/** WGSL: tree-reduce `value` across the workgroup with `combine`, result in every thread. */
function treeReduce(array: string, combine: (a: string, b: string) => string): string {
  return `workgroupBarrier();
  for (var width = ${WORKGROUP / 2}u; width > 0u; width = width >> 1u) {
    if (lid < width) { ${array}[lid] = ${combine(`${array}[lid]`, `${array}[lid + width]`)}; }
    workgroupBarrier();
  }`;
}

const MAX_NAN = (a: string, b: string) => `select(max(${a}, ${b}), nanF32(), isNan(${a}) || isNan(${b}))`;

/**
 * Softmax (or log-softmax) of a contiguous `[outer, length, inner]` layout along the middle axis.
 * @example
 * softmaxKernel(runtime, x, 0, [2, 5, 1], out, false);
 */
export function softmaxKernel(runtime: GpuRuntime, input: GpuStorage, offset: number, dims: readonly [number, number, number], output: GpuStorage, logarithm: boolean): void {
  const [outer, length, inner] = dims;
  const lines = outer * inner;
  if (lines === 0 || length === 0) return;
  const width = length % 4 === 0 && offset % 4 === 0 ? 4 : 1;
  if (inner === 1 && length >= TREE_THRESHOLD && length / width <= MAX_ROW_WORKGROUP * MAX_ROW_REGISTERS) {
    rowSoftmaxKernel(runtime, input, offset, outer, length, width, output, logarithm);
    return;
  }
  const tree = length >= TREE_THRESHOLD;
  const dtype = input.dtype;
  const params = new UniformParams().u32('lines', lines).u32('length', length).u32('inner', inner).i32('offset', offset);
  const result = narrow(logarithm ? 'v - maximum - log(total)' : 'exp(v - maximum) / total', dtype);
  const load = (k: string) => widen(`xs[inStart + i32(${k} * step)]`, dtype);
  const source = (): string => {
    let code = shaderPrelude([dtype]) + params.declaration() + FLOAT_HELPERS;
    code += storageBinding(1, 'xs', wgslType(dtype), 'read') + storageBinding(2, 'outBuf', wgslType(dtype), 'read_write');
    const lineStart = (line: string) => `let outerIndex = ${line} / params.inner; let innerIndex = ${line} % params.inner;
  let start = outerIndex * params.length * params.inner + innerIndex;
  let step = params.inner;
  let inStart = params.offset + i32(start);`;
    if (!tree) {
      code += `@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let line = gid.x + gid.y * groups.x * 64u;
  if (line >= params.lines) { return; }
  ${lineStart('line')}
  var maximum = -infF32();
  for (var k = 0u; k < params.length; k = k + 1u) { maximum = ${MAX_NAN('maximum', load('k'))}; }
  var total = 0.0;
  for (var k = 0u; k < params.length; k = k + 1u) { total = total + exp(${load('k')} - maximum); }
  for (var k = 0u; k < params.length; k = k + 1u) { let v = ${load('k')}; outBuf[start + k * step] = ${result}; }
}
`;
      return code;
    }
    code += `var<workgroup> scratch: array<f32, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let line = wid.x + wid.y * groups.x;
  let inRange = line < params.lines;
  ${lineStart('line')}
  var local = -infF32();
  if (inRange) { for (var k = lid; k < params.length; k = k + ${WORKGROUP}u) { local = ${MAX_NAN('local', load('k'))}; } }
  scratch[lid] = local;
  ${treeReduce('scratch', MAX_NAN)}
  let maximum = scratch[0];
  workgroupBarrier();
  var partial = 0.0;
  if (inRange) { for (var k = lid; k < params.length; k = k + ${WORKGROUP}u) { partial = partial + exp(${load('k')} - maximum); } }
  scratch[lid] = partial;
  ${treeReduce('scratch', (a, b) => `${a} + ${b}`)}
  let total = scratch[0];
  if (inRange) { for (var k = lid; k < params.length; k = k + ${WORKGROUP}u) { let v = ${load('k')}; outBuf[start + k * step] = ${result}; } }
}
`;
    return code;
  };
  runtime.launch({
    op: logarithm ? 'logSoftmax' : 'softmax',
    key: `${logarithm ? 'logSoftmax' : 'softmax'}:${dtype}:${tree ? 'tree' : 'thread'}`,
    source,
    uniforms: params,
    inputs: [input],
    outputs: [output],
    groups: tree ? lines : Math.ceil(lines / 64),
  });
}

/**
 * Softmax of contiguous rows short enough to sit in registers: one workgroup per row, every
 * element loaded once (vec4 when the row and its start are 4-aligned), one tree reduction of
 * (max, sum) pairs with online rescaling, then `exp(v - max) / sum` written from the registers.
 */
function rowSoftmaxKernel(runtime: GpuRuntime, input: GpuStorage, offset: number, rows: number, length: number, width: 1 | 4, output: GpuStorage, logarithm: boolean): void {
  const dtype = input.dtype;
  const vector = width === 4 ? 'vec4<f32>' : 'f32';
  const stored = width === 4 ? `vec4<${wgslType(dtype)}>` : wgslType(dtype);
  const units = length / width;
  const threads = units <= (MAX_ROW_WORKGROUP / 2) * MAX_ROW_REGISTERS ? MAX_ROW_WORKGROUP / 2 : MAX_ROW_WORKGROUP;
  let registers = 1;
  while (registers * threads < units) registers *= 2;
  const params = new UniformParams().u32('rows', rows).u32('units', units).i32('offset', offset / width);
  const result = narrow(logarithm ? 'v - maximum - log(total)' : 'exp(v - maximum) / total', dtype, width);
  const lanes = width === 4 ? ['.x', '.y', '.z', '.w'] : [''];
  const maxOf = (value: string) => lanes.map((lane) => `local = ${MAX_NAN('local', `${value}${lane}`)};`).join(' ');
  const sumOf = (value: string) => (width === 4 ? `let e = exp(${value} - local); partial = partial + ((e.x + e.y) + (e.z + e.w));` : `partial = partial + exp(${value} - local);`);
  const source = (): string => `${shaderPrelude([dtype])}${params.declaration()}${FLOAT_HELPERS}${storageBinding(1, 'xs', stored, 'read')}${storageBinding(2, 'outBuf', stored, 'read_write')}
var<workgroup> maxima: array<f32, ${threads}>;
var<workgroup> sums: array<f32, ${threads}>;
@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * groups.x;
  let inRange = row < params.rows;
  let units = params.units;
  let start = row * units;
  let inStart = params.offset + i32(start);
  var values: array<${vector}, ${registers}>;
  var local = -infF32();
  for (var r = 0u; r < ${registers}u; r = r + 1u) {
    let k = lid + r * ${threads}u;
    if (inRange && k < units) { let v = ${widen('xs[inStart + i32(k)]', dtype, width)}; values[r] = v; ${maxOf('v')} }
  }
  var partial = 0.0;
  if (local != -infF32()) {
    for (var r = 0u; r < ${registers}u; r = r + 1u) {
      let k = lid + r * ${threads}u;
      if (inRange && k < units) { ${sumOf('values[r]')} }
    }
  }
  maxima[lid] = local;
  sums[lid] = partial;
  workgroupBarrier();
  for (var half = ${threads / 2}u; half > 0u; half = half >> 1u) {
    if (lid < half) {
      let ma = maxima[lid];
      let mb = maxima[lid + half];
      let m = ${MAX_NAN('ma', 'mb')};
      let sa = select(sums[lid] * exp(ma - m), 0.0, ma == -infF32());
      let sb = select(sums[lid + half] * exp(mb - m), 0.0, mb == -infF32());
      maxima[lid] = m;
      sums[lid] = sa + sb;
    }
    workgroupBarrier();
  }
  let maximum = maxima[0];
  let total = select(sums[0], nanF32(), maximum == -infF32());
  if (inRange) {
    for (var r = 0u; r < ${registers}u; r = r + 1u) {
      let k = lid + r * ${threads}u;
      if (k < units) { let v = values[r]; outBuf[start + k] = ${result}; }
    }
  }
}
`;
  runtime.launch({
    op: logarithm ? 'logSoftmax' : 'softmax',
    key: `${logarithm ? 'logSoftmax' : 'softmax'}:row:${stored}:${threads}x${registers}`,
    source,
    uniforms: params,
    inputs: [input],
    outputs: [output],
    groups: rows,
  });
}

/** An optional per-feature vector (weight or bias) of a layerNorm, contiguous from `offset`. */
export interface FeatureVector {
  readonly storage: GpuStorage;
  readonly offset: number;
}

/**
 * LayerNorm of contiguous rows of `size` features: two-pass mean and biased variance, then the
 * affine transform; also writes each row's mean and rstd.
 */
export function layerNormKernel(
  runtime: GpuRuntime,
  input: GpuStorage,
  offset: number,
  rows: number,
  size: number,
  eps: number,
  weight: FeatureVector | null,
  bias: FeatureVector | null,
  out: OutputBuffer,
  outputs: { out: GpuStorage; mean: GpuStorage; rstd: GpuStorage },
): void {
  if (rows === 0) return;
  const params = new UniformParams().u32('rows', rows).u32('size', size).i32('offset', offset).f32('eps', eps);
  params.i32('weightOffset', weight?.offset ?? 0).i32('biasOffset', bias?.offset ?? 0);
  const tree = size >= TREE_THRESHOLD;
  const dtype = input.dtype;
  const element = wgslType(dtype);
  const inputs = [input];
  let binding = 2;
  let declarations = storageBinding(1, 'xs', element, 'read');
  if (weight) {
    inputs.push(weight.storage);
    declarations += storageBinding(binding++, 'gamma', element, 'read');
  }
  if (bias) {
    inputs.push(bias.storage);
    declarations += storageBinding(binding++, 'beta', element, 'read');
  }
  declarations += storageBinding(binding++, 'outBuf', element, 'read_write');
  declarations += storageBinding(binding++, 'meanBuf', element, 'read_write');
  declarations += storageBinding(binding++, 'rstdBuf', element, 'read_write');
  const x = (k: string) => widen(`xs[inStart + i32(${k})]`, dtype);
  const affine = `${weight ? ` * ${widen('gamma[params.weightOffset + i32(k)]', dtype)}` : ''}${bias ? ` + ${widen('beta[params.biasOffset + i32(k)]', dtype)}` : ''}`;
  const normalized = narrow(`(${x('k')} - mean) * rstd${affine}`, dtype);
  const source = (): string => {
    let code = shaderPrelude([dtype]) + params.declaration() + FLOAT_HELPERS + declarations;
    if (!tree) {
      code += `@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = gid.x + gid.y * groups.x * 64u;
  if (row >= params.rows) { return; }
  let n = params.size;
  let start = row * n;
  let inStart = params.offset + i32(start);
  var total = 0.0;
  for (var k = 0u; k < n; k = k + 1u) { total = total + ${x('k')}; }
  let mean = total / f32(n);
  var squares = 0.0;
  for (var k = 0u; k < n; k = k + 1u) { let d = ${x('k')} - mean; squares = squares + d * d; }
  let rstd = 1.0 / sqrt(squares / f32(n) + params.eps);
  for (var k = 0u; k < n; k = k + 1u) { outBuf[start + k] = ${normalized}; }
  meanBuf[row] = ${narrow('mean', dtype)};
  rstdBuf[row] = ${narrow('rstd', dtype)};
}
`;
      return code;
    }
    code += `var<workgroup> scratch: array<f32, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * groups.x;
  let inRange = row < params.rows;
  let n = params.size;
  let start = row * n;
  let inStart = params.offset + i32(start);
  var partial = 0.0;
  if (inRange) { for (var k = lid; k < n; k = k + ${WORKGROUP}u) { partial = partial + ${x('k')}; } }
  scratch[lid] = partial;
  ${treeReduce('scratch', (a, b) => `${a} + ${b}`)}
  let mean = scratch[0] / f32(n);
  workgroupBarrier();
  var squares = 0.0;
  if (inRange) { for (var k = lid; k < n; k = k + ${WORKGROUP}u) { let d = ${x('k')} - mean; squares = squares + d * d; } }
  scratch[lid] = squares;
  ${treeReduce('scratch', (a, b) => `${a} + ${b}`)}
  let rstd = 1.0 / sqrt(scratch[0] / f32(n) + params.eps);
  if (inRange) {
    for (var k = lid; k < n; k = k + ${WORKGROUP}u) { outBuf[start + k] = ${normalized}; }
    if (lid == 0u) { meanBuf[row] = ${narrow('mean', dtype)}; rstdBuf[row] = ${narrow('rstd', dtype)}; }
  }
}
`;
    return code;
  };
  runtime.launch({
    op: 'layerNorm',
    key: `layerNorm:${dtype}:${tree ? 'tree' : 'thread'}:${weight ? 'w' : ''}${bias ? 'b' : ''}`,
    source,
    uniforms: params,
    inputs,
    outputs: [outputs.out, outputs.mean, outputs.rstd],
    groups: tree ? rows : Math.ceil(rows / 64),
  });
  void out;
}
