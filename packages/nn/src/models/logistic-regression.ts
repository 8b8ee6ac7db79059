/**
 * Logistic regression, binary (sigmoid + log-loss) or multinomial (softmax + cross-entropy).
 */
import { noGrad, oneHot, tensor, tidy, ShapeError, ValueError, isTensor, type Tensor } from '@tessera/core';
import { Module } from '../module';
import { Linear } from '../layers/linear';
import type { FactoryOptions } from '../layers/options';
import { binaryCrossEntropyWithLogits, crossEntropy } from '../functional/losses';
import { asTensor, type LabelsLike, type PointsLike } from './inputs';

/** Options of {@link LogisticRegression}. */
export interface LogisticRegressionOptions extends FactoryOptions {
  /** 2 (default): binary, one output and a sigmoid; more: multinomial, one output per class and a softmax. */
  numClasses?: number;
}

/** Options of {@link LogisticRegression.fitPerPoint}. */
export interface PerPointOptions {
  /** Learning rate α (default 0.01). */
  lr?: number;
  /** Passes over the points (default 1). */
  epochs?: number;
}

/**
 * Logistic regression. Binary: ŷ = σ(w·x + b), trained on the course's log-loss
 * −mean(y ln ŷ + (1 − y) ln(1 − ŷ)). Multinomial (`numClasses > 2`): ŷ = softmax(Wx + b), trained on
 * cross-entropy. `forward` returns the logits (binary: `[N]`; multinomial: `[N, C]`) so the model works
 * with `BCEWithLogitsLoss` / `CrossEntropyLoss` and any optimizer; `predictProba` gives ŷ.
 * `stepPerPoint` applies the course's rule w ← w + α(y − ŷ)x, b ← b + α(y − ŷ) to one point.
 * @example
 * const model = new LogisticRegression(2);
 * model.fitPerPoint([[0, 0], [1, 1]], [0, 1], { lr: 0.1, epochs: 100 });
 * model.predictProba(tensor([[1, 1]])); // ≈ [0.9…]
 */
export class LogisticRegression extends Module {
  readonly linear: Linear;
  readonly numClasses: number;

  constructor(
    readonly inFeatures: number,
    options: LogisticRegressionOptions = {},
  ) {
    super();
    this.numClasses = options.numClasses ?? 2;
    if (!Number.isInteger(this.numClasses) || this.numClasses < 2) {
      throw new ValueError(`LogisticRegression: numClasses must be an integer ≥ 2, got ${this.numClasses}`);
    }
    this.linear = new Linear(inFeatures, this.multinomial ? this.numClasses : 1, { dtype: options.dtype, device: options.device });
  }

  /** Whether this is the softmax (more than two classes) form. */
  get multinomial(): boolean {
    return this.numClasses > 2;
  }

  /** Logits z = Wx + b: `[N]` for binary, `[N, C]` for multinomial. */
  forward(input: Tensor): Tensor {
    if (!this.multinomial) return tidy(() => this.linear.forward(input).squeeze(-1));
    return this.linear.forward(input);
  }

  /**
   * ŷ: P(y = 1) = σ(z) for binary (`[N]`), softmax(z) for multinomial (`[N, C]`).
   * @example
   * model.predictProba(x);
   */
  predictProba(input: Tensor): Tensor {
    return tidy(() => (this.multinomial ? this.forward(input).softmax(-1) : this.forward(input).sigmoid()));
  }

  /**
   * Predicted classes (int32): ŷ ≥ 0.5 for binary, the most probable class for multinomial.
   * @example
   * model.predict(x); // [N]
   */
  predict(input: Tensor): Tensor {
    return tidy(() => (this.multinomial ? this.forward(input).argmax(-1) : this.forward(input).ge(0).cast('int32')));
  }

  /**
   * The training objective: the course's log-loss (binary; labels 0/1 as floats `[N]`) or cross-entropy
   * (multinomial; int32 class indices `[N]`), averaged over the points and computed stably from the logits.
   * @example
   * const loss = model.loss(x, y); loss.backward();
   */
  loss(input: Tensor, target: Tensor): Tensor {
    return tidy(() =>
      this.multinomial ? crossEntropy(this.forward(input), target) : binaryCrossEntropyWithLogits(this.forward(input), target.cast(this.linear.weight.dtype)),
    );
  }

  /**
   * One step of the course's per-point rule on point `x` (`[inFeatures]`) with label `y` (0/1, or the
   * class index): w ← w + α(y − ŷ)x and b ← b + α(y − ŷ) — gradient descent on that point's log-loss.
   * For multinomial, y is one-hot and the rule applies to every class's row.
   * @example
   * model.stepPerPoint(tensor([0.5, 1.5]), 1, 0.1);
   */
  stepPerPoint(x: Tensor | readonly number[], y: number, lr: number): this {
    const point = asTensor(x as Tensor, this.linear.weight.dtype, this.linear.weight.device);
    try {
      if (point.tensor.ndim !== 1 || point.tensor.shape[0] !== this.inFeatures) {
        throw new ShapeError(`LogisticRegression.stepPerPoint: x must have shape [${this.inFeatures}], got [${point.tensor.shape.join(', ')}]`);
      }
      const classes = this.multinomial ? this.numClasses : 2;
      if (!Number.isInteger(y) || y < 0 || y >= classes) {
        throw new ValueError(`LogisticRegression.stepPerPoint: label ${y} is out of range: expected an integer in [0, ${classes})`);
      }
      const { weight, bias } = this.linear;
      noGrad(() =>
        tidy(() => {
          const z = weight.matmul(point.tensor).add(bias!); // [outputs]
          let error: Tensor; // y − ŷ per output
          if (this.multinomial) {
            const target = oneHot(tensor(y, { dtype: 'int32', device: weight.device }), this.numClasses, weight.dtype);
            error = target.sub(z.softmax(-1));
          } else {
            error = z.sigmoid().neg().add(y);
          }
          weight.assign(weight.add(error.unsqueeze(1).mul(point.tensor.unsqueeze(0)).mul(lr)));
          bias!.assign(bias!.add(error.mul(lr)));
        }),
      );
    } finally {
      if (point.owned) point.tensor.dispose();
    }
    return this;
  }

  /**
   * Run {@link stepPerPoint} over every point, in order, for `epochs` passes (the course's logistic
   * regression algorithm). Tensors given here are read synchronously (cpu); pass arrays on other backends.
   * @example
   * model.fitPerPoint(points, labels, { lr: 0.01, epochs: 100 });
   */
  fitPerPoint(points: PointsLike, labels: LabelsLike, options: PerPointOptions = {}): this {
    const lr = options.lr ?? 0.01;
    const epochs = options.epochs ?? 1;
    const rows = isTensor(points) ? (points.arraySync() as number[][]) : points;
    const targets = isTensor(labels) ? (Array.from(labels.dataSync()) as number[]) : labels;
    if (rows.length !== targets.length) {
      throw new ShapeError(`LogisticRegression.fitPerPoint: ${rows.length} points but ${targets.length} labels`);
    }
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = 0; i < rows.length; i++) this.stepPerPoint(rows[i], targets[i], lr);
    }
    return this;
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, numClasses=${this.numClasses}`;
  }
}
