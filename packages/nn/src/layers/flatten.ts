/**
 * Flatten layer.
 */
import type { Tensor } from '@tessera/core';
import { Module } from '../module';

/**
 * Merge dims `startDim..endDim` (default 1..−1, keeping the batch dim): `[N, C, H, W]` → `[N, C·H·W]`.
 * @example
 * new Flatten().forward(randn([8, 1, 28, 28])).shape; // [8, 784]
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
