/**
 * Binary classification losses: BCELoss (on probabilities) and BCEWithLogitsLoss (on logits).
 */
import { keep, type Tensor } from '@tessera/core';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits } from '../functional/losses';
import { Loss, type LossOptions } from './reduction';

/** Options of {@link BCELoss}. */
export interface BCELossOptions extends LossOptions {
  /** Per-element rescaling, broadcast against the input. */
  weight?: Tensor | null;
}

/**
 * Binary cross-entropy of probabilities — the course's log-loss −mean(y·ln p + (1 − y)·ln(1 − p)),
 * with each log clamped at −100 as in PyTorch.
 * @example
 * new BCELoss().forward(tensor([0.9, 0.2]), tensor([1, 0]));
 */
export class BCELoss extends Loss {
  readonly weight: Tensor | null;

  constructor(options: BCELossOptions = {}) {
    super(options);
    this.weight = options.weight ? keep(options.weight) : null;
    if (this.weight) this.registerBuffer('weight', this.weight);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { reduction: this.reduction, weight: this.weight });
  }
}

/** Options of {@link BCEWithLogitsLoss}. */
export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** Weight of positive examples per class (broadcast along the last dim). */
  posWeight?: Tensor | null;
}

/**
 * Sigmoid + binary cross-entropy in one stable formula, for logits of any size:
 * max(x, 0) − x·y + log(1 + e^(−|x|)).
 * @example
 * new BCEWithLogitsLoss({ posWeight: tensor([3]) }).forward(logits, labels);
 */
export class BCEWithLogitsLoss extends Loss {
  readonly weight: Tensor | null;
  readonly posWeight: Tensor | null;

  constructor(options: BCEWithLogitsLossOptions = {}) {
    super(options);
    this.weight = options.weight ? keep(options.weight) : null;
    this.posWeight = options.posWeight ? keep(options.posWeight) : null;
    if (this.weight) this.registerBuffer('weight', this.weight);
    if (this.posWeight) this.registerBuffer('pos_weight', this.posWeight);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { reduction: this.reduction, weight: this.weight, posWeight: this.posWeight });
  }
}
