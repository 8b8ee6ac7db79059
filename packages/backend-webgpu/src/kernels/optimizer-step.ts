/**
 * The fused optimizer step (SGD with momentum, Adam/AdamW with AMSGrad): one dispatch per parameter,
 * one invocation per element, reading the gradient (any strides) and updating the parameter and its
 * state buffers in place — instead of about ten element-wise kernels and their temporaries.
 *
 * Every hyperparameter, flag, offset and the gradient's layout are uniforms, so one pipeline serves
 * every parameter and every step: the cache key holds only the kind, the bound state buffers (SGD's
 * momentum buffer, Adam's AMSGrad maximum) and the gradient's collapsed rank and contiguity.
 * Scalars derived from the hyperparameters (1 − β, lr / (1 − β₁ᵗ), 1 − lr·λ) are computed on the host in
 * float64 and rounded once to f32, rather than in f32 on the device (1 − 0.999 in f32 is off by 1e-5).
 */
import { BackendError, DTypeError, ShapeError } from '@tessera/core';
import { collapseDims, elementCount, isUnitRun } from '../codegen/layout';
import { FLOAT_HELPERS, flatEntry, storageBinding, stridedFields, stridedOffsets } from '../codegen/wgsl';
import { UniformParams } from '../codegen/uniforms';
import type { GpuRuntime } from '../runtime/gpu-runtime';
import type { GpuStorage } from '../storage/gpu-storage';
import type { AdamStepRequest, BufferRange, DataId, OptimizerStepRequest, SgdStepRequest } from '@tessera/core/backend';

const WORKGROUP = 256;

/**
 * Record one fused optimizer step (float32; the request's math is documented on `SgdStepRequest`
 * and `AdamStepRequest` in core). `lookup` turns a buffer id into the backend's storage.
 * @example
 * optimizerStepKernel(runtime, request, (id) => backend.storage(id, 'optimizerStep'));
 */
export function optimizerStepKernel(runtime: GpuRuntime, request: OptimizerStepRequest, lookup: (id: DataId) => GpuStorage): void {
  if (request.dtype !== 'float32') throw new DTypeError(`webgpu optimizerStep: float32 only, got ${request.dtype} (core runs its composite for other dtypes)`);
  const range = (target: BufferRange, name: string): GpuStorage => {
    const storage = lookup(target.id);
    if (target.offset < 0 || target.offset + request.size > storage.size) {
      throw new BackendError(`webgpu optimizerStep: ${name} [${target.offset}, ${target.offset + request.size}) is outside a buffer of ${storage.size}`);
    }
    return storage;
  };
  if (elementCount(request.grad.shape) !== request.size) {
    throw new ShapeError(`webgpu optimizerStep: a gradient of shape [${request.grad.shape.join(', ')}] for a parameter of ${request.size} elements`);
  }
  const param = range(request.param, 'param');
  const state =
    request.kind === 'sgd'
      ? request.momentumBuffer ? [range(request.momentumBuffer, 'momentumBuffer')] : []
      : [range(request.expAvg, 'expAvg'), range(request.expAvgSq, 'expAvgSq'), ...(request.maxExpAvgSq ? [range(request.maxExpAvgSq, 'maxExpAvgSq')] : [])];
  if (request.size === 0) return;
  const { grad } = request;
  const layout = collapseDims(grad.shape, [grad.strides]);
  const rank = layout.shape.length;
  const contiguous = isUnitRun(layout.strides[0]);
  const params = new UniformParams().u32('size', request.size).u32s('shape', layout.shape);
  const gradFields = stridedFields(params, 'grad', grad.offset, layout.strides[0]);
  const body = request.kind === 'sgd' ? sgdBody(request, params) : adamBody(request, params);
  const key = `optimizerStep:${request.kind}:${body.variant}:r${rank}:${contiguous ? 'c' : 's'}`;
  const source = (): string => {
    let code = params.declaration() + FLOAT_HELPERS + storageBinding(1, 'gradBuf', 'f32', 'read');
    code += storageBinding(2, 'paramBuf', 'f32', 'read_write');
    body.stateNames.forEach((name, k) => (code += storageBinding(3 + k, name, 'f32', 'read_write')));
    code += flatEntry(WORKGROUP, 'params.size');
    code += `  ${stridedOffsets(rank, 'shape', [gradFields], [contiguous], 'i')}\n`;
    code += `  let grad = gradBuf[o0];\n${body.code}}\n`;
    return code;
  };
  runtime.launch({
    op: 'optimizerStep',
    key,
    source,
    uniforms: params,
    inputs: [lookup(grad.id)],
    outputs: [param, ...state],
    groups: Math.ceil(request.size / WORKGROUP),
  });
}

/** The WGSL after the gradient load, the state buffers it binds, and the pipeline variant they imply. */
interface StepBody {
  readonly code: string;
  readonly stateNames: readonly string[];
  readonly variant: string;
}

/** Add `value` as the f32 uniform `name` and return the WGSL that reads it. */
function floatUniform(params: UniformParams, name: string, value: number): string {
  params.f32(name, value);
  return `params.${name}`;
}

/** Add `value` as the u32 uniform `name` and return the WGSL that reads it. */
function wordUniform(params: UniformParams, name: string, value: number): string {
  params.u32(name, value);
  return `params.${name}`;
}

function sgdBody(request: SgdStepRequest, params: UniformParams): StepBody {
  const paramOffset = wordUniform(params, 'paramOffset', request.param.offset);
  const sign = floatUniform(params, 'sign', request.maximize ? -1 : 1);
  const weightDecay = floatUniform(params, 'weightDecay', request.weightDecay);
  const lr = floatUniform(params, 'lr', request.lr);
  let code = `  let p = ${paramOffset} + i;
  let theta = paramBuf[p];
  var g = ${sign} * grad;
  if (${weightDecay} != 0.0) { g = g + ${weightDecay} * theta; }
`;
  const withMomentum = request.momentumBuffer !== null;
  if (withMomentum) {
    const bufferOffset = wordUniform(params, 'momentumOffset', request.momentumBuffer!.offset);
    const momentum = floatUniform(params, 'momentum', request.momentum);
    const keep = floatUniform(params, 'oneMinusDampening', 1 - request.dampening);
    const firstStep = wordUniform(params, 'firstStep', request.firstStep ? 1 : 0);
    const nesterov = wordUniform(params, 'nesterov', request.nesterov ? 1 : 0);
    code += `  let b = ${bufferOffset} + i;
  var velocity = g;
  if (${firstStep} == 0u) { velocity = ${momentum} * momentumBuf[b] + ${keep} * g; }
  momentumBuf[b] = velocity;
  if (${nesterov} != 0u) { g = g + ${momentum} * velocity; } else { g = velocity; }
`;
  }
  code += `  paramBuf[p] = theta - ${lr} * g;\n`;
  return { code, stateNames: withMomentum ? ['momentumBuf'] : [], variant: withMomentum ? 'momentum' : 'plain' };
}

function adamBody(request: AdamStepRequest, params: UniformParams): StepBody {
  const offsets = [
    wordUniform(params, 'paramOffset', request.param.offset),
    wordUniform(params, 'expAvgOffset', request.expAvg.offset),
    wordUniform(params, 'expAvgSqOffset', request.expAvgSq.offset),
  ];
  const maxOffset = request.maxExpAvgSq ? wordUniform(params, 'maxExpAvgSqOffset', request.maxExpAvgSq.offset) : null;
  const { lr, weightDecay, decoupled } = request;
  const sign = floatUniform(params, 'sign', request.maximize ? -1 : 1);
  const decay = floatUniform(params, 'decay', decoupled && weightDecay !== 0 ? 1 - lr * weightDecay : 1);
  const l2 = floatUniform(params, 'l2', decoupled ? 0 : weightDecay);
  const beta1 = floatUniform(params, 'beta1', request.beta1);
  const keep1 = floatUniform(params, 'oneMinusBeta1', 1 - request.beta1);
  const beta2 = floatUniform(params, 'beta2', request.beta2);
  const keep2 = floatUniform(params, 'oneMinusBeta2', 1 - request.beta2);
  const stepSize = floatUniform(params, 'stepSize', lr / request.biasCorrection1);
  const correction2 = floatUniform(params, 'biasCorrection2Sqrt', request.biasCorrection2Sqrt);
  const eps = floatUniform(params, 'eps', request.eps);
  let code = `  let p = ${offsets[0]} + i;
  let m = ${offsets[1]} + i;
  let v = ${offsets[2]} + i;
  let theta = paramBuf[p] * ${decay};
  var g = ${sign} * grad;
  if (${l2} != 0.0) { g = g + ${l2} * theta; }
  let moment1 = ${beta1} * expAvgBuf[m] + ${keep1} * g;
  expAvgBuf[m] = moment1;
  var moment2 = ${beta2} * expAvgSqBuf[v] + ${keep2} * g * g;
  expAvgSqBuf[v] = moment2;
`;
  if (maxOffset) {
    code += `  let x = ${maxOffset} + i;
  let previous = maxExpAvgSqBuf[x];
  // NaN propagates, as torch.maximum does.
  moment2 = select(max(previous, moment2), nanF32(), isNan(previous) || isNan(moment2));
  maxExpAvgSqBuf[x] = moment2;
`;
  }
  code += `  paramBuf[p] = theta - ${stepSize} * (moment1 / (sqrt(moment2) / ${correction2} + ${eps}));\n`;
  const stateNames = ['expAvgBuf', 'expAvgSqBuf', ...(maxOffset ? ['maxExpAvgSqBuf'] : [])];
  return { code, stateNames, variant: maxOffset ? 'amsgrad' : 'adam' };
}
