/**
 * The loss base class: a module holding a reduction.
 */
import { ValueError, type Tensor } from '@tessera/core';
import { Module } from '../module';
import type { Reduction } from '../functional/losses';

/** Options shared by every loss module. */
export interface LossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/**
 * Base class of the loss modules: `forward(input, target)` returns the reduced loss.
 * @example
 * const criterion: Loss = new MSELoss();
 * criterion.forward(prediction, target);
 */
export abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(options: LossOptions = {}) {
    super();
    this.reduction = options.reduction ?? 'mean';
    if (!['mean', 'sum', 'none'].includes(this.reduction)) {
      throw new ValueError(`${new.target.name}: reduction must be 'mean', 'sum' or 'none', got '${String(this.reduction)}'`);
    }
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;

  override extraRepr(): string {
    return `reduction='${this.reduction}'`;
  }
}
