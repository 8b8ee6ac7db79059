/**
 * conv2d as im2col + the tiled matmul (bias fused into the matmul store), and direct max/avg
 * pooling with one thread per output. Inputs may be strided views. float16 patches stay f16 (half
 * the scratch memory) and the matmul accumulates them in f32; pooling compares and sums in f32.
 */
import { BackendError } from '@tessera/core';
import { narrow, shaderPrelude, widen } from '../codegen/float16';
import { FLOAT_HELPERS, flatEntry, storageBinding, wgslType } from '../codegen/wgsl';
import { UniformParams } from '../codegen/uniforms';
import { elementCount } from '../codegen/layout';
import { gpuElementBytes } from '../storage/gpu-storage';
import type { GpuRuntime } from '../runtime/gpu-runtime';
import type { GpuStorage } from '../storage/gpu-storage';
import { matmulKernel } from './matmul';
import type { Conv2dParams, OutputBuffer, Pool2dParams, StridedView } from '@tessera/core/backend';

/** A weight `[O, C/g, KH, KW]` as a contiguous `[O, C/g·KH·KW]` matrix (materialised by the caller if needed). */
export interface ConvWeight {
  readonly storage: GpuStorage;
  readonly offset: number;
}

/**
 * conv2d: for each group, unfold input patches into `[images, C/g·KH·KW, OH·OW]` columns and
 * multiply by the group's weight rows; chunks of images keep the columns under the binding limit.
 */
export function conv2dKernel(
  runtime: GpuRuntime,
  x: StridedView,
  xStorage: GpuStorage,
  weight: ConvWeight,
  weightShape: readonly number[],
  bias: { storage: GpuStorage; offset: number; stride: number } | null,
  params: Conv2dParams,
  out: OutputBuffer,
  outStorage: GpuStorage,
): void {
  const [batch, channels, height, width] = x.shape;
  const [outChannels, groupChannels, kernelHeight, kernelWidth] = weightShape;
  const [, , outHeight, outWidth] = out.shape;
  if (elementCount(out.shape) === 0) return;
  const groups = params.groups;
  const groupOut = outChannels / groups;
  const patch = groupChannels * kernelHeight * kernelWidth;
  const positions = outHeight * outWidth;
  const dtype = x.dtype;
  const limitElements = Math.floor(runtime.limits.maxStorageBufferBindingSize / gpuElementBytes(dtype));
  const perImage = patch * positions;
  if (perImage > limitElements) {
    throw new BackendError(`webgpu conv2d: one image's patches (${perImage} values) exceed maxStorageBufferBindingSize; use smaller inputs`);
  }
  const chunk = Math.max(1, Math.min(batch, Math.floor(limitElements / Math.max(1, perImage)), 1 << 20));
  void channels;
  for (let first = 0; first < batch; first += chunk) {
    const images = Math.min(chunk, batch - first);
    const columns = runtime.temporary(images * perImage, dtype);
    for (let group = 0; group < groups; group++) {
      if (patch > 0) im2col(runtime, x, xStorage, params, group * groupChannels, first, images, [groupChannels, kernelHeight, kernelWidth], [outHeight, outWidth], columns);
      const outOffset = first * outChannels * positions + group * groupOut * positions;
      matmulKernel(
        runtime,
        { id: weight.storage, dtype, shape: [images, groupOut, patch], strides: [0, patch, 1], offset: weight.offset + group * groupOut * patch },
        weight.storage,
        { id: columns, dtype, shape: [images, patch, positions], strides: [perImage, positions, 1], offset: 0 },
        columns,
        { id: outStorage, dtype, shape: [images, groupOut, positions] },
        outStorage,
        bias ? { mode: 'row', storage: bias.storage, offset: bias.offset + group * groupOut * bias.stride, stride: bias.stride } : null,
        { offset: outOffset, batchStride: outChannels * positions },
      );
    }
    runtime.releaseTemporary(columns);
  }
  void height;
  void width;
}

function im2col(
  runtime: GpuRuntime,
  x: StridedView,
  xStorage: GpuStorage,
  params: Conv2dParams,
  firstChannel: number,
  firstImage: number,
  images: number,
  kernel: readonly [number, number, number],
  output: readonly [number, number],
  columns: GpuStorage,
): void {
  const [groupChannels, kernelHeight, kernelWidth] = kernel;
  const [outHeight, outWidth] = output;
  const count = images * groupChannels * kernelHeight * kernelWidth * outHeight * outWidth;
  const uniforms = new UniformParams().u32('count', count).u32('channels', groupChannels).u32('kernelHeight', kernelHeight).u32('kernelWidth', kernelWidth);
  uniforms.u32('outHeight', outHeight).u32('outWidth', outWidth);
  uniforms.i32('xOffset', x.offset + firstImage * x.strides[0] + firstChannel * x.strides[1]).i32s('xStrides', x.strides);
  uniforms.i32('height', x.shape[2]).i32('width', x.shape[3]).i32('strideH', params.stride[0]).i32('strideW', params.stride[1]);
  uniforms.i32('padH', params.padding[0]).i32('padW', params.padding[1]).i32('dilationH', params.dilation[0]).i32('dilationW', params.dilation[1]);
  // Patches are copied, not computed: values keep their storage type (f16 stays f16).
  const element = wgslType(x.dtype);
  const source = (): string =>
    shaderPrelude([x.dtype]) +
    uniforms.declaration() +
    storageBinding(1, 'xs', element, 'read') +
    storageBinding(2, 'cols', element, 'read_write') +
    flatEntry(256, 'params.count') +
    `  var rest = i;
  let ow = rest % params.outWidth; rest = rest / params.outWidth;
  let oh = rest % params.outHeight; rest = rest / params.outHeight;
  let kw = rest % params.kernelWidth; rest = rest / params.kernelWidth;
  let kh = rest % params.kernelHeight; rest = rest / params.kernelHeight;
  let c = rest % params.channels; let n = rest / params.channels;
  let h = i32(oh) * params.strideH - params.padH + i32(kh) * params.dilationH;
  let w = i32(ow) * params.strideW - params.padW + i32(kw) * params.dilationW;
  var value = ${element}(0);
  if (h >= 0 && h < params.height && w >= 0 && w < params.width) {
    let strides = params.xStrides[0];
    value = xs[params.xOffset + i32(n) * strides.x + i32(c) * strides.y + h * strides.z + w * strides.w];
  }
  cols[i] = value;
}
`;
  runtime.launch({ op: 'conv2d', key: `im2col:${x.dtype}`, source, uniforms, inputs: [xStorage], outputs: [columns], groups: Math.ceil(count / 256) });
}

/** Max pooling (NaN wins, first maximum on ties, flat in-plane indices) or average pooling. */
export function pool2dKernel(
  runtime: GpuRuntime,
  kind: 'max' | 'avg',
  x: StridedView,
  xStorage: GpuStorage,
  params: Pool2dParams,
  out: OutputBuffer,
  outStorage: GpuStorage,
  indicesStorage: GpuStorage | null,
): void {
  const count = elementCount(out.shape);
  if (count === 0) return;
  const [, channels, height, width] = x.shape;
  const [, , outHeight, outWidth] = out.shape;
  const uniforms = new UniformParams().u32('count', count).u32('channels', channels).u32('outHeight', outHeight).u32('outWidth', outWidth);
  uniforms.i32('xOffset', x.offset).i32s('xStrides', x.strides).i32('height', height).i32('width', width);
  uniforms.i32('kernelHeight', params.kernelSize[0]).i32('kernelWidth', params.kernelSize[1]).i32('strideH', params.stride[0]).i32('strideW', params.stride[1]);
  uniforms.i32('padH', params.padding[0]).i32('padW', params.padding[1]).i32('dilationH', params.dilation[0]).i32('dilationW', params.dilation[1]);
  const divisorMode = params.divisorOverride !== undefined ? 'fixed' : params.countIncludePad ? 'padded' : 'valid';
  uniforms.f32('divisor', params.divisorOverride ?? 0);
  const source = (): string => {
    let code = shaderPrelude([x.dtype]) + uniforms.declaration() + FLOAT_HELPERS;
    code += storageBinding(1, 'xs', wgslType(x.dtype), 'read') + storageBinding(2, 'outBuf', wgslType(x.dtype), 'read_write');
    if (kind === 'max') code += storageBinding(3, 'indexBuf', 'i32', 'read_write');
    code += flatEntry(64, 'params.count');
    code += `  var rest = i;
  let ow = i32(rest % params.outWidth); rest = rest / params.outWidth;
  let oh = i32(rest % params.outHeight); rest = rest / params.outHeight;
  let c = i32(rest % params.channels); let n = i32(rest / params.channels);
  let strides = params.xStrides[0];
  let base = params.xOffset + n * strides.x + c * strides.y;
  let height = params.height; let width = params.width;
  var best = -infF32();
  var bestIndex = -1;
  var total = 0.0;
  var padded = 0;
  var valid = 0;
  for (var kh = 0; kh < params.kernelHeight; kh = kh + 1) {
    let h = oh * params.strideH - params.padH + kh * params.dilationH;
    for (var kw = 0; kw < params.kernelWidth; kw = kw + 1) {
      let w = ow * params.strideW - params.padW + kw * params.dilationW;
      if (h < height + params.padH && w < width + params.padW) { padded = padded + 1; }
      if (h < 0 || h >= height || w < 0 || w >= width) { continue; }
      let v = ${widen('xs[base + h * strides.z + w * strides.w]', x.dtype)};
      valid = valid + 1;
      total = total + v;
      if (bestIndex == -1 || (!isNan(best) && (isNan(v) || v > best))) { best = v; bestIndex = h * width + w; }
    }
  }
  _ = padded; _ = valid; _ = total; _ = bestIndex;
`;
    if (kind === 'max') {
      code += `  outBuf[i] = ${narrow('best', x.dtype)};\n  indexBuf[i] = bestIndex;\n}\n`;
    } else {
      const divisor = divisorMode === 'fixed' ? 'params.divisor' : divisorMode === 'padded' ? 'f32(padded)' : 'f32(valid)';
      code += `  outBuf[i] = ${narrow(`total / ${divisor}`, x.dtype)};\n}\n`;
    }
    return code;
  };
  runtime.launch({
    op: kind === 'max' ? 'maxPool2d' : 'avgPool2d',
    key: `pool:${kind}:${x.dtype}:${divisorMode}`,
    source,
    uniforms,
    inputs: [xStorage],
    outputs: indicesStorage ? [outStorage, indicesStorage] : [outStorage],
    groups: Math.ceil(count / 64),
  });
}
