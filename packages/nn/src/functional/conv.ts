/**
 * Convolution and pooling: thin wrappers over core's ops with PyTorch's argument order.
 */
import {
  avgPool2d as coreAvgPool2d,
  conv2d as coreConv2d,
  maxPool2d as coreMaxPool2d,
  maxPool2dWithIndices,
  type AvgPool2dOptions as CoreAvgPool2dOptions,
  type Conv2dOptions as CoreConv2dOptions,
  type Pool2dOptions as CorePool2dOptions,
  type Tensor,
} from '@tessera/core';

// Declared here rather than re-exported: the bundled .d.ts turns a type re-exported from another
// package inside the `functional` namespace into a value (`typeof AvgPool2dOptions`, TS2693).
/** Options of {@link conv2d} (core's `Conv2dOptions`). */
export type Conv2dOptions = CoreConv2dOptions;
/** Options of {@link maxPool2d} (core's `Pool2dOptions`). */
export type Pool2dOptions = CorePool2dOptions;
/** Options of {@link avgPool2d} (core's `AvgPool2dOptions`). */
export type AvgPool2dOptions = CoreAvgPool2dOptions;

/**
 * 2-D cross-correlation of `input` `[N, C, H, W]` with `weight` `[O, C/groups, KH, KW]` and optional `bias` `[O]`.
 * @example
 * conv2d(x, w, b, { stride: 1, padding: 'same' });
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  return coreConv2d(input, weight, bias, options);
}

/** Options of {@link maxPool2d}. */
export interface MaxPool2dOptions extends Pool2dOptions {
  /** Also return the flat `h·W + w` index of each maximum. */
  returnIndices?: boolean;
}

/**
 * Max pooling over `kernelSize` windows (stride defaults to the kernel size).
 * @example
 * maxPool2d(x, 2); // halves H and W
 * const { values, indices } = maxPool2d(x, 2, { returnIndices: true });
 */
export function maxPool2d(input: Tensor, kernelSize: number | [number, number], options: MaxPool2dOptions & { returnIndices: true }): { values: Tensor; indices: Tensor };
export function maxPool2d(input: Tensor, kernelSize: number | [number, number], options?: MaxPool2dOptions): Tensor;
export function maxPool2d(input: Tensor, kernelSize: number | [number, number], options: MaxPool2dOptions = {}): Tensor | { values: Tensor; indices: Tensor } {
  const { returnIndices, ...rest } = options;
  return returnIndices ? maxPool2dWithIndices(input, kernelSize, rest) : coreMaxPool2d(input, kernelSize, rest);
}

/**
 * Average pooling over `kernelSize` windows (`countIncludePad` true by default, as PyTorch).
 * @example
 * avgPool2d(x, 2, { stride: 2 });
 */
export function avgPool2d(input: Tensor, kernelSize: number | [number, number], options: AvgPool2dOptions = {}): Tensor {
  return coreAvgPool2d(input, kernelSize, options);
}
