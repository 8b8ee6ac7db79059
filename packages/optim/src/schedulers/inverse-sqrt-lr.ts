/** InverseSqrtLR: the course's learning-rate decay η_t = η₀/√t, with an optional linear warm-up. */
import { checkNumber } from '../checks';
import { LRScheduler, type OptimizerLike } from './scheduler';

/** Options of {@link InverseSqrtLR}. */
export interface InverseSqrtLROptions {
  /** Steps of linear warm-up before the decay (default 0: none). */
  warmupSteps?: number;
}

/**
 * Inverse square-root decay, the course's `η_t = η₀ / √t` ("larger steps early, finer tuning later").
 * t counts from 1: the rate is η₀ when the schedule is made, η₀/√2 after the first `step()`, η₀/√3 after
 * the second, and so on.
 *
 * With `warmupSteps = w > 0` the rate first rises linearly, `η_t = η₀ · t / w` for t ≤ w, then decays as
 * `η_t = η₀ · √(w / t)` — the same 1/√t decay, scaled so it starts from η₀ at t = w (the Transformer /
 * fairseq form).
 *
 * @example
 * const scheduler = new InverseSqrtLR(optimizer);
 * scheduler.step(); // η = η₀ / √2
 */
export class InverseSqrtLR extends LRScheduler {
  readonly warmupSteps: number;

  constructor(optimizer: OptimizerLike, options: InverseSqrtLROptions = {}) {
    super('InverseSqrtLR', optimizer);
    this.warmupSteps = checkNumber('InverseSqrtLR', 'warmupSteps', options.warmupSteps ?? 0, { min: 0, integer: true });
    this.apply();
  }

  protected lrAt(epoch: number): number[] {
    const t = epoch + 1;
    const w = this.warmupSteps;
    const factor = w === 0 ? 1 / Math.sqrt(t) : t <= w ? t / w : Math.sqrt(w / t);
    return this.baseLrs.map((lr) => lr * factor);
  }
}
