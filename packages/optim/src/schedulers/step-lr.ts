/** StepLR: multiply the learning rate by γ every `stepSize` steps. */
import { checkNumber } from '../checks';
import { LRScheduler, type OptimizerLike } from './scheduler';

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Steps between two decays (a positive integer). */
  stepSize: number;
  /** Factor applied at each decay (default 0.1). */
  gamma?: number;
}

/**
 * Step decay, as PyTorch's `StepLR`: `η_t = η₀ · γ^⌊t / stepSize⌋` after t calls of `step()`.
 * @example
 * const scheduler = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 }); // 1, 1, 0.5, 0.5, 0.25 … × η₀
 * scheduler.step();
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: OptimizerLike, options: StepLROptions) {
    super('StepLR', optimizer);
    this.stepSize = checkNumber('StepLR', 'stepSize', options?.stepSize, { min: 1, integer: true });
    this.gamma = checkNumber('StepLR', 'gamma', options.gamma ?? 0.1, { min: 0 });
    this.apply();
  }

  protected lrAt(epoch: number): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(epoch / this.stepSize));
  }
}
