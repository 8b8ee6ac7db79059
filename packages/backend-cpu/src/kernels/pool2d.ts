import { toContiguous, type ArrayView } from './strided';
import type { DataArray, Pool2dParams } from '@tessera/core/backend';

/**
 * Max pooling over x `[N, C, H, W]` into out `[N, C, OH, OW]`; `indices` receives the flat index
 * `h · W + w` of each maximum inside its plane (the first one on ties; NaN wins, as PyTorch).
 * Padding counts as −∞, so it is never selected.
 * @example
 * maxPool2dKernel(x, { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], countIncludePad: true }, out, [1, 1, 1, 1], indices);
 */
export function maxPool2dKernel(
  x: ArrayView, params: Pool2dParams, out: DataArray, outShape: readonly number[], indices: DataArray,
): void {
  const [batch, channels, height, width] = x.shape;
  const [, , outH, outW] = outShape;
  const [kernelH, kernelW] = params.kernelSize;
  const [strideH, strideW] = params.stride;
  const [padH, padW] = params.padding;
  const [dilationH, dilationW] = params.dilation;
  const src = toContiguous(x);
  let write = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * height * width;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let best = -Infinity;
        let bestIndex = -1;
        for (let kh = 0; kh < kernelH; kh++) {
          const h = oh * strideH - padH + kh * dilationH;
          if (h < 0 || h >= height) continue;
          for (let kw = 0; kw < kernelW; kw++) {
            const w = ow * strideW - padW + kw * dilationW;
            if (w < 0 || w >= width) continue;
            const v = src[base + h * width + w];
            if (v > best || bestIndex < 0 || (v !== v && best === best)) {
              best = v;
              bestIndex = h * width + w;
            }
          }
        }
        out[write] = best;
        indices[write] = bestIndex < 0 ? 0 : bestIndex;
        write++;
      }
    }
  }
}

/**
 * Average pooling over x `[N, C, H, W]` into out `[N, C, OH, OW]`. The divisor is
 * `divisorOverride` when given, else the window clipped to the padded input
 * (`countIncludePad`) or to the real input (padding excluded), as PyTorch.
 * @example
 * avgPool2dKernel(x, { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], countIncludePad: true }, out, [1, 1, 1, 1]);
 */
export function avgPool2dKernel(x: ArrayView, params: Pool2dParams, out: DataArray, outShape: readonly number[]): void {
  const [batch, channels, height, width] = x.shape;
  const [, , outH, outW] = outShape;
  const [kernelH, kernelW] = params.kernelSize;
  const [strideH, strideW] = params.stride;
  const [padH, padW] = params.padding;
  const [dilationH, dilationW] = params.dilation;
  const src = toContiguous(x);
  let write = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * height * width;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let sum = 0;
        let inside = 0;
        let padded = 0;
        for (let kh = 0; kh < kernelH; kh++) {
          const h = oh * strideH - padH + kh * dilationH;
          const rowInPadded = h < height + padH;
          for (let kw = 0; kw < kernelW; kw++) {
            const w = ow * strideW - padW + kw * dilationW;
            // PyTorch counts window cells that fall in the zero-padded input, not beyond it.
            if (rowInPadded && w < width + padW) padded++;
            if (h < 0 || h >= height || w < 0 || w >= width) continue;
            sum += src[base + h * width + w];
            inside++;
          }
        }
        const divisor = params.divisorOverride ?? (params.countIncludePad ? padded : inside);
        out[write++] = sum / divisor;
      }
    }
  }
}
