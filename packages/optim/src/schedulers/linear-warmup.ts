/** LinearWarmup: raise the learning rate linearly for a few steps, then hand over to another schedule. */
import { ValueError } from '@tessera/core';
import { checkNumber } from '../checks';
import { checkOptimizer, isNumberList, type OptimizerLike, type Scheduler, type SchedulerStateDict } from './scheduler';

/** Options of {@link LinearWarmup}. */
export interface LinearWarmupOptions {
  /** Steps of warm-up (a positive integer). */
  warmupSteps: number;
  /** Fraction of the base rate at step 0, in (0, 1] (default 1/3, PyTorch's `LinearLR`). */
  startFactor?: number;
}

/**
 * Linear warm-up, composable with any schedule. For the first `warmupSteps` steps the rate is
 * `η₀ · (f + (1 − f) · t / warmupSteps)` (f = `startFactor`; PyTorch's `LinearLR`); at step `warmupSteps`
 * it is η₀ and the `after` schedule takes over from its own beginning — each later `step(metric)` is passed
 * on to it (PyTorch's `SequentialLR([LinearLR, after], milestones: [warmupSteps])`). Without `after` the rate
 * stays at η₀.
 *
 * Make the `after` schedule on the same optimizer first; η₀ is its starting rate.
 *
 * @example
 * const cosine = new CosineAnnealingLR(optimizer, { tMax: 90 });
 * const scheduler = new LinearWarmup(optimizer, { warmupSteps: 10, startFactor: 0.1 }, cosine);
 * for (let epoch = 0; epoch < 100; epoch++) { trainOneEpoch(); scheduler.step(); }
 */
export class LinearWarmup implements Scheduler {
  /** Whether the `after` schedule needs the metric (passed on once the warm-up ends). */
  get requiresMetric(): boolean {
    return this.after?.requiresMetric ?? false;
  }
  readonly warmupSteps: number;
  readonly startFactor: number;
  /** The rates reached at the end of the warm-up (the `after` schedule's starting rates). */
  baseLrs: number[];
  /** How many times `step()` was called. */
  lastEpoch = 0;
  private lastLr: number[] = [];

  constructor(
    readonly optimizer: OptimizerLike,
    options: LinearWarmupOptions,
    readonly after?: Scheduler,
  ) {
    checkOptimizer('LinearWarmup', optimizer);
    this.warmupSteps = checkNumber('LinearWarmup', 'warmupSteps', options?.warmupSteps, { min: 1, integer: true });
    this.startFactor = checkNumber('LinearWarmup', 'startFactor', options.startFactor ?? 1 / 3, { min: 0, max: 1, minExclusive: true });
    if (after !== undefined) {
      if (typeof after?.step !== 'function' || typeof after.getLastLr !== 'function') {
        throw new ValueError('LinearWarmup: `after` must be a schedule (with step() and getLastLr())');
      }
      const afterOptimizer = (after as { optimizer?: unknown }).optimizer;
      if (afterOptimizer !== undefined && afterOptimizer !== optimizer) {
        throw new ValueError('LinearWarmup: the `after` schedule was made for a different optimizer');
      }
    }
    this.baseLrs = after ? after.getLastLr() : optimizer.paramGroups.map((group) => group.lr);
    this.write(this.warmupLrs(0));
  }

  private warmupLrs(epoch: number): number[] {
    const factor = this.startFactor + ((1 - this.startFactor) * Math.min(epoch, this.warmupSteps)) / this.warmupSteps;
    return this.baseLrs.map((lr) => lr * factor);
  }

  private write(lrs: number[]): void {
    this.lastLr = lrs;
    this.optimizer.paramGroups.forEach((group, index) => {
      if (index < lrs.length) group.lr = lrs[index];
    });
  }

  /** Advance by one step; past the warm-up, `metric` goes to the `after` schedule. */
  step(metric?: number): void {
    this.lastEpoch += 1;
    if (this.lastEpoch < this.warmupSteps || !this.after) {
      this.write(this.warmupLrs(this.lastEpoch));
    } else if (this.lastEpoch === this.warmupSteps) {
      this.write(this.after.getLastLr());
    } else {
      this.after.step(metric);
      this.lastLr = this.after.getLastLr();
    }
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr], after: this.after?.stateDict() };
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    const { lastEpoch, baseLrs, lastLr, after } = stateDict as Record<string, unknown>;
    const groups = this.optimizer.paramGroups.length;
    if (typeof lastEpoch !== 'number' || !isNumberList(baseLrs, groups) || !isNumberList(lastLr, groups)) {
      throw new ValueError(`LinearWarmup.loadStateDict: expected { lastEpoch, baseLrs, lastLr, after } with one rate per parameter group (${groups}), as returned by stateDict()`);
    }
    if (this.after && (after === null || typeof after !== 'object')) {
      throw new ValueError('LinearWarmup.loadStateDict: the state dict has no state for the `after` schedule');
    }
    this.lastEpoch = lastEpoch;
    this.baseLrs = [...baseLrs];
    this.lastLr = [...lastLr];
    if (this.after) this.after.loadStateDict(after as SchedulerStateDict);
  }
}
