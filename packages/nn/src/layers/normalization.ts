/**
 * Normalisation layers: LayerNorm and BatchNorm1d.
 */
import { noGrad, ones, tidy, zeros, ShapeError, type Tensor } from '@tessera/core';
import { Module, parameter } from '../module';
import { batchNorm, layerNorm } from '../functional/normalization';
import type { FactoryOptions } from './options';

/** Options of {@link LayerNorm}. */
export interface LayerNormLayerOptions extends FactoryOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-element scale `weight` (ones) and shift `bias` (zeros) (default true). */
  elementwiseAffine?: boolean;
  /** With `elementwiseAffine`, also learn the shift (default true). */
  bias?: boolean;
}

/**
 * Normalise each sample over its trailing `normalizedShape` dims, then scale and shift.
 * @example
 * new LayerNorm(512).forward(x); // x [..., 512]
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormLayerOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = options.eps ?? 1e-5;
    const factory = { dtype: options.dtype ?? 'float32', device: options.device };
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? parameter(ones(this.normalizedShape, factory)) : null;
    this.bias = affine && options.bias !== false ? parameter(zeros(this.normalizedShape, factory)) : null;
  }

  forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

/** Options of {@link BatchNorm1d}. */
export interface BatchNormLayerOptions extends FactoryOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running statistics (default 0.1); `null` for a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale (ones) and shift (zeros) (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true); otherwise always use the batch's. */
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation over `[N, C]` or `[N, C, L]`: in training, normalise with the batch's statistics
 * and update `running_mean` / `running_var` (unbiased) with momentum 0.1; in evaluation, use them.
 * Buffers are named as in PyTorch: `running_mean`, `running_var`, `num_batches_tracked`.
 * @example
 * const bn = new BatchNorm1d(64);
 * bn.forward(randn([32, 64]));     // training statistics
 * bn.eval().forward(randn([1, 64])); // running statistics
 */
export class BatchNorm1d extends Module {
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(
    readonly numFeatures: number,
    options: BatchNormLayerOptions = {},
  ) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const factory = { dtype: options.dtype ?? 'float32', device: options.device };
    this.weight = this.affine ? parameter(ones([numFeatures], factory)) : null;
    this.bias = this.affine ? parameter(zeros([numFeatures], factory)) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], factory));
      this.registerBuffer('running_var', ones([numFeatures], factory));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32', device: options.device }));
    }
  }

  private buffer(name: string): Tensor | null {
    return this.namedBuffers('', false).find(([key]) => key === name)?.[1] ?? null;
  }

  /** The running mean `[C]` (null without `trackRunningStats`). */
  get runningMean(): Tensor | null {
    return this.buffer('running_mean');
  }

  /** The running (unbiased) variance `[C]`. */
  get runningVar(): Tensor | null {
    return this.buffer('running_var');
  }

  /** How many training batches updated the running statistics (an int32 0-d tensor). */
  get numBatchesTracked(): Tensor | null {
    return this.buffer('num_batches_tracked');
  }

  /** Running statistics back to mean 0, variance 1, count 0. @example bn.resetRunningStats() */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.assign(0);
      this.runningVar?.assign(1);
      this.numBatchesTracked?.assign(0);
    });
  }

  forward(input: Tensor): Tensor {
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ShapeError(`BatchNorm1d: expected an input of shape [N, C] or [N, C, L], got [${input.shape.join(', ')}]`);
    }
    if (input.shape[1] !== this.numFeatures) {
      throw new ShapeError(`BatchNorm1d: input of shape [${input.shape.join(', ')}] has ${input.shape[1]} channels in dim 1, expected ${this.numFeatures}`);
    }
    const counter = this.numBatchesTracked;
    let count = 0;
    if (this.training && counter) {
      noGrad(() => tidy(() => counter.assign(counter.add(1))));
      // Only the cumulative average (momentum null) needs the count as a number.
      if (this.momentum === null && counter.canReadSync) count = counter.itemSync();
    }
    return batchNorm(input, this.runningMean, this.runningVar, this.weight, this.bias, {
      training: this.training || !this.trackRunningStats,
      momentum: this.momentum,
      eps: this.eps,
      numBatchesTracked: count,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}
