/**
 * conv2d as im2col + the tiled matmul (bias fused into the matmul store), and direct max/avg
 * pooling with one thread per output. Inputs may be strided views. float16 patches stay f16 (half
 * the scratch memory) and the matmul accumulates them in f32; pooling compares and sums in f32.
 */
import { BackendError } from '@tessera/core';
import { narrow, shaderPrelude, widen } from '../codegen/float16';
import { FLOAT_HELPERS, UniformWords, flatEntry, storageBinding, uniformBlock, wgslType } from '../codegen/wgsl';
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
  const words = new UniformWords().u32(count).u32(groupChannels).u32(kernelHeight).u32(kernelWidth).u32(outHeight).u32(outWidth);
  words.i32(x.offset + firstImage * x.strides[0] + firstChannel * x.strides[1]).i32(x.strides[0]).i32(x.strides[1]).i32(x.strides[2]).i32(x.strides[3]);
  words.i32(x.shape[2]).i32(x.shape[3]).i32(params.stride[0]).i32(params.stride[1]).i32(params.padding[0]).i32(params.padding[1]).i32(params.dilation[0]).i32(params.dilation[1]);
  // Patches are copied, not computed: values keep their storage type (f16 stays f16).
  const element = wgslType(x.dtype);
  const source = (uniformWords: number): string =>
    shaderPrelude([x.dtype]) +
    uniformBlock(uniformWords) +
    storageBinding(1, 'xs', element, 'read') +
    storageBinding(2, 'cols', element, 'read_write') +
    flatEntry(256, 'P(0u)') +
    `  var rest = i;
  let ow = rest % P(5u); rest = rest / P(5u);
  let oh = rest % P(4u); rest = rest / P(4u);
  let kw = rest % P(3u); rest = rest / P(3u);
  let kh = rest % P(2u); rest = rest / P(2u);
  let c = rest % P(1u); let n = rest / P(1u);
  let h = i32(oh) * Pi(13u) - Pi(15u) + i32(kh) * Pi(17u);
  let w = i32(ow) * Pi(14u) - Pi(16u) + i32(kw) * Pi(18u);
  var value = ${element}(0);
  if (h >= 0 && h < Pi(11u) && w >= 0 && w < Pi(12u)) {
    value = xs[Pi(6u) + i32(n) * Pi(7u) + i32(c) * Pi(8u) + h * Pi(9u) + w * Pi(10u)];
  }
  cols[i] = value;
}
`;
  runtime.launch({ op: 'conv2d', key: `im2col:${x.dtype}`, source, uniforms: words, inputs: [xStorage], outputs: [columns], groups: Math.ceil(count / 256) });
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
  const words = new UniformWords().u32(count).u32(channels).u32(outHeight).u32(outWidth);
  words.i32(x.offset).i32(x.strides[0]).i32(x.strides[1]).i32(x.strides[2]).i32(x.strides[3]).i32(height).i32(width);
  words.i32(params.kernelSize[0]).i32(params.kernelSize[1]).i32(params.stride[0]).i32(params.stride[1]);
  words.i32(params.padding[0]).i32(params.padding[1]).i32(params.dilation[0]).i32(params.dilation[1]);
  const divisorMode = params.divisorOverride !== undefined ? 'fixed' : params.countIncludePad ? 'padded' : 'valid';
  words.f32(params.divisorOverride ?? 0);
  const source = (uniformWords: number): string => {
    let code = shaderPrelude([x.dtype]) + uniformBlock(uniformWords) + FLOAT_HELPERS;
    code += storageBinding(1, 'xs', wgslType(x.dtype), 'read') + storageBinding(2, 'outBuf', wgslType(x.dtype), 'read_write');
    if (kind === 'max') code += storageBinding(3, 'indexBuf', 'i32', 'read_write');
    code += flatEntry(64, 'P(0u)');
    code += `  var rest = i;
  let ow = i32(rest % P(3u)); rest = rest / P(3u);
  let oh = i32(rest % P(2u)); rest = rest / P(2u);
  let c = i32(rest % P(1u)); let n = i32(rest / P(1u));
  let base = Pi(4u) + n * Pi(5u) + c * Pi(6u);
  let height = Pi(9u); let width = Pi(10u);
  var best = -infF32();
  var bestIndex = -1;
  var total = 0.0;
  var padded = 0;
  var valid = 0;
  for (var kh = 0; kh < Pi(11u); kh = kh + 1) {
    let h = oh * Pi(13u) - Pi(15u) + kh * Pi(17u);
    for (var kw = 0; kw < Pi(12u); kw = kw + 1) {
      let w = ow * Pi(14u) - Pi(16u) + kw * Pi(18u);
      if (h < height + Pi(15u) && w < width + Pi(16u)) { padded = padded + 1; }
      if (h < 0 || h >= height || w < 0 || w >= width) { continue; }
      let v = ${widen('xs[base + h * Pi(7u) + w * Pi(8u)]', x.dtype)};
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
      const divisor = divisorMode === 'fixed' ? 'Pf(19u)' : divisorMode === 'padded' ? 'f32(padded)' : 'f32(valid)';
      code += `  outBuf[i] = ${narrow(`total / ${divisor}`, x.dtype)};\n}\n`;
    }
    return code;
  };
  runtime.launch({
    op: kind === 'max' ? 'maxPool2d' : 'avgPool2d',
    key: `pool:${kind}:${x.dtype}:${divisorMode}`,
    source,
    uniforms: words,
    inputs: [xStorage],
    outputs: indicesStorage ? [outStorage, indicesStorage] : [outStorage],
    groups: Math.ceil(count / 64),
  });
}
