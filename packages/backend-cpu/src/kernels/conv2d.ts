import { matmulKernel } from './matmul';
import { toContiguous, type ArrayView } from './strided';
import type { Conv2dParams, DataArray } from '@tessera/core/backend';

/** im2col scratch, reused across calls. */
let columns: Float64Array = new Float64Array(0);

/**
 * 2-D convolution (cross-correlation) by im2col + the packed matmul, one group at a time:
 * for image n and group g, `columns[(c, kh, kw), (oh, ow)]` gathers the input patch values (0 in
 * the padding) and `out[n, g·Og:(g+1)·Og] = weight_g [Og, Cg·KH·KW] × columns`. Bias is added last.
 * x `[N, C, H, W]`, weight `[O, C/groups, KH, KW]`, out `[N, O, OH, OW]` (contiguous).
 * @example
 * // 1×1 input channel, 3×3 image, 2×2 kernel of ones, stride 1, no padding → 2×2 box sums.
 * conv2dKernel(x, weight, null, { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 }, out, [1, 1, 2, 2]);
 */
export function conv2dKernel(
  x: ArrayView, weight: ArrayView, bias: ArrayView | null, params: Conv2dParams,
  out: Float32Array | Float64Array, outShape: readonly number[],
): void {
  const [batch, channels, height, width] = x.shape;
  const [outChannels, groupChannels, kernelH, kernelW] = weight.shape;
  const [, , outH, outW] = outShape;
  const { stride, padding, dilation, groups } = params;
  const outPlane = outH * outW;
  const groupOut = outChannels / groups;
  const patch = groupChannels * kernelH * kernelW;
  if (batch === 0 || outChannels === 0 || outPlane === 0) return;
  const src = toContiguous(x);
  const weights = toContiguous(weight);
  const weightView: ArrayView = { data: weights, shape: [1, groupOut, patch], strides: [0, patch, 1], offset: 0 };
  columns = columns.length >= patch * outPlane ? columns : new Float64Array(patch * outPlane);
  const columnView: ArrayView = { data: columns, shape: [1, patch, outPlane], strides: [0, outPlane, 1], offset: 0 };
  for (let n = 0; n < batch; n++) {
    for (let group = 0; group < groups; group++) {
      im2col(src, (n * channels + group * groupChannels) * height * width, groupChannels, height, width,
        kernelH, kernelW, outH, outW, stride, padding, dilation, columns);
      const groupWeights = { ...weightView, offset: group * groupOut * patch, shape: [1, groupOut, patch] };
      matmulKernel(groupWeights, columnView, out, (n * outChannels + group * groupOut) * outPlane);
    }
  }
  if (bias) {
    const shift = toContiguous(bias);
    for (let n = 0; n < batch; n++) {
      for (let channel = 0; channel < outChannels; channel++) {
        const base = (n * outChannels + channel) * outPlane;
        const value = shift[channel];
        for (let i = 0; i < outPlane; i++) out[base + i] += value;
      }
    }
  }
}

/** Fill `dst` ([channels·KH·KW, OH·OW], row-major) with the input patches of one image and group. */
function im2col(
  src: DataArray, base: number, channels: number, height: number, width: number,
  kernelH: number, kernelW: number, outH: number, outW: number,
  stride: readonly [number, number], padding: readonly [number, number], dilation: readonly [number, number],
  dst: Float64Array,
): void {
  const [strideH, strideW] = stride;
  const [padH, padW] = padding;
  const [dilationH, dilationW] = dilation;
  let write = 0;
  for (let channel = 0; channel < channels; channel++) {
    const plane = base + channel * height * width;
    for (let kh = 0; kh < kernelH; kh++) {
      for (let kw = 0; kw < kernelW; kw++) {
        for (let oh = 0; oh < outH; oh++) {
          const h = oh * strideH - padH + kh * dilationH;
          if (h < 0 || h >= height) {
            dst.fill(0, write, write + outW);
            write += outW;
            continue;
          }
          const row = plane + h * width;
          let w = kw * dilationW - padW;
          for (let ow = 0; ow < outW; ow++, w += strideW) dst[write++] = w >= 0 && w < width ? src[row + w] : 0;
        }
      }
    }
  }
}
