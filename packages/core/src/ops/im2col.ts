/**
 * Sliding-window geometry shared by conv2d and pooling: output sizes, and the index table that
 * turns a padded image plane into columns (im2col) with `indexSelect` — so the composites and their
 * gradients (`scatterAdd`, i.e. col2im) run on every backend.
 */
import { ShapeError, ValueError } from '../errors';
import type { Tensor } from '../tensor/tensor';
import { tensor, zeros } from './creation';

/** Resolved window geometry for one 2-D sliding-window op. */
export interface WindowGeometry {
  readonly height: number;
  readonly width: number;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly outHeight: number;
  readonly outWidth: number;
  /** Padded plane size, including any extra right/bottom padding that ceil mode needs. */
  readonly paddedHeight: number;
  readonly paddedWidth: number;
}

/** `n` or `[h, w]` → `[h, w]`, validated. */
export function pair(op: string, name: string, value: number | readonly number[], minimum: number): [number, number] {
  const result = typeof value === 'number' ? [value, value] : [...value];
  if (result.length !== 2 || !result.every((v) => Number.isInteger(v) && v >= minimum)) {
    throw new ValueError(`${op}: ${name} must be an integer ≥ ${minimum} or a pair of them, got ${JSON.stringify(value)}`);
  }
  return result as [number, number];
}

function outputSize(size: number, kernel: number, stride: number, padding: number, dilation: number, ceilMode: boolean): number {
  const span = size + 2 * padding - dilation * (kernel - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // In ceil mode the last window must start inside the input or its left padding (PyTorch's rule).
  if (ceilMode && (out - 1) * stride >= size + padding) out--;
  return out;
}

/** Compute the output geometry, or a ShapeError naming `op` when the window does not fit. */
export function windowGeometry(
  op: string,
  inputShape: readonly number[],
  kernel: [number, number],
  stride: [number, number],
  padding: [number, number],
  dilation: [number, number],
  ceilMode = false,
): WindowGeometry {
  const [height, width] = inputShape.slice(-2);
  const outHeight = outputSize(height, kernel[0], stride[0], padding[0], dilation[0], ceilMode);
  const outWidth = outputSize(width, kernel[1], stride[1], padding[1], dilation[1], ceilMode);
  if (outHeight <= 0 || outWidth <= 0) {
    throw new ShapeError(
      `${op}: the ${kernel[0]}×${kernel[1]} window (dilation ${dilation.join('×')}) does not fit the ${height}×${width} input ` +
        `with padding ${padding.join('×')}: the output would be ${outHeight}×${outWidth}`,
    );
  }
  const needed = (out: number, k: number, s: number, d: number) => (out - 1) * s + d * (k - 1) + 1;
  return {
    height,
    width,
    kernel,
    stride,
    padding,
    dilation,
    outHeight,
    outWidth,
    paddedHeight: Math.max(height + 2 * padding[0], needed(outHeight, kernel[0], stride[0], dilation[0])),
    paddedWidth: Math.max(width + 2 * padding[1], needed(outWidth, kernel[1], stride[1], dilation[1])),
  };
}

/** `[before, after]` padding of the last two dims for the padded plane (F.pad order: width first). */
export function planePads(geometry: WindowGeometry): number[] {
  const { height, width, padding, paddedHeight, paddedWidth } = geometry;
  return [padding[1], paddedWidth - width - padding[1], padding[0], paddedHeight - height - padding[0]];
}

const tableCache = new Map<string, Int32Array>();

/**
 * For window tap `t = kh·KW + kw` and output position `l = oh·OW + ow`, entry `t·L + l` is the flat
 * position in the padded plane that the tap reads.
 */
export function columnTable(geometry: WindowGeometry): Int32Array {
  const key = JSON.stringify(geometry);
  const cached = tableCache.get(key);
  if (cached) return cached;
  const { kernel, stride, dilation, outHeight, outWidth, paddedWidth } = geometry;
  const positions = outHeight * outWidth;
  const table = new Int32Array(kernel[0] * kernel[1] * positions);
  for (let kh = 0; kh < kernel[0]; kh++) {
    for (let kw = 0; kw < kernel[1]; kw++) {
      const tap = (kh * kernel[1] + kw) * positions;
      for (let oh = 0; oh < outHeight; oh++) {
        const row = (oh * stride[0] + kh * dilation[0]) * paddedWidth;
        for (let ow = 0; ow < outWidth; ow++) table[tap + oh * outWidth + ow] = row + ow * stride[1] + kw * dilation[1];
      }
    }
  }
  if (tableCache.size > 64) tableCache.clear();
  tableCache.set(key, table);
  return table;
}

/**
 * Columns of a `[N, C, H, W]` input padded with `padValue`: `[N, C, KH·KW, OH·OW]`.
 * @example
 * im2col(x, geometry, 0); // then reshape and matmul with the kernel
 */
export function im2col(x: Tensor, geometry: WindowGeometry, padValue: number): Tensor {
  const pads = planePads(geometry);
  const padded = pads.some((amount) => amount !== 0) ? x.pad(pads, 'constant', padValue) : x;
  const [batch, channels] = x.shape;
  const plane = padded.reshape([batch, channels, geometry.paddedHeight * geometry.paddedWidth]);
  const index = tensor(columnTable(geometry), { device: x.device });
  const columns = plane.indexSelect(2, index);
  const result = columns.reshape([batch, channels, geometry.kernel[0] * geometry.kernel[1], geometry.outHeight * geometry.outWidth]);
  for (const temp of [plane, index, columns]) temp.dispose();
  if (padded !== x) padded.dispose();
  return result;
}

/**
 * The adjoint of {@link im2col}: sum columns `[N, C, KH·KW, OH·OW]` back into an `[N, C, H, W]` image.
 * @example
 * col2im(columnGradient, geometry); // the input gradient of a convolution
 */
export function col2im(columns: Tensor, geometry: WindowGeometry): Tensor {
  const [batch, channels] = columns.shape;
  const { paddedHeight, paddedWidth, height, width, padding } = geometry;
  const flat = columns.reshape([batch, channels, -1]);
  const table = tensor(columnTable(geometry), { device: columns.device });
  const index = table.reshape([1, 1, -1]).expand(flat.shape);
  const plane = zeros([batch, channels, paddedHeight * paddedWidth], { dtype: columns.dtype, device: columns.device });
  const summed = plane.scatterAdd(2, index, flat);
  const image = summed.reshape([batch, channels, paddedHeight, paddedWidth]);
  const rows = image.narrow(2, padding[0], height);
  const cropped = rows.narrow(3, padding[1], width);
  for (const temp of [flat, table, index, plane, summed, image, rows]) temp.dispose();
  return cropped;
}
