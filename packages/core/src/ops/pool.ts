/**
 * 2-D max and average pooling: the backend's kernels when present (and ceil mode is off), else
 * im2col composites. Gradients: max routes to the recorded indices, average spreads evenly (col2im).
 */
import type { Pool2dParams } from '../backend/backend';
import { noGrad } from '../autograd/grad-mode';
import { recordOp } from '../autograd/record';
import { isFloating } from '../dtype';
import { DTypeError, ShapeError, ValueError } from '../errors';
import { tidy } from '../memory/scope';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { tensor, zeros } from './creation';
import { backendOf, runKernelMulti, runKernel, viewOf } from './dispatch';
import { col2im, columnTable, im2col, pair, windowGeometry, type WindowGeometry } from './im2col';

/** Options of the pooling ops (PyTorch's names). */
export interface Pool2dOptions {
  /** Default: the kernel size. */
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  ceilMode?: boolean;
}

/** Options of {@link avgPool2d}. */
export interface AvgPool2dOptions extends Omit<Pool2dOptions, 'dilation'> {
  /** Count padded zeros in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  divisorOverride?: number;
}

interface Resolved {
  x: Tensor;
  geometry: WindowGeometry;
  params: Pool2dParams;
  ceilMode: boolean;
  unbatched: boolean;
}

function resolve(op: string, input: Tensor, kernelSize: number | [number, number], options: Pool2dOptions & AvgPool2dOptions): Resolved {
  if (!isFloating(input.dtype)) throw new DTypeError(`${op}: expected a floating-point input, got ${input.dtype}`);
  if (input.ndim !== 3 && input.ndim !== 4) throw new ShapeError(`${op}: expected [N, C, H, W] or [C, H, W], got ${formatShape(input.shape)}`);
  const unbatched = input.ndim === 3;
  const x = unbatched ? input.unsqueeze(0) : input;
  const kernel = pair(op, 'kernelSize', kernelSize, 1);
  const stride = pair(op, 'stride', options.stride ?? kernel, 1);
  const padding = pair(op, 'padding', options.padding ?? 0, 0);
  const dilation = pair(op, 'dilation', options.dilation ?? 1, 1);
  if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1]) {
    throw new ValueError(`${op}: padding ${padding.join('×')} must be at most half the kernel size ${kernel.join('×')}`);
  }
  if (options.divisorOverride !== undefined && !(options.divisorOverride > 0)) {
    throw new ValueError(`${op}: divisorOverride must be positive, got ${options.divisorOverride}`);
  }
  const ceilMode = options.ceilMode ?? false;
  const geometry = windowGeometry(op, x.shape, kernel, stride, padding, dilation, ceilMode);
  const params: Pool2dParams = {
    kernelSize: kernel,
    stride,
    padding,
    dilation,
    countIncludePad: options.countIncludePad ?? true,
    ...(options.divisorOverride !== undefined ? { divisorOverride: options.divisorOverride } : {}),
  };
  return { x, geometry, params, ceilMode, unbatched };
}

/** Drop the batch dim added for an unbatched `[C, H, W]` input. */
function unbatch(result: Tensor, unbatched: boolean): Tensor {
  if (!unbatched) return result;
  const squeezed = result.squeeze(0);
  result.dispose();
  return squeezed;
}

/** For each window tap and output position: the flat `h·W + w` input index, or −1 in the padding. */
function planeIndexTable(geometry: WindowGeometry): Int32Array {
  const padded = columnTable(geometry);
  const { paddedWidth, padding, height, width } = geometry;
  return padded.map((position) => {
    const h = Math.floor(position / paddedWidth) - padding[0];
    const w = (position % paddedWidth) - padding[1];
    return h >= 0 && h < height && w >= 0 && w < width ? h * width + w : -1;
  });
}

/**
 * Max pooling over `kernelSize` windows. With `returnIndices` also gives each maximum's flat `h·W + w` index.
 * @example
 * maxPool2d(x, 2); // halves H and W
 */
export function maxPool2d(input: Tensor, kernelSize: number | [number, number], options: Pool2dOptions = {}): Tensor {
  return maxPool2dWithIndices(input, kernelSize, options).values;
}

/**
 * {@link maxPool2d} returning `{ values, indices }` (indices int32, PyTorch's flat-plane convention).
 * @example
 * const { values, indices } = maxPool2dWithIndices(x, 2);
 */
export function maxPool2dWithIndices(input: Tensor, kernelSize: number | [number, number], options: Pool2dOptions = {}): { values: Tensor; indices: Tensor } {
  const backend = backendOf('maxPool2d', [input]);
  const resolved = resolve('maxPool2d', input, kernelSize, options);
  const { x, geometry, params } = resolved;
  const [batch, channels] = x.shape;
  const outShape = [batch, channels, geometry.outHeight, geometry.outWidth];
  const [values, indices] = noGrad(() => {
    if (backend.maxPool2d && !resolved.ceilMode) {
      return runKernelMulti(backend, [{ shape: outShape, dtype: x.dtype }, { shape: outShape, dtype: 'int32' }], [viewOf(x)], ([out, index], [view]) =>
        backend.maxPool2d!(view, params, out, index),
      );
    }
    return tidy(() => {
      const columns = im2col(x, geometry, -Infinity);
      const { values: maxima, indices: taps } = columns.max(2);
      const positions = geometry.outHeight * geometry.outWidth;
      const table = tensor(planeIndexTable(geometry), { device: x.device });
      const offsets = tensor(Int32Array.from({ length: positions }, (_, i) => i), { device: x.device });
      const flat = taps.mul(positions).add(offsets).reshape([-1]);
      const picked = table.indexSelect(0, flat.int());
      return [maxima.reshape(outShape), picked.reshape(outShape)];
    });
  });
  const inputShape = x.shape;
  recordOp(
    'maxPool2d',
    [x],
    values,
    (grad, [savedIndices]) => {
      const planes = [inputShape[0], inputShape[1], inputShape[2] * inputShape[3]];
      const base = zeros(planes, { dtype: grad.dtype, device: grad.device });
      const routed = base.scatterAdd(2, savedIndices.reshape([planes[0], planes[1], -1]), grad.reshape([planes[0], planes[1], -1]));
      return [routed.reshape(inputShape)];
    },
    { save: [indices] },
  );
  if (resolved.unbatched) x.dispose();
  return { values: unbatch(values, resolved.unbatched), indices: unbatch(indices, resolved.unbatched) };
}

/** The divisor of every output position, `[OH·OW]`, following PyTorch's avg_pool2d rules. */
function divisors(geometry: WindowGeometry, params: Pool2dParams): Float32Array {
  const { outHeight, outWidth, height, width, stride, padding, kernel } = geometry;
  const result = new Float32Array(outHeight * outWidth);
  for (let oh = 0; oh < outHeight; oh++) {
    for (let ow = 0; ow < outWidth; ow++) {
      if (params.divisorOverride !== undefined) {
        result[oh * outWidth + ow] = params.divisorOverride;
        continue;
      }
      let hStart = oh * stride[0] - padding[0];
      let wStart = ow * stride[1] - padding[1];
      let hEnd = Math.min(hStart + kernel[0], height + padding[0]);
      let wEnd = Math.min(wStart + kernel[1], width + padding[1]);
      let count = (hEnd - hStart) * (wEnd - wStart);
      if (!params.countIncludePad) {
        hStart = Math.max(hStart, 0);
        wStart = Math.max(wStart, 0);
        hEnd = Math.min(hEnd, height);
        wEnd = Math.min(wEnd, width);
        count = (hEnd - hStart) * (wEnd - wStart);
      }
      result[oh * outWidth + ow] = count;
    }
  }
  return result;
}

/**
 * Average pooling over `kernelSize` windows.
 * @example
 * avgPool2d(x, 2, { stride: 2 });
 */
export function avgPool2d(input: Tensor, kernelSize: number | [number, number], options: AvgPool2dOptions = {}): Tensor {
  const backend = backendOf('avgPool2d', [input]);
  const resolved = resolve('avgPool2d', input, kernelSize, options);
  const { x, geometry, params } = resolved;
  const [batch, channels] = x.shape;
  const outShape = [batch, channels, geometry.outHeight, geometry.outWidth];
  const divisorTable = divisors(geometry, params);
  const out = noGrad(() => {
    if (backend.avgPool2d && !resolved.ceilMode) {
      return runKernel(backend, outShape, x.dtype, [viewOf(x)], (output, [view]) => backend.avgPool2d!(view, params, output));
    }
    return tidy(() => {
      const sums = im2col(x, geometry, 0).sum(2);
      const divisor = tensor(divisorTable, { dtype: x.dtype, device: x.device });
      return sums.div(divisor).reshape(outShape);
    });
  });
  recordOp('avgPool2d', [x], out, (grad) => {
    const divisor = tensor(divisorTable, { dtype: grad.dtype, device: grad.device });
    const positions = geometry.outHeight * geometry.outWidth;
    const spread = grad.reshape([batch, channels, 1, positions]).div(divisor).expand([batch, channels, geometry.kernel[0] * geometry.kernel[1], positions]);
    return [col2im(spread, geometry)];
  });
  if (resolved.unbatched) x.dispose();
  return unbatch(out, resolved.unbatched);
}
