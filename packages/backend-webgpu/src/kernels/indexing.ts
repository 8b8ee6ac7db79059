/**
 * Data movement: gather, scatterAdd (deterministic: each target element sums its sources in index
 * order, so results match the CPU backend bit for bit), cumsum, fill and arange.
 *
 * scatterAdd needs no atomics (one thread owns each target element), which matters for float16:
 * WGSL has no f16 atomics. A float16 target accumulates its sources in f32 and rounds once; cumsum
 * likewise carries an f32 running sum and rounds each output.
 */
import { float32ToFloat16Bits } from '@tessera/core';
import { computeDType, narrow, shaderPrelude, widen } from '../codegen/float16';
import { flatEntry, storageBinding, stridedFields, stridedOffsets, wgslType } from '../codegen/wgsl';
import { UniformParams, uniformElement } from '../codegen/uniforms';
import { collapseDims, elementCount, isUnitRun, rowMajorStrides } from '../codegen/layout';
import type { GpuRuntime } from '../runtime/gpu-runtime';
import type { GpuStorage } from '../storage/gpu-storage';
import { contiguousOperand, launchElementwise } from './elementwise';
import type { DType, OutputBuffer, StridedView } from '@tessera/core/backend';

/** `out[p] = x[p with axis → index[p]]`; out-of-range indices give 0 (a GPU cannot throw). */
export function gatherKernel(runtime: GpuRuntime, x: StridedView, xStorage: GpuStorage, axis: number, index: StridedView, indexStorage: GpuStorage, out: OutputBuffer, outStorage: GpuStorage): void {
  const type = wgslType(x.dtype);
  const zero = type === 'f32' || type === 'f16' ? '0.0' : type === 'i32' ? '0' : '0u';
  launchElementwise(runtime, {
    op: `gather${axis}`,
    raw: true,
    shape: out.shape,
    output: contiguousOperand(outStorage, out.dtype, out.shape),
    inputs: [
      { storage: indexStorage, dtype: 'int32', strides: index.strides, offset: index.offset },
      { storage: xStorage, dtype: x.dtype, strides: x.strides.map((stride, dim) => (dim === axis ? 0 : stride)), offset: x.offset },
    ],
    scalars: (params) => params.i32('axisLength', x.shape[axis]).i32('axisStride', x.strides[axis]),
    helpers: `fn gatherAt(j: i32, base: i32) -> ${type} {
  if (j < 0 || j >= params.axisLength) { return ${zero}; }
  return in1[base + j * params.axisStride];
}
`,
    expression: () => 'gatherAt(v0, o2)',
  });
}

/** In place: `target[… index[p] …] += src[p]` along `axis`. */
export function scatterAddKernel(runtime: GpuRuntime, target: OutputBuffer, targetStorage: GpuStorage, axis: number, index: StridedView, indexStorage: GpuStorage, src: StridedView, srcStorage: GpuStorage): void {
  const count = elementCount(target.shape);
  if (count === 0 || elementCount(index.shape) === 0) return;
  const rank = target.shape.length;
  const params = new UniformParams().u32('count', count).u32s('shape', target.shape).u32s('indexShape', index.shape);
  params.i32('indexOffset', index.offset).i32s('indexStrides', index.strides).i32('srcOffset', src.offset).i32s('srcStrides', src.strides);
  const type = wgslType(target.dtype);
  const source = (): string => {
    let code = shaderPrelude([target.dtype]) + params.declaration();
    code += storageBinding(1, 'idx', 'i32', 'read') + storageBinding(2, 'src', type, 'read') + storageBinding(3, 'tgt', type, 'read_write');
    code += flatEntry(64, 'params.count');
    code += '  var rest = i;\n  var oi = params.indexOffset;\n  var os = params.srcOffset;\n  var j = 0;\n';
    for (let dim = rank - 1; dim >= 0; dim--) {
      code += `  { let d = ${uniformElement('shape', dim)}; let c = rest % d; rest = rest / d;\n`;
      if (dim === axis) code += '    j = i32(c);\n';
      else code += `    if (c >= ${uniformElement('indexShape', dim)}) { return; }\n    oi += i32(c) * ${uniformElement('indexStrides', dim)}; os += i32(c) * ${uniformElement('srcStrides', dim)};\n`;
      code += '  }\n';
    }
    code += `  var acc = ${widen('tgt[i]', target.dtype)};
  let length = ${uniformElement('indexShape', axis)};
  let indexStep = ${uniformElement('indexStrides', axis)};
  let srcStep = ${uniformElement('srcStrides', axis)};
  for (var p = 0u; p < length; p = p + 1u) {
    if (idx[oi + i32(p) * indexStep] == j) { acc = acc + ${widen('src[os + i32(p) * srcStep]', target.dtype)}; }
  }
  tgt[i] = ${narrow('acc', target.dtype)};
}
`;
    return code;
  };
  runtime.launch({
    op: 'scatterAdd',
    key: `scatterAdd:${target.dtype}:r${rank}:a${axis}`,
    source,
    uniforms: params,
    inputs: [indexStorage, srcStorage],
    outputs: [targetStorage],
    groups: Math.ceil(count / 64),
  });
}

/** Inclusive cumulative sum along `axis`: one thread per line, summing in order. */
export function cumsumKernel(runtime: GpuRuntime, x: StridedView, xStorage: GpuStorage, axis: number, out: OutputBuffer, outStorage: GpuStorage): void {
  const length = x.shape[axis];
  const lineShape = x.shape.map((dim, k) => (k === axis ? 1 : dim));
  const lines = elementCount(lineShape);
  if (lines === 0 || length === 0) return;
  const outStrides = rowMajorStrides(x.shape);
  const layout = collapseDims(lineShape, [outStrides, [...x.strides]]);
  const rank = layout.shape.length;
  const contiguous = layout.strides.map(isUnitRun);
  const params = new UniformParams().u32('lines', lines).u32s('shape', layout.shape);
  const fields = [stridedFields(params, 'out', 0, layout.strides[0]), stridedFields(params, 'x', x.offset, layout.strides[1])];
  params.u32('axisLength', length).i32('outAxisStride', outStrides[axis]).i32('xAxisStride', x.strides[axis]);
  const type = wgslType(computeDType(x.dtype));
  const source = (): string => {
    let code = shaderPrelude([x.dtype, out.dtype]) + params.declaration();
    code += storageBinding(1, 'xs', wgslType(x.dtype), 'read') + storageBinding(2, 'outBuf', wgslType(out.dtype), 'read_write');
    code += flatEntry(64, 'params.lines');
    code += `  ${stridedOffsets(rank, 'shape', fields, contiguous, 'i')}
  var acc: ${type} = ${type}(0);
  for (var k = 0u; k < params.axisLength; k = k + 1u) {
    acc = acc + ${widen('xs[o1 + i32(k) * params.xAxisStride]', x.dtype)};
    outBuf[o0 + i32(k) * params.outAxisStride] = ${narrow('acc', out.dtype)};
  }
}
`;
    return code;
  };
  runtime.launch({
    op: 'cumsum',
    key: `cumsum:${x.dtype}>${out.dtype}:r${rank}:${contiguous.map((flag) => (flag ? 'c' : 's')).join('')}`,
    source,
    uniforms: params,
    inputs: [xStorage],
    outputs: [outStorage],
    groups: Math.ceil(lines / 64),
  });
}

/** Fill with one value (bool: 0/1; float16: the value rounded once on the host, stored as its bits). */
export function fillKernel(runtime: GpuRuntime, out: OutputBuffer, outStorage: GpuStorage, value: number): void {
  const dtype: DType = out.dtype;
  const scalar = (): string => (dtype === 'float16' ? 'bitcast<vec2<f16>>(params.value).x' : 'params.value');
  launchElementwise(runtime, {
    op: 'fill',
    shape: [elementCount(out.shape)],
    output: { storage: outStorage, dtype, strides: [1], offset: 0 },
    inputs: [],
    raw: true,
    scalars: (params) => {
      if (dtype === 'float32') params.f32('value', value);
      else if (dtype === 'int32') params.i32('value', value);
      else if (dtype === 'float16') params.u32('value', float32ToFloat16Bits(value));
      else params.u32('value', value !== 0 ? 1 : 0);
    },
    expression: scalar,
  });
}

/** `out[i] = start + i · step` (float16: computed in f32, rounded as it stores). */
export function arangeKernel(runtime: GpuRuntime, out: OutputBuffer, outStorage: GpuStorage, start: number, step: number): void {
  const dtype: DType = computeDType(out.dtype);
  launchElementwise(runtime, {
    op: 'arange',
    shape: [elementCount(out.shape)],
    output: { storage: outStorage, dtype: out.dtype, strides: [1], offset: 0 },
    inputs: [],
    scalars: (params) => (dtype === 'float32' ? params.f32('start', start).f32('step', step) : params.i32('start', start).i32('step', step)),
    expression: () =>
      dtype === 'float32'
        ? 'params.start + f32(i) * params.step'
        : dtype === 'int32'
          ? 'params.start + i32(i) * params.step'
          : 'select(0u, 1u, params.start + i32(i) * params.step != 0)',
  });
}
