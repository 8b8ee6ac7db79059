import { ShapeError, ValueError, isFloating, keep, noGrad, tidy, type Tensor } from '@tessera/core';

/** Validates a batch of samples for a scaler and returns it as floating point. */
function asSamples(op: string, x: Tensor, featureShape?: readonly number[]): Tensor {
  if (x.ndim === 0) throw new ShapeError(`${op}: expected samples of shape [N, features…], got a 0-d tensor`);
  if (featureShape && (x.ndim - 1 !== featureShape.length || featureShape.some((size, d) => size !== x.shape[d + 1]))) {
    throw new ShapeError(
      `${op}: the scaler was fitted on features of shape [${featureShape.join(', ')}], got samples of shape [${x.shape.join(', ')}]`,
    );
  }
  return isFloating(x.dtype) ? x : x.float();
}

/** Replace zeros (constant features) by 1 so that they are only shifted, never divided by zero. */
function nonZero(scale: Tensor): Tensor {
  return scale.where(scale.ne(0), 1);
}

/**
 * The shared shape of the scalers: statistics are learned by `fit` on the training samples only, then
 * `transform` applies them to any data (training, validation, test) and `inverseTransform` undoes
 * them. Statistics are per feature: over dim 0, one value for every position of the other dims.
 */
abstract class Scaler {
  /** Shape of one sample, set by `fit`. */
  featureShape: number[] | null = null;
  /** Number of samples `fit` saw. */
  nSamplesSeen = 0;
  protected offset: Tensor | null = null;
  protected divisor: Tensor | null = null;

  /** Learns the statistics from training samples `[N, features…]` (replacing earlier ones); returns `this`. */
  fit(x: Tensor): this {
    const op = `${this.constructor.name}.fit`;
    if (x.ndim === 0 || x.shape[0] === 0) throw new ShapeError(`${op}: need at least one sample, got shape [${x.shape.join(', ')}]`);
    this.disposeStatistics();
    const [offset, divisor] = noGrad(() =>
      tidy(() => {
        const [o, f] = this.statistics(asSamples(op, x).detach());
        return [keep(o), keep(f)];
      }),
    );
    this.offset = offset;
    this.divisor = divisor;
    this.featureShape = x.shape.slice(1);
    this.nSamplesSeen = x.shape[0];
    return this;
  }

  /** `(x − offset) / divisor` per feature, with the fitted statistics (a new tensor). */
  transform(x: Tensor): Tensor {
    const [offset, divisor] = this.fitted('transform', x);
    return tidy(() => asSamples(`${this.constructor.name}.transform`, x, this.featureShape!).sub(offset).div(divisor));
  }

  /** Undoes {@link transform}: `x · divisor + offset`. */
  inverseTransform(x: Tensor): Tensor {
    const [offset, divisor] = this.fitted('inverseTransform', x);
    return tidy(() => asSamples(`${this.constructor.name}.inverseTransform`, x, this.featureShape!).mul(divisor).add(offset));
  }

  /** `fit(x)` then `transform(x)` — for the training data only. */
  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** Frees the fitted statistics. */
  dispose(): void {
    this.disposeStatistics();
    this.featureShape = null;
    this.nSamplesSeen = 0;
  }

  /** `[offset, divisor]` of the transform `(x − offset) / divisor`, from float samples. */
  protected abstract statistics(x: Tensor): [Tensor, Tensor];

  private fitted(method: string, x: Tensor): [Tensor, Tensor] {
    if (!this.offset || !this.divisor) throw new ValueError(`${this.constructor.name}.${method}: call fit(trainingSamples) first`);
    asSamples(`${this.constructor.name}.${method}`, x, this.featureShape!);
    return [this.offset, this.divisor];
  }

  private disposeStatistics(): void {
    this.offset?.dispose();
    this.divisor?.dispose();
    this.offset = null;
    this.divisor = null;
  }
}

/**
 * Standardisation, `z = (x − μ) / σ` per feature, with the mean μ and the population standard deviation
 * σ of the training samples (scikit-learn's `StandardScaler`). A constant feature (σ = 0) is only
 * centred. Fit on the training part only and reuse the scaler for validation and test data, so that no
 * information from them leaks into training.
 *
 * @example
 * const scaler = new StandardScaler().fit(xTrain);
 * const zTrain = scaler.transform(xTrain), zTest = scaler.transform(xTest);
 */
export class StandardScaler extends Scaler {
  readonly withMean: boolean;
  readonly withStd: boolean;

  /** `withMean: false` skips centring, `withStd: false` skips scaling (both default true). */
  constructor(options: { withMean?: boolean; withStd?: boolean } = {}) {
    super();
    this.withMean = options.withMean ?? true;
    this.withStd = options.withStd ?? true;
  }

  /** Per-feature mean of the training samples (zeros with `withMean: false`); owned by the scaler. */
  get mean(): Tensor | null {
    return this.offset;
  }

  /** Per-feature divisor σ (1 for constant features, or everywhere with `withStd: false`); owned by the scaler. */
  get scale(): Tensor | null {
    return this.divisor;
  }

  protected statistics(x: Tensor): [Tensor, Tensor] {
    const mean = this.withMean ? x.mean(0) : x.select(0, 0).mul(0);
    const std = this.withStd ? nonZero(x.std(0, false, 0)) : x.select(0, 0).mul(0).add(1);
    return [mean, std];
  }
}

/**
 * Min-max scaling of each feature into `featureRange` (default [0, 1]) using the training samples'
 * minimum and maximum: `x' = a + (x − min)(b − a) / (max − min)` (scikit-learn's `MinMaxScaler`).
 * A constant feature (max = min) is mapped to `a`. Data outside the training range maps outside
 * `featureRange`; nothing is clipped.
 *
 * @example
 * const scaler = new MinMaxScaler().fit(xTrain);
 * scaler.transform(xTest); // in [0, 1] where xTest lies within xTrain's range
 */
export class MinMaxScaler extends Scaler {
  readonly featureRange: readonly [number, number];

  constructor(options: { featureRange?: readonly [number, number] } = {}) {
    super();
    const range = options.featureRange ?? [0, 1];
    if (!(range[0] < range[1])) throw new ValueError(`MinMaxScaler: featureRange must be [min, max] with min < max, got [${range.join(', ')}]`);
    this.featureRange = range;
  }

  /** Per-feature divisor `(max − min) / (b − a)` (`1 / (b − a)` for constant features); owned by the scaler. */
  get scale(): Tensor | null {
    return this.divisor;
  }

  protected statistics(x: Tensor): [Tensor, Tensor] {
    const [low, high] = this.featureRange;
    const dataMin = x.amin(0);
    const divisor = nonZero(x.amax(0).sub(dataMin)).div(high - low);
    // a + (x − min) / divisor = (x − (min − a · divisor)) / divisor
    return [dataMin.sub(divisor.mul(low)), divisor];
  }
}
