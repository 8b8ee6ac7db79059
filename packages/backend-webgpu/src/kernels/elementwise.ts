/**
 * Element-wise kernels (unary, binary, where, cast, assign, fill, arange): one generated WGSL
 * program per op, dtypes, collapsed rank and operand contiguity, with shapes, strides and offsets
 * as uniforms. Output operand 0 may itself be strided (`assign`). float16 operands are widened to
 * f32 as they load and rounded once as the result stores (see `codegen/float16.ts`), so every
 * expression below is written for float32, int32 and bool only.
 */
import { BackendError, DTypeError } from '@tessera/core';
import { FLOAT_HELPERS, flatEntry, storageBinding, stridedFields, stridedOffsets, wgslType } from '../codegen/wgsl';
import { UniformParams } from '../codegen/uniforms';
import { collapseDims, elementCount, isUnitRun, rowMajorStrides } from '../codegen/layout';
import { computeDType, narrow, shaderPrelude, widen } from '../codegen/float16';
import type { GpuRuntime } from '../runtime/gpu-runtime';
import type { GpuStorage } from '../storage/gpu-storage';
import { MATH_HELPERS } from './math';
import type { BinaryOp, DType, UnaryOp } from '@tessera/core/backend';

/** One operand of an element-wise kernel. */
export interface ElementwiseOperand {
  readonly storage: GpuStorage;
  readonly dtype: DType;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** What {@link launchElementwise} generates. */
export interface ElementwiseSpec {
  /** Op name, for the cache key and errors. */
  readonly op: string;
  readonly shape: readonly number[];
  readonly output: ElementwiseOperand;
  readonly inputs: readonly ElementwiseOperand[];
  /** The output value as a WGSL expression of the loaded inputs `v0, v1, …` and the uniforms `params.<name>`. */
  readonly expression: () => string;
  /**
   * Named scalar uniforms the expression reads (`params.<name>`), added after the layout fields
   * (`count`, `shape`, `outOffset`/`outStrides`, `in<k>Offset`/`in<k>Strides`).
   */
  readonly scalars?: (params: UniformParams) => void;
  /** Extra WGSL functions the expression uses. */
  readonly helpers?: string;
  /**
   * Values move unchanged (copies, gather, where, fill from bits): inputs load and the output
   * stores in their storage types, so float16 bit patterns (NaN payloads too) pass through as they are.
   */
  readonly raw?: boolean;
}

const WORKGROUP = 256;

/**
 * Generate (or reuse) and record an element-wise kernel.
 * @example
 * launchElementwise(runtime, { op: 'relu', shape: [4], output, inputs: [x], expression: () => 'max(v0, 0.0)' });
 */
export function launchElementwise(runtime: GpuRuntime, spec: ElementwiseSpec): void {
  const count = elementCount(spec.shape);
  if (count === 0) return;
  const operands = [spec.output, ...spec.inputs];
  const layout = collapseDims(spec.shape, operands.map((operand) => operand.strides));
  const rank = layout.shape.length;
  const contiguous = layout.strides.map(isUnitRun);
  const params = new UniformParams().u32('count', count).u32s('shape', layout.shape);
  const fields = operands.map((operand, k) => stridedFields(params, k === 0 ? 'out' : `in${k - 1}`, operand.offset, layout.strides[k]));
  spec.scalars?.(params);
  const dtypes = operands.map((operand) => operand.dtype).join(',');
  const key = `ew:${spec.op}:${dtypes}:r${rank}:${contiguous.map((flag) => (flag ? 'c' : 's')).join('')}`;
  const source = (): string => {
    let code = shaderPrelude(operands.map((operand) => operand.dtype)) + params.declaration() + FLOAT_HELPERS + MATH_HELPERS + (spec.helpers ?? '');
    spec.inputs.forEach((input, k) => (code += storageBinding(k + 1, `in${k}`, wgslType(input.dtype), 'read')));
    code += storageBinding(spec.inputs.length + 1, 'outBuf', wgslType(spec.output.dtype), 'read_write');
    code += flatEntry(WORKGROUP, 'params.count');
    code += `  ${stridedOffsets(rank, 'shape', fields, contiguous, 'i')}\n`;
    spec.inputs.forEach((input, k) => (code += `  let v${k} = ${spec.raw ? `in${k}[o${k + 1}]` : widen(`in${k}[o${k + 1}]`, input.dtype)};\n`));
    const value = spec.expression();
    code += `  outBuf[o0] = ${spec.raw ? value : narrow(value, spec.output.dtype)};\n}\n`;
    return code;
  };
  runtime.launch({
    op: spec.op,
    key,
    source,
    uniforms: params,
    inputs: spec.inputs.map((input) => input.storage),
    outputs: [spec.output.storage],
    groups: Math.ceil(count / WORKGROUP),
  });
}

/** A contiguous output operand. */
export function contiguousOperand(storage: GpuStorage, dtype: DType, shape: readonly number[]): ElementwiseOperand {
  return { storage, dtype, strides: rowMajorStrides(shape), offset: 0 };
}

/** The WGSL of `op(v0)` for dtype `dtype` (float16 as float32: `v0` arrives widened). */
export function unaryExpression(op: UnaryOp, storageDType: DType): string {
  const dtype = computeDType(storageDType);
  if (op === 'logicalNot') return dtype === 'float32' ? 'select(0u, 1u, v0 == 0.0)' : dtype === 'int32' ? 'select(0u, 1u, v0 == 0)' : 'select(0u, 1u, v0 == 0u)';
  if (dtype === 'int32') {
    switch (op) {
      case 'neg': return '-v0';
      case 'abs': return 'abs(v0)';
      case 'sign': return 'sign(v0)';
      case 'relu': return 'max(v0, 0)';
      case 'floor': case 'ceil': case 'round': return 'v0';
      default: throw new DTypeError(`webgpu unary: '${op}' takes a float input, got int32 (core casts integers first)`);
    }
  }
  if (dtype !== 'float32') throw new DTypeError(`webgpu unary: '${op}' is not defined for ${storageDType}`);
  switch (op) {
    case 'neg': return '-v0';
    case 'abs': return 'abs(v0)';
    case 'sign': return 'select(select(select(0.0, -1.0, v0 < 0.0), 1.0, v0 > 0.0), v0, isNan(v0))';
    case 'exp': return 'expF32(v0)';
    case 'log': return 'logF32(v0)';
    case 'sqrt': return 'sqrtF32(v0)';
    case 'rsqrt': return 'rsqrtF32(v0)';
    case 'sin': return 'sinF32(v0)';
    case 'cos': return 'cosF32(v0)';
    case 'tanh': return 'tanhF32(v0)';
    case 'sigmoid': return 'sigmoidF32(v0)';
    case 'relu': return 'select(v0, 0.0, v0 < 0.0)';
    case 'erf': return 'erfF32(v0)';
    case 'reciprocal': return '1.0 / v0';
    case 'floor': return 'floor(v0)';
    case 'ceil': return 'ceil(v0)';
    case 'round': return 'round(v0)';
    default: throw new BackendError(`webgpu unary: unknown op '${String(op)}'`);
  }
}

/** The WGSL of `v0 op v1` for operands of `dtype` (float16 as float32: `v0`, `v1` arrive widened). */
export function binaryExpression(op: BinaryOp, storageDType: DType): string {
  const dtype = computeDType(storageDType);
  const zero = dtype === 'float32' ? '0.0' : dtype === 'int32' ? '0' : '0u';
  const truth = (condition: string) => `select(0u, 1u, ${condition})`;
  switch (op) {
    case 'eq': return truth('v0 == v1');
    case 'ne': return truth('!(v0 == v1)');
    case 'lt': return truth('v0 < v1');
    case 'le': return truth('v0 <= v1');
    case 'gt': return truth('v0 > v1');
    case 'ge': return truth('v0 >= v1');
    case 'logicalAnd': return truth(`!(v0 == ${zero}) && !(v1 == ${zero})`);
    case 'logicalOr': return truth(`!(v0 == ${zero}) || !(v1 == ${zero})`);
    default:
  }
  if (dtype === 'bool') throw new DTypeError(`webgpu binary: '${op}' is not defined for bool (core casts bool to a number type first)`);
  const float = dtype === 'float32';
  if (dtype !== 'float32' && dtype !== 'int32') throw new DTypeError(`webgpu binary: dtype ${storageDType} is not supported`);
  switch (op) {
    case 'add': return 'v0 + v1';
    case 'sub': return 'v0 - v1';
    case 'mul': return 'v0 * v1';
    case 'div': return float ? 'v0 / v1' : 'select(v0 / v1, 0, v1 == 0)';
    case 'pow': return float ? 'powF32(v0, v1)' : 'powI32(v0, v1)';
    case 'maximum': return float ? 'select(max(v0, v1), nanF32(), isNan(v0) || isNan(v1))' : 'max(v0, v1)';
    case 'minimum': return float ? 'select(min(v0, v1), nanF32(), isNan(v0) || isNan(v1))' : 'min(v0, v1)';
    default: throw new BackendError(`webgpu binary: unknown op '${String(op)}'`);
  }
}

/**
 * The WGSL converting `v0` of dtype `from` to dtype `to` (core's cast semantics). float16 takes
 * float32's path: a float16 `v0` arrives widened, and a float16 result is rounded as it stores
 * (int32 → float16 is exact below 2¹⁷ and ∞ beyond 65504, so converting through f32 loses nothing).
 */
export function castExpression(storageFrom: DType, storageTo: DType): string {
  const from = computeDType(storageFrom);
  const to = computeDType(storageTo);
  if (from === to) return 'v0';
  if (to === 'bool') return from === 'float32' ? 'select(0u, 1u, !(v0 == 0.0))' : from === 'int32' ? 'select(0u, 1u, v0 != 0)' : 'v0';
  if (to === 'float32') return 'f32(v0)';
  if (to === 'int32') return from === 'float32' ? 'floatToInt32(v0)' : 'i32(v0)';
  throw new DTypeError(`webgpu cast: ${storageFrom} → ${storageTo} is not supported`);
}
