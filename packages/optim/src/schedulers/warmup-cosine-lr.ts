/** WarmupCosineLR: nanoGPT's schedule — linear warm-up, half a cosine down to `minLr`, then `minLr`. */
import { ValueError } from '@tessera/core';
import { checkNumber } from '../checks';
import { LRScheduler, type OptimizerLike } from './scheduler';

/** Options of {@link WarmupCosineLR}. */
export interface WarmupCosineLROptions {
  /** Steps of linear warm-up (nanoGPT's `warmup_iters`; 0: none). */
  warmupSteps: number;
  /** The step at which the cosine reaches `minLr` (nanoGPT's `lr_decay_iters`, usually the run's length). */
  totalSteps: number;
  /** The rate at `totalSteps` and after (nanoGPT's `min_lr`, typically η₀/10; default 0). */
  minLr?: number;
}

/**
 * The learning-rate schedule of nanoGPT's `get_lr(it)`, one `step()` per optimizer step. With η₀ a group's
 * `lr` when the schedule is made, w = `warmupSteps`, T = `totalSteps` and t the number of `step()` calls:
 *
 * - t < w: `η₀ · (t + 1) / (w + 1)` — the rate is never 0, so the first step already learns;
 * - w ≤ t ≤ T: `minLr + (η₀ − minLr) · (1 + cos(π (t − w) / (T − w))) / 2`;
 * - t > T: `minLr`.
 *
 * Up to T this equals `LinearWarmup(opt, { warmupSteps: w, startFactor: 1 / (w + 1) }, new CosineAnnealingLR(opt,
 * { tMax: T − w, etaMin: minLr }))` (to rounding), but past T the rate stays at `minLr` where
 * `CosineAnnealingLR`'s closed form would rise again, and the arithmetic is nanoGPT's operation for operation.
 * Every group decays towards the same `minLr`.
 * @example
 * const optimizer = new AdamW(model.parameters(), { lr: 6e-4, betas: [0.9, 0.95], weightDecay: 0.1 });
 * const scheduler = new WarmupCosineLR(optimizer, { warmupSteps: 2000, totalSteps: 600000, minLr: 6e-5 });
 * for (let it = 0; it < 600000; it++) { trainStep(); scheduler.step(); }
 */
export class WarmupCosineLR extends LRScheduler {
  readonly warmupSteps: number;
  readonly totalSteps: number;
  readonly minLr: number;

  constructor(optimizer: OptimizerLike, options: WarmupCosineLROptions) {
    super('WarmupCosineLR', optimizer);
    this.warmupSteps = checkNumber('WarmupCosineLR', 'warmupSteps', options?.warmupSteps, { min: 0, integer: true });
    this.totalSteps = checkNumber('WarmupCosineLR', 'totalSteps', options.totalSteps, { min: 1, integer: true });
    this.minLr = checkNumber('WarmupCosineLR', 'minLr', options.minLr ?? 0, { min: 0 });
    if (this.totalSteps <= this.warmupSteps) {
      throw new ValueError(`WarmupCosineLR: totalSteps (${this.totalSteps}) must be greater than warmupSteps (${this.warmupSteps}); the cosine runs between them`);
    }
    this.apply();
  }

  protected lrAt(epoch: number): number[] {
    const { warmupSteps, totalSteps, minLr } = this;
    return this.baseLrs.map((lr) => {
      // nanoGPT's get_lr operation for operation: equal numbers, up to how Math.cos rounds against C's cos.
      if (epoch < warmupSteps) return (lr * (epoch + 1)) / (warmupSteps + 1);
      if (epoch > totalSteps) return minLr;
      const decayRatio = (epoch - warmupSteps) / (totalSteps - warmupSteps);
      const coefficient = 0.5 * (1.0 + Math.cos(Math.PI * decayRatio));
      return minLr + coefficient * (lr - minLr);
    });
  }
}
