/**
 * 2-D convolution layer.
 */
import { zeros, ValueError, type Tensor } from '@tessera/core';
import { Module, parameter } from '../module';
import { conv2d } from '../functional/conv';
import { resetAffineParameters } from './linear';
import { pair, type FactoryOptions } from './options';

/** Options of {@link Conv2d} (PyTorch's names and defaults). */
export interface Conv2dLayerOptions extends FactoryOptions {
  /** Default 1. */
  stride?: number | [number, number];
  /** Zeros added on each side (default 0), or `'valid'` (none) or `'same'` (output size = input size; stride 1). */
  padding?: number | [number, number] | 'valid' | 'same';
  /** Spacing between kernel taps (default 1). */
  dilation?: number | [number, number];
  /** Split channels into independent groups (default 1; `inChannels` for depthwise). */
  groups?: number;
  /** Learn a per-output-channel bias (default true). */
  bias?: boolean;
}

/**
 * 2-D convolution (cross-correlation) over `[N, C, H, W]`: `weight` `[outChannels, inChannels/groups, kH, kW]`,
 * `bias` `[outChannels]`, both initialised as PyTorch does (U(−1/√fanIn, 1/√fanIn), fanIn = inChannels/groups·kH·kW).
 * @example
 * const conv = new Conv2d(1, 32, 3, { padding: 'same' });
 * conv.forward(randn([8, 1, 28, 28])).shape; // [8, 32, 28, 28]
 */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'valid' | 'same';
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | [number, number],
    options: Conv2dLayerOptions = {},
  ) {
    super();
    this.kernelSize = pair(kernelSize);
    this.stride = pair(options.stride ?? 1);
    const padding = options.padding ?? 0;
    this.padding = typeof padding === 'string' ? padding : pair(padding);
    this.dilation = pair(options.dilation ?? 1);
    this.groups = options.groups ?? 1;
    if (!Number.isInteger(this.groups) || this.groups < 1 || inChannels % this.groups || outChannels % this.groups) {
      throw new ValueError(`Conv2d: groups (${this.groups}) must be a positive integer dividing inChannels (${inChannels}) and outChannels (${outChannels})`);
    }
    if (padding === 'same' && this.stride.some((s) => s !== 1)) {
      throw new ValueError(`Conv2d: padding 'same' needs stride 1, got stride [${this.stride.join(', ')}]`);
    }
    const factory = { dtype: options.dtype ?? 'float32', device: options.device };
    this.weight = parameter(zeros([outChannels, inChannels / this.groups, ...this.kernelSize], factory));
    this.bias = options.bias === false ? null : parameter(zeros([outChannels], factory));
    this.resetParameters();
  }

  /** Re-draw the weights with PyTorch's default distribution. @example conv.resetParameters() */
  resetParameters(): void {
    resetAffineParameters(this.weight, this.bias);
  }

  forward(input: Tensor): Tensor {
    this.checkInputDevice(input, this.weight);
    return conv2d(input, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize.join(', ')}]`, `stride=[${this.stride.join(', ')}]`];
    const padding = typeof this.padding === 'string' ? `'${this.padding}'` : `[${this.padding.join(', ')}]`;
    if (padding !== '[0, 0]') parts.push(`padding=${padding}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=[${this.dilation.join(', ')}]`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push('bias=false');
    return parts.join(', ');
  }
}
