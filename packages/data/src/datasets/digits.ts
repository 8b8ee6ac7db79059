import { tensor } from '@tessera/core';
import { decodeBase64 } from './decode';
import { DIGITS_BASE64, DIGITS_ROWS } from './generated/digits-data';
import type { ToyDataset } from './iris';

const SIDE = 8;

/**
 * The 8 × 8 handwritten digits, bundled (1797 images, 64 pixel values 0–16 in row-major order, labels
 * 0–9, about 180 per class). From the UCI "optical recognition of handwritten digits" data via
 * scikit-learn; BSD-3-Clause (see LICENSE-DATA). Pixels are not rescaled: divide by 16 or fit a scaler.
 * `images: true` shapes the features `[N, 1, 8, 8]` for convolutions.
 *
 * @example
 * const { features, labels } = loadDigits(); // [1797, 64] float32 in 0–16, [1797] int32
 */
export function loadDigits(options: { device?: string; images?: boolean } = {}): ToyDataset {
  const bytes = decodeBase64(DIGITS_BASE64);
  const pixels = SIDE * SIDE;
  const values = Float32Array.from(bytes.subarray(0, DIGITS_ROWS * pixels));
  const labels = Int32Array.from(bytes.subarray(DIGITS_ROWS * pixels, DIGITS_ROWS * (pixels + 1)));
  const shape = options.images ? [DIGITS_ROWS, 1, SIDE, SIDE] : [DIGITS_ROWS, pixels];
  const featureNames: string[] = [];
  for (let row = 0; row < SIDE; row++) for (let column = 0; column < SIDE; column++) featureNames.push(`pixel_${row}_${column}`);
  return {
    features: tensor(values, { shape, device: options.device }),
    labels: tensor(labels, { device: options.device }),
    featureNames,
    classNames: Array.from({ length: 10 }, (_, digit) => String(digit)),
  };
}
