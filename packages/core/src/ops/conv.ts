/**
 * 2-D convolution (PyTorch's `conv2d`, i.e. cross-correlation): the backend's kernel when it has one,
 * else im2col + matmul. The gradient is the same im2col/col2im formulation in core ops.
 */
import type { Conv2dParams } from '../backend/backend';
import { noGrad } from '../autograd/grad-mode';
import { autocastActive, autocastOp } from '../autograd/autocast';
import { recordOp } from '../autograd/record';
import { isFloating } from '../dtype';
import { DTypeError, ShapeError, ValueError } from '../errors';
import { tidy } from '../memory/scope';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { backendOf, runKernel, viewOf } from './dispatch';
import { col2im, im2col, pair, windowGeometry, type WindowGeometry } from './im2col';
import { contiguous } from './view';

/** Options of {@link conv2d} (PyTorch's names). */
export interface Conv2dOptions {
  stride?: number | [number, number];
  /** Zero padding per side, or `'valid'` (none) / `'same'` (output size = input size; stride 1 only). */
  padding?: number | [number, number] | 'valid' | 'same';
  dilation?: number | [number, number];
  groups?: number;
}

/** `[N, O, OH, OW]` from columns and weight: out[n, g] = W[g] · cols[n, g]. */
function convolveColumns(columns: Tensor, weight: Tensor, groups: number, geometry: WindowGeometry): Tensor {
  const [batch, channels] = columns.shape;
  const outChannels = weight.shape[0];
  const perGroup = (channels / groups) * geometry.kernel[0] * geometry.kernel[1];
  const positions = geometry.outHeight * geometry.outWidth;
  const grouped = columns.reshape([batch, groups, perGroup, positions]);
  const kernel = weight.reshape([groups, outChannels / groups, perGroup]);
  const product = kernel.matmul(grouped);
  return product.reshape([batch, outChannels, geometry.outHeight, geometry.outWidth]);
}

/**
 * 2-D convolution of `x` `[N, C, H, W]` (or `[C, H, W]`) with `weight` `[O, C/groups, KH, KW]` and an optional `bias` `[O]`.
 * @example
 * conv2d(images, kernels, bias, { stride: 1, padding: 1 }); // [N, O, H, W]
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  if (autocastActive()) return autocastOp('conv2d', 'lowerPrecision', [x, weight, bias, options], conv2d);
  const backend = backendOf('conv2d', bias ? [x, weight, bias] : [x, weight]);
  if (x.ndim === 3) {
    const batched = x.unsqueeze(0);
    const out = conv2d(batched, weight, bias, options);
    batched.dispose();
    const result = out.squeeze(0);
    out.dispose();
    return result;
  }
  if (!isFloating(x.dtype) || x.dtype !== weight.dtype || (bias && bias.dtype !== x.dtype)) {
    throw new DTypeError(
      `conv2d: input, weight and bias must share one floating dtype, got ${x.dtype}, ${weight.dtype}${bias ? `, ${bias.dtype}` : ''}`,
    );
  }
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError(`conv2d: groups must be a positive integer, got ${groups}`);
  if (x.ndim !== 4 || weight.ndim !== 4) {
    throw new ShapeError(`conv2d: expected input [N, C, H, W] and weight [O, C/groups, KH, KW], got ${formatShape(x.shape)} and ${formatShape(weight.shape)}`);
  }
  const [, channels] = x.shape;
  const [outChannels, perGroup, kh, kw] = weight.shape;
  if (channels % groups !== 0 || outChannels % groups !== 0 || perGroup * groups !== channels) {
    throw new ShapeError(
      `conv2d: input ${formatShape(x.shape)} and weight ${formatShape(weight.shape)} with groups=${groups}: ` +
        `weight.shape[1] × groups (${perGroup * groups}) must equal the input channels (${channels}) and both channel counts must divide by groups`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
    throw new ShapeError(`conv2d: bias must have shape [${outChannels}], got ${formatShape(bias.shape)}`);
  }
  const stride = pair('conv2d', 'stride', options.stride ?? 1, 1);
  const dilation = pair('conv2d', 'dilation', options.dilation ?? 1, 1);
  const paddingOption = options.padding ?? 0;
  if (paddingOption === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new ValueError("conv2d: padding 'same' needs stride 1");
    const totals = [dilation[0] * (kh - 1), dilation[1] * (kw - 1)];
    if (totals.some((total) => total % 2 !== 0)) {
      // Asymmetric 'same' padding: pad the extra row/column on the right/bottom first (PyTorch does the same).
      const padded = x.pad([Math.floor(totals[1] / 2), Math.ceil(totals[1] / 2), Math.floor(totals[0] / 2), Math.ceil(totals[0] / 2)]);
      const out = conv2d(padded, weight, bias, { ...options, padding: 0 });
      padded.dispose();
      return out;
    }
    return conv2d(x, weight, bias, { ...options, padding: [totals[0] / 2, totals[1] / 2] });
  }
  const padding = paddingOption === 'valid' ? ([0, 0] as [number, number]) : pair('conv2d', 'padding', paddingOption, 0);
  const geometry = windowGeometry('conv2d', x.shape, [kh, kw], stride, padding, dilation);
  const outShape = [x.shape[0], outChannels, geometry.outHeight, geometry.outWidth];

  const out = noGrad(() => {
    if (backend.conv2d) {
      const params: Conv2dParams = { stride, padding, dilation, groups };
      const views = [x, weight, ...(bias ? [bias] : [])].map(viewOf);
      return runKernel(backend, outShape, x.dtype, views, (output, [vx, vw, vb]) => backend.conv2d!(vx, vw, vb ?? null, params, output));
    }
    return tidy(() => {
      const product = convolveColumns(im2col(x, geometry, 0), weight, groups, geometry);
      return bias ? product.add(bias.reshape([1, outChannels, 1, 1])) : contiguous(product);
    });
  });

  const inputs = bias ? [x, weight, bias] : [x, weight];
  const biasNeedsGrad = bias?.requiresGrad ?? false;
  return recordOp(
    'conv2d',
    inputs,
    out,
    (grad, [savedX, savedWeight]) => {
      const batch = savedX.shape[0];
      const positions = geometry.outHeight * geometry.outWidth;
      const rows = (channels / groups) * kh * kw;
      const gradGrouped = grad.reshape([batch, groups, outChannels / groups, positions]);
      const grads: (Tensor | null)[] = [null, null, null];
      if (savedX.requiresGrad) {
        const kernel = savedWeight.reshape([groups, outChannels / groups, rows]);
        const columnGrad = kernel.transpose(-1, -2).matmul(gradGrouped);
        grads[0] = col2im(columnGrad.reshape([batch, channels, kh * kw, positions]), geometry);
      }
      if (savedWeight.requiresGrad) {
        const columns = im2col(savedX, geometry, 0).reshape([batch, groups, rows, positions]);
        grads[1] = gradGrouped.matmul(columns.transpose(-1, -2)).sum(0).reshape(savedWeight.shape);
      }
      if (biasNeedsGrad) grads[2] = grad.sum([0, 2, 3]);
      return grads.slice(0, inputs.length);
    },
    { save: [x, weight] },
  );
}
