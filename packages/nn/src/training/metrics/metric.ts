/**
 * Streaming metrics for `fit`: updated batch by batch, computed once per epoch over all its samples
 * (so precision over an epoch is exact, not a mean of per-batch precisions).
 */
import { ValueError, isFloating, tensor, type Tensor } from '@tessera/core';
import { confusionMatrix } from './confusion-matrix';
import { logLoss } from './log-loss';
import { scoreFromConfusionMatrix, type Average } from './precision-recall-f1';
import type { ClassificationOptions } from './classification-inputs';

/**
 * A metric accumulated over an epoch. `fit` calls `reset()` before each pass over the training or
 * validation data, `update()` once per batch (with the model's output and the batch's targets) and
 * `compute()` at the end; the result is logged under `name` (and `val_` + `name`).
 * @example
 * const meanPrediction: Metric = {
 *   name: 'meanPrediction', total: 0, count: 0,
 *   reset() { this.total = 0; this.count = 0; },
 *   async update(prediction) { this.total += await prediction.sum().item(); this.count += prediction.size; },
 *   compute() { return this.total / this.count; },
 * } as Metric;
 */
export interface Metric {
  readonly name: string;
  reset(): void;
  update(prediction: Tensor, target: Tensor): void | Promise<void>;
  compute(): number | Promise<number>;
}

/** The metric names `fit` understands. */
export type MetricName = 'accuracy' | 'precision' | 'recall' | 'f1' | 'logLoss';

/** A metric for `fit`: a name, or your own {@link Metric}. */
export type MetricSpec = MetricName | Metric;

/**
 * Accumulates a confusion matrix and derives accuracy, precision, recall or F1 from it.
 * @example
 * await fit(model, { train, loss, optimizer, epochs: 5, metrics: [new ConfusionMatrixMetric('f1', { average: 'micro' })] });
 */
export class ConfusionMatrixMetric implements Metric {
  readonly name: string;
  private counts: Float64Array | null = null;
  private numClasses = 0;
  /** Binary scores ([N] or [N, 1], or bool) default to average 'binary', like the tensor functions. */
  private binary = false;

  constructor(
    readonly score: 'accuracy' | 'precision' | 'recall' | 'f1',
    readonly options: ClassificationOptions & { average?: Average; name?: string } = {},
  ) {
    this.name = options.name ?? score;
  }

  reset(): void {
    this.counts = null;
    this.numClasses = 0;
    this.binary = false;
  }

  async update(prediction: Tensor, target: Tensor): Promise<void> {
    this.binary = prediction.dtype === 'bool' || (isFloating(prediction.dtype) && (prediction.ndim === 1 || (prediction.ndim === 2 && prediction.shape[1] === 1)));
    const matrix = confusionMatrix(prediction, target, this.options);
    try {
      const classes = matrix.shape[0];
      if (this.counts && classes !== this.numClasses) {
        throw new ValueError(`${this.name}: this batch has ${classes} classes but earlier batches had ${this.numClasses}`);
      }
      const values = await matrix.data();
      if (!this.counts) {
        this.counts = new Float64Array(classes * classes);
        this.numClasses = classes;
      }
      for (let i = 0; i < values.length; i++) this.counts[i] += Number(values[i]);
    } finally {
      matrix.dispose();
    }
  }

  /** The accumulated confusion matrix as nested arrays (rows truths, columns predictions). */
  matrix(): number[][] {
    const classes = this.numClasses;
    return Array.from({ length: classes }, (_, row) => Array.from(this.counts!.subarray(row * classes, (row + 1) * classes)));
  }

  async compute(): Promise<number> {
    if (!this.counts) return Number.NaN;
    const matrix = tensor(this.counts, { dtype: 'float32', shape: [this.numClasses, this.numClasses] });
    const average = this.score === 'accuracy' ? 'micro' : (this.options.average ?? (this.binary ? 'binary' : 'macro'));
    const result = scoreFromConfusionMatrix(this.score === 'accuracy' ? 'precision' : this.score, matrix, average);
    try {
      return await result.item();
    } finally {
      result.dispose();
      matrix.dispose();
    }
  }

}

/**
 * Mean log-loss over all samples of an epoch (see `logLoss`).
 * @example
 * await fit(model, { train, loss, optimizer, epochs: 5, metrics: [new LogLossMetric()] });
 */
export class LogLossMetric implements Metric {
  readonly name: string;
  private total = 0;
  private count = 0;

  constructor(readonly options: { eps?: number; name?: string } = {}) {
    this.name = options.name ?? 'logLoss';
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
  }

  async update(prediction: Tensor, target: Tensor): Promise<void> {
    const perSample = logLoss(prediction, target, { eps: this.options.eps, reduction: 'sum' });
    try {
      this.total += await perSample.item();
      this.count += prediction.shape[0] ?? 1;
    } finally {
      perSample.dispose();
    }
  }

  compute(): number {
    return this.count ? this.total / this.count : Number.NaN;
  }
}

const METRIC_NAMES: readonly MetricName[] = ['accuracy', 'precision', 'recall', 'f1', 'logLoss'];

/**
 * A fresh {@link Metric} for a name (or the metric itself).
 * @example
 * createMetric('accuracy').name; // 'accuracy'
 */
export function createMetric(spec: MetricSpec): Metric {
  if (typeof spec !== 'string') return spec;
  switch (spec) {
    case 'accuracy':
    case 'precision':
    case 'recall':
    case 'f1':
      return new ConfusionMatrixMetric(spec);
    case 'logLoss':
      return new LogLossMetric();
    default:
      throw new ValueError(`fit: unknown metric '${String(spec)}'; expected one of ${METRIC_NAMES.join(', ')} or a Metric object`);
  }
}
