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
import { UniformWords, flatEntry, storageBinding, stridedOffsets, uniformBlock, wgslType } from '../codegen/wgsl';
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
    scalars: (words) => words.i32(x.shape[axis]).i32(x.strides[axis]),
    helpers: (extra) => `fn gatherAt(j: i32, base: i32) -> ${type} {
  if (j < 0 || j >= Pi(${extra}u)) { return ${zero}; }
  return in1[base + j * Pi(${extra + 1}u)];
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
  const words = new UniformWords().u32(count);
  target.shape.forEach((dim) => words.u32(dim));
  const indexShapeBase = words.next;
  index.shape.forEach((dim) => words.u32(dim));
  const indexBase = words.next;
  words.i32(index.offset);
  index.strides.forEach((stride) => words.i32(stride));
  const srcBase = words.next;
  words.i32(src.offset);
  src.strides.forEach((stride) => words.i32(stride));
  const type = wgslType(target.dtype);
  const source = (uniformWords: number): string => {
    let code = shaderPrelude([target.dtype]) + uniformBlock(uniformWords);
    code += storageBinding(1, 'idx', 'i32', 'read') + storageBinding(2, 'src', type, 'read') + storageBinding(3, 'tgt', type, 'read_write');
    code += flatEntry(64, 'P(0u)');
    code += '  var rest = i;\n  var oi = Pi(' + indexBase + 'u);\n  var os = Pi(' + srcBase + 'u);\n  var j = 0;\n';
    for (let dim = rank - 1; dim >= 0; dim--) {
      code += `  { let d = P(${1 + dim}u); let c = rest % d; rest = rest / d;\n`;
      if (dim === axis) code += '    j = i32(c);\n';
      else code += `    if (c >= P(${indexShapeBase + dim}u)) { return; }\n    oi += i32(c) * Pi(${indexBase + 1 + dim}u); os += i32(c) * Pi(${srcBase + 1 + dim}u);\n`;
      code += '  }\n';
    }
    code += `  var acc = ${widen('tgt[i]', target.dtype)};
  let length = P(${indexShapeBase + axis}u);
  let indexStep = Pi(${indexBase + 1 + axis}u);
  let srcStep = Pi(${srcBase + 1 + axis}u);
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
    uniforms: words,
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
  const words = new UniformWords().u32(lines);
  layout.shape.forEach((dim) => words.u32(dim));
  const bases = [words.next];
  words.i32(0);
  layout.strides[0].forEach((stride) => words.i32(stride));
  bases.push(words.next);
  words.i32(x.offset);
  layout.strides[1].forEach((stride) => words.i32(stride));
  const extra = words.next;
  words.u32(length).i32(outStrides[axis]).i32(x.strides[axis]);
  const type = wgslType(computeDType(x.dtype));
  const source = (uniformWords: number): string => {
    let code = shaderPrelude([x.dtype, out.dtype]) + uniformBlock(uniformWords);
    code += storageBinding(1, 'xs', wgslType(x.dtype), 'read') + storageBinding(2, 'outBuf', wgslType(out.dtype), 'read_write');
    code += flatEntry(64, 'P(0u)');
    code += `  ${stridedOffsets(rank, 1, bases, contiguous, 'i')}
  var acc: ${type} = ${type}(0);
  for (var k = 0u; k < P(${extra}u); k = k + 1u) {
    acc = acc + ${widen(`xs[o1 + i32(k) * Pi(${extra + 2}u)]`, x.dtype)};
    outBuf[o0 + i32(k) * Pi(${extra + 1}u)] = ${narrow('acc', out.dtype)};
  }
}
`;
    return code;
  };
  runtime.launch({
    op: 'cumsum',
    key: `cumsum:${x.dtype}>${out.dtype}:r${rank}:${contiguous.map((flag) => (flag ? 'c' : 's')).join('')}`,
    source,
    uniforms: words,
    inputs: [xStorage],
    outputs: [outStorage],
    groups: Math.ceil(lines / 64),
  });
}

/** Fill with one value (bool: 0/1; float16: the value rounded once on the host, stored as its bits). */
export function fillKernel(runtime: GpuRuntime, out: OutputBuffer, outStorage: GpuStorage, value: number): void {
  const dtype: DType = out.dtype;
  const scalar = (extra: number): string => {
    if (dtype === 'float32') return `Pf(${extra}u)`;
    if (dtype === 'int32') return `Pi(${extra}u)`;
    if (dtype === 'float16') return `bitcast<vec2<f16>>(P(${extra}u)).x`;
    return `P(${extra}u)`;
  };
  launchElementwise(runtime, {
    op: 'fill',
    shape: [elementCount(out.shape)],
    output: { storage: outStorage, dtype, strides: [1], offset: 0 },
    inputs: [],
    raw: true,
    scalars: (words) => {
      if (dtype === 'float32') words.f32(value);
      else if (dtype === 'int32') words.i32(value);
      else if (dtype === 'float16') words.u32(float32ToFloat16Bits(value));
      else words.u32(value !== 0 ? 1 : 0);
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
    scalars: (words) => (dtype === 'float32' ? words.f32(start).f32(step) : words.i32(start).i32(step)),
    expression: (extra) =>
      dtype === 'float32'
        ? `Pf(${extra}u) + f32(i) * Pf(${extra + 1}u)`
        : dtype === 'int32'
          ? `Pi(${extra}u) + i32(i) * Pi(${extra + 1}u)`
          : `select(0u, 1u, Pi(${extra}u) + i32(i) * Pi(${extra + 1}u) != 0)`,
  });
}
