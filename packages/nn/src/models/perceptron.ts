/**
 * The perceptron, trained with the course's perceptron trick.
 */
import { noGrad, tidy, zeros, ShapeError, ValueError, type Tensor } from '@tessera/core';
import { Module, parameter } from '../module';
import { step } from '../functional/activations';
import { linear } from '../functional/linear';
import { resetAffineParameters } from '../layers/linear';
import type { FactoryOptions } from '../layers/options';
import { asTensor, type LabelsLike, type PointsLike } from './inputs';

/** Options of {@link Perceptron.train} with data. */
export interface PerceptronTrainOptions {
  /** Learning rate α (default 0.01, as in the course). */
  lr?: number;
  /** Stop after this many passes over the points even if some are still wrong (default 25). */
  maxEpochs?: number;
}

/** The boundary w·x + b = 0 after one epoch. */
export interface PerceptronEpoch {
  /** 1 for the first pass over the points. */
  epoch: number;
  /** w after this epoch. */
  weights: number[];
  /** b after this epoch. */
  bias: number;
  /** Points that were misclassified (and so moved the line) during this epoch. */
  mistakes: number;
}

/** What {@link Perceptron.train} returns. */
export interface PerceptronTrainResult {
  /** Whether an epoch classified every point correctly. */
  converged: boolean;
  /** Epochs run. */
  epochs: number;
  /** The boundary after every epoch (also kept in `perceptron.history`). */
  history: PerceptronEpoch[];
}

/**
 * ŷ = step(w·x + b), the course's perceptron. `weight` `[1, inFeatures]` and `bias` `[1]` are laid out
 * like `Linear(inFeatures, 1)`. Train it with the perceptron trick: on a misclassified point,
 * w ← w + αx and b ← b + α if it is positive, w ← w − αx and b ← b − α if it is negative — i.e.
 * w ← w + α(y − ŷ)x, since y − ŷ is ±1 on a mistake and 0 otherwise.
 * @example
 * const p = new Perceptron(2);
 * const { converged, history } = await p.train([[1, 1], [2, 2], [-1, -1], [-2, -1]], [1, 1, 0, 0], { lr: 0.1, maxEpochs: 50 });
 * p.forward(tensor([[3, 3]])); // [1]
 */
export class Perceptron extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  /** The boundary after every epoch of the last data training (for drawing the progression). */
  history: PerceptronEpoch[] = [];

  constructor(
    readonly inFeatures: number,
    options: FactoryOptions = {},
  ) {
    super();
    const factory = { dtype: options.dtype ?? 'float32', device: options.device };
    this.weight = parameter(zeros([1, inFeatures], factory));
    this.bias = parameter(zeros([1], factory));
    resetAffineParameters(this.weight, this.bias);
  }

  /** 0/1 predictions: `[N]` for `[N, inFeatures]`, a 0-d tensor for one point `[inFeatures]`. */
  forward(input: Tensor): Tensor {
    return tidy(() => step(linear(input, this.weight, this.bias)).squeeze(-1));
  }

  /** Set training mode (Module's `train`). */
  override train(mode?: boolean): this;
  /** Run the perceptron algorithm on labelled points (labels 0 or 1). */
  override train(points: PointsLike, labels: LabelsLike, options?: PerceptronTrainOptions): Promise<PerceptronTrainResult>;
  override train(
    modeOrPoints?: boolean | PointsLike,
    labels?: LabelsLike,
    options: PerceptronTrainOptions = {},
  ): this | Promise<PerceptronTrainResult> {
    if (modeOrPoints === undefined || typeof modeOrPoints === 'boolean') return super.train(modeOrPoints);
    if (labels === undefined) throw new ValueError('Perceptron.train: pass the labels (0 or 1) after the points');
    return this.perceptronTrick(modeOrPoints, labels, options);
  }

  private async perceptronTrick(pointsLike: PointsLike, labelsLike: LabelsLike, options: PerceptronTrainOptions): Promise<PerceptronTrainResult> {
    const lr = options.lr ?? 0.01;
    const maxEpochs = options.maxEpochs ?? 25;
    if (!(lr > 0)) throw new ValueError(`Perceptron.train: lr must be positive, got ${lr}`);
    if (!Number.isInteger(maxEpochs) || maxEpochs < 1) throw new ValueError(`Perceptron.train: maxEpochs must be a positive integer, got ${maxEpochs}`);
    const points = asTensor(pointsLike as Tensor, this.weight.dtype, this.weight.device);
    const labels = asTensor(labelsLike as Tensor, this.weight.dtype, this.weight.device);
    try {
      const x = points.tensor;
      const y = labels.tensor;
      if (x.ndim !== 2 || x.shape[1] !== this.inFeatures) {
        throw new ShapeError(`Perceptron.train: points must have shape [N, ${this.inFeatures}], got [${x.shape.join(', ')}]`);
      }
      if (y.ndim !== 1 || y.shape[0] !== x.shape[0]) {
        throw new ShapeError(`Perceptron.train: labels must have shape [${x.shape[0]}] (one per point), got [${y.shape.join(', ')}]`);
      }
      const labelValues = await y.data();
      if (labelValues.some((v) => v !== 0 && v !== 1)) throw new ValueError('Perceptron.train: labels must be 0 or 1');
      this.history = [];
      let converged = false;
      const weights = noGrad(() => this.weight.reshape([this.inFeatures]));
      try {
        for (let epoch = 1; epoch <= maxEpochs && !converged; epoch++) {
          let mistakes = noGrad(() => tidy(() => this.weight.mul(0).sum()));
          for (let i = 0; i < x.shape[0]; i++) {
            const next = noGrad(() =>
              tidy(() => {
                const point = x.select(0, i);
                const predicted = step(point.mul(weights).sum().add(this.bias.reshape([])));
                const error = y.select(0, i).sub(predicted); // y − ŷ: +1, −1, or 0 when right
                weights.assign(weights.add(point.mul(error.mul(lr))));
                this.bias.assign(this.bias.add(error.mul(lr)));
                return mistakes.add(error.abs());
              }),
            );
            mistakes.dispose();
            mistakes = next;
          }
          const count = await mistakes.item();
          mistakes.dispose();
          this.history.push({ epoch, weights: Array.from(await weights.data()), bias: (await this.bias.data())[0], mistakes: count });
          converged = count === 0;
        }
      } finally {
        weights.dispose();
      }
      return { converged, epochs: this.history.length, history: this.history };
    } finally {
      if (points.owned) points.tensor.dispose();
      if (labels.owned) labels.tensor.dispose();
    }
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}`;
  }
}
