import { tensor, type Tensor } from '@tessera/core';
import { decodeBase64 } from './decode';
import { IRIS_BASE64, IRIS_CLASS_NAMES, IRIS_ROWS } from './generated/iris-data';

/** A bundled classification data set. */
export interface ToyDataset {
  /** float32 `[N, features]`. */
  features: Tensor;
  /** int32 `[N]` class indices. */
  labels: Tensor;
  featureNames: string[];
  classNames: string[];
}

/**
 * Names of the four iris measurements, in column order.
 * @example
 * IRIS_FEATURE_NAMES.length; // 4
 */
export const IRIS_FEATURE_NAMES = ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'];

/**
 * Fisher's iris data set, bundled (150 flowers, 4 measurements in cm, 3 species of 50 each: setosa,
 * versicolor, virginica). From the UCI repository via scikit-learn; BSD-3-Clause (see LICENSE-DATA).
 * Returns new tensors on the current backend (or `device`).
 *
 * @example
 * const { features, labels, classNames } = loadIris(); // [150, 4] float32, [150] int32
 */
export function loadIris(options: { device?: string } = {}): ToyDataset {
  const bytes = decodeBase64(IRIS_BASE64);
  const featureCount = IRIS_FEATURE_NAMES.length;
  const values = new Float32Array(IRIS_ROWS * featureCount);
  for (let i = 0; i < values.length; i++) values[i] = bytes[i] / 10;
  const labels = Int32Array.from(bytes.subarray(values.length, values.length + IRIS_ROWS));
  return {
    features: tensor(values, { shape: [IRIS_ROWS, featureCount], device: options.device }),
    labels: tensor(labels, { device: options.device }),
    featureNames: [...IRIS_FEATURE_NAMES],
    classNames: [...IRIS_CLASS_NAMES],
  };
}
