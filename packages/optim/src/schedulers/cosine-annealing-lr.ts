/** CosineAnnealingLR: half a cosine from the base learning rate down to `etaMin` over `tMax` steps. */
import { checkNumber } from '../checks';
import { LRScheduler, type OptimizerLike } from './scheduler';

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Steps from the base rate to `etaMin` (half a period). */
  tMax: number;
  /** The smallest rate (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing with PyTorch's closed form (SGDR without restarts):
 * `η_t = η_min + (η₀ − η_min)(1 + cos(πt / tMax)) / 2`. Past `tMax` the cosine continues, so the rate
 * rises again (as PyTorch's closed form does).
 * @example
 * const scheduler = new CosineAnnealingLR(optimizer, { tMax: 100, etaMin: 1e-5 });
 * scheduler.step();
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: OptimizerLike, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer);
    this.tMax = checkNumber('CosineAnnealingLR', 'tMax', options?.tMax, { min: 0, minExclusive: true });
    this.etaMin = checkNumber('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0, { min: 0 });
    this.apply();
  }

  protected lrAt(epoch: number): number[] {
    const cosine = (1 + Math.cos((Math.PI * epoch) / this.tMax)) / 2;
    return this.baseLrs.map((lr) => this.etaMin + (lr - this.etaMin) * cosine);
  }
}
