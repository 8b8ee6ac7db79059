/**
 * Reductions (sum, prod, max, min, argmax, argmin) over any set of axes of a strided view.
 * Two generated shapes: one thread per output for short reductions, and one workgroup per output
 * with a shared-memory tree reduction for long ones. Kept and reduced dims are collapsed separately.
 * float16 inputs accumulate in f32 (sums and products round once, at the store).
 */
import { DTypeError } from '@tessera/core';
import { FLOAT_HELPERS, flatEntry, storageBinding, wgslType } from '../codegen/wgsl';
import { UniformParams, uniformElement } from '../codegen/uniforms';
import { collapseDims, elementCount, rowMajorStrides } from '../codegen/layout';
import { computeDType, narrow, shaderPrelude, widen } from '../codegen/float16';
import type { GpuRuntime } from '../runtime/gpu-runtime';
import type { GpuStorage } from '../storage/gpu-storage';
import type { DType, OutputBuffer, ReduceOp, StridedView } from '@tessera/core/backend';

const TREE_WORKGROUP = 256;
/** Reductions at least this long use a workgroup per output. */
const TREE_THRESHOLD = 512;

/** WGSL that decodes `flat` over the dims of uniform list `shape` (strides in list `strides`) into `offsetVar` += …. */
export function decodeOffset(rank: number, shape: string, strides: string, flat: string, offsetVar: string, prefix: string): string {
  if (rank === 0) return '';
  if (rank === 1) return `${offsetVar} += i32(${flat}) * ${uniformElement(strides, 0)};`;
  const lines = [`var ${prefix}rest = ${flat};`];
  for (let dim = rank - 1; dim >= 0; dim--) {
    if (dim > 0) {
      lines.push(`{ let d = ${uniformElement(shape, dim)}; ${offsetVar} += i32(${prefix}rest % d) * ${uniformElement(strides, dim)}; ${prefix}rest = ${prefix}rest / d; }`);
    } else {
      lines.push(`${offsetVar} += i32(${prefix}rest) * ${uniformElement(strides, 0)};`);
    }
  }
  return lines.join('\n    ');
}

/** The merge rule of a reduction as WGSL: `merge(acc, idx, has, value, index, present)` updates in place. */
function reduceHelpers(op: ReduceOp, type: string, dtype: DType): string {
  const isFloat = computeDType(dtype) === 'float32';
  if (op === 'sum' || op === 'prod') {
    const combine = op === 'sum' ? 'a + b' : 'a * b';
    return `fn combine(a: ${type}, b: ${type}) -> ${type} { return ${combine}; }\n`;
  }
  const wantMax = op === 'max' || op === 'argmax';
  const compare = wantMax ? 'b > a' : 'b < a';
  const nanRules = isFloat
    ? `let an = isNan(a); let bn = isNan(b);
  if (an && bn) { return ib < ia; }
  if (an) { return false; }
  if (bn) { return true; }`
    : '';
  return `fn takeB(a: ${type}, ia: u32, ha: bool, b: ${type}, ib: u32, hb: bool) -> bool {
  if (!hb) { return false; }
  if (!ha) { return true; }
  ${nanRules}
  if (b == a) { return ib < ia; }
  return ${compare};
}
`;
}

/**
 * `out = op(x)` over `axes`.
 * @example
 * reduceKernel(runtime, 'sum', x, storageOfX, [1], out, storageOfOut);
 */
export function reduceKernel(runtime: GpuRuntime, op: ReduceOp, x: StridedView, input: GpuStorage, axes: readonly number[], out: OutputBuffer, output: GpuStorage): void {
  if (x.dtype === 'float64') throw new DTypeError(`webgpu reduce ${op}: dtype ${x.dtype} is not supported (float32, float16, int32 or bool)`);
  const outCount = elementCount(out.shape);
  if (outCount === 0) return;
  const keptDims = x.shape.map((_, dim) => dim).filter((dim) => !axes.includes(dim));
  const keptShape = keptDims.map((dim) => x.shape[dim]);
  const kept = collapseDims(keptShape, [rowMajorStrides(keptShape), keptDims.map((dim) => x.strides[dim])]);
  const reducedShape = axes.map((dim) => x.shape[dim]);
  const reduced = collapseDims(reducedShape, [axes.map((dim) => x.strides[dim])]);
  const reducedCount = elementCount(reducedShape);
  // Collapsing may reorder nothing but can drop size-1 dims; an argmax index is the position along its one axis.
  const keptRank = kept.shape.length;
  const reducedRank = reduced.shape.length;
  const params = new UniformParams().u32('outCount', outCount).u32('reducedCount', reducedCount).i32('xOffset', x.offset);
  params.u32s('keptShape', kept.shape).i32s('keptStrides', kept.strides[1]).u32s('reducedShape', reduced.shape).i32s('reducedStrides', reduced.strides[0]);

  // The accumulator's type (f32 for float16) and the output's compute type.
  const type = wgslType(computeDType(x.dtype));
  const outType = wgslType(computeDType(out.dtype));
  const isArg = op === 'argmax' || op === 'argmin';
  const isExtreme = op !== 'sum' && op !== 'prod';
  const zero = type === 'f32' ? '0.0' : type === 'i32' ? '0' : '0u';
  const one = type === 'f32' ? '1.0' : type === 'i32' ? '1' : '1u';
  const init = op === 'prod' ? one : zero;
  const tree = reducedCount >= TREE_THRESHOLD;
  const key = `reduce:${op}:${x.dtype}>${out.dtype}:k${keptRank}:r${reducedRank}:${tree ? 'tree' : 'thread'}`;
  const finalValue = isArg ? 'i32(idx)' : narrow(`${outType}(acc)`, out.dtype);

  const source = (): string => {
    let code = shaderPrelude([x.dtype, out.dtype]) + params.declaration() + FLOAT_HELPERS + reduceHelpers(op, type, x.dtype);
    code += storageBinding(1, 'xs', wgslType(x.dtype), 'read');
    code += storageBinding(2, 'outBuf', wgslType(out.dtype), 'read_write');
    const step = (value: string, index: string) =>
      isExtreme
        ? `if (takeB(acc, idx, has, ${value}, ${index}, true)) { acc = ${value}; idx = ${index}; has = true; }`
        : `acc = combine(acc, ${value});`;
    const body = (r: string) => `var off = base;
    ${decodeOffset(reducedRank, 'reducedShape', 'reducedStrides', r, 'off', 'r')}
    let v = ${widen('xs[off]', x.dtype)};
    ${step('v', r)}`;
    const baseCode = (flat: string) => `var base = params.xOffset;
  ${decodeOffset(keptRank, 'keptShape', 'keptStrides', flat, 'base', 'k')}`;
    if (!tree) {
      code += flatEntry(64, 'params.outCount');
      code += `  ${baseCode('i')}
  var acc: ${type} = ${init};
  var idx = 0u;
  var has = false;
  for (var r = 0u; r < params.reducedCount; r = r + 1u) {
    ${body('r')}
  }
  _ = has; _ = idx;
  outBuf[i] = ${finalValue};
}
`;
      return code;
    }
    code += `var<workgroup> sAcc: array<${type}, ${TREE_WORKGROUP}>;
var<workgroup> sIdx: array<u32, ${TREE_WORKGROUP}>;
var<workgroup> sHas: array<u32, ${TREE_WORKGROUP}>;
@compute @workgroup_size(${TREE_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * groups.x;
  let inRange = o < params.outCount;
  ${baseCode('o')}
  var acc: ${type} = ${init};
  var idx = 0u;
  var has = false;
  if (inRange) {
    for (var r = lid; r < params.reducedCount; r = r + ${TREE_WORKGROUP}u) {
      ${body('r')}
    }
  }
  sAcc[lid] = acc;
  sIdx[lid] = idx;
  sHas[lid] = select(0u, 1u, has);
  workgroupBarrier();
  for (var width = ${TREE_WORKGROUP / 2}u; width > 0u; width = width >> 1u) {
    if (lid < width) {
      ${
        isExtreme
          ? `if (takeB(sAcc[lid], sIdx[lid], sHas[lid] == 1u, sAcc[lid + width], sIdx[lid + width], sHas[lid + width] == 1u)) {
        sAcc[lid] = sAcc[lid + width]; sIdx[lid] = sIdx[lid + width]; sHas[lid] = 1u;
      }`
          : 'sAcc[lid] = combine(sAcc[lid], sAcc[lid + width]);'
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u && inRange) {
    acc = sAcc[0];
    idx = sIdx[0];
    outBuf[o] = ${finalValue};
  }
}
`;
    return code;
  };
  runtime.launch({
    op: `reduce ${op}`,
    key,
    source,
    uniforms: params,
    inputs: [input],
    outputs: [output],
    groups: tree ? outCount : Math.ceil(outCount / 64),
  });
}
