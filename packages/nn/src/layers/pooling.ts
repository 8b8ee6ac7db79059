/**
 * Pooling layers.
 */
import type { Tensor } from '@tessera/core';
import { Module } from '../module';
import { avgPool2d, maxPool2d, type AvgPool2dOptions, type Pool2dOptions } from '../functional/conv';

/**
 * Max pooling over `kernelSize` windows (stride defaults to the kernel size).
 * @example
 * new MaxPool2d(2).forward(randn([1, 3, 28, 28])).shape; // [1, 3, 14, 14]
 */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: number | [number, number],
    readonly options: Pool2dOptions = {},
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    return maxPool2d(input, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}${describe(this.options)}`;
  }
}

/**
 * Average pooling over `kernelSize` windows (`countIncludePad` true by default, as PyTorch).
 * @example
 * new AvgPool2d(2).forward(randn([1, 3, 28, 28])).shape; // [1, 3, 14, 14]
 */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: number | [number, number],
    readonly options: AvgPool2dOptions = {},
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}${describe(this.options)}`;
  }
}

function describe(options: object): string {
  return Object.entries(options)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `, ${key}=${JSON.stringify(value)}`)
    .join('');
}
