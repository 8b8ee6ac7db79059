/** ExponentialLR: multiply the learning rate by γ at every step. */
import { checkNumber } from '../checks';
import { LRScheduler, type OptimizerLike } from './scheduler';

/** Options of {@link ExponentialLR}. */
export interface ExponentialLROptions {
  /** Factor applied at every step. */
  gamma: number;
}

/**
 * Exponential decay, as PyTorch's `ExponentialLR`: `η_t = η₀ · γᵗ` after t calls of `step()`.
 * @example
 * const scheduler = new ExponentialLR(optimizer, { gamma: 0.9 });
 * scheduler.step(); // η = 0.9 η₀
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: OptimizerLike, options: ExponentialLROptions) {
    super('ExponentialLR', optimizer);
    this.gamma = checkNumber('ExponentialLR', 'gamma', options?.gamma, { min: 0 });
    this.apply();
  }

  protected lrAt(epoch: number): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** epoch);
  }
}
